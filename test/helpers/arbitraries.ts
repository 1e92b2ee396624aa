/**
 * fast-check arbitraries for op tests: small shapes, broadcast-compatible operand
 * shapes, and values kept away from the points where an op is not differentiable.
 */
import fc from 'fast-check';

export type Shape = number[];
/** A point for `checkGrad`: flat row-major data with its shape. */
export interface Point {
  readonly shape: Shape;
  readonly data: number[];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export interface ShapeOptions {
  readonly minRank?: number;
  readonly maxRank?: number;
  readonly minDim?: number;
  readonly maxDim?: number;
}

/** A shape with rank in [minRank, maxRank] (default 0..3) and sizes in [minDim, maxDim] (default 1..3). */
export function arbShape({ minRank = 0, maxRank = 3, minDim = 1, maxDim = 3 }: ShapeOptions = {}): fc.Arbitrary<Shape> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `count` operand shapes that NumPy-broadcast to exactly `out`: on each axis some
 * operands (never all) see size 1, and leading axes seen as 1 may be dropped.
 */
export function arbBroadcastOperands(out: readonly number[], count: number): fc.Arbitrary<Shape[]> {
  const allReduced = 2 ** count - 1;
  return fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: allReduced - 1 }), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.nat({ max: out.length }), { minLength: count, maxLength: count }),
    )
    .map(([masks, drops]) =>
      Array.from({ length: count }, (_, k) => {
        const shape = out.map((d, i) => ((masks[i] >> k) & 1 ? 1 : d));
        // Only a leading run of axes this operand sees as 1 may be dropped.
        let droppable = 0;
        while (droppable < out.length && (masks[droppable] >> k) & 1) droppable++;
        return shape.slice(Math.min(drops[k], droppable));
      }),
    );
}

/** A shape that broadcasts to `out` (one operand: any axis may be 1, leading axes may be dropped). */
export function arbBroadcastSource(out: readonly number[]): fc.Arbitrary<Shape> {
  return fc
    .tuple(fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }), fc.nat({ max: out.length }))
    .map(([ones, drop]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(ones.slice(0, drop).every(Boolean) ? drop : 0));
}

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** n doubles in [min, max]. */
export function arbValues(n: number, { min, max }: ValueRange): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });
}

/** n doubles with min ≤ |x| ≤ max and a random sign: away from a kink or pole at 0. */
export function arbAwayFromZero(n: number, { min, max }: ValueRange): fc.Arbitrary<number[]> {
  const one = fc.tuple(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.boolean()).map(([v, neg]) => (neg ? -v : v));
  return fc.array(one, { minLength: n, maxLength: n });
}

/**
 * n pairwise distinct values, neighbours at least gap/2 apart (no ties for max):
 * a random permutation of a grid with jitter below half a step.
 */
export function arbDistinct(n: number, gap = 0.4): fc.Arbitrary<number[]> {
  const order = Array.from({ length: n }, (_, i) => i);
  return fc
    .tuple(fc.shuffledSubarray(order, { minLength: n, maxLength: n }), arbValues(n, { min: 0, max: 0.5 }))
    .map(([perm, jitter]) => perm.map((p, i) => (p - n / 2 + jitter[i]) * gap));
}

/**
 * n values on the grid k + phase + jitter (k in −3..2, jitter in [0, 0.2]). Two operands
 * with phases 0.1 and 0.6 differ by at least 0.3 everywhere, whatever broadcasting pairs.
 */
export function arbPhased(n: number, phase: number): fc.Arbitrary<number[]> {
  const one = fc.tuple(fc.integer({ min: -3, max: 2 }), fc.double({ min: 0, max: 0.2, noNaN: true })).map(([k, j]) => k + phase + j);
  return fc.array(one, { minLength: n, maxLength: n });
}

/** A point of `shape` whose values come from `values(n)`. */
export function arbPoint(shape: Shape, values: (n: number) => fc.Arbitrary<number[]>): fc.Arbitrary<Point> {
  return values(sizeOf(shape)).map((data) => ({ shape, data }));
}

/** A permutation of 0..rank−1. */
export function arbPerm(rank: number): fc.Arbitrary<number[]> {
  return fc.shuffledSubarray(Array.from({ length: rank }, (_, i) => i), { minLength: rank, maxLength: rank });
}

/** A seed for checkGrad's random directions. */
export const arbSeed = fc.nat({ max: 0x7fffffff });
