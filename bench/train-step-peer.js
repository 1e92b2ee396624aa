// The Node peers of bench/train-step.js and bench/scaling.js, one per child process (so each one's
// cold compile + first step, and its peak RSS, are its own): the seed MLP training step
// (784 → hidden relu → 10 softmax, cross-entropy, Adam, on the data and initial weights of
// bench/train-step-protocol.js) in
//   gradc-wasm, gradc-js   gradc compiled with backend 'wasm' / 'js'
//   hand                   the hand-written JS loop (bench/mlp-handwritten.js; hidden 32 only)
//   tfjs-cpu, tfjs-wasm    @tensorflow/tfjs 4.22, cpu backend / @tensorflow/tfjs-backend-wasm (SIMD,
//                          single-threaded: Node has no Web Workers, and it is asked not to try)
// It answers the line protocol of bench/train-step-protocol.js (--serve), or runs rounds alone:
//   npm run build && node bench/train-step-peer.js gradc-wasm [--hidden 32] [--batch 32] [--serve]
//                                                  [--rounds 7] [--steps 200]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lrAt, makeData, serve, timedRound } from './train-step-protocol.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const system = args[0];
const hidden = opt('hidden', 32);
const batch = opt('batch', 32);
const version = (spec) => JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.resolve(spec))), '..', 'package.json'), 'utf8')).version;

// gradc: the graph, its gradient, Adam as updates, compiled once.
async function gradcStep(backend) {
  const { X, T, init } = data;
  const { compile, crossEntropy, grad, input, param } = modules.gradc;
  const x = input('x', [batch, 784]);
  const t = input('t', [batch, 10], { oneHot: true });
  const lrT = input('lr_t', []);
  const W1 = param('W1', [784, hidden]);
  const b1 = param('b1', [hidden]);
  const W2 = param('W2', [hidden, 10]);
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
  for (const p of ps) for (const s of ['m', 'v']) exe.setParam(`${p.attrs.name}/${s}`, 0);
  const lr = new Float32Array(1);
  const feeds = { x: X[0], t: T[0], lr_t: lr };
  let n = 0;
  return {
    name: `gradc (compiled, ${exe.backend} backend, ${exe.kernels.length} kernels)`,
    step(b) {
      feeds.x = X[b];
      feeds.t = T[b];
      lr[0] = lrAt(++n);
      return exe.run(feeds).loss[0];
    },
  };
}

async function handStep() {
  if (hidden !== 32) return { skip: 'the hand-written loop is written for hidden 32' };
  const { X, T, init } = data;
  const { handwrittenMlp } = modules.hand;
  const h = handwrittenMlp(batch);
  for (const [k, v] of Object.entries(init)) h.params[k].set(v);
  let n = 0;
  return { name: 'hand-written JS loop', step: (b) => h.step(X[b], T[b], lrAt(++n)) };
}

async function tfjsStep(backend) {
  const { X, T, init } = data;
  const { tf, wasm } = modules;
  let detail = 'cpu backend';
  if (backend === 'wasm') {
    if (wasm.skip) return wasm;
    // Its .wasm files sit next to its entry point (dist/); single-threaded SIMD build.
    wasm.setWasmPaths(`${dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')))}/`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    detail = `wasm backend ${version('@tensorflow/tfjs-backend-wasm')}, ${simd ? 'SIMD' : 'no SIMD'}, 1 thread`;
  }
  if (!(await tf.setBackend(backend))) return { skip: `tfjs could not set backend ${backend}` };
  await tf.ready();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hidden, inputShape: [784], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.setWeights([tf.tensor2d(init.W1, [784, hidden]), tf.tensor1d(init.b1), tf.tensor2d(init.W2, [hidden, 10]), tf.tensor1d(init.b2)]);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const xs = X.map((x) => tf.tensor2d(x, [batch, 784]));
  const ts = T.map((t) => tf.tensor2d(t, [batch, 10]));
  const lossOf = (b) => tf.metrics.categoricalCrossentropy(ts[b], model.apply(xs[b], { training: true })).mean();
  // The loss is read every step, as gradc's step returns it.
  return {
    name: `tfjs ${tf.version.tfjs} (${detail})`,
    step: (b) => tf.tidy(() => optimizer.minimize(() => lossOf(b), true).dataSync()[0]),
  };
}

const builders = {
  'gradc-wasm': () => gradcStep('wasm'),
  'gradc-js': () => gradcStep('js'),
  hand: handStep,
  'tfjs-cpu': () => tfjsStep('cpu'),
  'tfjs-wasm': () => tfjsStep('wasm'),
};
if (!builders[system]) {
  console.error(`usage: node bench/train-step-peer.js ${Object.keys(builders).join('|')} [--hidden 32] [--batch 32] [--serve]`);
  process.exit(2);
}
// Libraries are imported and the data drawn first: the timed "compile + first step" starts after them (the parent
// also reports spawn → ready, which includes them).
const data = makeData(batch, hidden);
const modules = {};
if (system.startsWith('gradc')) modules.gradc = await import('gradc');
if (system === 'hand') modules.hand = await import('./mlp-handwritten.js');
if (system.startsWith('tfjs')) modules.tf = await import('@tensorflow/tfjs');
if (system === 'tfjs-wasm') {
  modules.wasm = await import('@tensorflow/tfjs-backend-wasm').catch((e) => ({
    skip: `@tensorflow/tfjs-backend-wasm not installed (${e.code ?? e.message})`,
  }));
}
if (args.includes('--serve')) await serve(builders[system]);
else {
  const t0 = performance.now();
  const peer = await builders[system]();
  if (peer.skip) {
    console.log(`skip ${peer.skip}`);
    process.exit(3);
  }
  console.log(`first-step loss ${peer.step(0).toFixed(5)} (compile + first step ${(performance.now() - t0).toFixed(1)} ms)`);
  const ms = Array.from({ length: opt('rounds', 7) }, () => timedRound(peer.step, opt('steps', 200))).sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)];
  console.log(`${peer.name}, hidden ${hidden}, batch ${batch}, median round: ${Math.round((batch / med) * 1000).toLocaleString('en-US')} samples/s   ${med.toFixed(3)} ms/step`);
}
