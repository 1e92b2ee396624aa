// The exported training step on onnxruntime beside gradc's own backends, in one run: the seed MLP
// (784 → 32 relu → 10 softmax, categorical cross-entropy, Adam, batch 32), exported with
// `toOnnx(model, { step: 'train' })` and run by onnxruntime-node (CPU, 1 and 2 intra-op threads),
// against the same model's compiled step on gradc wasm and gradc js. Every system starts from the
// same weights and sees the same batches; the loop is the caller's in every case (onnxruntime: the
// new params and slots of each step are fed back as the next step's inputs, as a user would).
//
// Rounds alternate the systems so a busy machine hurts them alike; per system the median round is
// reported, with its ratio to gradc wasm and the spread (min–max) of the per-round ratios.
//   npm run build && node bench/onnx-train-step.js [--rounds 7] [--steps 200] [--threads 1,2]
// onnxruntime-node is loaded from $GRADC_ONNXRUNTIME_DIR or .cache/onnxruntime/ (as the tests do):
//   npm install --prefix .cache/onnxruntime --no-save --ignore-scripts onnxruntime-node@1.30.0
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { layers, sequential, toOneHot } from 'gradc';
import { exportOnnx } from 'gradc/onnx';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('rounds', 7));
const steps = Number(opt('steps', 200));
const threads = opt('threads', '1,2').split(',').filter(Boolean).map(Number);
const BATCH = 32;

const root = fileURLToPath(new URL('..', import.meta.url));
const ortDir = process.env.GRADC_ONNXRUNTIME_DIR ?? join(root, '.cache', 'onnxruntime');
const ortPkg = join(ortDir, 'node_modules', 'onnxruntime-node', 'package.json');
if (!existsSync(ortPkg)) {
  console.log(`onnxruntime-node is not installed in ${ortDir}: npm install --prefix ${ortDir} --no-save --ignore-scripts onnxruntime-node@1.30.0`);
  process.exit(1);
}
const ort = createRequire(ortPkg)('onnxruntime-node');

function seedModel(backend) {
  const m = sequential({ seed: 42 });
  m.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
  m.add(layers.dense({ units: 32, activation: 'relu' }));
  m.add(layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', backend });
  return m;
}

// 64 batches of MNIST-shaped data (pixels 0..255 as floats, one-hot labels), cycled.
const NB = 64;
let s = 12345;
const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const xs = Array.from({ length: NB }, () => Float32Array.from({ length: BATCH * 784 }, () => Math.floor(rand() * 256)));
const ts = Array.from({ length: NB }, () => toOneHot(Float32Array.from({ length: BATCH }, () => Math.floor(rand() * 10)), 10).data);

/** gradc: the model's own compiled step (fit's path without the shuffling). */
function gradcSystem(backend) {
  const m = seedModel(backend);
  const program = m.trainStep(BATCH);
  const plan = m.stepGraph('train', BATCH).train.plan;
  const scalars = plan.scalars.map(() => new Float32Array(1));
  const feeds = { x: xs[0], target: ts[0] };
  plan.scalars.forEach((sc, i) => (feeds[sc.attrs.name] = scalars[i]));
  const opt = m.config.optimizer;
  let t = 0;
  return {
    label: `gradc ${backend}`,
    step() {
      opt.fill(plan, t + 1, scalars);
      feeds.x = xs[t % NB];
      feeds.target = ts[t % NB];
      t++;
      return program.run(feeds).loss[0];
    },
    params: () => { const w = new Float32Array(784 * 32); program.readParam(m.params[0], w); return w; },
  };
}

/** onnxruntime: the exported step, params and slots fed back each step. */
async function ortSystem(k) {
  const m = seedModel('js');
  const g = exportOnnx(m, { step: 'train', batchSize: BATCH });
  const session = await ort.InferenceSession.create(g.bytes, { intraOpNumThreads: k, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const plan = m.stepGraph('train', BATCH).train.plan;
  const scalars = plan.scalars.map(() => new Float32Array(1));
  const shape = Object.fromEntries(g.inputs.map((i) => [i.name, i.shape]));
  const feeds = {};
  for (const tns of m.saveState().tensors) feeds[tns.name] = new ort.Tensor('float32', Float32Array.from(tns.value), shape[tns.name]);
  const opt = m.config.optimizer;
  let t = 0;
  return {
    label: `onnxruntime ${k}t`,
    async step() {
      opt.fill(plan, t + 1, scalars);
      feeds.x = new ort.Tensor('float32', xs[t % NB], [BATCH, 784]);
      feeds.target = new ort.Tensor('float32', ts[t % NB], [BATCH, 10]);
      plan.scalars.forEach((sc, i) => (feeds[sc.attrs.name] = new ort.Tensor('float32', scalars[i], [])));
      t++;
      const out = await session.run(feeds);
      for (const { input, output } of g.state) feeds[input] = out[output];
      return out.loss.data[0];
    },
    params: () => feeds['dense_1/kernel'].data,
  };
}

const systems = [gradcSystem('wasm'), gradcSystem('js')];
for (const k of threads) systems.push(await ortSystem(k));

// Same start, same batches: after a few steps every system holds the same weights.
for (let i = 0; i < 5; i++) for (const sys of systems) await sys.step();
const ref = systems[0].params();
const agree = systems.map((sys) => { const p = sys.params(); let e = 0; for (let i = 0; i < p.length; i++) e = Math.max(e, Math.abs(p[i] - ref[i])); return e; });
console.log(`after 5 steps, max |W1 − W1(gradc wasm)|: ${systems.map((sys, i) => `${sys.label} ${agree[i].toExponential(1)}`).join(', ')}`);
if (!agree.every((e) => e < 1e-4)) throw new Error('the systems disagree: not the same training step');

const load0 = loadavg()[0];
const perSys = systems.map(() => []);
for (let r = -1; r < rounds; r++) {
  for (let j = 0; j < systems.length; j++) {
    const i = (j + r + systems.length) % systems.length;
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) await systems[i].step();
    const ms = (performance.now() - t0) / steps;
    if (r >= 0) perSys[i].push(ms);
  }
}
const load1 = loadavg()[0];
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ratios = perSys.map((v) => v.map((ms, r) => perSys[0][r] / ms));
console.log(`seed MLP training step, batch ${BATCH}, node ${process.version}, onnxruntime-node ${ort.env.versions?.node ?? '?'}, ${cpus().length} CPUs, ${rounds} rounds × ${steps} steps, median round; load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
console.log('');
console.log('| system | samples/s | ms/step | vs gradc wasm (medians) | per-round ratio, median (min–max) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
systems.forEach((sys, i) => {
  const ms = median(perSys[i]);
  const rr = ratios[i];
  console.log(`| ${sys.label} | ${Math.round((BATCH * 1000) / ms).toLocaleString('en-US')} | ${ms.toFixed(3)} | ${(median(perSys[0]) / ms).toFixed(2)}× | ${median(rr).toFixed(2)}× (${Math.min(...rr).toFixed(2)}–${Math.max(...rr).toFixed(2)}) |`);
});
