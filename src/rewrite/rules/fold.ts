// Constant folding and the identities of arithmetic.
import * as f from '../../graph/functions.js';
import { opInfo } from '../../graph/ops.js';
import { make, type Tensor } from '../../graph/tensor.js';
import { reference, type Reference } from '../../eval/reference.js';
import { SMALL_CONSTANT, countOf, fit, scalarConst, uniformValue } from '../build.js';
import { isNonZero, rangeText } from '../facts.js';
import { rule, type Rule } from '../rule.js';

/** Largest constant computed at rewrite time. */
const FOLD_LIMIT = 4096;

/** The value of op(…) when every operand holds one value v, or undefined. */
function foldUniform(t: Tensor, vs: number[]): number | undefined {
  const kind = opInfo[t.op].kind;
  if (kind === 'elementwise') {
    const node = make(t.op, t.inputs.map((x, i) => scalarConst(vs[i], x.dtype)), t.attrs as never, t.dtype);
    const semantics = reference[t.op] as Reference<typeof t.op>;
    if (semantics === 'fed') return undefined;
    return semantics(vs.map((v) => Float64Array.of(v)), node as Tensor<never>)[0];
  }
  if (kind === 'view') return vs[0];
  const v = vs[0]!;
  const x = t.inputs[0];
  switch (t.op) {
    case 'sum':
      return v * countOf(x.shape, (t as Tensor<'sum'>).attrs.axes);
    case 'max':
      return v;
    case 'logSumExp':
      return v + Math.log(countOf(x.shape, (t as Tensor<'logSumExp'>).attrs.axes));
    case 'softmax':
      return 1 / x.shape[(t as Tensor<'softmax'>).attrs.axis];
    case 'logSoftmax':
      return -Math.log(x.shape[(t as Tensor<'logSoftmax'>).attrs.axis]);
    case 'matmul':
      return vs[0] * vs[1] * x.shape[x.rank - 1];
    case 'pad':
      return v === 0 ? 0 : undefined;
    case 'concat':
      return vs.every((w) => Object.is(w, v)) ? v : undefined;
    default:
      return undefined;
  }
}

/** op(c₁, …, cₖ) → c: an op whose operands are all constants is computed now (uniform or small results). */
export const foldConstants = rule('fold-constants', 'canonicalize', 'any', (t) => {
  if (t.inputs.length === 0) return undefined;
  for (let i = 0; i < t.inputs.length; i++) if (t.inputs[i]!.op !== 'constant') return undefined;
  const vs = t.inputs.map(uniformValue);
  if (vs.every((v) => v !== undefined)) {
    const v = foldUniform(t, vs as number[]);
    if (v !== undefined) return f.constant(v, t.shape, t.dtype);
  }
  if (t.size > FOLD_LIMIT || t.inputs.some((x) => x.size > FOLD_LIMIT)) return undefined;
  const semantics = reference[t.op] as Reference<typeof t.op>;
  if (semantics === 'fed') return undefined;
  let values: Float64Array;
  try {
    values = semantics(
      t.inputs.map((x) => {
        const data = (x as Tensor<'constant'>).attrs.values;
        return data.length === x.size ? data : new Float64Array(x.size).fill(data[0]);
      }),
      t as Tensor<never>,
    );
  } catch {
    return undefined; // e.g. a bad oneHot label: left for evaluation to report
  }
  const out = f.constant(values, t.shape, t.dtype);
  return uniformValue(out) !== undefined || t.size <= SMALL_CONSTANT ? out : undefined;
});

const isValue = (t: Tensor, v: number): boolean => uniformValue(t) === v;
const zerosLike = (t: Tensor): Tensor => f.constant(0, t.shape, t.dtype);

/** x + 0 → x, 0 + x → x, x − 0 → x. */
export const addZero = rule('add-zero', 'canonicalize', ['add', 'sub'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  if (isValue(b, 0)) return fit(a, t.shape);
  if (t.is('add') && isValue(a, 0)) return fit(b, t.shape);
  return undefined;
});

/** 0 − x → −x. */
export const zeroSub = rule('zero-sub', 'canonicalize', ['sub'], (t) => (isValue(t.inputs[0], 0) ? fit(f.neg(t.inputs[1]), t.shape) : undefined));

/** x·1 → x, 1·x → x, x/1 → x. */
export const mulOne = rule('mul-one', 'canonicalize', ['mul', 'div'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  if (isValue(b, 1)) return fit(a, t.shape);
  if (t.is('mul') && isValue(a, 1)) return fit(b, t.shape);
  return undefined;
});

/** x·0 → 0, 0·x → 0, 0/y → 0 where y ≠ 0 (x finite: away from overflow). */
export const mulZero = rule('mul-zero', 'canonicalize', ['mul', 'div'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  if (t.is('mul') && (isValue(a, 0) || isValue(b, 0))) return zerosLike(t);
  if (t.is('div') && isValue(a, 0) && isNonZero(b)) return { to: zerosLike(t), because: (p) => rangeText(b, p) };
  return undefined;
});

/** −(−x) → x. */
export const doubleNeg = rule('double-negation', 'canonicalize', ['neg'], (t) => (t.inputs[0].is('neg') ? t.inputs[0].inputs[0] : undefined));

/** x − x → 0. */
export const subSelf = rule('sub-self', 'canonicalize', ['sub'], (t) => (t.inputs[0] === t.inputs[1] ? zerosLike(t) : undefined));

/** x / x → 1 where x ≠ 0. */
export const divSelf = rule('div-self', 'canonicalize', ['div'], (t) => {
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  return a === b && isNonZero(a) ? { to: f.constant(1, t.shape, t.dtype), because: (p) => rangeText(a, p) } : undefined;
});

export const foldRules: readonly Rule[] = [foldConstants, addZero, zeroSub, mulOne, mulZero, doubleNeg, subSelf, divSelf];
