/** How the scheduler sees each graph op. */
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import { isSplitReshape } from './index-map.js';

/**
 * leaf: a buffer of its own (input, param, constant data) or an inline scalar constant.
 * view: reads its input at other indices (transpose, broadcast, slice, splitting reshape).
 * reshape: a reshape that merges axes: a view of its input's row-major data, which must be materialized.
 * elementwise: computed inline wherever it is needed (unless stored).
 * reduce / row / matmul / assemble: anchors of kernels of their own.
 */
export type Kind = 'leaf' | 'view' | 'reshape' | 'elementwise' | 'reduce' | 'row' | 'matmul' | 'assemble';

const KIND: { readonly [P in OpName]: Kind } = {
  input: 'leaf', param: 'leaf', constant: 'leaf',
  neg: 'elementwise', exp: 'elementwise', log: 'elementwise', sqrt: 'elementwise', square: 'elementwise',
  abs: 'elementwise', relu: 'elementwise', sigmoid: 'elementwise', tanh: 'elementwise', softplus: 'elementwise',
  pow: 'elementwise', add: 'elementwise', sub: 'elementwise', mul: 'elementwise', div: 'elementwise',
  maximum: 'elementwise', minimum: 'elementwise', greater: 'elementwise', less: 'elementwise', equal: 'elementwise',
  where: 'elementwise', oneHot: 'elementwise',
  sum: 'reduce', max: 'reduce', logSumExp: 'reduce',
  softmax: 'row', logSoftmax: 'row',
  reshape: 'view', transpose: 'view', broadcastTo: 'view', slice: 'view',
  pad: 'assemble', concat: 'assemble',
  matmul: 'matmul',
};

export function kindOf(t: Tensor): Kind {
  const k = KIND[t.op];
  if (k === 'view' && t.op === 'reshape' && !isSplitReshape(t.inputs[0]!.shape, t.shape)) return 'reshape';
  return k;
}

/** Anchors get a kernel of their own; other nodes may be fused into any kernel that needs them. */
export function isAnchor(k: Kind): boolean {
  return k === 'reduce' || k === 'row' || k === 'matmul' || k === 'assemble';
}

/** A scalar (or all-equal) constant: spelled inline, no buffer. */
export function isInlineConstant(t: Tensor): boolean {
  return t.op === 'constant' && (t as Tensor<'constant'>).attrs.values.length === 1;
}

/** Rough cost of recomputing one element of an op of kind `k` (transcendentals cost more). */
export function opCost(t: Tensor, k: Kind): number {
  switch (t.op) {
    case 'exp': case 'log': case 'tanh': case 'sigmoid': case 'softplus': case 'pow': case 'sqrt': return 4;
    default: return k === 'elementwise' ? 1 : 0;
  }
}

/** Reduced axes of a row-space anchor, and the shape they run over. */
export function rowSpace(t: Tensor): { shape: readonly number[]; axes: readonly number[] } {
  const x = t.inputs[0]!;
  if (t.op === 'softmax' || t.op === 'logSoftmax') return { shape: x.shape, axes: [(t as Tensor<'softmax'>).attrs.axis] };
  return { shape: x.shape, axes: (t as Tensor<'sum'>).attrs.axes };
}
