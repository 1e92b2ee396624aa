// Rules for reductions: scalars out of sums, sums of sums, sums of broadcasts, rows that sum to 1.
import * as f from '../../graph/functions.js';
import { reducedShape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import { countOf, fit, peelScalar, scaled } from '../build.js';
import { rowsSumToOne, whyRowsSumToOne } from '../facts.js';
import { rule, type Rule } from '../rule.js';

/** Σ(c·x) → c·Σx. */
export const sumScalarOut = rule('scalar-out', 'canonicalize', ['sum'], (t) => {
  const s = t as Tensor<'sum'>;
  const { coef, core } = peelScalar(s.inputs[0]);
  if (core === s.inputs[0]) return undefined;
  return scaled(coef, f.sum(core, s.attrs.axes, s.attrs.keepDims), t.dtype);
});

/** Σ_A Σ_B x → Σ_{A∪B} x (when the kept axes line up). */
export const sumOfSum = rule('sum-of-sum', 'canonicalize', ['sum'], (t) => {
  const outer = t as Tensor<'sum'>;
  const inner = outer.inputs[0];
  if (!inner.is('sum')) return undefined;
  const x = inner.inputs[0];
  const { axes: a, keepDims: ka } = outer.attrs;
  const { axes: b, keepDims: kb } = inner.attrs;
  if (!kb) {
    // Outer axes index the reduced shape: map them back to x's axes.
    const kept = x.shape.map((_, i) => i).filter((i) => !b.includes(i));
    const mapped = a.map((i) => kept[i]);
    if (ka) return undefined;
    return f.sum(x, [...b, ...mapped]);
  }
  if (ka) return f.sum(x, [...new Set([...a, ...b])], true);
  return b.every((i) => a.includes(i)) ? f.sum(x, a) : undefined;
});

/**
 * Σ_A broadcastTo(x, S) → n·Σ_{A'} x: summing over an axis x was broadcast along
 * multiplies by its size n; only the axes x really has are summed.
 */
export const sumOfBroadcast = rule('sum-of-broadcast', 'canonicalize', ['sum'], (t) => {
  const s = t as Tensor<'sum'>;
  const b = s.inputs[0];
  if (!b.is('broadcastTo')) return undefined;
  const x = b.inputs[0];
  const lead = b.rank - x.rank;
  const { axes, keepDims } = s.attrs;
  const isBroadcastAxis = (a: number): boolean => a < lead || (x.shape[a - lead] === 1 && b.shape[a] !== 1);
  const spread = axes.filter(isBroadcastAxis);
  if (spread.length === 0) return undefined;
  const own = axes.filter((a) => !isBroadcastAxis(a) && a >= lead).map((a) => a - lead);
  const summed = own.length > 0 ? f.sum(x, own, true) : x;
  // summed has x's rank with 1s on every axis of A it has; read it in the result's layout.
  const inX = axes.filter((a) => a >= lead).map((a) => a - lead);
  const body = keepDims ? summed : f.reshape(summed, reducedShape(summed.shape, inX, false));
  return scaled(countOf(b.shape, spread), fit(body, t.shape), t.dtype);
});

/** Σ_A x → |A∖{k}| where the rows of x along axis k ∈ A sum to 1 (oneHot targets, softmax outputs). */
export const rowsSumToOneRule = rule('rows-sum-to-one', 'canonicalize', ['sum'], (t) => {
  const s = t as Tensor<'sum'>;
  const x = s.inputs[0];
  const k = rowsSumToOne(x);
  if (k === undefined || !s.attrs.axes.includes(k)) return undefined;
  const rest = s.attrs.axes.filter((a) => a !== k);
  return { to: f.constant(countOf(x.shape, rest), t.shape, t.dtype), because: (p) => whyRowsSumToOne(x, p) };
});

/** Σ over axes of size 1 only → x (or x reshaped when they are dropped). */
export const sumUnitAxes = rule('sum-unit-axes', 'canonicalize', ['sum'], (t) => {
  const s = t as Tensor<'sum'>;
  const x = s.inputs[0];
  if (!s.attrs.axes.every((a) => x.shape[a] === 1)) return undefined;
  return f.reshape(x, t.shape);
});

export const reduceRules: readonly Rule[] = [sumUnitAxes, rowsSumToOneRule, sumScalarOut, sumOfSum, sumOfBroadcast];
