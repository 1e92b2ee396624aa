import type { ScalarMath } from './builder.js';

/** c[0] + x·(c[1] + x·(c[2] + …)) by Horner's rule: n − 1 multiplies and adds. */
export function horner<F, I, B>(m: ScalarMath<F, I, B>, x: F, c: readonly number[]): F {
  let acc = m.f(c[c.length - 1]!);
  for (let k = c.length - 2; k >= 0; k--) acc = m.add(m.mul(acc, x), m.f(c[k]!));
  return acc;
}
