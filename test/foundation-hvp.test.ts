// Second order: the Hessian-vector product grad(Σ grad(f, θ)·v, θ), built symbolically,
// against central differences of the gradient graph along v, and against closed forms.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  binaryCrossEntropy, constant, crossEntropy, evaluate, grad, input, meanSquaredError, param, softmaxCrossEntropy, sum,
  type Tensor,
} from 'gradc';

type Feeds = Record<string, Float64Array>;
/** The data of float64 results (evaluate's dtype: 'float64' returns Float64Arrays). */
const data64 = (rs: { data: Float32Array | Float64Array }[]) => rs.map((e) => e.data as Float64Array);

/** A seeded stream of normal deviates (Box–Muller over mulberry32). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Hv = grad(Σᵢ sum(∂f/∂θᵢ ⊙ vᵢ), θ): a graph, so it can be evaluated or differentiated again. */
function hessianVectorProduct(loss: Tensor, params: Tensor[], vs: Tensor[]): Tensor[] {
  const g = grad(loss, params);
  const gv = g.map((gi, i) => sum(gi.mul(vs[i]))).reduce((a, b) => a.add(b));
  return grad(gv, params);
}

/**
 * (∇f(θ + hv) − ∇f(θ − hv)) / 2h, Richardson-extrapolated from h and h/2, evaluating the
 * gradient graph itself at the moved points.
 */
function finiteDifferenceHv(gradient: Tensor[], params: Tensor[], feeds: Feeds, v: Feeds, h = 1e-3): Float64Array[] {
  const at = (step: number) => {
    const moved: Feeds = { ...feeds };
    for (const p of params) {
      const name = (p.attrs as { name: string }).name;
      moved[name] = feeds[name].map((x, j) => x + step * v[name][j]);
    }
    return data64(evaluate(gradient, moved, { dtype: 'float64' }));
  };
  const central = (step: number) => {
    const [plus, minus] = [at(step), at(-step)];
    return plus.map((gp, i) => gp.map((x, j) => (x - minus[i][j]) / (2 * step)));
  };
  const [dh, dh2] = [central(h), central(h / 2)];
  return dh.map((d, i) => d.map((x, j) => (4 * dh2[i][j] - x) / 3));
}

/** max |a − n| over max |n|: the worst error relative to the size of the product. */
function relError(a: readonly Float64Array[], n: readonly Float64Array[]): number {
  let err = 0;
  let scale = 1e-8;
  a.forEach((ai, i) => ai.forEach((x, j) => {
    err = Math.max(err, Math.abs(x - n[i][j]));
    scale = Math.max(scale, Math.abs(n[i][j]));
  }));
  return err / scale;
}

interface Mlp {
  readonly sizes: readonly [number, number, number, number]; // batch, in, hidden, out
  readonly activation: 'tanh' | 'sigmoid' | 'softplus';
  readonly loss: 'softmaxCrossEntropy' | 'crossEntropy' | 'binaryCrossEntropy' | 'meanSquaredError';
  readonly seed: number;
}

/** loss(act(x·W1 + b1)·W2 + b2, t) in float64, with its params, feeds at θ, and a direction v. */
function mlp({ sizes: [n, din, hid, dout], activation, loss, seed }: Mlp) {
  const rnd = normals(seed);
  const x = input('x', [n, din], {}, 'float64');
  const t = input('t', [n, dout], {}, 'float64');
  const params = [param('W1', [din, hid], 'float64'), param('b1', [hid], 'float64'), param('W2', [hid, dout], 'float64'), param('b2', [dout], 'float64')];
  const [W1, b1, W2, b2] = params;
  const h = x.matmul(W1).add(b1)[activation]();
  const z = h.matmul(W2).add(b2);
  const losses = {
    softmaxCrossEntropy: () => softmaxCrossEntropy(z, t),
    crossEntropy: () => crossEntropy(z.softmax(), t),
    binaryCrossEntropy: () => binaryCrossEntropy(z.sigmoid(), t),
    meanSquaredError: () => meanSquaredError(z, t),
  };
  const fill = (size: number, scale: number) => Float64Array.from({ length: size }, () => scale * rnd());
  // One-hot targets for the cross-entropies, reals in (0, 1) otherwise.
  const target = new Float64Array(n * dout);
  for (let r = 0; r < n; r++) {
    if (loss === 'softmaxCrossEntropy' || loss === 'crossEntropy') target[r * dout + Math.floor(Math.abs(rnd() * 1000)) % dout] = 1;
    else for (let c = 0; c < dout; c++) target[r * dout + c] = 1 / (1 + Math.exp(-rnd()));
  }
  const feeds: Feeds = { x: fill(n * din, 1), t: target };
  const v: Feeds = {};
  for (const p of params) {
    const name = (p.attrs as { name: string }).name;
    feeds[name] = fill(p.size, 0.7);
    v[name] = fill(p.size, 1);
  }
  const vs = params.map((p) => input(`v_${(p.attrs as { name: string }).name}`, p.shape, {}, 'float64'));
  const vFeeds = Object.fromEntries(Object.entries(v).map(([k, d]) => [`v_${k}`, d]));
  return { loss: losses[loss](), params, vs, feeds, v, vFeeds };
}

describe('Hessian-vector products', () => {
  it('of a small MLP loss (tanh, softmax cross-entropy) match central differences of its gradient', () => {
    const m = mlp({ sizes: [4, 3, 5, 2], activation: 'tanh', loss: 'softmaxCrossEntropy', seed: 11 });
    const hv = hessianVectorProduct(m.loss, m.params, m.vs);
    expect(hv.map((t) => t.shape)).toEqual(m.params.map((p) => p.shape));
    const analytic = data64(evaluate(hv, { ...m.feeds, ...m.vFeeds }, { dtype: 'float64' }));
    const numeric = finiteDifferenceHv(grad(m.loss, m.params), m.params, m.feeds, m.v);
    expect(relError(analytic, numeric)).toBeLessThan(1e-6);
    // Not vacuous: the product is far from zero.
    expect(Math.max(...analytic.flatMap((a) => Array.from(a, Math.abs)))).toBeGreaterThan(1e-2);
  });

  it('random MLP sizes, activations and losses', () => {
    const arbMlp = fc.record({
      sizes: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 3 })),
      activation: fc.constantFrom('tanh', 'sigmoid', 'softplus'),
      loss: fc.constantFrom('softmaxCrossEntropy', 'crossEntropy', 'binaryCrossEntropy', 'meanSquaredError'),
      seed: fc.nat(),
    }) as fc.Arbitrary<Mlp>;
    fc.assert(
      fc.property(arbMlp, (spec) => {
        const m = mlp(spec);
        const analytic = data64(evaluate(hessianVectorProduct(m.loss, m.params, m.vs), { ...m.feeds, ...m.vFeeds }, { dtype: 'float64' }));
        const numeric = finiteDifferenceHv(grad(m.loss, m.params), m.params, m.feeds, m.v);
        const err = relError(analytic, numeric);
        if (!(err < 1e-6)) throw new Error(`Hv relative error ${err}`);
      }),
      { numRuns: 40 },
    );
  });

  it('closed forms: f = Σ(Ax)² has Hv = 2Aᵀ(Av); f = Σ eˣ has Hv = eˣ ⊙ v', () => {
    const rnd = normals(3);
    const [m, n] = [4, 3];
    const A = Array.from({ length: m * n }, rnd);
    const xv = Array.from({ length: n }, rnd);
    const vv = Array.from({ length: n }, rnd);
    const x = input('x', [n, 1], {}, 'float64');
    const v = input('v', [n, 1], {}, 'float64');
    const [hv] = hessianVectorProduct(constant(A, [m, n], 'float64').matmul(x).square().sum(), [x], [v]);
    const Av = Array.from({ length: m }, (_, i) => vv.reduce((s, vj, j) => s + A[i * n + j] * vj, 0));
    const expected = Array.from({ length: n }, (_, j) => 2 * Av.reduce((s, a, i) => s + A[i * n + j] * a, 0));
    const got = evaluate(hv, { x: xv, v: vv }, { dtype: 'float64' }).data;
    expected.forEach((e, j) => expect(got[j]).toBeCloseTo(e, 12));

    const [hvExp] = hessianVectorProduct(x.exp().sum(), [x], [v]);
    const gotExp = evaluate(hvExp, { x: xv, v: vv }, { dtype: 'float64' }).data;
    xv.forEach((xj, j) => expect(gotExp[j]).toBeCloseTo(Math.exp(xj) * vv[j], 12));
  });

  it('third order: d³(x⁴)/dx³ = 24x, by differentiating a gradient twice more', () => {
    const x = input('x', [3], {}, 'float64');
    const [d1] = grad(x.pow(4).sum(), [x]);
    const [d2] = grad(d1.sum(), [x]);
    const [d3] = grad(d2.sum(), [x]);
    const xs = [-1.5, 0.25, 2];
    expect(Array.from(evaluate(d3, { x: xs }, { dtype: 'float64' }).data)).toEqual(xs.map((v) => 24 * v));
  });
});
