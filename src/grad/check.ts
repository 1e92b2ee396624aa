// Gradient checking: the symbolic gradient against central finite differences, in float64,
// along random directions (as PyTensor's verify_grad does).
import { Rng } from '../data/rng.js';
import { evaluate } from '../eval/evaluate.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import * as f from '../graph/functions.js';
import { sizeOf } from '../graph/shape.js';
import { Tensor } from '../graph/tensor.js';
import { grad } from './grad.js';

type Nested = number | readonly Nested[];
export type PointValue = Nested | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

export interface CheckGradOptions {
  /** Random directions per input; each input is also perturbed alone so the report can say where. Default 3. */
  readonly directions?: number;
  /**
   * Finite-difference step h (Richardson-extrapolated from h and h/2). Default 1e-3. A direction
   * that fails is retried with steps h/10, h/100, h/1000: a kink (relu, max, abs) between x − h
   * and x + h breaks the differences but not the gradient, and a smaller step no longer crosses it.
   */
  readonly step?: number;
  /** Largest accepted relative error. Default 1e-6. */
  readonly tolerance?: number;
  readonly seed?: number;
}

export interface GradCheckResult {
  readonly ok: boolean;
  readonly maxRelError: number;
  /** Where the worst disagreement was: which input, which direction, and the two directional derivatives. */
  readonly worst: { readonly input: number; readonly direction: number; readonly analytic: number; readonly numeric: number };
  readonly checks: number;
  /**
   * True when a direction failed at every step tried and its one-sided differences disagree: the
   * function has a kink at (or within the smallest step of) the point, e.g. relu at 0, so finite
   * differences cannot judge the gradient there. Move the point off the kink.
   */
  readonly nonSmooth: boolean;
  /** Directions that failed at the given step but passed at a smaller one (the step crossed a kink). */
  readonly refined: number;
}

function readPoint(value: PointValue, i: number): { shape: number[]; data: Float64Array } {
  if (typeof value === 'number' || Array.isArray(value)) return f.fromNested(value as Nested);
  const v = value as { shape: readonly number[]; data: ArrayLike<number> };
  if (v && Array.isArray(v.shape) && v.data && v.data.length === sizeOf(v.shape)) return { shape: [...v.shape], data: Float64Array.from(v.data) };
  throw new GraphError('checkGrad', `point[${i}] must be a number, a nested array or { shape, data } with matching sizes`);
}

/**
 * Compares `grad(f(x…))` with central differences of f along random directions.
 * A non-scalar f is projected on a fixed random vector first.
 */
export function checkGrad(fn: (...xs: Tensor[]) => Tensor, point: readonly PointValue[], options: CheckGradOptions = {}): GradCheckResult {
  const { directions = 3, step = 1e-3, tolerance = 1e-6, seed = 1 } = options;
  const rng = new Rng(seed);
  const values = point.map(readPoint);
  const xs = values.map((v, i) => f.input(`x${i}`, v.shape, {}, 'float64'));
  let out = fn(...xs);
  if (!(out instanceof Tensor)) throw new GraphError('checkGrad', 'the function must return a Tensor');
  if (out.size !== 1) {
    const r = Float64Array.from({ length: out.size }, () => rng.normal());
    out = f.sum(f.mul(out, f.constant(r, out.shape, 'float64')));
  }
  const grads = grad(out, xs);
  const feedsAt = (data: readonly Float64Array[]) => Object.fromEntries(data.map((d, i) => [`x${i}`, d]));
  const at = (data: readonly Float64Array[]): number => evaluate(out, feedsAt(data), { dtype: 'float64' }).data[0];
  const base = values.map((v) => v.data);
  const g = evaluate(grads, feedsAt(base), { dtype: 'float64' }).map((e) => e.data);

  // D(h) = (f(x + hu) − f(x − hu)) / 2h; Richardson: (4·D(h/2) − D(h)) / 3 cancels the h² term.
  const moved = (u: readonly Float64Array[], h: number) => base.map((b, k) => b.map((v, j) => v + h * u[k][j]));
  const derivative = (u: readonly Float64Array[], h0: number): number => {
    const central = (h: number): number => (at(moved(u, h)) - at(moved(u, -h))) / (2 * h);
    return (4 * central(h0 / 2) - central(h0)) / 3;
  };
  const f0 = at(base);
  const scale = Math.max(1, Math.abs(f0));
  // Relative error, with a floor so a zero derivative compares against rounding noise, not zero.
  const relError = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-5 * scale);
  let nonSmooth = false;
  let refined = 0;

  let worst = { input: -1, direction: -1, analytic: 0, numeric: 0 };
  let maxRelError = 0;
  let checks = 0;
  for (let input = -1; input < values.length; input++) {
    for (let d = 0; d < directions; d++) {
      // input −1: all inputs moved together; otherwise only that input.
      const u = base.map((b, k) => (input === -1 || input === k ? b.map(() => rng.normal()) : new Float64Array(b.length)));
      let analytic = 0;
      g.forEach((gk, k) => gk.forEach((v, j) => (analytic += v * u[k][j])));
      let numeric = derivative(u, step);
      let rel = relError(analytic, numeric);
      if (!(rel < tolerance)) {
        let h = step;
        for (let k = 0; k < 3 && !(rel < tolerance); k++) {
          h /= 10;
          const n = derivative(u, h);
          const r = relError(analytic, n);
          if (r < rel) { rel = r; numeric = n; }
        }
        if (rel < tolerance) refined++;
        else {
          // one-sided differences at the smallest step: on a smooth function they agree to O(h)
          const forward = (at(moved(u, h)) - f0) / h;
          const backward = (f0 - at(moved(u, -h))) / h;
          if (relError(forward, backward) > Math.max(tolerance, 1e3 * h)) nonSmooth = true;
        }
      }
      checks++;
      if (!(rel <= maxRelError)) {
        maxRelError = Number.isNaN(rel) ? Infinity : rel;
        worst = { input, direction: d, analytic, numeric };
      }
    }
  }
  return { ok: maxRelError < tolerance, maxRelError, worst, checks, nonSmooth, refined };
}

/** A one-line account of a check, for test failures and logs. */
export function describeGradCheck(r: GradCheckResult, shapes?: readonly (readonly number[])[]): string {
  const where = r.worst.input === -1 ? 'all inputs together' : `input ${r.worst.input}${shapes ? ` ${fmtShape(shapes[r.worst.input])}` : ''}`;
  const kink = r.nonSmooth
    ? '; the function is not smooth at this point (one-sided differences disagree even at step/1000: a kink such as relu at 0 or a max tie), so finite differences cannot judge its gradient here; move the point off the kink'
    : '';
  return `max relative error ${r.maxRelError.toExponential(2)} over ${r.checks} directions; worst along direction ${r.worst.direction} of ${where}: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}${kink}`;
}
