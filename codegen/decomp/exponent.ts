/** Exponent-field arithmetic: 2ⁿ, x·2ⁿ, x = 2ᵏ·m, and ln 2 split for Cody–Waite reduction. */
import type { ScalarMath } from './builder.js';

/**
 * ln 2 = LN2_HI + LN2_LO (+ 5.5e-14). LN2_HI has 16 significant bits, so k·LN2_HI is exact for
 * |k| < 2⁸ (every exponent a float32 can carry, subnormals included).
 */
export const LN2_HI = 0.693145751953125;          // 0x3f317200
export const LN2_LO = 1.428606765330187e-06;      // 0x35bfbe8e
export const LOG2E = 1.4426950216293335;          // 0x3fb8aa3b
export const FLT_MIN = 2 ** -126;                 // smallest normal float32

/** 2ⁿ for integer n ∈ [−126, 127]: the biased exponent n + 127 in bits 23…30. */
export function pow2i<F, I, B>(m: ScalarMath<F, I, B>, n: I): F {
  return m.fromBits(m.shl(m.iadd(n, m.i(127)), 23));
}

/**
 * x·2ⁿ for n ∈ [−252, 254] as x·2^⌊n/2⌋·2^(n−⌊n/2⌋): both factors are normal, and for x in a
 * normal binade near 1 the first product is exact, so a result that overflows or lands in the
 * subnormal range is rounded once.
 */
export function ldexp<F, I, B>(m: ScalarMath<F, I, B>, x: F, n: I): F {
  const h = m.shrS(n, 1);
  return m.mul(m.mul(x, pow2i(m, h)), pow2i(m, m.isub(n, h)));
}

const SQRT_HALF_BITS = 0x3f3504f3; // √½ ≈ 0.70710677

/**
 * For normal positive x: x = 2ᵏ·mant with mant ∈ [√½, √2). Subtracting the bits of √½ makes the
 * exponent field count binades from √½; the mantissa bits re-attached to √½'s exponent give mant.
 */
export function splitExponent<F, I, B>(m: ScalarMath<F, I, B>, x: F): { k: I; mant: F } {
  const t = m.isub(m.bitsOf(x), m.i(SQRT_HALF_BITS));
  return { k: m.shrS(t, 23), mant: m.fromBits(m.iadd(m.iand(t, m.i(0x7fffff)), m.i(SQRT_HALF_BITS))) };
}
