/**
 * `ScalarMath` over JS numbers with exact float32/int32 semantics, for testing the
 * decompositions: every float result goes through Math.fround (float64 +, −, ×, ÷ and √ of
 * float32 operands, rounded once to float32, are correctly rounded), ints wrap as int32,
 * booleans are JS booleans.
 */
import type { ScalarMath } from './builder.js';

const bits = new ArrayBuffer(4);
const asF32 = new Float32Array(bits);
const asI32 = new Int32Array(bits);
const r = Math.fround;

/** Round half to even (wasm f32.nearest), keeping the sign of zero. */
function nearest(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 23) return x;
  const fl = Math.floor(x), d = x - fl;
  const n = d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
  return n === 0 && (x < 0 || Object.is(x, -0)) ? -0 : n;
}

function checkedF32(c: number): number {
  if (r(c) !== c && !Number.isNaN(c)) throw new RangeError(`f32 constant ${c} is not exactly representable in float32`);
  return c;
}

function checkedI32(c: number): number {
  if ((c | 0) !== c) throw new RangeError(`i32 constant ${c} is not an int32`);
  return c;
}

export const f32Interpreter: ScalarMath<number, number, boolean> = {
  f: checkedF32,
  i: checkedI32,
  add: (a, b) => r(a + b), sub: (a, b) => r(a - b), mul: (a, b) => r(a * b), div: (a, b) => r(a / b),
  // Math.min/max propagate NaN and order −0 < +0, as f32.min/max do.
  min: (a, b) => Math.min(a, b), max: (a, b) => Math.max(a, b),
  neg: (a) => -a, abs: (a) => Math.abs(a), sqrt: (a) => r(Math.sqrt(a)), floor: (a) => Math.floor(a), nearest,
  lt: (a, b) => a < b, le: (a, b) => a <= b, gt: (a, b) => a > b, ge: (a, b) => a >= b, eq: (a, b) => a === b, ne: (a, b) => a !== b,
  isNaN: (a) => a !== a,
  select: (c, a, b) => (c ? a : b), selectI: (c, a, b) => (c ? a : b),
  and: (a, b) => a && b, or: (a, b) => a || b, not: (a) => !a,
  iadd: (a, b) => (a + b) | 0, isub: (a, b) => (a - b) | 0,
  shl: (a, n) => a << n, shrS: (a, n) => a >> n, shrU: (a, n) => (a >>> n) | 0,
  iand: (a, b) => a & b, ior: (a, b) => a | b, ilt: (a, b) => a < b, ieq: (a, b) => a === b,
  toInt: (a) => (a !== a ? 0 : a >= 2147483647 ? 2147483647 : a <= -2147483648 ? -2147483648 : Math.trunc(a) | 0),
  toFloat: (a) => r(a),
  bitsOf: (a) => { asF32[0] = a; return asI32[0]!; },
  fromBits: (a) => { asI32[0] = a; return asF32[0]!; },
};
