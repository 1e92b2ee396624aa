// Whole training runs of the seed recipe on real MNIST (784→32 relu→10 softmax, adam,
// categorical cross-entropy, batch 32), in gradc and in @tensorflow/tfjs (cpu backend), one
// after the other in the same process: test accuracy per epoch, time, samples/s.
//   npm run build && node bench/train-mnist.js [--epochs 10] [--lib gradc,tfjs] [--seed 42] [--train-size N]
// Speed alone, robust to a busy machine (the two libraries alternate, 200 steps a round, median of rounds):
//   npm run build && node bench/train-mnist.js --speed [--rounds 5]
import { datasets, layers, sequential } from 'gradc';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const epochs = Number(opt('epochs', '10'));
const seed = Number(opt('seed', '42'));
const libs = opt('lib', 'gradc,tfjs').split(',');
const trainSize = opt('train-size', undefined);
const batchSize = 32;

const data = datasets.mnist({ trainSize: trainSize === undefined ? undefined : Number(trainSize) });
const nTrain = data.xTrain.shape[0];
const nTest = data.xTest.shape[0];
console.log(`MNIST ${nTrain} train / ${nTest} test · ${epochs} epochs · batch ${batchSize} · node ${process.version}`);

/** MNIST's bytes as floats in [0, 1], for tfjs (gradc reads the bytes and scales them in its first kernel). */
const floats = (bytes) => Float32Array.from(bytes, (v) => v / 255);

function line(lib, e, secs, loss, acc, testAcc) {
  console.log(`${lib.padEnd(6)} epoch ${String(e).padStart(2)} | ${secs.toFixed(1).padStart(6)} s | ${Math.round(nTrain / secs).toLocaleString('en-US').padStart(7)} samples/s | loss ${loss.toFixed(4)} | train acc ${(acc * 100).toFixed(2)}% | test acc ${(testAcc * 100).toFixed(2)}%`);
}

async function runGradc() {
  const model = sequential({ seed });
  model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 })); // MNIST's bytes, scaled in the first kernel
  model.add(layers.dense({ units: 32, activation: 'relu' }));
  model.add(layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  let t0 = Date.now();
  const total = Date.now();
  let trainSecs = 0;
  const results = [];
  await model.fit(data.xTrain, data.yTrain, {
    epochs, batchSize, verbose: 0,
    callbacks: {
      onEpochBegin: () => { t0 = Date.now(); },
      onEpochEnd: (e, logs) => {
        const secs = (Date.now() - t0) / 1000;
        trainSecs += secs;
        const test = model.evaluate(data.xTest, data.yTest);
        results.push(test.acc);
        line('gradc', e + 1, secs, logs.loss, logs.acc, test.acc);
      },
    },
  });
  return { lib: 'gradc', trainSecs, wall: (Date.now() - total) / 1000, results };
}

async function runTfjs() {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 32, inputShape: [784], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  const xs = tf.tensor2d(floats(data.xTrain.data), [nTrain, 784]);
  const ys = tf.tensor2d(data.yTrain.data, [nTrain, 10]);
  const xt = tf.tensor2d(floats(data.xTest.data), [nTest, 784]);
  const yt = tf.tensor2d(data.yTest.data, [nTest, 10]);
  let t0 = Date.now();
  const total = Date.now();
  let trainSecs = 0;
  const results = [];
  await model.fit(xs, ys, {
    epochs, batchSize, shuffle: true, verbose: 0,
    callbacks: {
      onEpochBegin: async () => { t0 = Date.now(); },
      onEpochEnd: async (e, logs) => {
        const secs = (Date.now() - t0) / 1000;
        trainSecs += secs;
        const [, acc] = model.evaluate(xt, yt, { batchSize: 256 });
        const testAcc = (await acc.data())[0];
        results.push(testAcc);
        line('tfjs', e + 1, secs, logs.loss, logs.acc, testAcc);
      },
    },
  });
  return { lib: 'tfjs', trainSecs, wall: (Date.now() - total) / 1000, results };
}

/** Samples/s of each library's training step, alternating rounds of 200 batches of 32 (the seed recipe). */
async function speed(rounds) {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const n = 6400;
  const xs = { shape: [n, 784], data: data.xTrain.data.subarray(0, n * 784) };
  const ys = { shape: [n, 10], data: data.yTrain.data.subarray(0, n * 10), oneHot: true };
  const g = sequential({ seed });
  g.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
  g.add(layers.dense({ units: 32, activation: 'relu' }));
  g.add(layers.dense({ units: 10, activation: 'softmax' }));
  g.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  const t = tf.sequential();
  t.add(tf.layers.dense({ units: 32, inputShape: [784], activation: 'relu' }));
  t.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  t.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  const tx = tf.tensor2d(floats(xs.data), [n, 784]);
  const ty = tf.tensor2d(ys.data, [n, 10]);
  await g.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 }); // warm-up: compile, JIT
  await t.fit(tx, ty, { epochs: 1, batchSize, verbose: 0 });
  const rate = { gradc: [], tfjs: [] };
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    await g.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 });
    rate.gradc.push(n / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    await t.fit(tx, ty, { epochs: 1, batchSize, verbose: 0 });
    rate.tfjs.push(n / ((performance.now() - t0) / 1000));
    console.log(`round ${r + 1}: gradc ${Math.round(rate.gradc[r]).toLocaleString('en-US')} samples/s, tfjs ${Math.round(rate.tfjs[r]).toLocaleString('en-US')} samples/s`);
  }
  const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const mg = median(rate.gradc), mt = median(rate.tfjs);
  const ratio = median(rate.gradc.map((g, i) => g / rate.tfjs[i]));
  console.log(`median: gradc ${Math.round(mg).toLocaleString('en-US')} samples/s, tfjs-cpu ${Math.round(mt).toLocaleString('en-US')} samples/s`);
  console.log(`gradc/tfjs, median of the per-round ratios: ${ratio.toFixed(1)}×`);
}

if (args.includes('--speed')) {
  await speed(Number(opt('rounds', '5')));
  process.exit(0);
}

const summary = [];
for (const lib of libs) summary.push(lib === 'tfjs' ? await runTfjs() : await runGradc());
console.log('\nlib    | epoch-1 test acc | final test acc | train time | samples/s');
for (const s of summary) {
  console.log(`${s.lib.padEnd(6)} | ${(s.results[0] * 100).toFixed(2).padStart(15)}% | ${(s.results.at(-1) * 100).toFixed(2).padStart(13)}% | ${s.trainSecs.toFixed(1).padStart(8)} s | ${Math.round((nTrain * epochs) / s.trainSecs).toLocaleString('en-US')}`);
}
if (summary.length === 2) console.log(`gradc / tfjs training speed: ${(summary[1].trainSecs / summary[0].trainSecs).toFixed(1)}×`);
