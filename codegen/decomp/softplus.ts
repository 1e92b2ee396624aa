/**
 * softplus x = ln(1 + eˣ) in float32 arithmetic, as max(x, 0) + log1p(e^−|x|): the exponential
 * never overflows, and for x ≪ 0 the result ≈ eˣ keeps full precision. softplus(+∞) = +∞,
 * softplus(−∞) = 0 fall out. Bound: 2 ulp (measured; docs/math.md). ~81 ops.
 */
import type { ScalarMath } from './builder.js';
import { exp } from './exp.js';
import { log1p } from './log.js';

export function softplus<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  return m.add(m.max(x, m.f(0)), log1p(m, exp(m, m.neg(m.abs(x)))));
}
