// Kernel micro-benchmarks (benny): single kernels of the seed MLP's training step, each compiled
// by gradc from a small graph, against the same operation in @tensorflow/tfjs (cpu backend) and
// a naive JavaScript loop, in one suite per kernel.
//   npm run build && node bench/kernels.js
import b from 'benny';
import * as tf from '@tensorflow/tfjs';
import { compile, input, param, softmax } from 'gradc';

await tf.setBackend('cpu');
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296 - 0.5;
};
const data = (n) => Float32Array.from({ length: n }, rand);
const opts = { minSamples: 20, maxTime: 1.5 };

async function suite(name, cases) {
  await b.suite(name, ...cases.map(([label, fn]) => b.add(label, fn, opts)), b.cycle(), b.complete());
}

// 1. The forward layer: relu(x·W1 + b1), [32×784]·[784×32] (one fused kernel in gradc).
{
  const x = input('x', [32, 784]);
  const W = param('W', [784, 32]);
  const bias = param('b', [32]);
  const exe = compile({ inputs: [x], outputs: { h: x.matmul(W).add(bias).relu() } });
  const xv = data(32 * 784), Wv = data(784 * 32), bv = data(32);
  exe.setParam(W, Wv);
  exe.setParam(bias, bv);
  const feeds = { x: xv };
  const [tx, tW, tb] = [tf.tensor2d(xv, [32, 784]), tf.tensor2d(Wv, [784, 32]), tf.tensor1d(bv)];
  const out = new Float32Array(32 * 32);
  await suite('dense layer relu(x·W + b), 32×784·784×32', [
    [`gradc (${exe.kernels.map((k) => `${k.name}: ${k.loops}`).join('; ')})`, () => exe.run(feeds)],
    ['tfjs-cpu', () => tf.tidy(() => tf.relu(tf.add(tf.matMul(tx, tW), tb)).dataSync())],
    ['naive JS i-j-k loop', () => {
      for (let i = 0; i < 32; i++) {
        for (let j = 0; j < 32; j++) {
          let s = bv[j];
          for (let k = 0; k < 784; k++) s += xv[i * 784 + k] * Wv[k * 32 + j];
          out[i * 32 + j] = s > 0 ? s : 0;
        }
      }
    }],
  ]);
}

// 2. The weight gradient xᵀ·g, [784×32]·[32×32], x read transposed in place.
{
  const x = input('x', [32, 784]);
  const g = input('g', [32, 32]);
  const exe = compile({ inputs: [x, g], outputs: { dW: x.transpose().matmul(g) } });
  const feeds = { x: data(32 * 784), g: data(32 * 32) };
  const [tx, tg] = [tf.tensor2d(feeds.x, [32, 784]), tf.tensor2d(feeds.g, [32, 32])];
  await suite('weight gradient xᵀ·g, 784×32·32×32', [
    [`gradc (${exe.kernels.map((k) => k.loops).join('; ')})`, () => exe.run(feeds)],
    ['tfjs-cpu', () => tf.tidy(() => tf.matMul(tx, tg, true, false).dataSync())],
  ]);
}

// 3. Softmax over rows, 32×10 (one row-wise kernel: max pass, Σexp pass, write pass).
{
  const z = input('z', [32, 10]);
  const exe = compile({ inputs: [z], outputs: { y: softmax(z) } });
  const feeds = { z: data(320) };
  const tz = tf.tensor2d(feeds.z, [32, 10]);
  await suite('softmax rows, 32×10', [
    [`gradc (${exe.kernels.map((k) => k.loops).join('; ')})`, () => exe.run(feeds)],
    ['tfjs-cpu', () => tf.tidy(() => tf.softmax(tz).dataSync())],
  ]);
}

// 4. Adam's update of a 784×32 weight matrix, in place (one elementwise loop in gradc).
{
  const W = param('W', [784, 32]);
  const m = param('m', [784, 32]);
  const v = param('v', [784, 32]);
  const g = input('g', [784, 32]);
  const m1 = m.mul(0.9).add(g.mul(0.1));
  const v1 = v.mul(0.999).add(g.square().mul(0.001));
  const exe = compile({ inputs: [g], outputs: {}, updates: [[m, m1], [v, v1], [W, W.sub(m1.mul(1e-3).div(v1.sqrt().add(1e-7)))]] });
  const feeds = { g: data(784 * 32) };
  const tW = tf.variable(tf.tensor2d(data(784 * 32), [784, 32]));
  const tg = tf.tensor2d(feeds.g, [784, 32]);
  const adam = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  await suite('Adam update of a 784×32 weight', [
    [`gradc (${exe.kernels.map((k) => k.loops).join('; ')})`, () => exe.run(feeds)],
    ['tfjs-cpu (optimizer.applyGradients)', () => adam.applyGradients({ [tW.name]: tg })],
  ]);
}
