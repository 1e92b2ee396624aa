/**
 * model.fit: checks everything, then feeds batches to the compiled training step. The step is
 * built once per batch size (the full size, and the last smaller batch's size), so an epoch
 * allocates nothing per step: rows are gathered into the programs' own feed buffers.
 */
import { Rng } from '../data/rng.js';
import type { TensorData } from '../data/tensor-data.js';
import { checkX, checkY } from './data-input.js';
import { evaluateRange, gatherRows } from './inference.js';
import { accuracyCount, countCorrect, type AccuracyMode } from './metrics.js';
import { checkPositiveInt } from './checks.js';
import type { Held, Sequential } from './sequential.js';

export interface EpochLogs {
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

/** Per-batch logs: ONE object, updated in place after every batch (copy what you keep). */
export interface BatchLogs {
  batch: number;
  size: number;
  loss: number;
  acc?: number;
}

export interface Callbacks {
  onTrainBegin?: () => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onTrainEnd?: () => void | Promise<void>;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of the data, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [unknown, unknown];
  callbacks?: Callbacks;
  /** 0: silent; 1 (default): one line per epoch. */
  verbose?: 0 | 1;
  /** Reseeds the model's generator (shuffling) before training. */
  seed?: number;
  /** The epoch to start from (resuming: `model.epochsTrained`); trains epochs initialEpoch..epochs−1. */
  initialEpoch?: number;
}

export interface History {
  epoch: number[];
  history: { loss: number[]; acc?: number[]; val_loss?: number[]; val_acc?: number[] };
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'seed', 'initialEpoch'];

function isThenable(v: unknown): v is Promise<void> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

interface Checked {
  x: TensorData;
  y: TensorData;
  oneHot: boolean;
  nTrain: number;
  val: { x: TensorData; y: TensorData; oneHot: boolean; start: number; end: number } | null;
}

function checkFit(model: Sequential, xIn: unknown, yIn: unknown, o: FitOptions): Checked {
  const cfg = model.requireConfig('fit');
  const x = checkX(xIn, model.inputDim, 'fit: x');
  const n = x.shape[0]!;
  const { y, oneHot } = checkY(yIn, n, model.outputUnits, cfg.loss, 'fit: y');
  if (o.validationSplit !== undefined && o.validationData !== undefined) {
    throw new Error('fit: give validationSplit or validationData, not both');
  }
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new Error('fit: validationData must be [xVal, yVal]');
    const vx = checkX(o.validationData[0], model.inputDim, 'fit: validationData x');
    const vy = checkY(o.validationData[1], vx.shape[0]!, model.outputUnits, cfg.loss, 'fit: validationData y');
    return { x, y, oneHot, nTrain: n, val: { x: vx, y: vy.y, oneHot: vy.oneHot, start: 0, end: vx.shape[0]! } };
  }
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${String(split)}`);
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain < 1) throw new Error(`fit: validationSplit ${split} leaves no training examples out of ${n}`);
  if (split > 0 && nTrain === n) throw new Error(`fit: validationSplit ${split} of ${n} examples holds out none; use a larger split`);
  return { x, y, oneHot, nTrain, val: split > 0 ? { x, y, oneHot, start: nTrain, end: n } : null };
}

/** Everything the batch loop needs, allocated once per fit. */
interface EpochRun {
  model: Sequential;
  main: Held | null;
  last: Held | null;
  full: number;
  rest: number;
  batchSize: number;
  nTrain: number;
  order: Int32Array;
  x: Float32Array;
  y: Float32Array;
  width: number;
  yWidth: number;
  units: number;
  mode: AccuracyMode;
  metrics: boolean;
  onBatchEnd: Callbacks['onBatchEnd'] | null;
  logs: BatchLogs;
  /** [Σ loss·rows, correct predictions] of the epoch so far: typed, so accumulating never boxes. */
  acc: Float64Array;
  /** A promise returned by onBatchEnd, awaited before the next batch. */
  pending: Promise<void> | null;
}

/**
 * Trains batches b0, b0+1, … synchronously (no per-step allocation: rows are gathered into the
 * step's own feed buffers, sums kept in a typed array) until the epoch ends or a callback returns
 * a promise. Returns the next batch index.
 */
function trainBatches(r: EpochRun, b0: number, batches: number): number {
  const { model, order, x, y, width, yWidth, units, mode, metrics, logs, acc } = r;
  for (let b = b0; b < batches; b++) {
    const held = b < r.full ? r.main! : r.last!;
    const rows = b < r.full ? r.batchSize : r.rest;
    model.activate(held);
    const feeds = held.feeds;
    const t = feeds['target']!;
    gatherRows(x, width, feeds['x']!, order, b * r.batchSize, rows);
    gatherRows(y, yWidth, t, order, b * r.batchSize, rows);
    model.step++;
    if (held.scalarFeeds.length > 0) held.train!.plan.fillScalars(model.step, held.scalarFeeds);
    const out = held.program.run(feeds);
    model.trained(held);
    const loss = out['loss']![0]!;
    acc[0] += loss * rows;
    let batchCorrect = 0;
    if (metrics) {
      batchCorrect = countCorrect(out['y']!, t, rows, units, mode);
      acc[1] += batchCorrect;
    }
    if (r.onBatchEnd) {
      logs.batch = b;
      logs.size = rows;
      logs.loss = loss;
      if (metrics) logs.acc = batchCorrect / accuracyCount(rows, units, mode);
      const p = r.onBatchEnd(b, logs);
      if (isThenable(p)) {
        r.pending = p;
        return b + 1;
      }
    }
  }
  return batches;
}

export async function fitModel(model: Sequential, xIn: unknown, yIn: unknown, options: FitOptions = {}): Promise<History> {
  if (options === null || typeof options !== 'object') throw new Error('fit: options must be an object like { epochs: 10, batchSize: 32 }');
  for (const k of Object.keys(options)) {
    if (!FIT_KEYS.includes(k)) throw new Error(`fit: unknown option '${k}'; options are ${FIT_KEYS.join(', ')}`);
  }
  const cfg = model.requireConfig('fit');
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${String(epochs)}`);
  const batchSize = checkPositiveInt('fit: batchSize', options.batchSize ?? 32);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${String(initialEpoch)}`);
  const shuffle = options.shuffle ?? true;
  const verbose = options.verbose ?? 1;
  const cb = options.callbacks ?? {};
  const data = checkFit(model, xIn, yIn, options);
  if (options.seed !== undefined) model.rng = new Rng(options.seed);

  const { x, y, oneHot, nTrain } = data;
  const width = model.inputDim;
  const units = model.outputUnits;
  const yWidth = y.shape.length === 1 ? 1 : units;
  const metrics = cfg.metrics.length > 0;
  const full = Math.floor(nTrain / batchSize);
  const rest = nTrain % batchSize;
  // Build both step programs before the first step: errors surface before any training.
  const main = full > 0 ? model.program('train', batchSize, oneHot) : null;
  const last = rest > 0 ? model.program('train', rest, oneHot) : null;

  const order = new Int32Array(nTrain);
  const logs: BatchLogs = { batch: 0, size: 0, loss: 0 };
  const history: History = { epoch: [], history: { loss: [] } };
  if (metrics) history.history.acc = [];
  if (data.val) {
    history.history.val_loss = [];
    if (metrics) history.history.val_acc = [];
  }
  if (cb.onTrainBegin) { const r = cb.onTrainBegin(); if (isThenable(r)) await r; }

  const run: EpochRun = {
    model, main, last, full, rest, batchSize, nTrain, order, x: x.data, y: y.data, width, yWidth, units,
    mode: cfg.accuracy, metrics, onBatchEnd: cb.onBatchEnd ?? null, logs, acc: new Float64Array(2), pending: null,
  };
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    const started = Date.now();
    if (cb.onEpochBegin) { const r = cb.onEpochBegin(epoch); if (isThenable(r)) await r; }
    for (let i = 0; i < nTrain; i++) order[i] = i;
    if (shuffle) model.rng.shuffle(order);
    run.acc[0] = 0;
    run.acc[1] = 0;
    const batches = full + (rest > 0 ? 1 : 0);
    for (let b = 0; b < batches; ) {
      b = trainBatches(run, b, batches);
      if (run.pending) {
        const p = run.pending;
        run.pending = null;
        await p;
      }
    }
    const lossSum = run.acc[0]!;
    const correct = run.acc[1]!;
    const epochLogs: EpochLogs = { loss: lossSum / nTrain };
    if (metrics) epochLogs.acc = correct / accuracyCount(nTrain, units, cfg.accuracy);
    if (data.val) {
      const v = evaluateRange(model, data.val.x, data.val.y, data.val.oneHot, data.val.start, data.val.end, batchSize);
      epochLogs.val_loss = v.loss;
      if (v.acc !== undefined) epochLogs.val_acc = v.acc;
    }
    model.epochsTrained = epoch + 1;
    history.epoch.push(epoch);
    history.history.loss.push(epochLogs.loss);
    if (epochLogs.acc !== undefined) history.history.acc!.push(epochLogs.acc);
    if (epochLogs.val_loss !== undefined) history.history.val_loss!.push(epochLogs.val_loss);
    if (epochLogs.val_acc !== undefined) history.history.val_acc!.push(epochLogs.val_acc);
    if (verbose === 1) {
      const parts = Object.entries(epochLogs).map(([k, v]) => `${k}: ${(v as number).toFixed(4)}`);
      console.log(`Epoch ${epoch + 1}/${epochs} - ${((Date.now() - started) / 1000).toFixed(1)}s - ${parts.join(' - ')}`);
    }
    if (cb.onEpochEnd) { const r = cb.onEpochEnd(epoch, epochLogs); if (isThenable(r)) await r; }
  }
  model.pull();
  if (cb.onTrainEnd) { const r = cb.onTrainEnd(); if (isThenable(r)) await r; }
  return history;
}
