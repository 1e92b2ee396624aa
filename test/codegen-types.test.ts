/**
 * The typed IR's numbers, on every backend under test: casts and bitcasts, wrapping i32 ops,
 * u8 loads, and f32 arithmetic that is exactly IEEE float32 (each op rounded), f64 not rounded.
 * References are written here independently (BigInt, DataView, Math.fround op by op).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ProgramBuilder, affine, buildProgram } from 'gradc/codegen';
import type { Backend, DType, Expr, ExprPool, Storage } from 'gradc/codegen';
import { BACKEND_ROWS } from './helpers/backends.js';

const f32 = Math.fround;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** out[i] = value(in0[i], in1[i], …) over n elements, on `backend`. */
function elementwise(
  backend: Backend, inputs: readonly { storage: Storage; data: ArrayLike<number> }[], out: Storage,
  value: (e: ExprPool, ...xs: Expr[]) => Expr,
): number[] {
  const n = inputs[0]!.data.length;
  const p = new ProgramBuilder();
  const e = p.e;
  const ids = inputs.map((x) => p.input(n, { dtype: x.storage }));
  const o = p.output(n, { dtype: out });
  const i = e.newVar();
  const ix = affine(0, [[i, 1]]);
  p.kernel({ kind: 'loops', name: 'k', outer: [{ v: i, extent: n }], passes: [{ kind: 'map', loops: [],
    stores: [{ buffer: o, index: ix, value: value(e, ...ids.map((id) => e.load(id, ix))) }] }] });
  const exe = buildProgram(p.finish(), { backend });
  inputs.forEach((x, k) => exe.setInput(k, x.data));
  exe.run();
  return Array.from(exe.outputs[0]!);
}

/** Same numbers, NaN equal to NaN, −0 distinct from +0. */
function expectSameNumbers(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    if (!Object.is(got[k], want[k])) expect.fail(`element ${k}: got ${got[k]}, expected ${want[k]}`);
  }
}

const bitsView = new DataView(new ArrayBuffer(4));
const bitsOfF32 = (x: number) => { bitsView.setFloat32(0, x); return bitsView.getInt32(0); };
const f32OfBits = (n: number) => { bitsView.setInt32(0, n); return bitsView.getFloat32(0); };
const wrap = (b: bigint) => Number(BigInt.asIntN(32, b));
/** float → i32: truncate toward zero, saturate, NaN → 0 (written without the compiler's helper). */
const truncSat = (x: number) => (Number.isNaN(x) ? 0 : Math.min(I32_MAX, Math.max(I32_MIN, Math.trunc(x))) + 0);

const i32s = fc.integer({ min: I32_MIN, max: I32_MAX });
const anyF32 = fc.float();
const anyF64 = fc.double();

describe.each(BACKEND_ROWS)('%s backend', (backend) => {
  describe('casts', () => {
    test('f64 → f32 rounds to nearest even (overflow to ±∞, NaN stays NaN); f32 → f64 is exact', () => {
      fc.assert(fc.property(fc.array(anyF64, { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'f64', data: xs }], 'f32', (e, x) => e.cast(x, 'f32')), xs.map(f32));
      }));
      // halfway between 1 and the next f32 rounds to even (down), just above rounds up; 2^128 overflows
      const edge = [1 + 2 ** -24, 1 + 2 ** -24 + 2 ** -50, 1 + 3 * 2 ** -24, 2 ** 128, -(2 ** 128), 2 ** -150, 3 * 2 ** -151, -0];
      expectSameNumbers(elementwise(backend, [{ storage: 'f64', data: edge }], 'f32', (e, x) => e.cast(x, 'f32')),
        [1, 1 + 2 ** -23, 1 + 2 ** -22, Infinity, -Infinity, 0, 2 ** -149, -0]);
      fc.assert(fc.property(fc.array(anyF32, { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: xs }], 'f64', (e, x) => e.cast(x, 'f64')), xs);
      }));
    });

    test('f32 and f64 → i32 truncate toward zero and saturate; NaN → 0', () => {
      const edge = [2.9, -2.9, -0.5, 0.5, -0, 2 ** 31, -(2 ** 31), 2 ** 31 - 128, 1e10, -1e10, Infinity, -Infinity, NaN];
      for (const storage of ['f32', 'f64'] as const) {
        const data = storage === 'f32' ? edge.map(f32) : edge;
        expectSameNumbers(elementwise(backend, [{ storage, data }], 'i32', (e, x) => e.cast(x, 'i32')), data.map(truncSat));
      }
      fc.assert(fc.property(fc.array(anyF64, { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'f64', data: xs }], 'i32', (e, x) => e.cast(x, 'i32')), xs.map(truncSat));
      }));
      fc.assert(fc.property(fc.array(anyF32, { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: xs }], 'i32', (e, x) => e.cast(x, 'i32')), xs.map(truncSat));
      }));
    });

    test('i32 → f32 rounds to nearest even; i32 → f64 is exact', () => {
      const edge = [16777217, 16777219, -16777219, I32_MAX, I32_MIN, 0, -1];
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: edge }], 'f32', (e, x) => e.cast(x, 'f32')),
        [16777216, 16777220, -16777220, 2 ** 31, -(2 ** 31), 0, -1]);
      fc.assert(fc.property(fc.array(i32s, { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'f32', (e, x) => e.cast(x, 'f32')), xs.map(f32));
        expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'f64', (e, x) => e.cast(x, 'f64')), xs);
      }));
    });

    test('bool → number is 0 or 1 in every numeric dtype', () => {
      const a = [1, 2, NaN, -0, 3], b = [2, 2, 1, 0, -3];
      const want = a.map((x, k) => (x < b[k]! ? 1 : 0));
      for (const out of ['f32', 'f64', 'i32', 'u8'] as const) {
        const to: DType = out === 'u8' ? 'i32' : out;
        expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: a }, { storage: 'f32', data: b }], out, (e, x, y) => e.cast(e.lt(x, y), to)), want);
      }
    });

    test('u8 loads as i32 in [0, 255] (no sign extension); i32 stores into u8 keep the low byte', () => {
      const all = Array.from({ length: 256 }, (_, k) => k);
      expectSameNumbers(elementwise(backend, [{ storage: 'u8', data: all }], 'i32', (_e, x) => x), all);
      expectSameNumbers(elementwise(backend, [{ storage: 'u8', data: all }], 'f32', (e, x) => e.cast(x, 'f32')), all);
      // 255 − x is still in [0, 255]; x − 128 is negative for x < 128 (an i32, not a byte)
      expectSameNumbers(elementwise(backend, [{ storage: 'u8', data: all }], 'i32', (e, x) => e.sub(x, 128)), all.map((x) => x - 128));
      expectSameNumbers(elementwise(backend, [{ storage: 'u8', data: all }], 'u8', (e, x) => e.sub(255, x)), all.map((x) => 255 - x));
      // out of [0, 255], a store into u8 keeps the low byte (wasm's i32.store8; a Uint8Array's ToUint8)
      expectSameNumbers(elementwise(backend, [{ storage: 'u8', data: all }], 'u8', (e, x) => e.sub(e.mul(x, 3), 128)), all.map((x) => (x * 3 - 128) & 255));
    });
  });

  describe('bitcasts', () => {
    test('f32 → i32 gives the IEEE bits; i32 → f32 reads them back', () => {
      fc.assert(fc.property(fc.array(anyF32.filter((x) => !Number.isNaN(x)), { minLength: 1, maxLength: 16 }), (xs) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: xs }], 'i32', (e, x) => e.bitcast(x, 'i32')), xs.map(bitsOfF32));
      }));
      const notNaN = i32s.filter((n) => (n & 0x7f800000) !== 0x7f800000 || (n & 0x7fffff) === 0);
      fc.assert(fc.property(fc.array(notNaN, { minLength: 1, maxLength: 16 }), (ns) => {
        expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: ns }], 'f32', (e, x) => e.bitcast(x, 'f32')), ns.map(f32OfBits));
      }));
      expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: [1, -0, -2, Infinity] }], 'i32', (e, x) => e.bitcast(x, 'i32')),
        [0x3f800000, I32_MIN, -0x40000000, 0x7f800000]);
      // an exponent trick: 2^k from the bits ((k + 127) << 23)
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: [0, 1, -1, 10, -126, 127] }], 'f32',
        (e, k) => e.bitcast(e.binary('shl', e.add(k, 127), 23), 'f32')), [1, 2, 0.5, 1024, 2 ** -126, 2 ** 127]);
    });
  });

  describe('i32 ops wrap like two’s complement', () => {
    const binary = (name: string, build: (e: ExprPool, a: Expr, b: Expr) => Expr, ref: (a: bigint, b: bigint) => bigint, b = i32s) => {
      test(name, () => {
        fc.assert(fc.property(fc.array(fc.tuple(i32s, b), { minLength: 1, maxLength: 16 }), (pairs) => {
          const A = pairs.map((t) => t[0]), B = pairs.map((t) => t[1]);
          const want = pairs.map(([x, y]) => wrap(ref(BigInt(x), BigInt(y))));
          const ins = [{ storage: 'i32' as const, data: A }, { storage: 'i32' as const, data: B }];
          expectSameNumbers(elementwise(backend, ins, 'i32', build), want);
          // cast to f64 too: an i32 value out of range would survive into an f64 buffer
          expectSameNumbers(elementwise(backend, ins, 'f64', (e, a, b) => e.cast(build(e, a, b), 'f64')), want);
        }));
      });
    };
    binary('add', (e, a, b) => e.add(a, b), (a, b) => a + b);
    binary('sub', (e, a, b) => e.sub(a, b), (a, b) => a - b);
    binary('mul', (e, a, b) => e.mul(a, b), (a, b) => a * b);
    binary('and', (e, a, b) => e.binary('and', a, b), (a, b) => a & b);
    binary('or', (e, a, b) => e.binary('or', a, b), (a, b) => a | b);
    binary('xor', (e, a, b) => e.binary('xor', a, b), (a, b) => a ^ b);
    const shift = fc.integer({ min: 0, max: 31 });
    binary('shl by 0..31', (e, a, b) => e.binary('shl', a, b), (a, b) => a << b, shift);
    binary('shrS (arithmetic) by 0..31', (e, a, b) => e.binary('shrS', a, b), (a, b) => a >> b, shift);
    binary('shrU (logical) by 0..31', (e, a, b) => e.binary('shrU', a, b), (a, b) => BigInt.asUintN(32, a) >> b, shift);
    binary('comparisons (as 0/1)', (e, a, b) => e.add(e.cast(e.lt(a, b), 'i32'), e.mul(e.cast(e.eq(a, b), 'i32'), 2)),
      (a, b) => (a < b ? 1n : 0n) + (a === b ? 2n : 0n));

    test('neg and abs wrap at −2³¹; the extremes', () => {
      const xs = [I32_MIN, I32_MIN + 1, -1, 0, 1, I32_MAX];
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'i32', (e, x) => e.neg(x)), xs.map((x) => wrap(-BigInt(x))));
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'i32', (e, x) => e.abs(x)), xs.map((x) => wrap(BigInt(Math.abs(x)))));
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'f64', (e, x) => e.cast(e.abs(x), 'f64')), xs.map((x) => wrap(BigInt(Math.abs(x)))));
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'f64', (e, x) => e.cast(e.neg(x), 'f64')), xs.map((x) => wrap(-BigInt(x))));
      expectSameNumbers(elementwise(backend, [{ storage: 'i32', data: xs }], 'i32', (e, x) => e.add(x, 1)), xs.map((x) => wrap(BigInt(x) + 1n)));
    });
  });

  describe('f32 arithmetic is exactly IEEE float32, op by op', () => {
    type Op = 'add' | 'sub' | 'mul' | 'div' | 'sqrt' | 'max' | 'min' | 'neg';
    const REF: Record<Op, (a: number, b: number) => number> = {
      add: (a, b) => f32(a + b), sub: (a, b) => f32(a - b), mul: (a, b) => f32(a * b), div: (a, b) => f32(a / b),
      sqrt: (a) => f32(Math.sqrt(a)),
      // IEEE 754-2019 maximum/minimum: NaN propagates, −0 < +0
      max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? b : a) : a > b ? a : b),
      min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? a : b) : a < b ? a : b),
      neg: (a) => -a,
    };
    const step = fc.record({ op: fc.constantFrom<Op>('add', 'sub', 'mul', 'div', 'sqrt', 'max', 'min', 'neg'), arg: fc.integer({ min: 0, max: 2 }), swap: fc.boolean() });

    test('random chains over three f32 inputs match Math.fround after every op (NaN, ±0, ±∞, subnormals included)', () => {
      fc.assert(fc.property(
        fc.array(step, { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(anyF32, anyF32, anyF32), { minLength: 1, maxLength: 8 }),
        (steps, rows) => {
          const cols = [0, 1, 2].map((c) => rows.map((r) => r[c]!));
          const got = elementwise(backend, cols.map((data) => ({ storage: 'f32' as const, data })), 'f32', (e, ...xs) => {
            let v = xs[0]!;
            for (const s of steps) {
              const w = xs[s.arg]!;
              v = s.op === 'sqrt' || s.op === 'neg' ? e.unary(s.op, v) : s.swap ? e.binary(s.op, w, v) : e.binary(s.op, v, w);
            }
            return v;
          });
          const want = rows.map((r) => {
            let v = r[0]!;
            for (const s of steps) {
              const w = r[s.arg]!;
              v = s.swap && s.op !== 'sqrt' && s.op !== 'neg' ? REF[s.op](w, v) : REF[s.op](v, w);
            }
            return v;
          });
          expectSameNumbers(got, want);
        }));
    });

    test('max and min order −0 below +0 and propagate NaN', () => {
      const A = [0, -0, -0, 0, NaN, 1, -1], B = [-0, 0, -0, 0, 1, NaN, -1];
      for (const op of ['max', 'min'] as const) {
        expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: A }, { storage: 'f32', data: B }], 'f32', (e, x, y) => e.binary(op, x, y)),
          A.map((a, k) => REF[op](a, B[k]!)));
      }
    });

    test('1 + 2⁻²⁴ + 2⁻²⁴ is 1 in float32 (each add rounds), 1 + 2⁻²³ if rounded once; 0.1·0.2 + 0.3 in f64 is not rounded', () => {
      const tiny = 2 ** -24;
      expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: [1] }, { storage: 'f32', data: [tiny] }], 'f32',
        (e, a, b) => e.add(e.add(a, b), b)), [1]);
      // the same values cast to f64 and summed there keep both halves
      expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: [1] }, { storage: 'f32', data: [tiny] }], 'f64',
        (e, a, b) => { const d = e.cast(b, 'f64'); return e.add(e.add(e.cast(a, 'f64'), d), d); }), [1 + 2 * tiny]);
      expectSameNumbers(elementwise(backend, [{ storage: 'f64', data: [0.1] }, { storage: 'f64', data: [0.2] }], 'f64',
        (e, a, b) => e.add(e.mul(a, b), 0.3)), [0.1 * 0.2 + 0.3]);
      // and in f32 the product is rounded before the add (no fused multiply-add)
      const [a, b, c] = [1 + 2 ** -12, 1 + 2 ** -12, -1];
      expectSameNumbers(elementwise(backend, [{ storage: 'f32', data: [a] }, { storage: 'f32', data: [b] }, { storage: 'f32', data: [c] }], 'f32',
        (e, x, y, z) => e.add(e.mul(x, y), z)), [f32(f32(a * b) + c)]);
      expect(f32(f32(a * b) + c)).not.toBe(f32(a * b + c)); // the case tells the two apart
    });

    test('f64 chains are plain float64 arithmetic (never rounded to f32)', () => {
      fc.assert(fc.property(fc.array(fc.tuple(anyF64, anyF64), { minLength: 1, maxLength: 8 }), (rows) => {
        const A = rows.map((r) => r[0]), B = rows.map((r) => r[1]);
        const got = elementwise(backend, [{ storage: 'f64', data: A }, { storage: 'f64', data: B }], 'f64',
          (e, x, y) => e.sqrt(e.abs(e.div(e.sub(e.mul(x, y), x), e.add(y, 3)))));
        expectSameNumbers(got, rows.map(([x, y]) => Math.sqrt(Math.abs((x * y - x) / (y + 3)))));
      }));
    });
  });
});
