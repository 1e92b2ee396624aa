/** `gradc train`: the seed recipe on MNIST, with a progress bar, test accuracy, the model and its training curve. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mnist } from '../data/mnist.js';
import { writeFileAtomic } from '../data/atomic-file.js';
import { checkOutDir, checkOutFile } from './output-paths.js';
import { epochProgress } from './progress.js';
import { describeRecipe, seedModel, type RecipeOptions } from './seed-model.js';
import { trainingCurveSvg } from './training-curve.js';

export interface TrainOptions extends RecipeOptions {
  epochs: number;
  batchSize: number;
  out: string;
  curve: string;
  trainSize?: number;
  testSize?: number;
}

export async function train(o: TrainOptions, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<{ testAcc: number; testLoss: number }> {
  // every output path is checked before the data is loaded: a bad one must not cost a run
  const out = checkOutDir(o.out);
  const curve = checkOutFile(o.curve, '--curve');
  if (out === curve) throw new Error(`--out and --curve are both ${o.out}; give the curve its own file name`);
  for (const [flag, v, max] of [['--train-size', o.trainSize, 60000], ['--test-size', o.testSize, 10000]] as const) {
    if (v !== undefined && v > max) throw new Error(`${flag} ${v}: MNIST has ${max.toLocaleString('en-US')} ${flag === '--train-size' ? 'training' : 'test'} images; pass at most ${max}`);
  }
  const loadStart = Date.now();
  const data = mnist({ trainSize: o.trainSize, testSize: o.testSize });
  const nTrain = data.xTrain.shape[0]!;
  const nTest = data.xTest.shape[0]!;
  const recipe: RecipeOptions = { hidden: o.hidden, activation: o.activation, optimizer: o.optimizer, lr: o.lr, backend: o.backend, seed: o.seed };
  const model = seedModel(recipe);
  const opt = model.config!.optimizer;
  print(`gradc train: MNIST ${nTrain.toLocaleString('en-US')} train / ${nTest.toLocaleString('en-US')} test (loaded in ${Date.now() - loadStart} ms)`);
  print(`model ${describeRecipe(recipe)} · ${opt.name} lr ${opt.learningRate} · batch ${o.batchSize} · ${o.epochs} epochs · seed ${o.seed} · backend ${o.backend}`);
  const compileStart = Date.now();
  const step = model.trainStep(Math.min(o.batchSize, nTrain), true, data.xTrain.data instanceof Uint8Array);
  const built = o.backend === 'reference' ? 'built for the reference interpreter' : `compiled once: ${step.kernels.length} fused kernels`;
  print(`training step ${built} in ${Date.now() - compileStart} ms`);

  const batches = Math.ceil(nTrain / o.batchSize);
  const progress = epochProgress(o.epochs, batches, nTrain);
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const history = await model.fit(data.xTrain, data.yTrain, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    verbose: 0,
    callbacks: {
      onEpochBegin: (e) => progress.begin(e),
      onBatchEnd: (_b, logs) => progress.batch(logs),
      onEpochEnd: (e, logs) => progress.end(e, logs),
    },
  });
  const trainSecs = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds too: on a machine shared with other jobs the wall time also counts their turns
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const test = model.evaluate(data.xTest, data.yTest);
  print(`trained ${o.epochs} epochs in ${trainSecs.toFixed(2)} s (${Math.round((nTrain * o.epochs) / Math.max(trainSecs, 1e-3)).toLocaleString('en-US')} samples/s; ${cpuSecs.toFixed(2)} s of CPU)`);
  print(`test accuracy: ${(test.acc! * 100).toFixed(2)}% (loss ${test.loss.toFixed(4)}) on ${nTest.toLocaleString('en-US')} test images`);

  await model.save(out);
  mkdirSync(dirname(curve), { recursive: true });
  if (o.epochs > 0) {
    writeFileAtomic(
      curve,
      trainingCurveSvg(
        { loss: history.history.loss, acc: history.history.acc, testAcc: test.acc },
        { title: `gradc · MNIST · ${describeRecipe(recipe)}`, subtitle: `${opt.name} lr ${opt.learningRate} · batch ${o.batchSize} · seed ${o.seed} · ${nTrain.toLocaleString('en-US')} training images · test accuracy ${(test.acc! * 100).toFixed(2)}%` },
      ),
    );
  }
  print(`wrote the model to ${join(o.out, 'model.json')} (+ weights)${o.epochs > 0 ? ` and the training curve to ${o.curve}` : ''}`);
  return { testAcc: test.acc!, testLoss: test.loss };
}
