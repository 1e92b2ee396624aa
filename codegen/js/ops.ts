/**
 * How JavaScript spells each scalar op. Operands arrive as code with a precedence; numbers are
 * float64, so an f32 result that may be inexact is rounded with `f` (= Math.fround): the IR's
 * f32 arithmetic, op by op. Exhaustive over `ScalarOp`: a new op fails tsc here until spelled.
 */
import type { DType } from '../ir.js';
import type { ScalarOp } from '../ops.js';

/** JS precedence levels used here. */
export const P = { COND: 2, OR: 3, AND: 4, BOR: 5, BXOR: 6, BAND: 7, EQ: 9, REL: 10, SHIFT: 11, ADD: 13, MUL: 14, UNARY: 15, PRIMARY: 20 } as const;

export type Code = readonly [string, number];

export function wrap(c: Code, min: number): string {
  return c[1] >= min ? c[0] : `(${c[0]})`;
}

const call = (fn: string, ...args: Code[]): Code => [`${fn}(${args.map((a) => a[0]).join(', ')})`, P.PRIMARY];
/** Left-associative infix: the right operand needs parentheses at equal precedence. */
const infix = (a: Code, op: string, b: Code, prec: number): Code => {
  let right = wrap(b, prec + 1);
  if (right.startsWith('-') && (op === '+' || op === '-')) right = `(${right})`;
  return [`${wrap(a, prec)} ${op} ${right}`, prec];
};
const negate = (x: Code): Code => {
  const s = wrap(x, P.UNARY);
  return [s.startsWith('-') ? `-(${s})` : `-${s}`, P.UNARY];
};
/** Rounds a float64 result to f32 for f32 ops; i32 results wrap with `| 0`. */
const round = (dtype: DType, c: Code): Code =>
  dtype === 'f32' ? call('f', c) : dtype === 'i32' ? [`${wrap(c, P.BOR + 1)} | 0`, P.BOR] : c;

type Spell = (dtype: DType, a: Code, b: Code) => Code;

const arith = (op: string, prec: number): Spell => (dt, a, b) =>
  dt === 'bool' ? infix(a, op, b, prec) : round(dt, infix(a, op, b, prec));
const math = (fn: string): Spell => (dt, a) => round(dt, call(`Math.${fn}`, a));
const rel = (op: string): Spell => (_dt, a, b) => infix(a, op, b, op === '===' || op === '!==' ? P.EQ : P.REL);

export const JS_OPS: { readonly [O in ScalarOp]: Spell } = {
  neg: (dt, a) => (dt === 'i32' ? round(dt, negate(a)) : negate(a)),
  abs: (dt, a) => (dt === 'i32' ? round(dt, call('Math.abs', a)) : call('Math.abs', a)),
  sqrt: math('sqrt'),
  floor: (_dt, a) => call('Math.floor', a),
  nearest: (_dt, a) => call('roundEven', a),
  relu: (_dt, a) => [`${wrap(a, P.REL + 1)} > 0 ? ${wrap(a, P.COND)} : 0`, P.COND],
  exp: math('exp'),
  log: math('log'),
  tanh: math('tanh'),
  // 1 / (1 + e^−x), rounded once
  sigmoid: (dt, a) => round(dt, [`1 / (1 + Math.exp(${negate(a)[0]}))`, P.MUL]),
  // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), rounded once
  softplus: (dt, a) => round(dt, [`Math.max(${a[0]}, 0) + Math.log1p(Math.exp(-Math.abs(${a[0]})))`, P.ADD]),
  not: (_dt, a) => [`!${wrap(a, P.UNARY)}`, P.UNARY],
  add: arith('+', P.ADD),
  sub: arith('-', P.ADD),
  mul: (dt, a, b) => (dt === 'i32' ? call('Math.imul', a, b) : round(dt, infix(a, '*', b, P.MUL))),
  div: arith('/', P.MUL),
  max: (_dt, a, b) => call('Math.max', a, b),
  min: (_dt, a, b) => call('Math.min', a, b),
  pow: (dt, a, b) => round(dt, call('Math.pow', a, b)),
  and: (dt, a, b) => (dt === 'bool' ? infix(a, '&&', b, P.AND) : infix(a, '&', b, P.BAND)),
  or: (dt, a, b) => (dt === 'bool' ? infix(a, '||', b, P.OR) : infix(a, '|', b, P.BOR)),
  xor: (dt, a, b) => (dt === 'bool' ? infix(a, '!==', b, P.EQ) : infix(a, '^', b, P.BXOR)),
  shl: (_dt, a, b) => infix(a, '<<', b, P.SHIFT),
  shrS: (_dt, a, b) => infix(a, '>>', b, P.SHIFT),
  shrU: (_dt, a, b) => round('i32', infix(a, '>>>', b, P.SHIFT)),
  lt: rel('<'),
  le: rel('<='),
  gt: rel('>'),
  ge: rel('>='),
  eq: rel('==='),
  ne: rel('!=='),
};

/** Module-level helpers the spellings above and casts use (printed once per module, when used). */
export const JS_HELPERS = {
  f: 'const f = Math.fround;',
  roundEven: 'function roundEven(x) { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r; }',
  toInt: 'function toInt(x) { return x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0; }',
  bits: 'const bitsF = new Float32Array(1), bitsI = new Int32Array(bitsF.buffer);',
  bitsOf: 'function bitsOf(x) { bitsF[0] = x; return bitsI[0]; }',
  fromBits: 'function fromBits(i) { bitsI[0] = i; return bitsF[0]; }',
} as const;

/** The same helpers with type annotations (an exported module is strict TypeScript). */
export const TS_HELPERS: { readonly [H in keyof typeof JS_HELPERS]: string } = {
  f: JS_HELPERS.f,
  roundEven: 'function roundEven(x: number): number { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r; }',
  toInt: 'function toInt(x: number): number { return x !== x ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0; }',
  bits: JS_HELPERS.bits,
  bitsOf: 'function bitsOf(x: number): number { bitsF[0] = x; return bitsI[0]!; }',
  fromBits: 'function fromBits(i: number): number { bitsI[0] = i; return bitsF[0]!; }',
};
