// Rules for transposes, reshapes, broadcasts and matrix products.
import * as f from '../../graph/functions.js';
import { reducedShape, sameShape } from '../../graph/shape.js';
import type { Tensor } from '../../graph/tensor.js';
import { peelScalar, scaled, uniformValue } from '../build.js';
import { rule, type Rule } from '../rule.js';

const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** (xᵖ)^q → x^(p∘q); an identity permutation disappears. */
export const transposeTranspose = rule('transpose-transpose', 'canonicalize', ['transpose'], (t) => {
  const q = (t as Tensor<'transpose'>).attrs.perm;
  if (isIdentity(q)) return t.inputs[0];
  const inner = t.inputs[0];
  if (!inner.is('transpose')) return undefined;
  const p = inner.attrs.perm;
  return f.transpose(inner.inputs[0], q.map((i) => p[i]));
});

/** reshape(reshape(x, s₁), s₂) → reshape(x, s₂); reshape(x, shape of x) → x. */
export const reshapeReshape = rule('reshape-reshape', 'canonicalize', ['reshape'], (t) => {
  const x = t.inputs[0];
  if (sameShape(x.shape, t.shape)) return x;
  return x.is('reshape') ? f.reshape(x.inputs[0], t.shape) : undefined;
});

/** broadcastTo(broadcastTo(x, s₁), s₂) → broadcastTo(x, s₂); so too when the inner op only prepends 1s (a reshape). */
export const broadcastBroadcast = rule('broadcast-broadcast', 'canonicalize', ['broadcastTo'], (t) => {
  const x = t.inputs[0];
  if (sameShape(x.shape, t.shape)) return x;
  if (x.is('broadcastTo')) return f.broadcastTo(x.inputs[0], t.shape);
  if (x.is('reshape')) {
    const inner = x.inputs[0];
    const lead = x.rank - inner.rank;
    const prependsOnes = lead >= 0 && x.shape.slice(0, lead).every((d) => d === 1) && sameShape(x.shape.slice(lead), inner.shape);
    if (prependsOnes) return f.broadcastTo(inner, t.shape);
  }
  return undefined;
});

/** reshape(Σ_A(x, keepDims), Σ_A(x) shape) → Σ_A(x): dropping the kept axes is what keepDims=false does. */
export const reshapeKeptSum = rule('reshape-kept-sum', 'canonicalize', ['reshape'], (t) => {
  const x = t.inputs[0];
  if (!(x.is('sum') || x.is('max') || x.is('logSumExp')) || !x.attrs.keepDims) return undefined;
  const src = x.inputs[0];
  if (!sameShape(reducedShape(src.shape, x.attrs.axes, false), t.shape)) return undefined;
  return x.is('sum') ? f.sum(src, x.attrs.axes) : x.is('max') ? f.max(src, x.attrs.axes) : f.logSumExp(src, x.attrs.axes);
});

/** op(c·x) → c·op(x) for the linear reshuffles (transpose, reshape, slice, pad): scalars float to the top. */
export const movementScalarOut = rule('scalar-out', 'canonicalize', ['transpose', 'reshape', 'slice', 'pad'], (t) => {
  const { coef, core } = peelScalar(t.inputs[0]);
  if (coef === 1 || core === t.inputs[0]) return undefined;
  let inner: Tensor;
  if (t.is('transpose')) inner = f.transpose(core, t.attrs.perm);
  else if (t.is('reshape')) inner = f.reshape(core, t.attrs.shape);
  else if (t.is('slice')) inner = f.slice(core, t.attrs.begin, t.attrs.size);
  else if (t.is('pad')) inner = f.pad(core, t.attrs.before, t.attrs.after);
  else return undefined;
  return scaled(coef, inner, t.dtype);
});

/** (c·A)·B → c·(A·B) and A·(c·B) → c·(A·B). */
export const matmulScalarOut = rule('scalar-out', 'canonicalize', ['matmul'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  const pa = peelScalar(a);
  const pb = peelScalar(b);
  const coef = pa.coef * pb.coef;
  if (pa.core === a && pb.core === b) return undefined;
  return scaled(coef, f.matmul(pa.core, pb.core), t.dtype);
});

const isLast2Swap = (t: Tensor): t is Tensor<'transpose'> => {
  if (!t.is('transpose') || t.rank < 2) return false;
  const p = t.attrs.perm;
  const r = t.rank;
  return p[r - 2] === r - 1 && p[r - 1] === r - 2 && p.slice(0, r - 2).every((v, i) => v === i);
};

/** Aᵀ·Bᵀ → (B·A)ᵀ: one transpose instead of two. */
export const matmulTransposes = rule('matmul-transposes', 'canonicalize', ['matmul'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  if (!isLast2Swap(a) || !isLast2Swap(b)) return undefined;
  return f.transposeLast2(f.matmul(b.inputs[0], a.inputs[0]));
});

/** A·0 → 0, 0·B → 0. */
export const matmulZero = rule('matmul-zero', 'canonicalize', ['matmul'], (t) =>
  t.inputs.some((x) => uniformValue(x) === 0) ? f.constant(0, t.shape, t.dtype) : undefined,
);

export const movementRules: readonly Rule[] = [
  transposeTranspose, reshapeReshape, broadcastBroadcast, reshapeKeptSum, movementScalarOut,
  matmulZero, matmulScalarOut, matmulTransposes,
];
