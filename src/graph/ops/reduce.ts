// Reductions over sorted axes, with or without the reduced axes kept as size 1.
import type { ReduceAttrs } from '../attrs.js';
import { reducedShape, stridesOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import * as f from '../functions.js';
import { forEachStrided } from '../../eval/strided.js';
import type { OpDef } from './types.js';

/** Strides that send an input index to its reduced output index. */
function reducingStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const keep = stridesOf(reducedShape(shape, axes, true));
  return keep.map((s, i) => (axes.includes(i) ? 0 : s));
}

function fold(x: Float64Array, node: Tensor<'sum' | 'max'>, init: number, step: (acc: number, v: number) => number): Float64Array {
  const inShape = node.inputs[0].shape;
  const out = new Float64Array(node.size).fill(init);
  forEachStrided(inShape, [stridesOf(inShape), reducingStrides(inShape, node.attrs.axes)], (_i, [src, dst]) => {
    out[dst] = step(out[dst], x[src]);
  });
  return out;
}

/** g, or g reshaped so it broadcasts against the input (reduced axes as 1). */
function keptDims(g: Tensor, node: Tensor<'sum' | 'max' | 'logSumExp'>): Tensor {
  const { axes, keepDims } = node.attrs as ReduceAttrs;
  return keepDims ? g : f.reshape(g, reducedShape(node.inputs[0].shape, axes, true));
}

function reduction<P extends 'sum' | 'max' | 'logSumExp'>(def: Omit<OpDef<P>, 'shape'>): OpDef<P> {
  return { shape: ([x], { axes, keepDims }) => reducedShape(x.shape, axes, keepDims), ...def };
}

export const reduceOps = {
  // d Σx = g broadcast back over the summed axes
  sum: reduction<'sum'>({
    evaluate: ([x], node) => fold(x, node, 0, (a, v) => a + v),
    vjp: (g, y) => [f.broadcastTo(keptDims(g, y), y.inputs[0].shape)],
  }),
  // d max x = g shared among the positions that attain the max
  max: reduction<'max'>({
    evaluate: ([x], node) => fold(x, node, -Infinity, (a, v) => (v > a || Number.isNaN(v) ? v : a)),
    vjp: (g, y) => {
      const x = y.inputs[0];
      const hit = f.equal(x, keptDims(y, y));
      const count = f.sum(hit, y.attrs.axes, true);
      return [f.mul(hit, f.div(keptDims(g, y), count))];
    },
  }),
  // d log Σ eˣ = g·softmax(x) = g·e^(x − lse)
  logSumExp: reduction<'logSumExp'>({
    evaluate: ([x], node) => {
      const m = fold(x, node as unknown as Tensor<'max'>, -Infinity, (a, v) => (v > a || Number.isNaN(v) ? v : a));
      const shift = m.map((v) => (Number.isFinite(v) ? v : 0));
      const s = new Float64Array(node.size);
      const inShape = node.inputs[0].shape;
      forEachStrided(inShape, [stridesOf(inShape), reducingStrides(inShape, node.attrs.axes)], (_i, [src, dst]) => {
        s[dst] += Math.exp(x[src] - shift[dst]);
      });
      return s.map((v, i) => shift[i] + Math.log(v));
    },
    vjp: (g, y) => {
      const x = y.inputs[0];
      return [f.mul(keptDims(g, y), f.exp(f.sub(x, keptDims(y, y))))];
    },
  }),
};
