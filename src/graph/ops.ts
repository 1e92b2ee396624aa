// What the graph itself knows about each op: its kind, the cost of recomputing one element, and
// its shape rule. One entry per op of the vocabulary (`OpAttrs` in attrs.ts); the other transforms
// keep tables of their own keyed the same way: VJPs in grad/vjps.ts, reference semantics in
// eval/reference.ts, scalar lowering in lower/. A missing entry in any of them fails `tsc`.
import type { OpAttrs, OpName } from './attrs.js';
import { GraphError, fmtShape } from './errors.js';
import { broadcastShapes, isPermutation, reducedShape, sizeOf, type Shape } from './shape.js';

/**
 * leaf: no inputs (input, param, constant).
 * elementwise: one output element from the same (broadcast) element of each input.
 * encode: one-hot encoding, elementwise over the labels with a new last axis.
 * reduce: folds axes (sum, max, logSumExp).
 * row: a row-wise composite with its own stable forward (softmax, logSoftmax).
 * view: moves data without arithmetic, each output element one input element (reshape, transpose, broadcastTo, slice).
 * assemble: builds a larger array from blocks (pad, concat).
 * matmul: the matrix product.
 */
export type OpKind = 'leaf' | 'elementwise' | 'encode' | 'reduce' | 'row' | 'view' | 'assemble' | 'matmul';

export interface OpInfo<P extends OpName> {
  readonly kind: OpKind;
  /** Rough cost of recomputing one element (transcendentals 4, other elementwise ops 1, the rest 0). */
  readonly cost: number;
  /** Output shape from the input shapes, or a GraphError naming the op, the shapes and the fix. */
  shape(inputs: readonly Shape[], attrs: OpAttrs[P]): number[];
}

/** The graph's op table: exhaustive by type, so a new op without its shape rule fails `tsc`. */
export type OpInfoTable = { readonly [P in OpName]: OpInfo<P> };

const isCount = (v: number): boolean => Number.isInteger(v) && v >= 0;

const leaf = <P extends 'input' | 'param' | 'constant'>(): OpInfo<P> => ({ kind: 'leaf', cost: 0, shape: (_, { shape }) => [...shape] });
const unary = <P extends OpName>(cost = 1): OpInfo<P> => ({ kind: 'elementwise', cost, shape: ([x]) => [...x] });
const broadcasting = <P extends OpName>(name: P): OpInfo<P> => ({ kind: 'elementwise', cost: 1, shape: (xs) => broadcastShapes(name, xs) });
const reduction = <P extends 'sum' | 'max' | 'logSumExp'>(): OpInfo<P> => ({
  kind: 'reduce',
  cost: 0,
  shape: ([x], { axes, keepDims }) => reducedShape(x, axes, keepDims),
});

export const opInfo: OpInfoTable = {
  input: leaf(),
  param: leaf(),
  constant: leaf(),

  neg: unary(),
  exp: unary(4),
  log: unary(4),
  sqrt: unary(4),
  square: unary(),
  abs: unary(),
  relu: unary(),
  sigmoid: unary(4),
  tanh: unary(4),
  softplus: unary(4),
  pow: unary(4),

  add: broadcasting('add'),
  sub: broadcasting('sub'),
  mul: broadcasting('mul'),
  div: broadcasting('div'),
  maximum: broadcasting('maximum'),
  minimum: broadcasting('minimum'),
  greater: broadcasting('greater'),
  less: broadcasting('less'),
  equal: broadcasting('equal'),
  where: broadcasting('where'),

  sum: reduction(),
  max: reduction(),
  logSumExp: reduction(),

  reshape: {
    kind: 'view',
    cost: 0,
    shape: ([x], { shape }) => {
      if (sizeOf(shape) !== sizeOf(x)) {
        throw new GraphError('reshape', `cannot reshape ${fmtShape(x)} (${sizeOf(x)} elements) to ${fmtShape(shape)} (${sizeOf(shape)} elements); the sizes must match`);
      }
      return [...shape];
    },
  },
  transpose: {
    kind: 'view',
    cost: 0,
    shape: ([x], { perm }) => {
      if (!isPermutation(perm, x.length)) {
        throw new GraphError('transpose', `perm ${fmtShape(perm)} is not a permutation of the ${x.length} axes of ${fmtShape(x)}; list each axis 0..${x.length - 1} once`);
      }
      return perm.map((p) => x[p]);
    },
  },
  broadcastTo: {
    kind: 'view',
    cost: 0,
    shape: ([x], { shape }) => {
      const target = [...shape];
      if (target.length < x.length || broadcastShapes('broadcastTo', [x, target]).some((d, i) => d !== target[i])) {
        throw new GraphError('broadcastTo', `cannot broadcast ${fmtShape(x)} to ${fmtShape(target)}; every size must match the target's or be 1`);
      }
      return target;
    },
  },
  slice: {
    kind: 'view',
    cost: 0,
    shape: ([x], { begin, size }) => {
      const bad = x.findIndex((d, i) => !isCount(begin[i]) || !isCount(size[i]) || begin[i] + size[i] > d);
      if (begin.length !== x.length || size.length !== x.length || bad >= 0) {
        throw new GraphError('slice', `begin ${fmtShape(begin)} size ${fmtShape(size)} is outside ${fmtShape(x)}${bad >= 0 ? ` at axis ${bad}` : ''}; need 0 <= begin and begin + size <= the axis size`);
      }
      return [...size];
    },
  },
  pad: {
    kind: 'assemble',
    cost: 0,
    shape: ([x], { before, after }) => {
      if (before.length !== x.length || after.length !== x.length || !before.every(isCount) || !after.every(isCount)) {
        throw new GraphError('pad', `before ${fmtShape(before)} and after ${fmtShape(after)} need one non-negative integer per axis of ${fmtShape(x)}`);
      }
      return x.map((d, i) => before[i] + d + after[i]);
    },
  },
  concat: {
    kind: 'assemble',
    cost: 0,
    shape: (xs, { axis }) => {
      const first = xs[0];
      for (const x of xs) {
        if (x.length !== first.length || x.some((d, i) => i !== axis && d !== first[i])) {
          throw new GraphError('concat', `shapes ${xs.map(fmtShape).join(', ')} differ off axis ${axis}; all sizes but the concatenated axis must match`);
        }
      }
      const out = [...first];
      out[axis] = xs.reduce((n, x) => n + x[axis], 0);
      return out;
    },
  },

  matmul: {
    kind: 'matmul',
    cost: 0,
    shape: ([a, b]) => {
      if (a.length < 2 || b.length < 2) {
        throw new GraphError('matmul', `operands must have rank >= 2, got ${fmtShape(a)} · ${fmtShape(b)}; reshape a vector to [1,k] or [k,1]`);
      }
      const k = a[a.length - 1];
      if (k !== b[b.length - 2]) {
        throw new GraphError('matmul', `inner dimensions differ: ${fmtShape(a)} · ${fmtShape(b)}`);
      }
      let batch: number[];
      try {
        batch = broadcastShapes('matmul', [a.slice(0, -2), b.slice(0, -2)]);
      } catch {
        throw new GraphError('matmul', `batch dimensions do not broadcast: ${fmtShape(a)} · ${fmtShape(b)}; leading sizes must match or be 1`);
      }
      return [...batch, a[a.length - 2], b[b.length - 1]];
    },
  },

  softmax: { kind: 'row', cost: 0, shape: ([x]) => [...x] },
  logSoftmax: { kind: 'row', cost: 0, shape: ([x]) => [...x] },
  oneHot: { kind: 'encode', cost: 1, shape: ([labels], { depth }) => [...labels, depth] },
};
