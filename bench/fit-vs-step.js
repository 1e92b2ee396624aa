// model.fit against the bare compiled step it runs, in one process: what shuffling, gathering
// batch rows, metrics and the epoch loop cost on top of the training step itself.
//   npm run build && node bench/fit-vs-step.js [--rounds 5] [--pixels uint8|float32] [--train-size 60000]
// The seed recipe (784 → 32 relu → 10 softmax, Adam, batch 32, metrics ['accuracy']) on MNIST.
// "step": the very program fit runs (model.trainStep, same batch size and feed types), run on
// batches gathered beforehand, an epoch's worth of steps. "fit": one epoch of model.fit
// (verbose 0), then the same with an onBatchEnd callback (as `gradc train`'s progress bar), then
// one fit of 3 epochs (its setup, ~4 ms of checking y and building the epoch's state, paid once).
// Rounds alternate the three, so a busy machine hurts them alike; medians are reported, per
// second of wall time and per second of this process's CPU time (process.cpuUsage: steadier when
// other processes compete for the cores), with the median of each round's fit/step ratio.
import { datasets, layers, sequential } from 'gradc';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('rounds', '5'));
const pixels = opt('pixels', 'uint8');
const trainSize = opt('train-size', undefined);
const batch = 32;

const data = datasets.mnist({ pixels, ...(trainSize === undefined ? {} : { trainSize: Number(trainSize) }) });
const bytes = data.xTrain.data instanceof Uint8Array;
const n = data.xTrain.shape[0];
const steps = Math.floor(n / batch);

const model = sequential({ seed: 42 });
if (bytes) model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
model.add(layers.dense({ units: 32, activation: 'relu', ...(bytes ? {} : { inputDim: 784 }) }));
model.add(layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
const backend = model.config.backend;

// The bare step: fit's own program, fed batches gathered beforehand (a few, reused).
const step = model.trainStep(batch, true, bytes);
const held = 16;
const xs = [], ts = [];
for (let b = 0; b < held; b++) {
  xs.push(data.xTrain.data.slice(b * batch * 784, (b + 1) * batch * 784));
  ts.push(data.yTrain.data.slice(b * batch * 10, (b + 1) * batch * 10));
}
const lrT = new Float32Array([1e-3]);
const feeds = { x: xs[0], target: ts[0], 'adam/lr_t': lrT };

/** Samples per second of wall time and of CPU time for `run`, which trains on `samples` rows. */
async function timed(samples, run) {
  const w0 = performance.now(), c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0), w = performance.now() - w0;
  return { wall: samples / (w / 1000), cpu: samples / ((c.user + c.system) / 1e6) };
}

const stepEpoch = () => timed(steps * batch, () => {
  for (let s = 0; s < steps; s++) {
    feeds.x = xs[s % held];
    feeds.target = ts[s % held];
    step.run(feeds);
  }
});

const fitEpoch = (callbacks) => timed(n, () => model.fit(data.xTrain, data.yTrain, { epochs: 1, batchSize: batch, verbose: 0, ...(callbacks ? { callbacks } : {}) }));

let sink = 0;
const onBatchEnd = { onBatchEnd: (_b, logs) => { sink += logs.loss; } };
// warm up all three (JIT, the last-batch program)
await stepEpoch();
await fitEpoch();
await fitEpoch(onBatchEnd);
const fit3 = () => timed(3 * n, () => model.fit(data.xTrain, data.yTrain, { epochs: 3, batchSize: batch, verbose: 0 }));

const res = { step: [], fit: [], fitCb: [], fit3: [] };
for (let r = 0; r < rounds; r++) {
  res.step.push(await stepEpoch());
  res.fit.push(await fitEpoch());
  res.fitCb.push(await fitEpoch(onBatchEnd));
  res.fit3.push(await fit3());
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const fmt = (v) => Math.round(v).toLocaleString('en-US').padStart(8);
const pct = (v) => `${(v * 100).toFixed(1)}%`.padStart(6);
console.log(`seed MLP, MNIST ${n.toLocaleString('en-US')} rows as ${bytes ? 'bytes (uint8, rescaled in the first kernel)' : 'float32'}, batch ${batch}, backend ${backend}, median of ${rounds} rounds (node ${process.version})`);
console.log(`                          samples/s (wall)  samples/s (CPU)  of the step (wall, CPU)`);
const row = (label, k) => {
  const w = median(res[k].map((r) => r.wall)), c = median(res[k].map((r) => r.cpu));
  const rw = median(res[k].map((r, i) => r.wall / res.step[i].wall)), rc = median(res[k].map((r, i) => r.cpu / res.step[i].cpu));
  console.log(`${label.padEnd(26)}${fmt(w)}          ${fmt(c)}         ${k === 'step' ? '' : `${pct(rw)}  ${pct(rc)}`}`);
};
row('bare compiled step', 'step');
row('fit, one epoch', 'fit');
row('fit + onBatchEnd callback', 'fitCb');
row('fit, 3 epochs in one call', 'fit3');
if (!Number.isFinite(sink)) console.log('(the loss diverged)');
