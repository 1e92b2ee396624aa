/**
 * tanh x in float32 arithmetic. |x| < 0.625: tanh x = x + x·z·P(z), z = x², P a degree-4 minimax
 * fit (relative error 2⁻²⁷·⁷). Otherwise tanh|x| = 1 − 2/(e^(2|x|) + 1). Both on |x|, the sign copied back;
 * e^(2|x|) overflowing to +∞ gives exactly 1, so tanh(±∞) = ±1 with no special case.
 * Bound: 1 ulp over all float32 (measured; see docs/math.md). ~55 ops.
 */
import type { ScalarMath } from './builder.js';
import { horner } from './polynomial.js';
import { exp } from './exp.js';

/** (tanh(x)/x − 1)/x² as a polynomial in z = x², |x| ≤ 0.625. */
const TANH_P = [-0.3333328068256378, 0.13331405818462372, -0.05373651534318924, 0.02062816731631756, -0.005692296661436558];
const SMALL = 0.625;

export function tanh<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  const ax = m.abs(x);
  const z = m.mul(ax, ax);
  const small = m.add(ax, m.mul(ax, m.mul(z, horner(m, z, TANH_P)))); // exact for 0 and subnormals
  const big = m.sub(m.f(1), m.div(m.f(2), m.add(exp(m, m.add(ax, ax)), m.f(1))));
  // NaN fails `ax < SMALL` and propagates through the large branch; x's sign bit is copied back
  // (so tanh(−0) = −0).
  const r = m.select(m.lt(ax, m.f(SMALL)), small, big);
  return m.fromBits(m.ior(m.bitsOf(r), m.iand(m.bitsOf(x), m.i(-0x80000000))));
}
