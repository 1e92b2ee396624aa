// The reverse-mode rule of every op, one entry per op of the vocabulary (graph/attrs.ts), each
// with its maths on the line above. Built from the op functions, so a gradient is a graph that
// can be printed, simplified, compiled and differentiated again.
import type { OpName, ReduceAttrs } from '../graph/attrs.js';
import * as f from '../graph/functions.js';
import { inversePerm, reducedShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';

/**
 * Reverse-mode rule: given the cotangent `g` of `node` (same shape), return one
 * cotangent per input (null: no contribution), built from ops so it can be
 * differentiated again.
 */
export type Vjp<P extends OpName> = (g: Tensor, node: Tensor<P>) => readonly (Tensor | null)[];

/** Exhaustive by type: a new op without its derivative (or `'none'`) fails `tsc`. */
export type VjpTable = { readonly [P in OpName]: Vjp<P> | 'none' };

/** Cotangent for a broadcast operand: Σ over the broadcast axes. */
const unb = (g: Tensor, like: Tensor): Tensor => f.sumToShape(g, like.shape);

/** g, or g reshaped so it broadcasts against the input (reduced axes as 1). */
function keptDims(g: Tensor, node: Tensor<'sum' | 'max' | 'logSumExp'>): Tensor {
  const { axes, keepDims } = node.attrs as ReduceAttrs;
  return keepDims ? g : f.reshape(g, reducedShape(node.inputs[0].shape, axes, true));
}

export const vjps: VjpTable = {
  // leaves: nothing below them
  input: 'none',
  param: 'none',
  constant: 'none',

  // d(−x) = −g
  neg: (g) => [f.neg(g)],
  // d eˣ = g·eˣ
  exp: (g, y) => [f.mul(g, y)],
  // d log x = g / x
  log: (g, y) => [f.div(g, y.inputs[0])],
  // d √x = g / (2√x)
  sqrt: (g, y) => [f.div(g, f.mul(y, 2))],
  // d x² = 2x·g
  square: (g, y) => [f.mul(g, f.mul(y.inputs[0], 2))],
  // d |x| = sign(x)·g
  abs: (g, y) => {
    const x = y.inputs[0];
    return [f.mul(g, f.sub(f.greater(x, 0), f.less(x, 0)))];
  },
  // d relu(x) = [x > 0]·g
  relu: (g, y) => [f.mul(g, f.greater(y.inputs[0], 0))],
  // d σ(x) = σ(x)(1 − σ(x))·g
  sigmoid: (g, y) => [f.mul(g, f.mul(y, f.sub(1, y)))],
  // d tanh x = (1 − tanh² x)·g
  tanh: (g, y) => [f.mul(g, f.sub(1, f.square(y)))],
  // d log(1 + eˣ) = σ(x)·g
  softplus: (g, y) => [f.mul(g, f.sigmoid(y.inputs[0]))],
  // d xᵖ = p·xᵖ⁻¹·g (x⁰ = 1 is constant: no gradient, not 0·x⁻¹, which is NaN at 0)
  pow: (g, y) => {
    const p = y.attrs.exponent;
    if (p === 0) return [null];
    return [f.mul(g, f.mul(f.pow(y.inputs[0], p - 1), p))];
  },

  // d(a + b) = (g, g), each summed back over its broadcast axes
  add: (g, y) => [unb(g, y.inputs[0]), unb(g, y.inputs[1])],
  // d(a − b) = (g, −g)
  sub: (g, y) => [unb(g, y.inputs[0]), unb(f.neg(g), y.inputs[1])],
  // d(a·b) = (g·b, g·a)
  mul: (g, y) => [unb(f.mul(g, y.inputs[1]), y.inputs[0]), unb(f.mul(g, y.inputs[0]), y.inputs[1])],
  // d(a/b) = (g/b, −g·a/b²)
  div: (g, y) => {
    const [a, b] = y.inputs;
    return [unb(f.div(g, b), a), unb(f.neg(f.div(f.mul(g, a), f.square(b))), b)];
  },
  // d max(a, b) = g to the larger operand; ties split evenly
  maximum: (g, y) => {
    const [a, b] = y.inputs;
    const toA = f.add(f.greater(a, b), f.mul(f.equal(a, b), 0.5));
    return [unb(f.mul(g, toA), a), unb(f.mul(g, f.sub(1, toA)), b)];
  },
  // d min(a, b) = g to the smaller operand; ties split evenly
  minimum: (g, y) => {
    const [a, b] = y.inputs;
    const toA = f.add(f.less(a, b), f.mul(f.equal(a, b), 0.5));
    return [unb(f.mul(g, toA), a), unb(f.mul(g, f.sub(1, toA)), b)];
  },
  // comparisons are piecewise constant: zero gradient
  greater: 'none',
  less: 'none',
  equal: 'none',
  // d where(c, a, b) = (·, g where c, g where ¬c)
  where: (g, y) => {
    const [c, a, b] = y.inputs;
    const zero = f.zeros([], g.dtype);
    return [null, unb(f.where(c, g, zero), a), unb(f.where(c, zero, g), b)];
  },

  // d Σx = g broadcast back over the summed axes
  sum: (g, y) => [f.broadcastTo(keptDims(g, y), y.inputs[0].shape)],
  // d max x = g shared among the positions that attain the max
  max: (g, y) => {
    const x = y.inputs[0];
    const hit = f.equal(x, keptDims(y, y));
    const count = f.sum(hit, y.attrs.axes, true);
    return [f.mul(hit, f.div(keptDims(g, y), count))];
  },
  // d log Σ eˣ = g·softmax(x) = g·e^(x − lse)
  logSumExp: (g, y) => {
    const x = y.inputs[0];
    return [f.mul(keptDims(g, y), f.exp(f.sub(x, keptDims(y, y))))];
  },

  // d reshape(x) = reshape(g) back to x's shape
  reshape: (g, y) => [f.reshape(g, y.inputs[0].shape)],
  // d transpose(x, p) = transpose(g, p⁻¹)
  transpose: (g, y) => [f.transpose(g, inversePerm(y.attrs.perm))],
  // d broadcastTo(x) = Σ g over the broadcast axes
  broadcastTo: (g, y) => [f.sumToShape(g, y.inputs[0].shape)],
  // d slice(x) = g padded with zeros back to x's shape
  slice: (g, y) => {
    const { begin, size } = y.attrs;
    return [f.pad(g, begin, y.inputs[0].shape.map((d, i) => d - begin[i] - size[i]))];
  },
  // d pad(x) = the middle block of g
  pad: (g, y) => [f.slice(g, y.attrs.before, y.inputs[0].shape)],
  // d concat(x₁…xₖ) = the k blocks of g
  concat: (g, y) => {
    const axis = y.attrs.axis;
    let at = 0;
    return y.inputs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? at : 0));
      at += x.shape[axis];
      return f.slice(g, begin, x.shape);
    });
  },

  // d(A·B) = (g·Bᵀ, Aᵀ·g), each summed over broadcast batch axes
  matmul: (g, y) => {
    const [a, b] = y.inputs;
    return [f.sumToShape(f.matmul(g, f.transposeLast2(b)), a.shape), f.sumToShape(f.matmul(f.transposeLast2(a), g), b.shape)];
  },

  // d softmax(x) = y ⊙ (g − Σ g⊙y) along the axis
  softmax: (g, y) => [f.mul(y, f.sub(g, f.sum(f.mul(g, y), y.attrs.axis, true)))],
  // d logSoftmax(x) = g − softmax(x) ⊙ Σ g along the axis
  logSoftmax: (g, y) => {
    const axis = y.attrs.axis;
    return [f.sub(g, f.mul(f.softmax(y.inputs[0], axis), f.sum(g, axis, true)))];
  },
  // labels are discrete: no gradient
  oneHot: 'none',
};
