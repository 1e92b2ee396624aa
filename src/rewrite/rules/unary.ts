// Rules for unary functions, comparisons and where: inverses, and what the facts decide.
import * as f from '../../graph/functions.js';
import type { Tensor } from '../../graph/tensor.js';
import { fit, uniformValue } from '../build.js';
import { isNonNegative, rangeOf, rangeText } from '../facts.js';
import { rule, type Rule } from '../rule.js';

const nonNegative = (x: Tensor) => ({ because: (p: (t: Tensor) => string) => rangeText(x, p) });

/** log(exp(x)) → x. */
export const logExp = rule('log-exp', 'canonicalize', ['log'], (t) => (t.inputs[0].is('exp') ? t.inputs[0].inputs[0] : undefined));

/** exp(log(x)) → x where x ≥ 0 (log of a negative is NaN; e^log 0 = 0). */
export const expLog = rule('exp-log', 'canonicalize', ['exp'], (t) => {
  const x = t.inputs[0];
  if (!x.is('log') || !isNonNegative(x.inputs[0])) return undefined;
  return { to: x.inputs[0], ...nonNegative(x.inputs[0]) };
});

/** √(x²) → |x|. */
export const sqrtSquare = rule('sqrt-square', 'canonicalize', ['sqrt'], (t) => (t.inputs[0].is('square') ? f.abs(t.inputs[0].inputs[0]) : undefined));

/** (√x)² → x where x ≥ 0. */
export const squareSqrt = rule('square-sqrt', 'canonicalize', ['square'], (t) => {
  const x = t.inputs[0];
  if (!x.is('sqrt') || !isNonNegative(x.inputs[0])) return undefined;
  return { to: x.inputs[0], ...nonNegative(x.inputs[0]) };
});

/** |x| → x and relu(x) → x where x ≥ 0; |−x| → |x|; relu(relu(x)) → relu(x); ||x|| → |x|. */
export const nonNegativeNoop = rule('non-negative', 'canonicalize', ['abs', 'relu'], (t) => {
  const x = t.inputs[0];
  if (isNonNegative(x)) return { to: x, ...nonNegative(x) };
  if (t.is('abs') && x.is('neg')) return f.abs(x.inputs[0]);
  if (x.op === t.op) return x;
  return undefined;
});

/** [a > b], [a < b] → 1 or 0 where the ranges of a and b decide it. */
export const comparisonKnown = rule('comparison-known', 'canonicalize', ['greater', 'less'], (t) => {
  const greater = t.op === 'greater';
  const a = t.inputs[greater ? 0 : 1]!;
  const b = t.inputs[greater ? 1 : 0]!;
  const ra = rangeOf(a);
  const rb = rangeOf(b);
  const always = ra.lo > rb.hi || (ra.lo === rb.hi && (ra.loOpen || rb.hiOpen));
  const never = ra.hi <= rb.lo;
  if (!always && !never) return undefined;
  return { to: f.constant(always ? 1 : 0, t.shape, t.dtype), because: (p) => `${rangeText(a, p)}, ${rangeText(b, p)}` };
});

/** where(1, a, b) → a, where(0, a, b) → b, where(c, a, a) → a. */
export const whereKnown = rule('where-known', 'canonicalize', ['where'], (t) => {
  const c = t.inputs[0]!;
  const a = t.inputs[1]!;
  const b = t.inputs[2]!;
  const v = uniformValue(c);
  if (a === b) return fit(a, t.shape);
  if (v === undefined || Number.isNaN(v)) return undefined;
  return fit(v !== 0 ? a : b, t.shape);
});

export const unaryRules: readonly Rule[] = [logExp, expLog, sqrtSquare, squareSqrt, nonNegativeNoop, comparisonKnown, whereKnown];
