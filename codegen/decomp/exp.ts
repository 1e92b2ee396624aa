/**
 * eˣ in float32 arithmetic. Cody–Waite reduction x = n·ln 2 + r, n = nearest(x·log₂e),
 * |r| ≤ ½ln 2; eʳ = 1 + r + r²·Q(r) with Q a degree-4 minimax fit (f32 coefficients, relative
 * error 2⁻²⁸·² over the reduced range); the result is scaled by 2ⁿ through the exponent field in
 * two steps, so subnormal results are rounded once.
 * Bound: 1 ulp over all float32 (measured max 1; see docs/math.md). ~31 ops.
 */
import type { ScalarMath } from './builder.js';
import { horner } from './polynomial.js';
import { LN2_HI, LN2_LO, LOG2E, ldexp } from './exponent.js';

/** (eʳ − 1 − r)/r² on |r| ≤ ½ln 2, minimax for the relative error of eʳ. */
const EXP_Q = [0.4999999403953552, 0.1666652113199234, 0.04166827350854874, 0.00836868304759264, 0.0013820051681250334];

/**
 * Inputs are clamped first: above 89 every result is +∞ (e^88.72284 already overflows) and below
 * −104 every result rounds to +0 (e^−103.98 < 2⁻¹⁵⁰), so n stays in [−150, 128]; NaN passes the
 * clamp (min/max propagate it).
 */
const X_MAX = 89, X_MIN = -104;

/** eʳ·2ⁿ for the reduced argument r (|r| ≲ ½ln 2) and nf = n as a float. */
function scaled<F, I, B>(m: ScalarMath<F, I, B>, nf: F, r: F): F {
  const p = m.add(m.f(1), m.add(r, m.mul(m.mul(r, r), horner(m, r, EXP_Q))));
  return ldexp(m, p, m.toInt(nf));
}

export function exp<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  const xc = m.min(m.max(x, m.f(X_MIN)), m.f(X_MAX));
  const nf = m.nearest(m.mul(xc, m.f(LOG2E)));
  // x − n·LN2_HI is exact (n·LN2_HI is exact and within a factor 2 of x); then − n·LN2_LO.
  const r = m.sub(m.sub(xc, m.mul(nf, m.f(LN2_HI))), m.mul(nf, m.f(LN2_LO)));
  return scaled(m, nf, r);
}

/** e^(hi + lo) for a double-float argument (|lo| ≤ ulp(hi)), as pow needs. */
export function expDoubleFloat<F, I, B>(m: ScalarMath<F, I, B>, hi: F, lo: F): F {
  const hc = m.min(m.max(hi, m.f(X_MIN)), m.f(X_MAX));
  const lc = m.select(m.eq(hc, hi), lo, m.f(0)); // a clamped hi means the result is 0 or ∞: drop lo
  const nf = m.nearest(m.mul(hc, m.f(LOG2E)));
  const r = m.add(m.sub(hc, m.mul(nf, m.f(LN2_HI))), m.sub(lc, m.mul(nf, m.f(LN2_LO))));
  return scaled(m, nf, r);
}
