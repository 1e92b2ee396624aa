// The seed MLP training step (784 → 32 relu → 10 softmax, cross-entropy, Adam, batch 32), one
// run, every peer on the same data and initial weights (bench/train-step-protocol.js): compiled by
// gradc, hand-written JavaScript (bench/mlp-handwritten.js) and @tensorflow/tfjs (cpu backend) in
// this process; @jax-js/jax (jit, wasm; bench/train-step-jaxjs.js) and PyTorch (CPU, eager, pinned
// to 1 and 2 threads; bench/train-step-torch.py) in child processes of their own. A peer that is not
// installed is skipped with a note. Rounds alternate the peers so a busy machine hurts them alike;
// the median round is reported, in samples per second, with ratios against gradc.
//   npm run build && node bench/train-step.js [--rounds 7] [--steps 200] [--torch-threads 1,2]
//                                             [--python /usr/bin/python3] [--verbose]
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compile, crossEntropy, grad, input, param } from 'gradc';
import { handwrittenMlp } from './mlp-handwritten.js';
import { BATCH, init, lrAt, spawnPeer, T, timedRound, X } from './train-step-protocol.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('rounds', 7));
const steps = Number(opt('steps', 200));
const torchThreads = opt('torch-threads', '1,2').split(',').filter(Boolean).map(Number);
const python = opt('python', '/usr/bin/python3');

// gradc: the graph, its gradient, Adam as updates, compiled once.
function gradcStep(backend) {
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
  const exe = compile({ inputs: [x, t, lrT], outputs: { loss }, updates }, { backend });
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

// Every peer: name, label, first() = the first step's loss, round(n) = ms per step (timedRound).
const inProcess = (name, lib) => ({
  name,
  label: name.split(' ')[0],
  ...lib,
  first: () => lib.step(0, true),
  round: (n) => timedRound(lib.step, n),
});
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const candidates = [
  inProcess('gradc (compiled, wasm backend)', gradcStep('wasm')),
  inProcess('gradc (compiled, js backend)', gradcStep('js')),
  inProcess('hand-written JS loop', handStep()),
  inProcess(`tfjs ${tf.version.tfjs} (cpu backend)`, await tfjsStep()),
  ...(await Promise.all([
    spawnPeer('jax-js', process.execPath, [here('./train-step-jaxjs.js'), '--serve']),
    ...torchThreads.map((k) => spawnPeer(`torch/${k}t`, python, [here('./train-step-torch.py'), '--serve', '--threads', String(k)])),
  ])),
];
const libs = candidates.filter((p) => !p.skip);
for (const p of candidates) if (p.skip) console.log(`skipped ${p.skip}`);

// Same start, same batch: the first step's losses must agree (all peers train the same model).
const first = [];
for (const lib of libs) first.push(await lib.first());
const spread = Math.max(...first) - Math.min(...first);
console.log(`first-step loss: ${libs.map((l, i) => `${l.label} ${first[i].toFixed(5)}`).join(', ')} (spread ${spread.toExponential(1)})`);
if (!(spread < 1e-3)) throw new Error('the peers disagree on the first-step loss: not the same model');

// Round −1 is a warm-up round (JIT tiers, jax-js's Wasm tier-up, allocator pools), not recorded.
const load0 = loadavg()[0];
const perLib = libs.map(() => []);
for (let r = -1; r < rounds; r++) {
  for (let j = 0; j < libs.length; j++) {
    const i = (j + r + libs.length) % libs.length;
    const ms = await libs[i].round(steps);
    if (r >= 0) perLib[i].push(ms);
  }
}
const load1 = loadavg()[0];
for (const lib of libs) lib.close?.();
if (args.includes('--verbose')) libs.forEach((l, i) => console.log(`  ${l.label}: ${perLib[i].map((t) => t.toFixed(3)).join(' ')} ms/step, round by round`));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = perLib.map(median);
// gradc's speed over the peer's: from the medians, and the median of the per-round ratios.
const vsGradc = (x) => (x >= 1 ? `gradc ${x.toFixed(2)}× faster` : `gradc ${(1 / x).toFixed(2)}× slower`);
console.log(`seed MLP training step, batch ${BATCH}, node ${process.version}, ${rounds} rounds × ${steps} steps, median round; ` +
  `load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
const width = Math.max(...libs.map((l) => l.name.length));
libs.forEach((lib, i) => {
  const perRound = median(perLib[i].map((t, r) => t / perLib[0][r]));
  const ratio = i === 0 ? `${lib.kernels} kernels` : `${vsGradc(ms[i] / ms[0]).padEnd(20)} (per-round median: ${vsGradc(perRound)})`;
  console.log(`  ${lib.name.padEnd(width)} ${Math.round((BATCH / ms[i]) * 1000).toLocaleString('en-US').padStart(8)} samples/s ${ms[i].toFixed(3).padStart(8)} ms/step   ${ratio}`);
});
