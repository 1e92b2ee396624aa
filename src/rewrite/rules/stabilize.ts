// Stabilization: forms that give the same numbers in exact arithmetic but do not overflow,
// underflow to log 0, or divide 0 by 0 in floating point. Then specialization: cheaper forms.
import * as f from '../../graph/functions.js';
import { sameShape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import { uniformValue } from '../build.js';
import { flattenProd, flattenProdShared } from '../products.js';
import { rule, type Rule } from '../rule.js';
import { flattenLin, rebuildProd } from '../sums.js';

/** The one term of `x` = c₀ + c·t, if it has exactly that form. */
function affine(x: Tensor): { c0: number; c: number; t: Tensor } | undefined {
  const lin = flattenLin(x);
  if (lin === undefined || lin.terms.size !== 1) return undefined;
  const [[t, term]] = [...lin.terms];
  return { c0: lin.c0, c: term.coef, t };
}

/** log(softmax(z)) → logSoftmax(z). */
export const logSoftmaxRule = rule('log-softmax', 'stabilize', ['log'], (t) => {
  const x = t.inputs[0];
  return x.is('softmax') ? f.logSoftmax(x.inputs[0], x.attrs.axis) : undefined;
});

/** log(σ(z)) → −softplus(−z); log(1 − σ(z)) → −softplus(z) (as 1 − σ(z) = σ(−z)). */
export const logSigmoid = rule('log-sigmoid', 'stabilize', ['log'], (t) => {
  const x = t.inputs[0];
  if (x.is('sigmoid')) return f.neg(f.softplus(f.neg(x.inputs[0])));
  const a = affine(x);
  if (a && a.c0 === 1 && a.c === -1 && a.t.is('sigmoid') && sameShape(a.t.shape, t.shape)) {
    return { to: f.neg(f.softplus(a.t.inputs[0])), rule: 'log-one-minus-sigmoid' };
  }
  return undefined;
});

/** log(1 + exp(z)) → softplus(z). */
export const logOnePlusExp = rule('softplus', 'stabilize', ['log'], (t) => {
  const a = affine(t.inputs[0]);
  if (!a || a.c0 !== 1 || a.c !== 1 || !a.t.is('exp') || !sameShape(a.t.shape, t.shape)) return undefined;
  return f.softplus(a.t.inputs[0]);
});

/** log(Σ_A exp(z)) → logSumExp(z, A). */
export const logSumExpRule = rule('log-sum-exp', 'stabilize', ['log'], (t) => {
  const s = t.inputs[0];
  if (!s.is('sum') || !s.inputs[0].is('exp')) return undefined;
  return f.logSumExp(s.inputs[0].inputs[0], s.attrs.axes, s.attrs.keepDims);
});

/** exp(z) / Σₐ exp(z) → softmax(z, a) (with the sum's axis kept). */
export const softmaxFromExp = rule('softmax-from-exp', 'stabilize', ['div', 'mul'], (t) => {
  const shared = flattenProdShared(t); // read only: copied when the pattern matches
  if (shared === undefined || shared.den.size === 0) return undefined;
  // The first Σₐ exp(z) (kept axis, exponent 1) in the denominator whose exp(z) is in the numerator.
  let found: Tensor<'sum'> | undefined;
  shared.den.forEach((k, d) => {
    if (found !== undefined || k !== 1 || !d.is('sum') || !d.attrs.keepDims || d.attrs.axes.length !== 1) return;
    const e = d.inputs[0]!;
    if (e.is('exp') && shared.num.has(e)) found = d;
  });
  const d: Tensor<'sum'> | undefined = found;
  if (d === undefined) return undefined;
  const e = d.inputs[0]!;
  const p = flattenProd(t)!;
  const s = f.softmax(e.inputs[0], d.attrs.axes[0]);
  p.den.delete(d);
  const j = p.num.get(e)!;
  if (j === 1) p.num.delete(e);
  else p.num.set(e, j - 1);
  p.num.set(s, (p.num.get(s) ?? 0) + 1);
  return rebuildProd(p, t.dtype, t.shape);
});

export const stabilizeRules: readonly Rule[] = [logSoftmaxRule, logSigmoid, logOnePlusExp, logSumExpRule, softmaxFromExp];

/** exp(logSoftmax(z)) → softmax(z); exp(z − logSumExp(z)) → softmax(z). */
export const expLogSoftmax = rule('exp-log-softmax', 'specialize', ['exp'], (t) => {
  const x = t.inputs[0];
  if (x.is('logSoftmax')) return f.softmax(x.inputs[0], x.attrs.axis);
  const lin = flattenLin(x);
  if (lin === undefined || lin.c0 !== 0 || lin.terms.size !== 2) return undefined;
  const [[a, ta], [b, tb]] = [...lin.terms];
  const [z, lse] = b.is('logSumExp') ? [a, b] : [b, a];
  const [cz, cl] = b.is('logSumExp') ? [ta.coef, tb.coef] : [tb.coef, ta.coef];
  if (!lse.is('logSumExp') || lse.inputs[0] !== z || cz !== 1 || cl !== -1 || !lse.attrs.keepDims || lse.attrs.axes.length !== 1) return undefined;
  return f.softmax(z, lse.attrs.axes[0]);
});

/** x^½ → √x. */
export const powHalf = rule('pow-sqrt', 'specialize', ['pow'], (t) => ((t as Tensor<'pow'>).attrs.exponent === 0.5 ? f.sqrt(t.inputs[0]) : undefined));

/** max(x, 0) → relu(x). */
export const maximumZero = rule('maximum-relu', 'specialize', ['maximum'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  const x = uniformValue(b) === 0 ? a : uniformValue(a) === 0 ? b : undefined;
  return x !== undefined && x.rank === t.rank && x.size === t.size ? f.relu(x) : undefined;
});

export const specializeRules: readonly Rule[] = [expLogSoftmax, powHalf, maximumZero];
