/**
 * Random computation graphs for property tests: `arbGraph(options)` is a fast-check
 * arbitrary of DAGs over gradc's differentiable ops, with shapes consistent by
 * construction and values in safe ranges, so every graph is finite and differentiable
 * at its feed point. Used by the foundation, simplifier and kernel-compiler tests.
 *
 *   fc.assert(fc.property(arbGraph(), (g) => {
 *     const y = g.output('float64');                      // built on input(name, shape, {}, 'float64')
 *     const v = evaluate(y, g.feeds(), { dtype: 'float64' });
 *     checkGrad((...xs) => g.build(xs), g.points());      // or g.build([param('w', …), …])
 *   }));
 *
 * Guarantees, for every generated graph:
 * - depth (longest chain of generated ops) ≤ maxDepth, at most maxOps generated ops, and
 *   node sharing: a leaf may reuse any earlier node of its shape, not only inputs;
 * - kinks (abs, relu, maximum, minimum, max) only see values that are ± an input element
 *   or a number operand; these never tie and stay ≥ 0.5/(2N+2) from 0 and from each other
 *   (N inputs), and within one input all values are distinct;
 * - log, sqrt, div's divisor, pow with a fractional or negative exponent get an operand
 *   that is provably ≥ 0.2; exp, square, pow, mul and matmul get operands scaled so that
 *   conservative bounds stay small. These guards are extra ops (sigmoid, add, exp, tanh,
 *   mul by a number), counted in `steps` but not in `depth` or `opCount`.
 */
import fc from 'fast-check';
import {
  add, broadcastTo, concat, div, equal, exp, greater, input, less, logSoftmax, logSumExp, matmul, max, maximum, mean, minimum,
  mul, neg, pad, pow, reshape, sigmoid, slice, softmax, sub, sum, tanh, transpose, where, type DType, type Tensor, type TensorLike,
} from 'gradc';
import * as g from 'gradc';
import { arbShape, sizeOf, type Point, type Shape } from './arbitraries.js';
import { arbTree, GRAPH_OPS, type GraphOp, type Tree } from './random-graph-tree.js';

export { GRAPH_OPS, type GraphOp } from './random-graph-tree.js';

export interface RandomGraphOptions {
  /** Longest chain of generated ops (default 6). */
  readonly maxDepth?: number;
  /** Generated ops at most (default 12; guards not counted). */
  readonly maxOps?: number;
  /** Inputs are reused once this many exist, when a node of the needed shape exists (default 3). */
  readonly maxInputs?: number;
  readonly maxRank?: number; // default 4
  readonly maxDim?: number; // default 3
  /** Elements per tensor (default 24). */
  readonly maxSize?: number;
  /** Ops the generator may place (default all of GRAPH_OPS). */
  readonly ops?: readonly GraphOp[];
  /** A fixed output shape; by default a random one within the limits. */
  readonly outputShape?: Shape;
}

export interface GraphInput {
  readonly name: string;
  readonly shape: Shape;
  /** The feed value: safe for every op in the graph. */
  readonly data: Float64Array;
}

export interface RandomGraph {
  /** The placeholders, named x0, x1, …, in the order `build` takes them. */
  readonly inputs: readonly GraphInput[];
  /** Builds the graph on `xs[i]` standing for `inputs[i]` (same shapes): inputs, params, or any tensors. */
  build(xs: readonly Tensor[]): Tensor;
  /** Builds the graph on fresh `input(name, shape, {}, dtype)` placeholders. */
  output(dtype?: DType): Tensor;
  /** Feeds keyed by input name, for `evaluate` or a compiled program. */
  feeds(): Record<string, Float64Array>;
  /** The inputs' values as checkGrad points. */
  points(): Point[];
  readonly depth: number;
  readonly opCount: number;
  /** Every node built, guards included. */
  readonly steps: number;
  /** The op names used (as gradc functions), sorted. */
  readonly ops: readonly string[];
  /** One line per node: `t4 = matmul(t2, t3)  [2,3]`. */
  toString(): string;
}

const INPUT_STEP = 0.5;

interface Node {
  readonly id: number;
  readonly shape: Shape;
  /** |value| ≤ bound and value ≥ lo, elementwise, by construction. */
  readonly bound: number;
  readonly lo: number;
  readonly exact: boolean;
  readonly depth: number;
}
type Arg = Node | number;
interface Step {
  readonly input?: number;
  readonly fn?: (...args: TensorLike[]) => Tensor;
  readonly args: readonly Arg[];
  readonly text: string;
}

const show = (a: Arg): string => (typeof a === 'number' ? String(a) : `t${a.id}`);
const same = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const broadcastsTo = (a: Shape, b: Shape): boolean => a.length <= b.length && a.every((d, i) => d === 1 || d === b[b.length - a.length + i]);

/** Turns a tree into SSA steps: resolves leaves to shared nodes, tracks bounds, inserts guards. */
class Planner {
  readonly steps: Step[] = [];
  readonly nodes: Node[] = [];
  readonly inputShapes: Shape[] = [];
  readonly used = new Set<string>();
  opCount = 0;

  constructor(private readonly maxInputs: number) {}

  private add(fn: (...args: TensorLike[]) => Tensor, name: string, args: Arg[], shape: Shape, range: { bound: number; lo: number }, exact = false, counts = true, attrs = ''): Node {
    const depth = Math.max(0, ...args.map((a) => (typeof a === 'number' ? 0 : a.depth))) + (counts ? 1 : 0);
    const node: Node = { id: this.steps.length, shape, bound: range.bound, lo: Math.max(range.lo, -range.bound), exact, depth };
    this.steps.push({ fn, args, text: `${name}(${args.map(show).join(', ')}${attrs})` });
    this.nodes.push(node);
    this.used.add(name);
    if (counts) this.opCount++;
    return node;
  }

  /** Scales x by a number so its bound is at most `limit`. */
  private tame(x: Arg, limit: number): Arg {
    if (typeof x === 'number' || x.bound <= limit) return x;
    const c = limit / x.bound;
    return this.add(mul, 'mul', [x, c], x.shape, { bound: limit, lo: x.lo * c }, false, false);
  }

  /** x itself if provably in [0.2, 50], else a positive squashing of it. */
  private positive(x: Arg): Arg {
    if (typeof x === 'number' || (x.lo >= 0.2 && x.bound <= 50)) return x;
    if (x.id % 2 === 0) {
      const s = this.add(sigmoid, 'sigmoid', [x], x.shape, { bound: 1, lo: 0 }, false, false);
      return this.add(add, 'add', [s, 0.5], x.shape, { bound: 1.5, lo: 0.5 }, false, false);
    }
    const t = this.add(tanh, 'tanh', [x], x.shape, { bound: 1, lo: -1 }, false, false);
    return this.add(exp, 'exp', [t], x.shape, { bound: Math.E, lo: 1 / Math.E }, false, false);
  }

  leaf(shape: Shape, pick: number, room: number, exact: boolean): Node {
    const ok = (n: Node) => (!exact || n.exact) && n.depth <= room;
    const same_ = this.nodes.filter((n) => ok(n) && same(n.shape, shape));
    const full = this.inputShapes.length >= this.maxInputs;
    if (same_.length > 0 && (full || pick % 3 !== 0)) return same_[pick % same_.length];
    const wider = this.nodes.filter((n) => ok(n) && broadcastsTo(n.shape, shape));
    if (full && wider.length > 0) {
      const n = wider[pick % wider.length];
      return this.add((x) => broadcastTo(x, shape), 'broadcastTo', [n], shape, n, n.exact, false, `, [${shape}]`);
    }
    // Bounds of input values are fixed in `values()`: |x| ≤ step·(size/2 + 1).
    const bound = INPUT_STEP * (sizeOf(shape) / 2 + 1);
    const node: Node = { id: this.steps.length, shape, bound, lo: -bound, exact: true, depth: 0 };
    this.steps.push({ input: this.inputShapes.length, args: [], text: `input x${this.inputShapes.length}` });
    this.inputShapes.push(shape);
    this.nodes.push(node);
    return node;
  }

  plan(t: Tree, exact = false): Arg {
    switch (t.k) {
      case 'leaf':
        return this.leaf(t.shape, t.pick, t.room, exact);
      case 'num':
        return t.value;
      case 'unary': {
        const x = this.plan(t.x, exact || t.op === 'abs' || t.op === 'relu') as Node;
        const b = x.bound;
        switch (t.op) {
          case 'neg': return this.add(neg, 'neg', [x], x.shape, { bound: b, lo: -b }, x.exact);
          case 'abs': return this.add(g.abs, 'abs', [x], x.shape, { bound: b, lo: 0 });
          case 'relu': return this.add(g.relu, 'relu', [x], x.shape, { bound: b, lo: 0 });
          case 'exp': {
            const y = this.tame(x, 3) as Node;
            return this.add(exp, 'exp', [y], y.shape, { bound: Math.exp(y.bound), lo: Math.exp(y.lo) });
          }
          case 'log': case 'sqrt': {
            const y = this.positive(x) as Node;
            const f = t.op === 'log' ? Math.log : Math.sqrt;
            return this.add(g[t.op], t.op, [y], y.shape, { bound: Math.max(Math.abs(f(y.lo)), Math.abs(f(y.bound))), lo: f(y.lo) });
          }
          case 'square': {
            const y = this.tame(x, 10) as Node;
            return this.add(g.square, 'square', [y], y.shape, { bound: y.bound ** 2, lo: y.lo > 0 ? y.lo ** 2 : 0 });
          }
          case 'sigmoid': return this.add(sigmoid, 'sigmoid', [x], x.shape, { bound: 1, lo: 0 });
          case 'tanh': return this.add(tanh, 'tanh', [x], x.shape, { bound: 1, lo: -1 });
          case 'softplus': return this.add(g.softplus, 'softplus', [x], x.shape, { bound: b + Math.LN2, lo: 0 });
        }
        throw new Error('unreachable');
      }
      case 'pow': {
        const p = t.p;
        const x = this.plan(t.x) as Node;
        if (Number.isInteger(p) && p >= 0) {
          const y = this.tame(x, 3) as Node;
          const b = y.bound ** p;
          return this.add((v) => pow(v, p), 'pow', [y], y.shape, { bound: b, lo: p % 2 === 0 ? 0 : -b }, false, true, `, ${p}`);
        }
        const y = this.positive(x) as Node;
        const ends = [y.lo ** p, y.bound ** p];
        return this.add((v) => pow(v, p), 'pow', [y], y.shape, { bound: Math.max(...ends), lo: Math.min(...ends) }, false, true, `, ${p}`);
      }
      case 'binary': {
        const kink = t.op === 'maximum' || t.op === 'minimum';
        let a = this.plan(t.a, kink);
        let b = this.plan(t.b, kink);
        const shape = broadcastShape(a, b);
        const [ba, la] = range(a);
        if (kink) {
          const [bb, lb] = range(b);
          const lo = t.op === 'maximum' ? Math.max(la, lb) : Math.min(la, lb);
          return this.add(t.op === 'maximum' ? maximum : minimum, t.op, [a, b], shape, { bound: Math.max(ba, bb), lo });
        }
        if (t.op === 'div') {
          a = this.tame(a, 10);
          b = this.positive(b);
          const [bn, ln] = range(a);
          const [, lb] = range(b);
          const d = Math.abs(typeof b === 'number' ? b : lb);
          return this.add(div, 'div', [a, b], shape, { bound: bn / d, lo: ln >= 0 && typeof b !== 'number' ? 0 : -bn / d });
        }
        if (t.op === 'mul') {
          a = this.tame(a, 10);
          b = this.tame(b, 10);
        } else {
          a = this.tame(a, 1e3);
          b = this.tame(b, 1e3);
        }
        const [b1, l1] = range(a);
        const [b2, l2] = range(b);
        if (t.op === 'add') return this.add(add, 'add', [a, b], shape, { bound: b1 + b2, lo: l1 + l2 });
        if (t.op === 'sub') return this.add(sub, 'sub', [a, b], shape, { bound: b1 + b2, lo: l1 - b2 });
        return this.add(mul, 'mul', [a, b], shape, { bound: b1 * b2, lo: l1 >= 0 && l2 >= 0 ? l1 * l2 : -b1 * b2 });
      }
      case 'where': {
        const p = this.plan(t.p, true) as Node;
        const q = this.plan(t.q, true) as Node;
        const cmp = { greater, less, equal }[t.cmp];
        const c = this.add(cmp, t.cmp, [p, q], broadcastShape(p, q), { bound: 1, lo: 0 }, false, false);
        const a = this.plan(t.a, exact) as Node;
        const b = this.plan(t.b, exact) as Node;
        const shape = broadcastShape({ shape: broadcastShape(c, a) }, b);
        return this.add(where, 'where', [c, a, b], shape, { bound: Math.max(a.bound, b.bound), lo: Math.min(a.lo, b.lo) }, a.exact && b.exact);
      }
      case 'reduce': {
        const x = this.plan(t.x, exact || t.op === 'max') as Node;
        const { axes, keepDims } = t;
        if (axes.length === 0) return x;
        const shape = x.shape.flatMap((d, i) => (!axes.includes(i) ? [d] : keepDims ? [1] : []));
        const n = axes.reduce((m, a) => m * x.shape[a], 1);
        const fn = { sum, mean, max, logSumExp }[t.op];
        const r = t.op === 'sum' ? { bound: x.bound * n, lo: x.lo * n } : t.op === 'logSumExp' ? { bound: x.bound + Math.log(n), lo: x.lo } : x;
        return this.add((v) => fn(v as Tensor, axes, keepDims), t.op, [x], shape, r, t.op === 'max' && x.exact, true, `, [${axes}], ${keepDims}`);
      }
      case 'reshape': {
        const x = this.plan(t.x, exact) as Node;
        return this.add((v) => reshape(v as Tensor, t.shape), 'reshape', [x], t.shape, x, x.exact, true, `, [${t.shape}]`);
      }
      case 'transpose': {
        const x = this.plan(t.x, exact) as Node;
        return this.add((v) => transpose(v as Tensor, t.perm), 'transpose', [x], t.perm.map((p) => x.shape[p]), x, x.exact, true, `, [${t.perm}]`);
      }
      case 'broadcastTo': {
        const x = this.plan(t.x, exact) as Node;
        return this.add((v) => broadcastTo(v, t.shape), 'broadcastTo', [x], t.shape, x, x.exact, true, `, [${t.shape}]`);
      }
      case 'slice': {
        const x = this.plan(t.x, exact) as Node;
        return this.add((v) => slice(v as Tensor, t.begin, t.size), 'slice', [x], t.size, x, x.exact, true, `, [${t.begin}], [${t.size}]`);
      }
      case 'pad': {
        const x = this.plan(t.x) as Node;
        const shape = x.shape.map((d, i) => t.before[i] + d + t.after[i]);
        return this.add((v) => pad(v as Tensor, t.before, t.after), 'pad', [x], shape, { bound: x.bound, lo: Math.min(x.lo, 0) }, false, true, `, [${t.before}], [${t.after}]`);
      }
      case 'concat': {
        const xs = t.xs.map((c) => this.plan(c, exact) as Node);
        const shape = xs[0].shape.map((d, i) => (i === t.axis ? xs.reduce((m, x) => m + x.shape[i], 0) : d));
        const r = { bound: Math.max(...xs.map((x) => x.bound)), lo: Math.min(...xs.map((x) => x.lo)) };
        return this.add((...vs) => concat(vs as Tensor[], t.axis), 'concat', xs, shape, r, xs.every((x) => x.exact), true, `; axis ${t.axis}`);
      }
      case 'matmul': {
        const a = this.tame(this.plan(t.a), 10) as Node;
        const b = this.tame(this.plan(t.b), 10) as Node;
        const batch = broadcastShape({ shape: a.shape.slice(0, -2) }, { shape: b.shape.slice(0, -2) });
        const k = a.shape[a.shape.length - 1];
        const bound = k * a.bound * b.bound;
        return this.add((u, v) => matmul(u as Tensor, v as Tensor), 'matmul', [a, b], [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]], { bound, lo: -bound });
      }
      case 'softmax': case 'logSoftmax': {
        const x = this.plan(t.x) as Node;
        const n = x.shape[t.axis < 0 ? t.axis + x.shape.length : t.axis];
        const r = t.k === 'softmax' ? { bound: 1, lo: 0 } : { bound: 2 * x.bound + Math.log(n), lo: -(2 * x.bound + Math.log(n)) };
        const fn = t.k === 'softmax' ? softmax : logSoftmax;
        return this.add((v) => fn(v as Tensor, t.axis), t.k, [x], x.shape, r, false, true, `, ${t.axis}`);
      }
    }
  }
}

function range(a: Arg): [number, number] {
  return typeof a === 'number' ? [Math.abs(a), a] : [a.bound, a.lo];
}

function broadcastShape(a: Arg | { shape: Shape }, b: Arg | { shape: Shape }): Shape {
  const sa = typeof a === 'number' ? [] : a.shape;
  const sb = typeof b === 'number' ? [] : b.shape;
  const rank = Math.max(sa.length, sb.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = sa[sa.length - rank + i] ?? 1;
    const db = sb[sb.length - rank + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** mulberry32: the input values' permutations. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Input i of N holds step·(k + pᵢ) for a random permutation of integers k centred on 0, with
 * phase pᵢ = (i + 1)/(2N + 2) ∈ (0, ½): values are distinct within an input, and ± values of
 * different inputs and the numbers 0.5·(k + ½) never meet.
 */
function values(shapes: readonly Shape[], seed: number): Float64Array[] {
  const next = rng(seed);
  const n = shapes.length;
  return shapes.map((shape, i) => {
    const size = sizeOf(shape);
    const ks = Array.from({ length: size }, (_, j) => j - Math.floor(size / 2));
    for (let j = size - 1; j > 0; j--) {
      const r = Math.floor(next() * (j + 1));
      [ks[j], ks[r]] = [ks[r], ks[j]];
    }
    return Float64Array.from(ks, (k) => INPUT_STEP * (k + (i + 1) / (2 * n + 2)));
  });
}

/** A fast-check arbitrary of random graphs; see the file comment for what is guaranteed. */
export function arbGraph(options: RandomGraphOptions = {}): fc.Arbitrary<RandomGraph> {
  const { maxDepth = 6, maxOps = 12, maxInputs = 3, maxRank = 4, maxDim = 3, maxSize = 24, ops = GRAPH_OPS, outputShape } = options;
  const limits = { maxRank, maxDim, maxSize, ops: new Set(ops) };
  const arbOut = outputShape ? fc.constant<Shape>([...outputShape]) : arbShape({ maxRank: Math.min(maxRank, 3), maxDim }).filter((s) => sizeOf(s) <= maxSize);
  return fc
    .tuple(arbOut.chain((s) => arbTree(s, maxDepth, maxOps, false, limits, true)), fc.nat())
    .map(([tree, seed]) => {
      const planner = new Planner(maxInputs);
      const out = planner.plan(tree);
      if (typeof out === 'number') throw new Error('random graph: the root is a number');
      return makeGraph(planner, out, values(planner.inputShapes, seed));
    });
}

function makeGraph(p: Planner, out: Node, data: Float64Array[]): RandomGraph {
  const inputs = p.inputShapes.map((shape, i) => ({ name: `x${i}`, shape, data: data[i] }));
  const steps = p.steps;
  const build = (xs: readonly Tensor[]): Tensor => {
    if (xs.length !== inputs.length) throw new Error(`random graph: build needs ${inputs.length} tensors, got ${xs.length}`);
    const built: Tensor[] = [];
    for (const s of steps) {
      built.push(s.input !== undefined ? xs[s.input] : s.fn!(...s.args.map((a) => (typeof a === 'number' ? a : built[a.id]))));
    }
    return built[out.id];
  };
  const listing = steps.map((s, i) => `t${i} = ${s.text}  [${p.nodes[i].shape}]`).join('\n');
  const graph: RandomGraph & { [fc.toStringMethod](): string } = {
    inputs,
    build,
    output: (dtype = 'float64') => build(inputs.map((x) => input(x.name, x.shape, {}, dtype))),
    feeds: () => Object.fromEntries(inputs.map((x) => [x.name, x.data.slice()])),
    points: () => inputs.map((x) => ({ shape: [...x.shape], data: Array.from(x.data) })),
    depth: out.depth,
    opCount: p.opCount,
    steps: steps.length - inputs.length,
    ops: [...p.used].sort(),
    toString: () => `${listing}\noutput t${out.id}; inputs ${inputs.map((x) => `${x.name} [${x.shape}]`).join(', ')}`,
    [fc.toStringMethod]: () => graph.toString(),
  };
  return graph;
}
