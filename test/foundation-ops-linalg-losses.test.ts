// Property tests: matmul (2-D and batched with broadcast batch axes), softmax and logSoftmax
// on random axes, and the losses: symbolic gradient = central differences in float64.
import { describe, it } from 'vitest';
import fc from 'fast-check';
import {
  binaryCrossEntropy, crossEntropy, evaluate, grad, input, logSoftmax, matmul, meanSquaredError, softmax, softmaxCrossEntropy,
  type Tensor,
} from 'gradc';
import { arbBroadcastOperands, arbPoint, arbSeed, arbShape, arbValues, type Point } from './helpers/arbitraries.js';
import { expectGradOk } from './helpers/grad-check.js';

const RUNS = 100;
const any = (n: number) => arbValues(n, { min: -3, max: 3 });

describe('matmul', () => {
  it('[…batchA, m, k] · […batchB, k, n] with batch axes broadcast', () => {
    const dim = fc.integer({ min: 1, max: 3 });
    const arbCase = fc
      .tuple(arbShape({ maxRank: 2 }).chain((batch) => arbBroadcastOperands(batch, 2)), dim, dim, dim, fc.boolean())
      .chain(([[ba, bb], m, k, n, method]) => fc.tuple(arbPoint([...ba, m, k], any), arbPoint([...bb, k, n], any), fc.constant(method)));
    fc.assert(
      fc.property(arbCase, arbSeed, ([a, b, method], seed) => {
        expectGradOk((x, y) => (method ? x.matmul(y) : matmul(x, y)), [a, b], seed);
      }),
      { numRuns: RUNS },
    );
  });

  it('the same matrix on both sides: x·xᵀ (two paths into one input)', () => {
    const arbCase = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([m, k]) => arbPoint([m, k], any));
    fc.assert(fc.property(arbCase, arbSeed, (x, seed) => void expectGradOk((t) => t.matmul(t.transpose()), [x], seed)), { numRuns: RUNS });
  });
});

describe('softmax and logSoftmax on random axes', () => {
  const arbRows = arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
    fc.tuple(arbPoint(s, (n) => arbValues(n, { min: -5, max: 5 })), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()),
  );
  const cases: [string, (x: Tensor, axis: number) => Tensor, (x: Tensor) => Tensor][] = [
    ['softmax', (x, a) => softmax(x, a), (x) => x.softmax()],
    ['logSoftmax', (x, a) => logSoftmax(x, a), (x) => x.logSoftmax()],
  ];
  for (const [name, onAxis, byDefault] of cases) {
    it(name, () => {
      // The default axis is the last one.
      fc.assert(
        fc.property(arbRows, arbSeed, ([x, axis, useDefault], seed) => void expectGradOk((t) => (useDefault ? byDefault(t) : onAxis(t, axis)), [x], seed)),
        { numRuns: RUNS },
      );
    });
  }
});

describe('losses (gradient with respect to both prediction and target)', () => {
  const arbPair = (pred: (n: number) => fc.Arbitrary<number[]>, target: (n: number) => fc.Arbitrary<number[]>) =>
    arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) => fc.tuple(arbPoint(s, pred), arbPoint(s, target)));
  const unit = (n: number) => arbValues(n, { min: 0, max: 1 });
  // Near p = 0.05 log's fifth derivative is ~10⁸, so the default step h = 1e-3 leaves a
  // truncation error of ~1e-6 in the finite difference itself; h = 2e-4 makes it 600× smaller.
  const cases: [string, (y: Tensor, t: Tensor) => Tensor, fc.Arbitrary<[Point, Point]>, number][] = [
    ['crossEntropy (y ≥ 0.05)', crossEntropy, arbPair((n) => arbValues(n, { min: 0.05, max: 1 }), unit), 2e-4],
    ['softmaxCrossEntropy', softmaxCrossEntropy, arbPair((n) => arbValues(n, { min: -4, max: 4 }), unit), 1e-3],
    ['binaryCrossEntropy (0.05 ≤ p ≤ 0.95)', binaryCrossEntropy, arbPair((n) => arbValues(n, { min: 0.05, max: 0.95 }), unit), 2e-4],
    ['meanSquaredError', meanSquaredError, arbPair(any, any), 1e-3],
  ];
  for (const [name, loss, arbCase, step] of cases) {
    it(name, () => {
      fc.assert(fc.property(arbCase, arbSeed, ([y, t], seed) => void expectGradOk(loss, [y, t], seed, { step })), { numRuns: RUNS });
    });
  }

  it('gradients equal the closed forms in docs/ops.md', () => {
    const arbCase = arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
      fc.tuple(fc.constant(s), arbValues(s.reduce((a, b) => a * b, 1), { min: 0.05, max: 0.95 }), arbValues(s.reduce((a, b) => a * b, 1), { min: 0, max: 1 })),
    );
    fc.assert(
      fc.property(arbCase, ([shape, Y, T]) => {
        const [y, t] = [input('y', shape, {}, 'float64'), input('t', shape, {}, 'float64')];
        const N = Y.length;
        const c = shape[shape.length - 1];
        const n = N / c;
        const grads = (loss: Tensor) => grad(loss, [y, t]).map((g) => Array.from(evaluate(g, { y: Y, t: T }, { dtype: 'float64' }).data));
        const near = (got: number[], want: number[]) => got.forEach((v, i) => {
          if (!(Math.abs(v - want[i]) <= 1e-12 * (1 + Math.abs(want[i])))) throw new Error(`element ${i}: ${v} vs ${want[i]}`);
        });
        // crossEntropy: ȳ = −t/(n·y), t̄ = −ln y / n
        let [gy, gt] = grads(crossEntropy(y, t));
        near(gy, Y.map((v, i) => -T[i] / (n * v)));
        near(gt, Y.map((v) => -Math.log(v) / n));
        // softmaxCrossEntropy: z̄ = (softmax(z)·Σ_row t − t)/n
        [gy] = grads(softmaxCrossEntropy(y, t));
        const row = (i: number) => Math.floor(i / c);
        const lse = Array.from({ length: n }, (_, r) => Math.log(Y.slice(r * c, r * c + c).reduce((a, v) => a + Math.exp(v), 0)));
        const rowT = Array.from({ length: n }, (_, r) => T.slice(r * c, r * c + c).reduce((a, v) => a + v, 0));
        near(gy, Y.map((v, i) => (Math.exp(v - lse[row(i)]) * rowT[row(i)] - T[i]) / n));
        // binaryCrossEntropy: p̄ = (p − t)/(N·p(1 − p)), t̄ = (ln(1 − p) − ln p)/N
        [gy, gt] = grads(binaryCrossEntropy(y, t));
        near(gy, Y.map((p, i) => (p - T[i]) / (N * p * (1 - p))));
        near(gt, Y.map((p) => (Math.log(1 - p) - Math.log(p)) / N));
        // meanSquaredError: ȳ = 2(y − t)/N, t̄ = −ȳ
        [gy, gt] = grads(meanSquaredError(y, t));
        near(gy, Y.map((v, i) => (2 * (v - T[i])) / N));
        near(gt, Y.map((v, i) => (-2 * (v - T[i])) / N));
      }),
      { numRuns: 50 },
    );
  });
});
