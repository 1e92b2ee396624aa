/**
 * σ(x) = 1/(1 + e^−x) in float32 arithmetic, as t = e^−|x| ∈ (0, 1]: σ = 1/(1 + t) for x ≥ 0 and
 * t/(1 + t) for x < 0, so e^−x never overflows and σ(x) ≈ eˣ keeps full precision down to the
 * subnormal range. σ(−∞) = 0, σ(+∞) = 1 fall out. Bound: 2 ulp (measured; docs/math.md). ~37 ops.
 */
import type { ScalarMath } from './builder.js';
import { exp } from './exp.js';

export function sigmoid<F, I, B>(m: ScalarMath<F, I, B>, x: F): F {
  const t = exp(m, m.neg(m.abs(x)));
  return m.div(m.select(m.lt(x, m.f(0)), t, m.f(1)), m.add(m.f(1), t));
}
