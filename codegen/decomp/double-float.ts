/**
 * Double-float arithmetic: a value carried as an unevaluated sum hi + lo of two float32s, for the
 * few places (pow's logarithm) where 24 bits are not enough. All error-free transformations are
 * plain float32 arithmetic (Knuth's two-sum, Veltkamp splitting, Dekker's product): no FMA needed.
 */
import type { ScalarMath } from './builder.js';

export interface DoubleFloat<F> { hi: F; lo: F }

/** a + b = hi + lo exactly, for any a, b (6 ops). */
export function twoSum<F, I, B>(m: ScalarMath<F, I, B>, a: F, b: F): DoubleFloat<F> {
  const hi = m.add(a, b), bb = m.sub(hi, a);
  return { hi, lo: m.add(m.sub(a, m.sub(hi, bb)), m.sub(b, bb)) };
}

/** a + b = hi + lo exactly, when |a| ≥ |b| or a = 0 (3 ops). */
export function fastTwoSum<F, I, B>(m: ScalarMath<F, I, B>, a: F, b: F): DoubleFloat<F> {
  const hi = m.add(a, b);
  return { hi, lo: m.sub(b, m.sub(hi, a)) };
}

const VELTKAMP = 4097; // 2¹² + 1: splits a 24-bit significand into two 12-bit halves

/** a = hi + lo with hi, lo of ≤ 12 significant bits each, so their products are exact (4 ops). */
export function split<F, I, B>(m: ScalarMath<F, I, B>, a: F): DoubleFloat<F> {
  const t = m.mul(a, m.f(VELTKAMP));
  const hi = m.sub(t, m.sub(t, a));
  return { hi, lo: m.sub(a, hi) };
}

/** The split of a constant, folded now. */
export function splitConstant(c: number): { hi: number; lo: number } {
  const t = Math.fround(c * VELTKAMP);
  const hi = Math.fround(t - Math.fround(t - c));
  return { hi, lo: Math.fround(c - hi) };
}

/**
 * a·b = hi + lo exactly (barring under/overflow), given the splits of a and b (Dekker):
 * lo = ((aₕbₕ − hi) + aₕb_l + a_lbₕ) + a_lb_l, each step exact. 9 ops after the splits.
 */
export function twoProd<F, I, B>(m: ScalarMath<F, I, B>, a: F, sa: DoubleFloat<F>, b: F, sb: DoubleFloat<F>): DoubleFloat<F> {
  const hi = m.mul(a, b);
  const e1 = m.sub(m.mul(sa.hi, sb.hi), hi);
  const e2 = m.add(e1, m.mul(sa.hi, sb.lo));
  const e3 = m.add(e2, m.mul(sa.lo, sb.hi));
  return { hi, lo: m.add(e3, m.mul(sa.lo, sb.lo)) };
}
