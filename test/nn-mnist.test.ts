// The fast CI check of the whole pipeline on real data: the seed MLP, compiled, trains a few
// hundred steps on a slice of MNIST; the loss falls and test accuracy is far above chance (10%).
import { describe, expect, it } from 'vitest';
import { datasets, layers, sequential } from 'gradc';

describe('seed MLP on an MNIST slice', () => {
  it('loss falls and accuracy beats chance by a wide margin after 250 steps', async () => {
    const { xTrain, yTrain, xTest, yTest } = datasets.mnist({ trainSize: 4000, testSize: 1000 });
    const model = sequential({ seed: 42 });
    model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 })); // MNIST's bytes to [0, 1], in the first kernel
    model.add(layers.dense({ units: 32, activation: 'relu' }));
    model.add(layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    const before = model.evaluate(xTest, yTest);
    const batchLoss: number[] = [];
    const h = await model.fit(xTrain, yTrain, { epochs: 2, batchSize: 32, verbose: 0, callbacks: { onBatchEnd: (_b, l) => { batchLoss.push(l.loss); } } });
    expect(batchLoss).toHaveLength(250);
    expect(model.step).toBe(250);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(batchLoss.slice(0, 20))).toBeGreaterThan(1.5); // ≈ ln 10 at the start
    expect(mean(batchLoss.slice(-20))).toBeLessThan(0.6 * mean(batchLoss.slice(0, 20)));
    expect(h.history.loss[1]!).toBeLessThan(h.history.loss[0]!);
    const after = model.evaluate(xTest, yTest);
    expect(before.acc!).toBeLessThan(0.3);
    expect(after.acc!).toBeGreaterThan(0.85);
    expect(after.loss).toBeLessThan(before.loss / 3);
  });
});
