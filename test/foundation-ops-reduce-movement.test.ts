// Property tests: reductions (random axes, negative axes, keepDims) and movement ops
// (reshape, transpose, broadcastTo, slice, pad, concat): symbolic gradient = central differences.
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { broadcastTo, concat, logSumExp, max, mean, pad, reshape, slice, sum, transpose, type Tensor } from 'gradc';
import {
  arbBroadcastSource, arbDistinct, arbPerm, arbPoint, arbSeed, arbShape, arbValues, type Shape,
} from './helpers/arbitraries.js';
import { expectGradOk } from './helpers/grad-check.js';

const RUNS = 100;
const any = (n: number) => arbValues(n, { min: -3, max: 3 });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

type Axes = number | number[] | undefined;
/** A shape of rank ≤ 4 and axes to reduce: all (undefined), one number, or a shuffled subset, some negative. */
const arbReduction = arbShape({ maxRank: 4 }).chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.oneof(
      fc.constant<Axes>(undefined),
      fc.shuffledSubarray(range(shape.length)),
    ),
    fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    fc.boolean(),
    fc.boolean(),
  ).map(([s, axes, negative, keepDims, asNumber]): [Shape, Axes, boolean] => {
    if (axes === undefined) return [s, undefined, keepDims];
    const list = (axes as number[]).map((a) => (negative[a] ? a - s.length : a));
    // One axis may be passed as a plain number.
    return [s, list.length === 1 && asNumber ? list[0] : list, keepDims];
  }),
);

describe('reductions over random axes, with and without keepDims', () => {
  const cases: [string, (x: Tensor, axes: Axes, keepDims: boolean) => Tensor, (n: number) => fc.Arbitrary<number[]>][] = [
    ['sum', (x, a, k) => sum(x, a, k), any],
    ['mean', (x, a, k) => mean(x, a, k), any],
    // Distinct values: the max is never tied, so it is differentiable.
    ['max (no ties)', (x, a, k) => max(x, a, k), (n) => arbDistinct(n)],
    ['logSumExp', (x, a, k) => logSumExp(x, a, k), (n) => arbValues(n, { min: -5, max: 5 })],
  ];
  for (const [name, fn, values] of cases) {
    it(name, () => {
      const arbCase = arbReduction.chain(([s, axes, keepDims]) => fc.tuple(arbPoint(s, values), fc.constant(axes), fc.constant(keepDims)));
      fc.assert(fc.property(arbCase, arbSeed, ([x, axes, keepDims], seed) => void expectGradOk((t) => fn(t, axes, keepDims), [x], seed)), { numRuns: RUNS });
    });
  }
});

/** Groups `atoms` into axes: merge[i] multiplies atom i into the previous axis. */
function group(atoms: readonly number[], merge: readonly boolean[]): number[] {
  const shape: number[] = [];
  atoms.forEach((a, i) => (merge[i] && shape.length > 0 ? (shape[shape.length - 1] *= a) : shape.push(a)));
  return shape;
}

describe('movement ops', () => {
  it('reshape: same elements regrouped, sometimes with a -1', () => {
    const arbCase = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 5 }).chain((atoms) => {
      const n = atoms.length;
      const bools = fc.array(fc.boolean(), { minLength: n, maxLength: n });
      return fc.tuple(bools, fc.shuffledSubarray(atoms, { minLength: n, maxLength: n }), bools, fc.nat(), fc.boolean()).chain(([m1, shuffled, m2, hole, useHole]) => {
        const source = group(atoms, m1);
        const target: number[] = group(shuffled, m2);
        if (useHole && target.length > 0) target[hole % target.length] = -1;
        return fc.tuple(arbPoint(source, any), fc.constant(target));
      });
    });
    fc.assert(fc.property(arbCase, arbSeed, ([x, target], seed) => void expectGradOk((t) => reshape(t, target), [x], seed)), { numRuns: RUNS });
  });

  it('transpose: random permutations, negative axes, and the default reversal', () => {
    const arbCase = arbShape({ maxRank: 4 }).chain((s) =>
      fc.tuple(arbPoint(s, any), arbPerm(s.length), fc.constantFrom('perm', 'negative', 'default')),
    );
    fc.assert(
      fc.property(arbCase, arbSeed, ([x, perm, form], seed) => {
        const p = form === 'negative' ? perm.map((a) => a - perm.length) : perm;
        expectGradOk((t) => (form === 'default' ? t.transpose() : transpose(t, p)), [x], seed);
      }),
      { numRuns: RUNS },
    );
  });

  it('broadcastTo: sizes 1 stretched and leading axes added', () => {
    const arbCase = arbShape({ maxRank: 4 }).chain((target) => arbBroadcastSource(target).chain((s) => fc.tuple(arbPoint(s, any), fc.constant(target))));
    fc.assert(fc.property(arbCase, arbSeed, ([x, target], seed) => void expectGradOk((t) => broadcastTo(t, target), [x], seed)), { numRuns: RUNS });
  });

  it('slice: random blocks, negative begins and -1 sizes', () => {
    const arbAxis = (d: number) =>
      fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: d - b }), fc.constantFrom('plain', 'negative', 'toEnd')));
    const arbCase = arbShape({ maxRank: 4, maxDim: 4 }).chain((s) => fc.tuple(arbPoint(s, any), fc.tuple(...s.map(arbAxis))));
    fc.assert(
      fc.property(arbCase, arbSeed, ([x, axes], seed) => {
        const begin = axes.map(([b, , form], i) => (form === 'negative' ? b - x.shape[i] : b));
        const size = axes.map(([b, n, form], i) => (form === 'toEnd' ? (n === x.shape[i] - b ? -1 : n) : n));
        expectGradOk((t) => slice(t, begin, size), [x], seed);
      }),
      { numRuns: RUNS },
    );
  });

  it('pad: zeros before and after each axis', () => {
    const arbCase = arbShape({ maxRank: 3 }).chain((s) => {
      const widths = fc.array(fc.nat({ max: 2 }), { minLength: s.length, maxLength: s.length });
      return fc.tuple(arbPoint(s, any), widths, widths);
    });
    fc.assert(fc.property(arbCase, arbSeed, ([x, before, after], seed) => void expectGradOk((t) => pad(t, before, after), [x], seed)), { numRuns: RUNS });
  });

  it('concat: 1 to 3 parts along a random axis, one part possibly repeated', () => {
    const arbCase = arbShape({ minRank: 1, maxRank: 3 }).chain((s) =>
      fc.tuple(fc.nat({ max: s.length - 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean()).chain(
        ([axis, sizes, negative, repeat]) =>
          fc.tuple(
            fc.tuple(...sizes.map((n) => arbPoint(s.map((d, i) => (i === axis ? n : d)), any))),
            fc.constant(negative ? axis - s.length : axis),
            fc.constant(repeat),
          ),
      ),
    );
    fc.assert(
      fc.property(arbCase, arbSeed, ([parts, axis, repeat], seed) => {
        // Repeating the first part sends it two slices of the cotangent, which must add up.
        expectGradOk((...xs) => concat(repeat ? [...xs, xs[0]] : xs, axis), parts, seed);
      }),
      { numRuns: RUNS },
    );
  });
});
