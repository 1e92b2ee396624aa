/**
 * xʸ in float32 arithmetic with Math.pow's special cases. |x|ʸ = e^(y·ln|x|): ln|x| is a
 * double-float (logDoubleFloat, relative error ≈ 2⁻³⁶), y·ln|x| is formed exactly by Dekker's
 * product and fed as hi + lo to the exponential, so a product as large as ±104 still costs only
 * ~2⁻³⁰ of absolute error before exponentiation. The sign and special cases are selects.
 * Bound: 2 ulp over all float32 pairs (measured max 1; see docs/math.md). ~210 ops.
 */
import type { ScalarMath } from './builder.js';
import { expDoubleFloat } from './exp.js';
import { logDoubleFloat } from './log.js';
import { split, twoProd } from './double-float.js';

/**
 * |y| is clamped to 2³²: for |x| ≠ 1, |ln|x|| ≥ 2⁻²⁴, so |y·ln|x|| ≥ 2⁸ already over/underflows
 * with the same sign, and the clamp keeps y·ln|x| and its split finite.
 */
const Y_MAX = 4294967296;
const TWO_24 = 16777216; // every float32 at or above 2²⁴ is an even integer

export function pow<F, I, B>(m: ScalarMath<F, I, B>, x: F, y: F): F {
  const inf = m.f(Infinity), zero = m.f(0);
  const ax = m.abs(x), ay = m.abs(y);
  // Finite nonzero |x| and finite y: the general path (others are replaced by harmless values).
  const regular = m.and(m.gt(ax, zero), m.lt(ax, inf));
  const a = m.select(regular, ax, m.f(1));
  const yc = m.min(m.max(y, m.f(-Y_MAX)), m.f(Y_MAX));
  const L = logDoubleFloat(m, a);
  const t = twoProd(m, yc, split(m, yc), L.hi, split(m, L.hi));
  const general = expDoubleFloat(m, t.hi, m.add(t.lo, m.mul(yc, L.lo)));
  // |x| ∈ {0, ∞} or |y| = ∞: ∞ when (|x| > 1) = (y > 0), else 0.
  const yPos = m.gt(y, zero);
  const limit = m.select(m.gt(ax, m.f(1)), m.select(yPos, inf, zero), m.select(yPos, zero, inf));
  const mag = m.select(m.and(regular, m.lt(ay, inf)), general, limit);
  // Negative x (sign bit set, so −0 and −∞ too) with an odd integer y: negative result.
  const yInt = m.eq(m.floor(y), y); // true for ±∞, false for NaN
  const yOdd = m.and(m.and(yInt, m.lt(ay, m.f(TWO_24))), m.ieq(m.iand(m.toInt(y), m.i(1)), m.i(1)));
  const signed = m.select(m.and(m.ilt(m.bitsOf(x), m.i(0)), yOdd), m.neg(mag), mag);
  // NaN: either input NaN; finite x < 0 with a non-integer y; |x| = 1 with |y| = ∞ (as Math.pow).
  const negFinite = m.and(m.lt(x, zero), m.gt(x, m.f(-Infinity)));
  const nan = m.or(m.or(m.isNaN(x), m.isNaN(y)),
    m.or(m.and(negFinite, m.not(yInt)), m.and(m.eq(ax, m.f(1)), m.eq(ay, inf))));
  // y = ±0 → 1, even for NaN x.
  return m.select(m.eq(y, zero), m.f(1), m.select(nan, m.f(NaN), signed));
}
