/**
 * How each gradc op is written in standard ONNX (default domain, opset 17): one entry per op of
 * the vocabulary (graph/attrs.ts), typed `{ [P in OpName]: … }` so a new op fails `tsc` until it
 * has a rule here or is marked 'unsupported' (refused by the exporter, naming the op and node).
 * Opset-17 forms: ReduceSum takes its axes as an input (since 13); ReduceMax and ReduceLogSumExp
 * as an attribute (until 18); Softmax/LogSoftmax take `axis` (13+); Slice, Pad, Reshape and Expand
 * take int64 tensors as inputs; comparisons give bool, cast back to the float dtype.
 */
import type { DType, OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import { DataType } from './proto.js';

/** An attribute value: an integer (INT), integers (INTS) or a string (STRING). */
export type OnnxAttr = number | readonly number[] | string;

/** What a rule may add to the graph; every method returns the name of the value it made. */
export interface OnnxEmitter {
  /** One node of `type` with one output. */
  op(type: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>): string;
  /** A 1-D int64 constant (shapes, axes, pads, slice bounds), shared by value. */
  ints(values: readonly number[]): string;
  /** A float constant of `dtype` with `shape` (row-major `values`), shared by value when small. */
  floats(values: readonly number[] | Float64Array, shape: readonly number[], dtype: DType): string;
}

/**
 * A rule: the node's value from the names of its inputs' values (already of the node's dtype).
 * 'leaf': a named value of the graph (an input, or a param: a graph input or an initializer).
 */
export type OnnxRule<P extends OpName> = ((node: Tensor<P>, args: readonly string[], e: OnnxEmitter) => string) | 'leaf';

export type OnnxRuleTable = { readonly [P in OpName]: OnnxRule<P> | 'unsupported' };

export const floatType = (dtype: DType): number => (dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT);

const unary = <P extends OpName>(type: string): OnnxRule<P> => (_n, [x], e) => e.op(type, [x!]);
const binary = <P extends OpName>(type: string): OnnxRule<P> => (_n, [a, b], e) => e.op(type, [a!, b!]);
/** [a ⋈ b] as 0/1 in the node's float dtype. */
const compare = <P extends OpName>(type: string): OnnxRule<P> => (n, [a, b], e) => e.op('Cast', [e.op(type, [a!, b!])], { to: floatType(n.dtype) });
const keep = (keepDims: boolean): number => (keepDims ? 1 : 0);

export const onnxRules: OnnxRuleTable = {
  input: 'leaf',
  param: 'leaf',
  constant: (n, _args, e) => {
    const { values } = n.attrs;
    if (values.length === n.size) return e.floats(values, n.shape, n.dtype);
    // one value broadcast to the shape: a scalar and Expand, not `size` copies
    const one = e.floats([values[0]!], [], n.dtype);
    return n.rank === 0 ? one : e.op('Expand', [one, e.ints(n.shape)]);
  },

  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  square: (_n, [x], e) => e.op('Mul', [x!, x!]),
  abs: unary('Abs'),
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  pow: (n, [x], e) => e.op('Pow', [x!, e.floats([n.attrs.exponent], [], n.dtype)]),

  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  maximum: binary('Max'),
  minimum: binary('Min'),
  greater: compare('Greater'),
  less: compare('Less'),
  equal: compare('Equal'),
  // c ≠ 0 as bool (Cast to BOOL is x != 0)
  where: (_n, [c, a, b], e) => e.op('Where', [e.op('Cast', [c!], { to: DataType.BOOL }), a!, b!]),

  sum: (n, [x], e) => (n.attrs.axes.length === 0 ? e.op('Identity', [x!]) : e.op('ReduceSum', [x!, e.ints(n.attrs.axes)], { keepdims: keep(n.attrs.keepDims) })),
  max: (n, [x], e) => (n.attrs.axes.length === 0 ? e.op('Identity', [x!]) : e.op('ReduceMax', [x!], { axes: n.attrs.axes, keepdims: keep(n.attrs.keepDims) })),
  logSumExp: (n, [x], e) => (n.attrs.axes.length === 0 ? e.op('Identity', [x!]) : e.op('ReduceLogSumExp', [x!], { axes: n.attrs.axes, keepdims: keep(n.attrs.keepDims) })),

  // allowzero: a 0 in the shape is a size, not "copy the input's"
  reshape: (n, [x], e) => e.op('Reshape', [x!, e.ints(n.shape)], { allowzero: 1 }),
  transpose: (n, [x], e) => e.op('Transpose', [x!], { perm: n.attrs.perm }),
  broadcastTo: (n, [x], e) => e.op('Expand', [x!, e.ints(n.attrs.shape)]),
  slice: (n, [x], e) => {
    const { begin, size } = n.attrs;
    return e.op('Slice', [x!, e.ints(begin), e.ints(begin.map((b, i) => b + size[i]!)), e.ints(begin.map((_, i) => i))]);
  },
  // pads = [x1_begin, …, xN_begin, x1_end, …, xN_end], filled with 0
  pad: (n, [x], e) => e.op('Pad', [x!, e.ints([...n.attrs.before, ...n.attrs.after])], { mode: 'constant' }),
  concat: (n, args, e) => e.op('Concat', args, { axis: n.attrs.axis }),

  matmul: binary('MatMul'),

  softmax: (n, [x], e) => e.op('Softmax', [x!], { axis: n.attrs.axis }),
  logSoftmax: (n, [x], e) => e.op('LogSoftmax', [x!], { axis: n.attrs.axis }),
  // [labels[..., None] = 0..depth−1] in the float dtype (a label outside 0..depth−1 gives a zero row)
  oneHot: (n, [labels], e) => {
    const classes = e.floats(Array.from({ length: n.attrs.depth }, (_, i) => i), [n.attrs.depth], n.dtype);
    const column = e.op('Unsqueeze', [labels!, e.ints([-1])]);
    return e.op('Cast', [e.op('Equal', [column, classes])], { to: floatType(n.dtype) });
  },
};
