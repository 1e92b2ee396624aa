/**
 * The shape-directed half of the random-graph generator: a fast-check arbitrary of
 * expression trees where every node is generated for a given output shape, so shapes
 * are consistent by construction. `random-graph.ts` turns a tree into a DAG.
 */
import fc from 'fast-check';
import { arbBroadcastOperands, arbBroadcastSource, arbPerm, sizeOf, type Shape } from './arbitraries.js';

export const UNARY_OPS = ['neg', 'exp', 'log', 'sqrt', 'square', 'abs', 'relu', 'sigmoid', 'tanh', 'softplus'] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const;
export const REDUCE_OPS = ['sum', 'mean', 'max', 'logSumExp'] as const;
/** Every op the generator can place (`mean` is gradc's composite). */
export const GRAPH_OPS = [
  ...UNARY_OPS, 'pow', ...BINARY_OPS, 'where', ...REDUCE_OPS,
  'reshape', 'transpose', 'broadcastTo', 'slice', 'pad', 'concat', 'matmul', 'softmax', 'logSoftmax',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type ReduceOp = (typeof REDUCE_OPS)[number];
export type GraphOp = (typeof GRAPH_OPS)[number];
export const POW_EXPONENTS = [2, 3, -1, 0.5, 1.5] as const;

/** A generated expression. `leaf.pick` chooses between a new input and an existing node at most `room` deep. */
export type Tree =
  | { k: 'leaf'; shape: Shape; pick: number; room: number }
  | { k: 'num'; value: number }
  | { k: 'unary'; op: UnaryOp; x: Tree }
  | { k: 'pow'; p: number; x: Tree }
  | { k: 'binary'; op: BinaryOp; a: Tree; b: Tree }
  | { k: 'where'; cmp: 'greater' | 'less' | 'equal'; p: Tree; q: Tree; a: Tree; b: Tree }
  | { k: 'reduce'; op: ReduceOp; axes: number[]; keepDims: boolean; x: Tree }
  | { k: 'reshape'; shape: Shape; x: Tree }
  | { k: 'transpose'; perm: number[]; x: Tree }
  | { k: 'broadcastTo'; shape: Shape; x: Tree }
  | { k: 'slice'; begin: number[]; size: number[]; x: Tree }
  | { k: 'pad'; before: number[]; after: number[]; x: Tree }
  | { k: 'concat'; axis: number; xs: Tree[] }
  | { k: 'matmul'; a: Tree; b: Tree }
  | { k: 'softmax' | 'logSoftmax'; axis: number; x: Tree };

export interface TreeLimits {
  readonly maxRank: number;
  readonly maxDim: number;
  /** Elements per tensor. */
  readonly maxSize: number;
  readonly ops: ReadonlySet<GraphOp>;
}

/**
 * Ops whose result is, elementwise, ± an input value ("exact"): the only operands given to
 * kinks (abs, relu, maximum, minimum, max), so inputs chosen away from kinks stay away.
 */
const EXACT_OPS: ReadonlySet<GraphOp> = new Set(['neg', 'reshape', 'transpose', 'broadcastTo', 'slice', 'concat', 'where', 'max']);
const KINKS: ReadonlySet<GraphOp> = new Set(['abs', 'relu', 'maximum', 'minimum', 'max']);

/** Builds the arbitrary only when a value is drawn: the recursion must not be eager. */
const lazy = <T>(make: () => fc.Arbitrary<T>): fc.Arbitrary<T> => fc.constant(0).chain(make);

/** A number operand: 0.5·(k + ½), never 0 and never equal to an input value (see random-graph.ts). */
const arbNum = fc.integer({ min: -4, max: 3 }).map((k): Tree => ({ k: 'num', value: 0.5 * (k + 0.5) }));

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) out.push(p), (n /= p);
  return out;
}

/**
 * A tree whose value has exactly `shape`. `depth` bounds the longest op chain, `budget`
 * the number of ops; `exact` restricts to leaves and EXACT_OPS.
 */
export function arbTree(shape: Shape, depth: number, budget: number, exact: boolean, L: TreeLimits, root = false): fc.Arbitrary<Tree> {
  // `room`: a reused node may be at most this deep, so the depth bound holds.
  const leaf = fc.nat().map((pick): Tree => ({ k: 'leaf', shape, pick, room: Math.max(0, depth) }));
  if (depth <= 0 || budget <= 0) return leaf;
  const sub = (s: Shape, ex: boolean, children = 1): fc.Arbitrary<Tree> =>
    lazy(() => arbTree(s, depth - 1, Math.floor((budget - 1) / children), ex, L));
  const fits = (s: Shape): boolean => s.length <= L.maxRank && sizeOf(s) <= L.maxSize;
  const r = shape.length;

  const branch = (op: GraphOp): fc.Arbitrary<Tree> | null => {
    const kink = KINKS.has(op);
    switch (op) {
      case 'neg': case 'exp': case 'log': case 'sqrt': case 'square': case 'abs': case 'relu': case 'sigmoid': case 'tanh': case 'softplus':
        return sub(shape, exact || kink).map((x): Tree => ({ k: 'unary', op, x }));
      case 'pow':
        return fc.constantFrom(...POW_EXPONENTS).chain((p) => sub(shape, false).map((x): Tree => ({ k: 'pow', p, x })));
      case 'add': case 'sub': case 'mul': case 'div': case 'maximum': case 'minimum':
        return fc.oneof(
          {
            weight: 4,
            arbitrary: arbBroadcastOperands(shape, 2).chain(([sa, sb]) =>
              fc.tuple(sub(sa, kink, 2), sub(sb, kink, 2)).map(([a, b]): Tree => ({ k: 'binary', op, a, b })),
            ),
          },
          {
            // A number operand, on either side; the tensor then has the full shape.
            weight: 1,
            arbitrary: fc.tuple(sub(shape, kink), arbNum, fc.boolean()).map(([a, b, swap]): Tree => (swap ? { k: 'binary', op, a: b, b: a } : { k: 'binary', op, a, b })),
          },
        );
      case 'where':
        return arbBroadcastOperands(shape, 3).chain(([sc, sa, sb]) =>
          arbBroadcastOperands(sc, 2).chain(([sp, sq]) =>
            fc.tuple(fc.constantFrom('greater', 'less', 'equal') as fc.Arbitrary<'greater' | 'less' | 'equal'>, sub(sp, true, 4), sub(sq, true, 4), sub(sa, exact, 4), sub(sb, exact, 4))
              .map(([cmp, p, q, a, b]): Tree => ({ k: 'where', cmp, p, q, a, b })),
          ),
        );
      case 'sum': case 'mean': case 'max': case 'logSumExp': {
        const inserts = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 2, max: Math.max(2, L.maxDim) })), { minLength: 1, maxLength: 2 });
        return fc.tuple(fc.boolean(), inserts).chain(([keepDims, ins]) => {
          // keepDims: expand axes that are 1 in `shape`; otherwise insert new axes.
          const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
          const keep = keepDims && ones.length > 0;
          const axes: { d: number; reduced: boolean }[] = shape.map((d) => ({ d, reduced: false }));
          // When no size fits, reduce a new axis of size 1 rather than nothing.
          for (const [pos, d] of [...ins, [ins[0][0], 1] as const]) {
            if (d === 1 && axes.some((a) => a.reduced)) break;
            const trial = axes.map((a) => ({ ...a }));
            if (keep) trial[ones[pos % ones.length]] = { d, reduced: true };
            else trial.splice(pos % (trial.length + 1), 0, { d, reduced: true });
            if (fits(trial.map((a) => a.d))) axes.splice(0, axes.length, ...trial);
          }
          const inShape = axes.map((a) => a.d);
          const reduced = axes.flatMap((a, i) => (a.reduced ? [i] : []));
          return sub(inShape, op === 'max').map((x): Tree => ({ k: 'reduce', op, axes: reduced, keepDims: keep, x }));
        });
      }
      case 'reshape': {
        const atoms = shape.flatMap(primeFactors);
        const n = atoms.length;
        return fc
          .tuple(fc.shuffledSubarray(atoms, { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }), fc.nat({ max: 2 }))
          .chain(([order, merge, ones]) => {
            const s: number[] = [];
            order.forEach((a, i) => (merge[i] && s.length > 0 ? (s[s.length - 1] *= a) : s.push(a)));
            for (let i = 0; i < ones && s.length < L.maxRank; i++) s.splice(i % (s.length + 1), 0, 1);
            while (s.length > L.maxRank) s.splice(0, 2, s[0] * s[1]);
            return sub(s, exact).map((x): Tree => ({ k: 'reshape', shape, x }));
          });
      }
      case 'transpose':
        if (r < 2) return null;
        return arbPerm(r).chain((perm) => {
          const inShape = new Array<number>(r);
          perm.forEach((p, i) => (inShape[p] = shape[i]));
          return sub(inShape, exact).map((x): Tree => ({ k: 'transpose', perm, x }));
        });
      case 'broadcastTo':
        return arbBroadcastSource(shape).chain((s) => sub(s, exact).map((x): Tree => ({ k: 'broadcastTo', shape, x })));
      case 'slice':
        return fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })), { minLength: r, maxLength: r }).chain((extras) => {
          const inShape = shape.map((d, i) => d + extras[i][0]);
          for (let i = 0; i < r && !fits(inShape); i++) inShape[i] = shape[i];
          const begin = inShape.map((d, i) => extras[i][1] % (d - shape[i] + 1));
          return sub(inShape, exact).map((x): Tree => ({ k: 'slice', begin, size: shape, x }));
        });
      case 'pad':
        if (!shape.some((d) => d >= 2)) return null;
        return fc.array(fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 1 })), { minLength: r, maxLength: r }).chain((w) => {
          const before = shape.map((d, i) => Math.min(w[i][0], d - 1));
          const after = shape.map((d, i) => Math.min(w[i][1], d - 1 - before[i]));
          return sub(shape.map((d, i) => d - before[i] - after[i]), false).map((x): Tree => ({ k: 'pad', before, after, x }));
        });
      case 'concat': {
        const axes = shape.flatMap((d, i) => (d >= 2 ? [i] : []));
        if (axes.length === 0) return null;
        return fc.tuple(fc.nat(), fc.nat(), fc.boolean()).chain(([a, cut, three]) => {
          const axis = axes[a % axes.length];
          const n = shape[axis];
          const first = 1 + (cut % (n - 1));
          const sizes = three && n - first >= 2 ? [first, 1, n - first - 1] : [first, n - first];
          const parts = sizes.map((m) => sub(shape.map((d, i) => (i === axis ? m : d)), exact, sizes.length));
          return fc.tuple(...parts).map((xs): Tree => ({ k: 'concat', axis, xs }));
        });
      }
      case 'matmul': {
        if (r < 2) return null;
        const [m, n] = shape.slice(-2);
        return fc.tuple(arbBroadcastOperands(shape.slice(0, -2), 2), fc.integer({ min: 1, max: L.maxDim })).chain(([[ba, bb], k0]) => {
          const k = fits([...ba, m, k0]) && fits([...bb, k0, n]) ? k0 : 1;
          return fc.tuple(sub([...ba, m, k], false, 2), sub([...bb, k, n], false, 2)).map(([a, b]): Tree => ({ k: 'matmul', a, b }));
        });
      }
      case 'softmax': case 'logSoftmax':
        if (r < 1) return null;
        return fc.integer({ min: -r, max: r - 1 }).chain((axis) => sub(shape, false).map((x): Tree => ({ k: op, axis, x })));
    }
  };

  // The root is an op, so no graph is a bare input.
  const branches: fc.WeightedArbitrary<Tree>[] = root ? [] : [{ arbitrary: leaf, weight: 2 }];
  for (const op of L.ops) {
    if (exact && !EXACT_OPS.has(op)) continue;
    const b = branch(op);
    if (b) branches.push({ arbitrary: b, weight: 1 });
  }
  return fc.oneof(...branches);
}
