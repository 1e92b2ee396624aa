// Row-wise composites with their own stable forward, and one-hot encoding.
import { GraphError } from '../errors.js';
import * as f from '../functions.js';
import { aroundAxis } from '../../eval/strided.js';
import type { OpDef } from './types.js';

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

export const rowOps = {
  // d softmax(x) = y ⊙ (g − Σ g⊙y) along the axis
  softmax: {
    shape: ([x]) => [...x.shape],
    evaluate: ([x], node) => logSoftmaxRows(x, node.shape, node.attrs.axis).map(Math.exp),
    vjp: (g, y) => [f.mul(y, f.sub(g, f.sum(f.mul(g, y), y.attrs.axis, true)))],
  } satisfies OpDef<'softmax'>,

  // d logSoftmax(x) = g − softmax(x) ⊙ Σ g along the axis
  logSoftmax: {
    shape: ([x]) => [...x.shape],
    evaluate: ([x], node) => logSoftmaxRows(x, node.shape, node.attrs.axis),
    vjp: (g, y) => {
      const axis = y.attrs.axis;
      return [f.sub(g, f.mul(f.softmax(y.inputs[0], axis), f.sum(g, axis, true)))];
    },
  } satisfies OpDef<'logSoftmax'>,

  // labels are discrete: no gradient
  oneHot: {
    shape: ([labels], { depth }) => [...labels.shape, depth],
    evaluate: ([labels], node) => {
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
    vjp: 'none',
  } satisfies OpDef<'oneHot'>,
};
