/** Asserting gradient checks: the symbolic gradient against central differences in float64. */
import { checkGrad, describeGradCheck, type CheckGradOptions, type Tensor } from 'gradc';
import type { Point } from './arbitraries.js';

/** The bar: relative error below 1e-6 in float64. */
export const GRAD_TOLERANCE = 1e-6;

/**
 * Throws (so fast-check shrinks and reports the point) unless grad(fn) agrees with
 * finite differences at `point` to a relative error below 1e-6.
 */
export function expectGradOk(
  fn: (...xs: Tensor[]) => Tensor,
  point: readonly Point[],
  seed: number,
  options: CheckGradOptions = {},
): number {
  const r = checkGrad(fn, point, { seed, tolerance: GRAD_TOLERANCE, ...options });
  if (!(r.maxRelError < GRAD_TOLERANCE) || !r.ok) {
    throw new Error(`gradient check failed: ${describeGradCheck(r, point.map((p) => p.shape))}`);
  }
  return r.maxRelError;
}
