/**
 * ln x and ln(1 + x) in float32 arithmetic. x = 2ᵏ·(1 + f) with 1 + f ∈ [√½, √2) read off the
 * bits (subnormals pre-scaled by 2²⁵). With s = f/(2 + f), ln(1 + f) = 2·atanh s = 2s + s·R(s²),
 * R(z) = z·(c₀ + c₁z + c₂z²) minimax (|s| ≤ 0.1716, relative error 2⁻³⁰). Since f − 2s = s·f,
 * ln(1 + f) = f − (h − s·(h + R)) with h = f²/2, which keeps the large term f exact (fdlibm's
 * arrangement); k·ln 2 is added as k·LN2_HI (exact) and k·LN2_LO.
 * Bounds: log 1 ulp, log1p 1 ulp over all float32 (measured; see docs/math.md).
 */
import type { ScalarMath } from './builder.js';
import { horner } from './polynomial.js';
import { FLT_MIN, LN2_HI, LN2_LO, splitExponent } from './exponent.js';
import { fastTwoSum, split, splitConstant, twoProd, twoSum } from './double-float.js';
import type { DoubleFloat } from './double-float.js';

/** (2·atanh(s)/s − 2)/s² ≈ 2/3 + 2z/5 + 2z²/7, z = s² ≤ 0.0295. */
const LOG_R = [0.6666677594184875, 0.39977553486824036, 0.2987212836742401];
const SUBNORMAL_SCALE = 33554432; // 2²⁵

/** k·ln 2 + ln(1 + f) + c, for f ∈ [√½ − 1, √2 − 1] and a small correction c. ~17 ops. */
function logCore<F, I, B>(m: ScalarMath<F, I, B>, kf: F, f: F, c: F): F {
  const s = m.div(f, m.add(m.f(2), f));
  const z = m.mul(s, s);
  const R = m.mul(z, horner(m, z, LOG_R));
  const h = m.mul(m.mul(m.f(0.5), f), f);
  const small = m.add(m.mul(s, m.add(h, R)), m.add(m.mul(kf, m.f(LN2_LO)), c));
  return m.sub(m.mul(kf, m.f(LN2_HI)), m.sub(m.sub(h, small), f));
}

/** x = 2^kf·(1 + f) for finite x > 0, subnormals included. */
function reduce<F, I, B>(m: ScalarMath<F, I, B>, x: F): { kf: F; f: F } {
  const sub = m.lt(x, m.f(FLT_MIN));
  const { k, mant } = splitExponent(m, m.select(sub, m.mul(x, m.f(SUBNORMAL_SCALE)), x));
  const kf = m.sub(m.toFloat(k), m.select(sub, m.f(25), m.f(0)));
  return { kf, f: m.sub(mant, m.f(1)) }; // mant − 1 is exact (Sterbenz)
}

export function log<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  const { kf, f } = reduce(m, x);
  const r = logCore(m, kf, f, m.f(0));
  // log(+∞) = +∞, log(±0) = −∞, log(x < 0) = log(NaN) = NaN.
  const withInf = m.select(m.eq(x, m.f(Infinity)), x, m.select(m.eq(x, m.f(0)), m.f(-Infinity), r));
  return m.select(m.ge(x, m.f(0)), withInf, m.f(NaN));
}

/**
 * ln(1 + x). u = 1 + x is reduced instead of x; when u ∈ [√½, √2) (k = 0) f = x exactly, else the
 * rounding error of u is put back as c/u with c = (1 + x) − u, computed exactly (Sterbenz) as
 * x − (u − 1) for u < 2 and 1 − (u − x) for u ≥ 2.
 */
export function log1p<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  const one = m.f(1);
  const u = m.add(one, x);
  const { k, mant } = splitExponent(m, u); // u ≥ 2⁻²⁴ is normal whenever x > −1
  const k0 = m.ieq(k, m.i(0));
  const c = m.select(m.lt(u, m.f(2)), m.sub(x, m.sub(u, one)), m.sub(one, m.sub(u, x)));
  const r = logCore(m, m.toFloat(k), m.select(k0, x, m.sub(mant, one)), m.select(k0, m.f(0), m.div(c, u)));
  // log1p(±0) = ±0, log1p(+∞) = +∞, log1p(−1) = −∞, log1p(x < −1) = log1p(NaN) = NaN.
  const special = m.select(m.eq(x, m.f(Infinity)), x, m.select(m.eq(x, m.f(-1)), m.f(-Infinity), r));
  return m.select(m.eq(x, m.f(0)), x, m.select(m.ge(x, m.f(-1)), special, m.f(NaN)));
}

/** (2·atanh(s)/s − 2 − 2z/3)/z² ≈ 2/5 + 2z/7 + 2z²/9 + 2z³/11, z = s² ≤ 0.0295 (relative error 2⁻⁴³). */
const LOG_P = [0.3999999761581421, 0.28571972250938416, 0.22179730236530304, 0.1955634355545044];
const TWO_THIRDS = Math.fround(2 / 3);
const TWO_THIRDS_LO = Math.fround(2 / 3 - TWO_THIRDS);
const TWO_THIRDS_SPLIT = splitConstant(TWO_THIRDS);

/**
 * ln x as a double-float (relative error ≈ 2⁻³⁶) for finite x > 0, as pow needs: s = f/(2 + f)
 * is carried as sh + sl, and ln(1 + f) = 2s + (2/3)·s³ + s⁵·P(s²) with the cubic term as a
 * double-float too (it is up to 1% of the result); only the s⁵ tail is plain float32. ~112 ops.
 */
export function logDoubleFloat<F, I, B>(m: ScalarMath<F, I, B>, x: F): DoubleFloat<F> {
  const { kf, f } = reduce(m, x);
  // d = 2 + f exactly as dh + dl; sh = f/d rounded, sl = (f − sh·d)/d.
  const d = fastTwoSum(m, m.f(2), f);
  const sh = m.div(f, d.hi);
  const ssh = split(m, sh);
  const p = twoProd(m, sh, ssh, d.hi, split(m, d.hi));
  const sl = m.div(m.sub(m.sub(m.sub(f, p.hi), p.lo), m.mul(sh, d.lo)), d.hi); // f − p.hi is exact
  // z = s² = zsq.hi + zsq.lo; w = (2/3)·z; cubic = s·w (each a double-float).
  const zsq = twoProd(m, sh, ssh, sh, ssh);
  const zlo = m.add(zsq.lo, m.mul(m.mul(m.f(2), sh), sl));
  const tw = twoProd(m, zsq.hi, split(m, zsq.hi), m.f(TWO_THIRDS), { hi: m.f(TWO_THIRDS_SPLIT.hi), lo: m.f(TWO_THIRDS_SPLIT.lo) });
  const wlo = m.add(tw.lo, m.add(m.mul(zsq.hi, m.f(TWO_THIRDS_LO)), m.mul(zlo, m.f(TWO_THIRDS))));
  const cubic = twoProd(m, sh, ssh, tw.hi, split(m, tw.hi));
  const cubicLo = m.add(cubic.lo, m.add(m.mul(sh, wlo), m.mul(sl, tw.hi)));
  const tail = m.mul(m.mul(sh, zsq.hi), m.mul(zsq.hi, horner(m, zsq.hi, LOG_P)));
  // k·LN2_HI + (2sh + cubic) as a double-float; everything else is small and goes to lo.
  const u = fastTwoSum(m, m.mul(m.f(2), sh), cubic.hi);
  const hi = twoSum(m, m.mul(kf, m.f(LN2_HI)), u.hi);
  const rest = m.add(m.add(m.mul(m.f(2), sl), cubicLo), m.add(tail, m.mul(kf, m.f(LN2_LO))));
  return { hi: hi.hi, lo: m.add(hi.lo, m.add(u.lo, rest)) };
}
