// Reference semantics of every op on dense row-major float64 data: one entry per op of the
// vocabulary (graph/attrs.ts). Slow, obviously correct, the ground truth the compiled kernels and
// the simplifier's constant folding are checked against.
import type { OpName } from '../graph/attrs.js';
import { GraphError } from '../graph/errors.js';
import { reducedShape, stridesOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { aroundAxis, broadcastStrides, forEachStrided, mapBroadcast } from './strided.js';

/** An op's value from its inputs' values; `'fed'` for inputs and params, whose values come from the feeds. */
export type Reference<P extends OpName> = ((args: readonly Float64Array[], node: Tensor<P>) => Float64Array) | 'fed';

/** Exhaustive by type: a new op without its semantics fails `tsc`. */
export type ReferenceTable = { readonly [P in OpName]: Reference<P> };

export const sigmoidScalar = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|). */
export const softplusScalar = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

const unary = <P extends OpName>(fn: (x: number, node: Tensor<P>) => number): Reference<P> => ([x], node) => x.map((v) => fn(v, node));

const broadcasting = <P extends OpName>(fn: (...xs: number[]) => number): Reference<P> => (args, node) =>
  mapBroadcast(node.shape, args.map((data, k) => ({ data, shape: node.inputs[k].shape })), fn);

/** Strides that send an input index to its reduced output index. */
function reducingStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const keep = stridesOf(reducedShape(shape, axes, true));
  return keep.map((s, i) => (axes.includes(i) ? 0 : s));
}

function fold(x: Float64Array, node: Tensor<'sum' | 'max' | 'logSumExp'>, init: number, step: (acc: number, v: number) => number): Float64Array {
  const inShape = node.inputs[0].shape;
  const out = new Float64Array(node.size).fill(init);
  forEachStrided(inShape, [stridesOf(inShape), reducingStrides(inShape, node.attrs.axes)], (_i, [src, dst]) => {
    out[dst] = step(out[dst], x[src]);
  });
  return out;
}

const maxStep = (a: number, v: number): number => (v > a || Number.isNaN(v) ? v : a);

/** Copies `src` (shape `srcShape`) into `out` at the block starting at `offset` with `outStrides`. */
function copyBlock(src: Float64Array, srcShape: readonly number[], out: Float64Array, outStrides: readonly number[], offset: number): void {
  forEachStrided(srcShape, [stridesOf(srcShape), outStrides], (_i, [s, d]) => {
    out[offset + d] = src[s];
  });
}

/** Visits each row along `axis`: `row(base, n, step)` with element j at base + j·step. */
function forEachRow(shape: readonly number[], axis: number, row: (base: number, n: number, step: number) => void): void {
  const { outer, n, inner } = aroundAxis(shape, axis);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) row(o * n * inner + i, n, inner);
}

/** out = x − m − log Σ e^(x − m), m = row max (log-softmax; exp of it is softmax). */
function logSoftmaxRows(x: Float64Array, shape: readonly number[], axis: number): Float64Array {
  const out = new Float64Array(x.length);
  forEachRow(shape, axis, (base, n, step) => {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, x[base + j * step]);
    if (!Number.isFinite(m)) m = 0;
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[base + j * step] - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < n; j++) out[base + j * step] = x[base + j * step] - lse;
  });
  return out;
}

export const reference: ReferenceTable = {
  input: 'fed',
  param: 'fed',
  constant: (_, node) => {
    const { values } = node.attrs;
    return values.length === node.size ? values.slice() : new Float64Array(node.size).fill(values[0]);
  },

  neg: unary((x) => -x),
  exp: unary(Math.exp),
  log: unary(Math.log),
  sqrt: unary(Math.sqrt),
  square: unary((x) => x * x),
  abs: unary(Math.abs),
  relu: unary((x) => (x > 0 ? x : 0)),
  sigmoid: unary(sigmoidScalar),
  tanh: unary(Math.tanh),
  softplus: unary(softplusScalar),
  pow: unary<'pow'>((x, node) => Math.pow(x, node.attrs.exponent)),

  add: broadcasting((a, b) => a + b),
  sub: broadcasting((a, b) => a - b),
  mul: broadcasting((a, b) => a * b),
  div: broadcasting((a, b) => a / b),
  maximum: broadcasting(Math.max),
  minimum: broadcasting(Math.min),
  greater: broadcasting((a, b) => (a > b ? 1 : 0)),
  less: broadcasting((a, b) => (a < b ? 1 : 0)),
  equal: broadcasting((a, b) => (a === b ? 1 : 0)),
  where: broadcasting((c, a, b) => (c !== 0 ? a : b)),

  sum: ([x], node) => fold(x, node, 0, (a, v) => a + v),
  max: ([x], node) => fold(x, node, -Infinity, maxStep),
  logSumExp: ([x], node) => {
    const m = fold(x, node, -Infinity, maxStep);
    const shift = m.map((v) => (Number.isFinite(v) ? v : 0));
    const s = new Float64Array(node.size);
    const inShape = node.inputs[0].shape;
    forEachStrided(inShape, [stridesOf(inShape), reducingStrides(inShape, node.attrs.axes)], (_i, [src, dst]) => {
      s[dst] += Math.exp(x[src] - shift[dst]);
    });
    return s.map((v, i) => shift[i] + Math.log(v));
  },

  reshape: ([x]) => x.slice(),
  transpose: ([x], node) => {
    const inStrides = stridesOf(node.inputs[0].shape);
    const out = new Float64Array(node.size);
    forEachStrided(node.shape, [node.attrs.perm.map((p) => inStrides[p])], (o, [s]) => {
      out[o] = x[s];
    });
    return out;
  },
  broadcastTo: ([x], node) => mapBroadcast(node.shape, [{ data: x, shape: node.inputs[0].shape }], (v) => v),
  slice: ([x], node) => {
    const inStrides = stridesOf(node.inputs[0].shape);
    const start = node.attrs.begin.reduce((a, b, i) => a + b * inStrides[i], 0);
    const out = new Float64Array(node.size);
    forEachStrided(node.shape, [inStrides], (o, [s]) => {
      out[o] = x[start + s];
    });
    return out;
  },
  pad: ([x], node) => {
    const outStrides = stridesOf(node.shape);
    const out = new Float64Array(node.size);
    copyBlock(x, node.inputs[0].shape, out, outStrides, node.attrs.before.reduce((a, b, i) => a + b * outStrides[i], 0));
    return out;
  },
  concat: (args, node) => {
    const outStrides = stridesOf(node.shape);
    const out = new Float64Array(node.size);
    let at = 0;
    args.forEach((x, k) => {
      const shape = node.inputs[k].shape;
      copyBlock(x, shape, out, outStrides, at * outStrides[node.attrs.axis]);
      at += shape[node.attrs.axis];
    });
    return out;
  },

  matmul: ([a, b], node) => {
    const [ta, tb] = node.inputs;
    const m = ta.shape[ta.rank - 2];
    const k = ta.shape[ta.rank - 1];
    const n = tb.shape[tb.rank - 1];
    const batch = node.shape.slice(0, -2);
    const out = new Float64Array(node.size);
    const strideA = broadcastStrides(ta.shape.slice(0, -2), batch).map((s) => s * m * k);
    const strideB = broadcastStrides(tb.shape.slice(0, -2), batch).map((s) => s * k * n);
    let item = 0;
    const visit = (oa: number, ob: number): void => {
      const oc = item++ * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += a[oa + i * k + p] * b[ob + p * n + j];
          out[oc + i * n + j] = acc;
        }
      }
    };
    if (batch.length === 0) visit(0, 0);
    else forEachStrided(batch, [strideA, strideB], (_i, [oa, ob]) => visit(oa, ob));
    return out;
  },

  softmax: ([x], node) => logSoftmaxRows(x, node.shape, node.attrs.axis).map(Math.exp),
  logSoftmax: ([x], node) => logSoftmaxRows(x, node.shape, node.attrs.axis),
  oneHot: ([labels], node) => {
    const depth = node.attrs.depth;
    const out = new Float64Array(labels.length * depth);
    labels.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= depth) {
        throw new GraphError('oneHot', `label ${v} at index ${i} is not an integer in [0, ${depth}); labels must be class indices 0..${depth - 1}`);
      }
      out[i * depth + v] = 1;
    });
    return out;
  },
};
