/** Graphs shared by the compile tests: the seed MLP's training step, built from the graph API. */
import { concat, crossEntropy, grad, input, param, where } from 'gradc';
import type { Tensor } from 'gradc';

export interface SeedMlp {
  readonly x: Tensor; readonly t: Tensor; readonly lrT: Tensor;
  readonly params: readonly Tensor[];
  readonly slots: readonly Tensor[];
  readonly loss: Tensor; readonly y: Tensor;
  readonly grads: readonly Tensor[];
  readonly updates: readonly (readonly [Tensor, Tensor])[];
}

/** 784 → 32 relu → 10 softmax, cross-entropy, Adam (Keras form) as graph updates. */
export function seedMlp(batch = 32, prefix = ''): SeedMlp {
  const x = input(`${prefix}x`, [batch, 784]);
  const t = input(`${prefix}t`, [batch, 10], { oneHot: true });
  const lrT = input(`${prefix}lr_t`, []);
  const W1 = param(`${prefix}W1`, [784, 32]);
  const b1 = param(`${prefix}b1`, [32]);
  const W2 = param(`${prefix}W2`, [32, 10]);
  const b2 = param(`${prefix}b2`, [10]);
  const h = x.matmul(W1).add(b1).relu();
  const y = h.matmul(W2).add(b2).softmax();
  const loss = crossEntropy(y, t);
  const params = [W1, b1, W2, b2];
  const grads = grad(loss, params);
  const slots: Tensor[] = [];
  const updates: [Tensor, Tensor][] = [];
  params.forEach((p, i) => {
    const g = grads[i]!;
    const name = (p as Tensor<'param'>).attrs.name;
    const m = param(`${name}/m`, p.shape);
    const v = param(`${name}/v`, p.shape);
    slots.push(m, v);
    const m1 = m.mul(0.9).add(g.mul(0.1));
    const v1 = v.mul(0.999).add(g.square().mul(0.001));
    updates.push([m, m1], [v, v1], [p, p.sub(m1.mul(lrT).div(v1.sqrt().add(1e-7)))]);
  });
  return { x, t, lrT, params, slots, loss, y, grads, updates };
}

/** Deterministic uniform numbers in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** One-hot rows [batch, classes] with labels from a seed. */
export function oneHotRows(batch: number, classes: number, seed: number): Float32Array {
  const labels = uniform(batch, seed, 0, classes);
  const out = new Float32Array(batch * classes);
  labels.forEach((l, i) => (out[i * classes + Math.floor(l)] = 1));
  return out;
}

/**
 * The worst |a − e| / (|e| + max|e|·1e-3 + floor): relative error, where entries that cancel
 * to ~0 compare against a thousandth of the tensor's scale (and `floor`, for tensors that are
 * zero in exact arithmetic and only rounding noise in float32).
 */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + scale * 1e-3 + floor + 1e-30);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

// ---- random graphs ----

/** A tiny deterministic chooser for building random graphs from a fast-check seed. */
export class Pick {
  private a: number;
  constructor(seed: number) { this.a = seed >>> 0; }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  of<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  bool(p = 0.5): boolean { return this.next() < p; }
}

export interface RandomGraph {
  readonly inputs: Tensor[];
  readonly params: Tensor[];
  readonly outputs: Record<string, Tensor>;
  readonly updates: [Tensor, Tensor][];
  readonly description: string[];
}

/**
 * A random graph over small shapes: elementwise ops (kept in their domains), broadcasting,
 * reductions, softmaxes, views, pad/concat, matmuls, and the gradient of a scalar of it.
 */
export function randomGraph(seed: number, steps = 10): RandomGraph {
  const r = new Pick(seed);
  const shape = () => Array.from({ length: r.int(4) }, () => 1 + r.int(4));
  const inputs = [input('a', shape()), input('b', shape()), input('c', [1 + r.int(3), 1 + r.int(4)], {}, r.bool(0.2) ? 'float64' : 'float32')];
  const pShape = shape();
  const params = [param('p', pShape), param('q', pShape)];
  const pool: Tensor[] = [...inputs, ...params];
  const description: string[] = [];
  const pickT = () => (r.bool(0.6) ? pool[pool.length - 1 - r.int(Math.min(3, pool.length))]! : r.of(pool));
  const ops: ((x: Tensor) => Tensor | undefined)[] = [
    (x) => x.neg(), (x) => x.abs(), (x) => x.relu(), (x) => x.sigmoid(), (x) => x.tanh(), (x) => x.softplus(),
    (x) => x.tanh().exp(), (x) => x.square().add(1).log(), (x) => x.sigmoid().sqrt(), (x) => x.abs().add(1).pow(1.5),
    (x) => x.square(), (x) => x.mul(0.5).add(x.tanh()),
    (x) => { const y = pickT(); return x.add(y); },
    (x) => { const y = pickT(); return x.sub(y); },
    (x) => { const y = pickT(); return x.mul(y); },
    (x) => { const y = pickT(); return x.div(y.square().add(1)); },
    (x) => { const y = pickT(); return x.maximum(y); },
    (x) => { const y = pickT(); return x.minimum(y); },
    (x) => { const y = pickT(); return where(x.greater(y), x, y.mul(2)); },
    (x) => { const y = pickT(); return x.less(y).add(x.equal(x)); },
    (x) => (x.rank ? x.sum(axesOf(x), r.bool()) : undefined),
    (x) => (x.rank ? x.max(axesOf(x), r.bool()) : undefined),
    (x) => (x.rank ? x.logSumExp(axesOf(x), r.bool()) : undefined),
    (x) => (x.rank ? x.mean(axesOf(x), r.bool()) : undefined),
    (x) => (x.rank ? x.softmax(r.int(x.rank)) : undefined),
    (x) => (x.rank ? x.logSoftmax(r.int(x.rank)) : undefined),
    (x) => (x.rank > 1 ? x.transpose() : undefined),
    (x) => x.reshape([x.size]),
    (x) => (x.rank ? x.reshape([...x.shape, 1].reverse()) : undefined),
    (x) => x.broadcastTo([2, ...x.shape]),
    (x) => (x.rank && x.shape[0]! > 1 ? x.slice(x.shape.map((_, d) => (d === 0 ? 1 : 0))) : undefined),
    (x) => (x.rank ? x.pad(x.shape.map(() => r.int(2)), x.shape.map(() => r.int(2))) : undefined),
    (x) => (x.rank ? concat([x, x.tanh()], r.int(x.rank)) : undefined),
    (x) => (x.rank >= 2 ? x.matmul(x.transpose(x.shape.map((_, d) => (d < x.rank - 2 ? d : x.rank * 2 - 3 - d)))) : undefined),
    (x) => (x.rank >= 2 ? x.transpose(x.shape.map((_, d) => (d < x.rank - 2 ? d : x.rank * 2 - 3 - d))).matmul(x) : undefined),
  ];
  function axesOf(x: Tensor): number[] {
    const axes = x.shape.map((_, d) => d).filter(() => r.bool());
    return axes.length ? axes : [r.int(x.rank)];
  }
  for (let s = 0; s < steps; s++) {
    const k = r.int(ops.length);
    try {
      const y = ops[k]!(pickT());
      if (y !== undefined && y.size > 0 && y.size <= 256) { pool.push(y); description.push(`${k}:${y.op}[${y.shape}]`); }
    } catch {
      // shapes did not fit (e.g. no broadcast): skip this op
    }
  }
  const last = pool[pool.length - 1]!;
  const outputs: Record<string, Tensor> = { out: last };
  if (pool.length > 5) outputs.mid = pool[Math.floor(pool.length / 2)]!;
  const updates: [Tensor, Tensor][] = [];
  const loss = last.rank ? last.sum() : last;
  const used = (t: Tensor) => { const seen = new Set<Tensor>(); const st = [loss]; while (st.length) { const n = st.pop()!; if (n === t) return true; if (!seen.has(n)) { seen.add(n); st.push(...n.inputs); } } return false; };
  const wrt = [...inputs, ...params].filter(used);
  if (wrt.length > 0 && r.bool(0.7)) {
    const g = grad(loss, wrt);
    g.forEach((gi, i) => { outputs[`grad${i}`] = gi; });
  }
  // Updates read the old values of each other's params (one step), in several patterns.
  const [p, q] = params as [Tensor, Tensor];
  const square = p.rank === 2 && p.shape[0] === p.shape[1];
  switch (r.int(5)) {
    case 0: updates.push([p, p.mul(0.9).add(last.mean().mul(0.1))]); break;
    case 1: updates.push([p, p.mul(0.9).add(last.mean().mul(0.1)).add(q.mul(0.01))], [q, q.sub(p.sum().mul(0.01))]); break;
    case 2: updates.push([p, q], [q, square ? p.transpose() : p.neg()]); break;
    case 3: updates.push([q, p.add(last.max().mul(0.5))]); break;
    default: break;
  }
  const usedInputs = new Set<Tensor>();
  const stack = [...Object.values(outputs), ...updates.flat()];
  const seen = new Set<Tensor>();
  while (stack.length) { const n = stack.pop()!; if (seen.has(n)) continue; seen.add(n); if (n.op === 'input') usedInputs.add(n); stack.push(...n.inputs); }
  return { inputs: inputs.filter((t) => usedInputs.has(t)), params, outputs, updates, description };
}
