// The seed MLP training step (784 → 32 relu → 10 softmax, cross-entropy, Adam, batch 32) three
// ways in one process: compiled by gradc, in @tensorflow/tfjs (cpu backend), and hand-written
// JavaScript (bench/mlp-handwritten.js). Rounds alternate the three so a busy machine hurts
// them alike; the median round is reported, in samples per second, with ratios.
//   npm run build && node bench/train-step.js [--rounds 7] [--steps 200]
import * as tf from '@tensorflow/tfjs';
import { compile, crossEntropy, grad, input, param } from 'gradc';
import { handwrittenMlp } from './mlp-handwritten.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const rounds = opt('rounds', 7);
const steps = opt('steps', 200);
const BATCH = 32;
const NB = 8; // distinct batches, cycled

// Deterministic data and initial weights (glorot uniform), shared by all three.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const X = Array.from({ length: NB }, () => Float32Array.from({ length: BATCH * 784 }, rand));
const T = Array.from({ length: NB }, () => {
  const t = new Float32Array(BATCH * 10);
  for (let i = 0; i < BATCH; i++) t[i * 10 + Math.floor(rand() * 10)] = 1;
  return t;
});
const glorot = (fanIn, fanOut) => {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * lim);
};
const init = { W1: glorot(784, 32), b1: new Float32Array(32), W2: glorot(32, 10), b2: new Float32Array(10) };
const lrAt = (t) => (1e-3 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);

// gradc: the graph, its gradient, Adam as updates, compiled once.
function gradcStep() {
  const x = input('x', [BATCH, 784]);
  const t = input('t', [BATCH, 10], { oneHot: true });
  const lrT = input('lr_t', []);
  const W1 = param('W1', [784, 32]);
  const b1 = param('b1', [32]);
  const W2 = param('W2', [32, 10]);
  const b2 = param('b2', [10]);
  const y = x.matmul(W1).add(b1).relu().matmul(W2).add(b2).softmax();
  const loss = crossEntropy(y, t);
  const ps = [W1, b1, W2, b2];
  const updates = [];
  grad(loss, ps).forEach((g, i) => {
    const p = ps[i];
    const m = param(`${p.attrs.name}/m`, p.shape);
    const v = param(`${p.attrs.name}/v`, p.shape);
    const m1 = m.mul(0.9).add(g.mul(0.1));
    const v1 = v.mul(0.999).add(g.square().mul(0.001));
    updates.push([m, m1], [v, v1], [p, p.sub(m1.mul(lrT).div(v1.sqrt().add(1e-7)))]);
  });
  const exe = compile({ inputs: [x, t, lrT], outputs: { loss }, updates });
  for (const [k, v] of Object.entries(init)) exe.setParam(k, v);
  const lr = new Float32Array(1);
  const feeds = { x: X[0], t: T[0], lr_t: lr };
  let n = 0;
  return {
    kernels: exe.kernels.length,
    step(b) {
      feeds.x = X[b];
      feeds.t = T[b];
      lr[0] = lrAt(++n);
      return exe.run(feeds).loss[0];
    },
  };
}

function handStep() {
  const h = handwrittenMlp(BATCH);
  for (const [k, v] of Object.entries(init)) h.params[k].set(v);
  let n = 0;
  return { step: (b) => h.step(X[b], T[b], lrAt(++n)) };
}

async function tfjsStep() {
  await tf.setBackend('cpu');
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 32, inputShape: [784], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.setWeights([tf.tensor2d(init.W1, [784, 32]), tf.tensor1d(init.b1), tf.tensor2d(init.W2, [32, 10]), tf.tensor1d(init.b2)]);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const xs = X.map((x) => tf.tensor2d(x, [BATCH, 784]));
  const ts = T.map((t) => tf.tensor2d(t, [BATCH, 10]));
  const lossOf = (b) => tf.metrics.categoricalCrossentropy(ts[b], model.apply(xs[b], { training: true })).mean();
  return {
    step(b, wantLoss = false) {
      if (!wantLoss) {
        tf.tidy(() => { optimizer.minimize(() => lossOf(b)); });
        return NaN;
      }
      return tf.tidy(() => optimizer.minimize(() => lossOf(b), true).dataSync()[0]);
    },
  };
}

const libs = {
  'gradc (compiled, js backend)': gradcStep(),
  'hand-written JS loop': handStep(),
  [`tfjs ${tf.version.tfjs} (cpu backend)`]: await tfjsStep(),
};
const names = Object.keys(libs);

// Same start, same batch: the first step's losses must agree (all three train the same model).
const first = names.map((n) => libs[n].step(0, true));
const spread = Math.max(...first) - Math.min(...first);
console.log(`first-step loss: ${names.map((n, i) => `${n.split(' ')[0]} ${first[i].toFixed(5)}`).join(', ')} (spread ${spread.toExponential(1)})`);
if (!(spread < 1e-3)) throw new Error('the three implementations disagree on the loss: not the same model');

const perLib = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  for (const n of order) {
    const lib = libs[n];
    for (let s = 0; s < 20; s++) lib.step(s % NB); // warm
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) lib.step(s % NB);
    const ms = (performance.now() - t0) / steps;
    perLib[n].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const res = names.map((n) => ({ n, ms: median(perLib[n]) }));
console.log(`seed MLP training step, batch ${BATCH}, node ${process.version}, ${rounds} rounds × ${steps} steps, median round`);
for (const { n, ms } of res) {
  console.log(`  ${n.padEnd(32)} ${Math.round((BATCH / ms) * 1000).toLocaleString('en-US').padStart(8)} samples/s   ${ms.toFixed(3)} ms/step`);
}
const [g, h, t] = res;
console.log(`  gradc / tfjs-cpu: ${(t.ms / g.ms).toFixed(1)}×   gradc / hand-written: ${(h.ms / g.ms).toFixed(2)}×   (gradc: ${libs[names[0]].kernels} kernels)`);
