// Stability: with logits of magnitude 1000 the naive formulas overflow or take log 0 (NaN, ∞);
// after simplification loss and gradients are finite and match stable formulas written here.
import { describe, expect, it } from 'vitest';
import { add, binaryCrossEntropy, crossEntropy, evaluate, grad, input, matmul, param, sigmoid, simplify, softmax, type Tensor } from 'gradc';

const ROWS = 4;
const CLASSES = 5;
/** Logits of magnitude up to 1000, rows far apart: softmax underflows to exact 0s and 1s. */
const logits = Float64Array.from({ length: ROWS * CLASSES }, (_, i) => 1000 * Math.sin(2.3 * i + 0.4));
const labels = [3, 0, 4, 1];
const targets = Float64Array.from({ length: ROWS * CLASSES }, (_, i) => (labels[Math.floor(i / CLASSES)] === i % CLASSES ? 1 : 0));

/** Stable reference: log-sum-exp per row with the max shifted out, in plain JS. */
function rowLse(z: Float64Array, r: number): number {
  const row = z.subarray(r * CLASSES, (r + 1) * CLASSES);
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
}

function finite(xs: ArrayLike<number>): boolean {
  return Array.from(xs).every(Number.isFinite);
}

function run(outputs: Tensor[], feeds: Record<string, Float64Array>) {
  const naive = evaluate(outputs, feeds, { dtype: 'float64' }).map((e) => e.data);
  const stable = evaluate(simplify(outputs), feeds, { dtype: 'float64' }).map((e) => e.data);
  return { naive, stable };
}

describe('logits of magnitude 1000', () => {
  it('softmax cross-entropy: naive NaN/∞, simplified finite and right', () => {
    const z = input('z', [ROWS, CLASSES], {}, 'float64');
    const t = input('t', [ROWS, CLASSES], { oneHot: true }, 'float64');
    const L = crossEntropy(softmax(z), t);
    const { naive, stable } = run([L, ...grad(L, [z])], { z: logits, t: targets });
    expect(finite(naive[0]) && finite(naive[1])).toBe(false);
    expect(finite(stable[0]) && finite(stable[1])).toBe(true);
    // L = mean over rows of lse(z) − z[label]; ∂L/∂z = (softmax(z) − t)/n.
    const L0 = labels.reduce((s, k, r) => s + rowLse(logits, r) - logits[r * CLASSES + k], 0) / ROWS;
    expect(stable[0][0]).toBeCloseTo(L0, 9);
    stable[1].forEach((g, i) => {
      const r = Math.floor(i / CLASSES);
      expect(g).toBeCloseTo((Math.exp(logits[i] - rowLse(logits, r)) - targets[i]) / ROWS, 12);
    });
  });

  it('soft targets (no oneHot fact): the exact form (y·Σt − t)/n is finite too', () => {
    const z = input('z', [ROWS, CLASSES], {}, 'float64');
    const t = input('t', [ROWS, CLASSES], {}, 'float64');
    const soft = targets.map((v, i) => 0.5 * v + 0.1 * ((i * 3) % 4)); // rows sum to 0.5 + …, not 1
    const L = crossEntropy(softmax(z), t);
    const { naive, stable } = run([L, ...grad(L, [z])], { z: logits, t: soft });
    expect(finite(naive[0]) && finite(naive[1])).toBe(false);
    expect(finite(stable[0]) && finite(stable[1])).toBe(true);
    stable[1].forEach((g, i) => {
      const r = Math.floor(i / CLASSES);
      const rowSum = soft.subarray(r * CLASSES, (r + 1) * CLASSES).reduce((s, v) => s + v, 0);
      expect(g).toBeCloseTo((Math.exp(logits[i] - rowLse(logits, r)) * rowSum - soft[i]) / ROWS, 12);
    });
  });

  it('a linear layer whose logits reach 1000: finite loss and weight gradients', () => {
    const x = input('x', [ROWS, 3], {}, 'float64');
    const W = param('W', [3, CLASSES], 'float64');
    const b = param('b', [CLASSES], 'float64');
    const t = input('t', [ROWS, CLASSES], { oneHot: true }, 'float64');
    const L = crossEntropy(softmax(add(matmul(x, W), b)), t);
    const feeds = {
      x: Float64Array.from({ length: ROWS * 3 }, (_, i) => Math.cos(i)),
      W: Float64Array.from({ length: 3 * CLASSES }, (_, i) => 400 * Math.sin(1.3 * i)),
      b: new Float64Array(CLASSES),
      t: targets,
    };
    const { naive, stable } = run([L, ...grad(L, [W, b])], feeds);
    expect(naive.every(finite)).toBe(false);
    expect(stable.every(finite)).toBe(true);
  });

  it('sigmoid with binary cross-entropy: softplus form and σ(z) − t', () => {
    const z = input('z', [ROWS * CLASSES, 1], {}, 'float64');
    const t = input('t', [ROWS * CLASSES, 1], {}, 'float64');
    const L = binaryCrossEntropy(sigmoid(z), t);
    const { naive, stable } = run([L, ...grad(L, [z])], { z: logits, t: targets });
    expect(finite(naive[0])).toBe(false);
    expect(finite(stable[0]) && finite(stable[1])).toBe(true);
    const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const n = ROWS * CLASSES;
    const L0 = Array.from(logits).reduce((s, v, i) => s + targets[i] * softplus(-v) + (1 - targets[i]) * softplus(v), 0) / n;
    expect(stable[0][0]).toBeCloseTo(L0, 9);
    stable[1].forEach((g, i) => expect(g).toBeCloseTo((1 / (1 + Math.exp(-logits[i])) - targets[i]) / n, 12));
  });
});
