// Property tests: every elementwise op's symbolic gradient agrees with central differences
// in float64 (relative error < 1e-6) over random shapes, broadcasting and values kept away
// from kinks (relu, abs, maximum, minimum) and poles (log, sqrt, div, negative powers).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { add, div, equal, greater, less, maximum, minimum, mul, sub, where, type Tensor, type TensorLike } from 'gradc';
import {
  arbAwayFromZero, arbBroadcastOperands, arbPhased, arbPoint, arbSeed, arbShape, arbValues, type Point,
} from './helpers/arbitraries.js';
import { expectGradOk } from './helpers/grad-check.js';

const RUNS = 100;
const any = (n: number) => arbValues(n, { min: -3, max: 3 });
const positive = (n: number) => arbValues(n, { min: 0.2, max: 3 });
const awayFromZero = (n: number) => arbAwayFromZero(n, { min: 0.05, max: 3 });

/** One random point of any small shape (rank 0..3). */
const arbUnaryPoint = (values: (n: number) => fc.Arbitrary<number[]>) => arbShape({ maxRank: 3 }).chain((s) => arbPoint(s, values));

describe('unary ops: gradient = central differences', () => {
  const cases: [string, (x: Tensor) => Tensor, (n: number) => fc.Arbitrary<number[]>][] = [
    ['neg', (x) => x.neg(), any],
    ['exp', (x) => x.exp(), any],
    ['log (x ≥ 0.2)', (x) => x.log(), positive],
    ['sqrt (x ≥ 0.2)', (x) => x.sqrt(), positive],
    ['square', (x) => x.square(), any],
    ['abs (|x| ≥ 0.05)', (x) => x.abs(), awayFromZero],
    ['relu (|x| ≥ 0.05)', (x) => x.relu(), awayFromZero],
    ['sigmoid', (x) => x.sigmoid(), (n) => arbValues(n, { min: -6, max: 6 })],
    ['tanh', (x) => x.tanh(), any],
    ['softplus', (x) => x.softplus(), (n) => arbValues(n, { min: -6, max: 6 })],
  ];
  for (const [name, fn, values] of cases) {
    it(name, () => {
      fc.assert(fc.property(arbUnaryPoint(values), arbSeed, (p, seed) => void expectGradOk(fn, [p], seed)), { numRuns: RUNS });
    });
  }

  it('pow with integer, negative and fractional exponents', () => {
    // Fractional exponents need a positive base; negative ones a base away from 0.
    const arbCase = fc.constantFrom(0, 1, 2, 3, 4, -1, -2, 0.5, 1.5, 2.5, -0.5, 1 / 3).chain((p) => {
      const values = !Number.isInteger(p) ? (n: number) => arbValues(n, { min: 0.3, max: 2.5 }) : p < 0 ? (n: number) => arbAwayFromZero(n, { min: 0.3, max: 2.5 }) : any;
      return fc.tuple(fc.constant(p), arbUnaryPoint(values));
    });
    fc.assert(fc.property(arbCase, arbSeed, ([p, x], seed) => void expectGradOk((t) => t.pow(p), [x], seed)), { numRuns: 2 * RUNS });
  });
});

/** Two operands whose shapes broadcast to a random shape of rank ≤ 4, or one operand and a number. */
function arbBinary(values: [(n: number) => fc.Arbitrary<number[]>, (n: number) => fc.Arbitrary<number[]>]) {
  return arbShape({ maxRank: 4 })
    .chain((out) => arbBroadcastOperands(out, 2))
    .chain(([sa, sb]) => fc.tuple(arbPoint(sa, values[0]), arbPoint(sb, values[1]), values[1](1), fc.constantFrom('tensor', 'number right', 'number left')));
}

describe('binary ops with NumPy broadcasting: gradient = central differences', () => {
  const divisor = (n: number) => arbAwayFromZero(n, { min: 0.3, max: 2.5 });
  const cases: [string, (a: TensorLike, b: TensorLike) => Tensor, [(n: number) => fc.Arbitrary<number[]>, (n: number) => fc.Arbitrary<number[]>]][] = [
    ['add', add, [any, any]],
    ['sub', sub, [any, any]],
    ['mul', mul, [any, any]],
    ['div (|b| ≥ 0.3)', div, [divisor, divisor]],
    // Phases 0.1 and 0.6 keep |a − b| ≥ 0.3 everywhere: no ties.
    ['maximum', maximum, [(n) => arbPhased(n, 0.1), (n) => arbPhased(n, 0.6)]],
    ['minimum', minimum, [(n) => arbPhased(n, 0.1), (n) => arbPhased(n, 0.6)]],
  ];
  for (const [name, fn, values] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(arbBinary(values), arbSeed, ([a, b, [num], form], seed) => {
          if (form === 'tensor') expectGradOk((x, y) => fn(x, y), [a, b], seed);
          // A number is a broadcast scalar constant, on either side.
          else if (form === 'number right') expectGradOk((x) => fn(x, num), [a], seed);
          else expectGradOk((x) => fn(num, x), [a], seed);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('where and comparisons', () => {
  it('where(c > 0, a, b): gradient flows to the chosen operand, none through the condition', () => {
    const arbCase = arbShape({ maxRank: 4 })
      .chain((out) => arbBroadcastOperands(out, 3))
      .chain(([sc, sa, sb]) => fc.tuple(arbPoint(sc, awayFromZero), arbPoint(sa, any), arbPoint(sb, any), fc.constantFrom(0, 1, 2)));
    fc.assert(
      fc.property(arbCase, arbSeed, ([c, a, b, variant], seed) => {
        // c is an input too: checkGrad moves it, and the step never crosses 0.
        if (variant === 0) expectGradOk((tc, ta, tb) => where(greater(tc, 0), ta, tb), [c, a, b], seed);
        else if (variant === 1) expectGradOk((tc, ta) => where(less(tc, 0), ta, 0.5), [c, a], seed);
        else expectGradOk((tc, tb) => where(greater(tc, 0), -1.5, tb).mul(tc), [c, b], seed);
      }),
      { numRuns: RUNS },
    );
  });

  it('greater, less and equal are piecewise constant: d(x²·cmp(x, y)) = 2x·cmp', () => {
    const arbCase = arbShape({ maxRank: 3 })
      .chain((out) => arbBroadcastOperands(out, 2))
      .chain(([sx, sy]) => fc.tuple(arbPoint(sx, (n) => arbPhased(n, 0.1)), arbPoint(sy, (n) => arbPhased(n, 0.6))));
    fc.assert(
      fc.property(arbCase, arbSeed, ([x, y]: [Point, Point], seed) => {
        expectGradOk((tx, ty) => tx.square().mul(greater(tx, ty)), [x, y], seed);
        expectGradOk((tx, ty) => tx.square().mul(less(tx, ty)), [x, y], seed);
        // x·1 == x holds exactly and survives any perturbation; x == y never holds here.
        expectGradOk((tx, ty) => tx.square().mul(equal(tx.mul(1), tx)).add(ty.mul(equal(tx, ty))), [x, y], seed);
      }),
      { numRuns: RUNS },
    );
  });
});
