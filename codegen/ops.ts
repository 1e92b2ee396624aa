/**
 * The scalar op vocabulary: one table giving each op's arity, the dtypes it takes, its result,
 * its meaning (the value every backend must produce) and its cost. Constant folding, the scalar
 * reference and the plan read it; each backend has its own exhaustive table of spellings keyed
 * by `ScalarOp`, so a new op here fails `tsc` until every backend says how to print it.
 */
import type { DType } from './dtypes.js';

export type UnaryOp =
  | 'neg' | 'abs' | 'sqrt' | 'floor'
  /** Round to the nearest integer, ties to even. */
  | 'nearest'
  /** x > 0 ? x : 0 (NaN and −0 give +0, like the graph's reference evaluator). */
  | 'relu'
  | 'exp' | 'log' | 'tanh'
  /** 1 / (1 + e^−x) */
  | 'sigmoid'
  /** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|) */
  | 'softplus'
  | 'not';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div'
  /** IEEE 754-2019 maximum/minimum: NaN propagates, −0 < +0. */
  | 'max' | 'min'
  | 'pow'
  | 'and' | 'or' | 'xor'
  /** Shifts of i32 by 0..31 bits: left, arithmetic right, logical right. */
  | 'shl' | 'shrS' | 'shrU';

/** Comparisons give bool. IEEE: every comparison with NaN is false except ne. */
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

export type ScalarOp = UnaryOp | BinaryOp | CompareOp;

/** Ops no backend has an instruction for: a target computes them natively (a library call) or decomposes them. */
export type Transcendental = 'exp' | 'log' | 'tanh' | 'sigmoid' | 'softplus' | 'pow';
export const TRANSCENDENTALS: readonly Transcendental[] = ['exp', 'log', 'tanh', 'sigmoid', 'softplus', 'pow'];

export interface OpInfo {
  readonly arity: 1 | 2;
  readonly kind: 'unary' | 'binary' | 'compare';
  /** Operand dtypes it accepts (both operands have the same dtype). */
  readonly takes: readonly DType[];
  /** Result dtype: the operands' or bool. */
  readonly result: 'same' | 'bool';
  readonly commutative: boolean;
  /** Rough cost in simple arithmetic ops (fusion weighs recomputation with it). */
  readonly cost: number;
  readonly transcendental: boolean;
  /** The meaning in float64 arithmetic (results are then rounded to the dtype by `evalOp`). */
  readonly f64?: (a: number, b: number) => number;
  /** The meaning on int32 (wrapping) and bool (0/1). */
  readonly int?: (a: number, b: number) => number;
}

const F: readonly DType[] = ['f32', 'f64'];
const FI: readonly DType[] = ['f32', 'f64', 'i32'];
const I: readonly DType[] = ['i32'];
const IB: readonly DType[] = ['i32', 'bool'];
const ALL: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

const unary = (takes: readonly DType[], cost: number, f64?: (x: number) => number, int?: (x: number) => number, transcendental = false): OpInfo => ({
  arity: 1, kind: 'unary', takes, result: 'same', commutative: false, cost, transcendental,
  ...(f64 ? { f64: (a: number) => f64(a) } : {}), ...(int ? { int: (a: number) => int(a) } : {}),
});
const binary = (takes: readonly DType[], cost: number, commutative: boolean, f64?: (a: number, b: number) => number, int?: (a: number, b: number) => number, transcendental = false): OpInfo => ({
  arity: 2, kind: 'binary', takes, result: 'same', commutative, cost, transcendental, ...(f64 ? { f64 } : {}), ...(int ? { int } : {}),
});
const compare = (commutative: boolean, fn: (a: number, b: number) => boolean, takes: readonly DType[] = FI): OpInfo => ({
  arity: 2, kind: 'compare', takes, result: 'bool', commutative, cost: 1, transcendental: false,
  f64: (a, b) => (fn(a, b) ? 1 : 0), int: (a, b) => (fn(a, b) ? 1 : 0),
});

/** Round half to even (WebAssembly's `nearest`). */
export function roundEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round rounds halves up: step back where that left an odd integer.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

export const SCALAR_OPS: { readonly [O in ScalarOp]: OpInfo } = {
  neg: unary(FI, 1, (x) => -x, (x) => -x | 0),
  abs: unary(FI, 1, Math.abs, (x) => Math.abs(x) | 0),
  sqrt: unary(F, 4, Math.sqrt),
  floor: unary(F, 1, Math.floor),
  nearest: unary(F, 1, roundEven),
  relu: unary(F, 1, (x) => (x > 0 ? x : 0)),
  exp: unary(F, 20, Math.exp, undefined, true),
  log: unary(F, 20, Math.log, undefined, true),
  tanh: unary(F, 25, Math.tanh, undefined, true),
  sigmoid: unary(F, 22, (x) => 1 / (1 + Math.exp(-x)), undefined, true),
  softplus: unary(F, 40, (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), undefined, true),
  not: unary(['bool'], 1, undefined, (x) => 1 - x),
  add: binary(FI, 1, true, (a, b) => a + b, (a, b) => (a + b) | 0),
  sub: binary(FI, 1, false, (a, b) => a - b, (a, b) => (a - b) | 0),
  mul: binary(FI, 1, true, (a, b) => a * b, Math.imul),
  div: binary(F, 4, false, (a, b) => a / b),
  max: binary(F, 1, true, Math.max),
  min: binary(F, 1, true, Math.min),
  pow: binary(F, 45, false, Math.pow, undefined, true),
  and: binary(IB, 1, true, undefined, (a, b) => a & b),
  or: binary(IB, 1, true, undefined, (a, b) => a | b),
  xor: binary(IB, 1, true, undefined, (a, b) => a ^ b),
  shl: binary(I, 1, false, undefined, (a, b) => a << b),
  shrS: binary(I, 1, false, undefined, (a, b) => a >> b),
  shrU: binary(I, 1, false, undefined, (a, b) => (a >>> b) | 0),
  lt: compare(false, (a, b) => a < b),
  le: compare(false, (a, b) => a <= b),
  gt: compare(false, (a, b) => a > b),
  ge: compare(false, (a, b) => a >= b),
  eq: compare(true, (a, b) => a === b, ALL),
  ne: compare(true, (a, b) => a !== b, ALL),
};

export const UNARY_OPS = (Object.keys(SCALAR_OPS) as ScalarOp[]).filter((o) => SCALAR_OPS[o].kind === 'unary') as UnaryOp[];
export const BINARY_OPS = (Object.keys(SCALAR_OPS) as ScalarOp[]).filter((o) => SCALAR_OPS[o].kind === 'binary') as BinaryOp[];
export const COMPARE_OPS = (Object.keys(SCALAR_OPS) as ScalarOp[]).filter((o) => SCALAR_OPS[o].kind === 'compare') as CompareOp[];

/** Rounds a number to a dtype: f32 to nearest float32, i32 wraps, bool is 0 or 1. */
export function toDType(dtype: DType, x: number): number {
  switch (dtype) {
    case 'f64': return x;
    case 'f32': return Math.fround(x);
    case 'i32': return x | 0;
    case 'bool': return x ? 1 : 0;
  }
}

/**
 * The value of `op` on operands of `dtype` (already of that dtype). Floats: the float64 meaning,
 * rounded once to the dtype, which is the correctly rounded result for + − × ÷ √ and the
 * reference for transcendentals (a decomposition is within its stated ulp bound of it).
 */
export function evalOp(op: ScalarOp, dtype: DType, a: number, b = 0): number {
  const info = SCALAR_OPS[op];
  if (dtype === 'f32' || dtype === 'f64') {
    const v = info.f64!(a, b);
    return info.result === 'bool' ? v : toDType(dtype, v);
  }
  return info.int!(a, b);
}
