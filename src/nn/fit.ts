/**
 * model.fit: checks everything, then feeds batches to the compiled training step. The step is
 * built once per batch size (the full size, and the last smaller batch's size), so an epoch
 * allocates nothing per step: rows are gathered into the programs' own feed buffers. A callback
 * may recompile the model (a new optimizer or learning rate) or set `model.stopTraining`; both
 * take effect at the next batch.
 */
import { warn } from '../compile/warn.js';
import type { TensorData } from '../data/tensor-data.js';
import { checkXs, checkYs, labelArray, type Features, type Labels } from './data-input.js';
import { gatherRows, orderLabels, writeOneHotRows } from './batch-rows.js';
import { batchFor, evaluateRange, scoreBatch, scoreCount, scorersOf, type Scorer } from './inference.js';
import { checkPositiveInt } from './checks.js';
import type { Held, Trainable } from './trainable.js';

/** Per-epoch logs: loss, each metric (acc, mae, …), and val_ versions with validation data. */
export type EpochLogs = { loss: number; acc?: number; val_loss?: number; val_acc?: number } & Record<string, number>;

/** Per-batch logs: ONE object, updated in place after every batch (copy what you keep). */
export type BatchLogs = { batch: number; size: number; loss: number; acc?: number } & Record<string, number>;

export interface Callbacks {
  /** Called once before training with the model being trained (built-in callbacks keep it). */
  setModel?: (model: Trainable) => void;
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
  /** One callbacks object, or a list of them (Keras style: `[callbacks.earlyStopping(), { onEpochEnd }]`). */
  callbacks?: Callbacks | readonly Callbacks[];
  /** 0: silent; 1 (default): one line per epoch. */
  verbose?: 0 | 1;
  /** Reseeds the model's generator (shuffling) before training. */
  seed?: number;
  /** The epoch to start from (resuming: `model.epochsTrained`); trains epochs initialEpoch..epochs−1. */
  initialEpoch?: number;
}

export interface History {
  epoch: number[];
  history: { loss: number[]; acc?: number[]; val_loss?: number[]; val_acc?: number[] } & Record<string, number[]>;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'seed', 'initialEpoch'];
const HOOKS = ['setModel', 'onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;

function isThenable(v: unknown): v is Promise<void> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Several callback objects as one, called in order. */
function mergeCallbacks(cb: unknown): Callbacks {
  const list = cb === undefined ? [] : Array.isArray(cb) ? cb : [cb];
  list.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new Error(`fit: callbacks${Array.isArray(cb) ? `[${i}]` : ''} must be an object like { onEpochEnd(epoch, logs) {…} }, got ${c === null ? 'null' : typeof c}`);
    for (const k of Object.keys(c)) {
      if (!(HOOKS as readonly string[]).includes(k) && typeof (c as Record<string, unknown>)[k] === 'function') throw new Error(`fit: unknown callback '${k}'; callbacks are ${HOOKS.join(', ')}`);
    }
  });
  if (list.length === 1 && !Array.isArray(cb)) return list[0] as Callbacks;
  const out: Callbacks = {};
  for (const h of HOOKS) {
    const fns = (list as Callbacks[]).map((c) => c[h]?.bind(c)).filter((f) => f !== undefined) as ((...a: unknown[]) => unknown)[];
    if (fns.length === 0) continue;
    (out as Record<string, unknown>)[h] = (...args: unknown[]) => {
      let chain: Promise<void> | null = null;
      for (const f of fns) {
        if (chain) chain = chain.then(() => f(...args) as void);
        else {
          const r = f(...args);
          if (isThenable(r)) chain = r;
        }
      }
      return chain ?? undefined;
    };
  }
  return out;
}

interface Checked {
  /** Per input, and per output with a loss. */
  x: Features[];
  y: TensorData[];
  oneHot: boolean[];
  /** Per output with a loss: each row's class when its targets are one-hot rows, else null. */
  labels: (Labels | null)[];
  nTrain: number;
  val: { x: Features[]; y: TensorData[]; oneHot: boolean[]; start: number; end: number } | null;
}

function checkFit(model: Trainable, xIn: unknown, yIn: unknown, o: FitOptions): Checked {
  const cfg = model.requireConfig('fit');
  const outputs = model.outputInfo.map((t) => t.name);
  const x = checkXs(xIn, model.inputInfo, 'fit: x');
  const n = x[0]!.shape[0]!;
  const { ys: y, oneHot, labels } = checkYs(yIn, n, cfg.heads, outputs, 'fit: y');
  if (o.validationSplit !== undefined && o.validationData !== undefined) {
    throw new Error('fit: give validationSplit or validationData, not both');
  }
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new Error('fit: validationData must be [xVal, yVal]');
    const vx = checkXs(o.validationData[0], model.inputInfo, 'fit: validationData x');
    const vn = vx[0]!.shape[0]!;
    const vy = checkYs(o.validationData[1], vn, cfg.heads, outputs, 'fit: validationData y');
    return { x, y, oneHot, labels, nTrain: n, val: { x: vx, y: vy.ys, oneHot: vy.oneHot, start: 0, end: vn } };
  }
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1), got ${String(split)}`);
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain < 1) throw new Error(`fit: validationSplit ${split} leaves no training examples out of ${n}`);
  if (split > 0 && nTrain === n) throw new Error(`fit: validationSplit ${split} of ${n} examples holds out none; use a larger split`);
  return { x, y, oneHot, labels, nTrain, val: split > 0 ? { x, y, oneHot, start: nTrain, end: n } : null };
}

/** Everything the batch loop needs, allocated once per fit. */
interface EpochRun {
  model: Trainable;
  main: Held | null;
  last: Held | null;
  /** The model's generation the programs above belong to. */
  generation: number;
  /** The losses this fit checked its targets for (compile's loss, as JSON; the weights may change). */
  loss: string;
  oneHot: boolean[];
  full: number;
  rest: number;
  batchSize: number;
  order: Int32Array;
  /** The features of each input as given: floats, or bytes (fed as bytes); the targets of each output with a loss. */
  x: (Float32Array | Uint8Array)[];
  y: Float32Array[];
  /** Per output with a loss: each row's class (one-hot targets, written from these), else null. */
  labels: (Labels | null)[];
  /** `labels` in the epoch's order: the shuffled reads happen once an epoch, in one pass, and batches read forward. */
  ordered: (Labels | null)[];
  width: number[];
  yWidth: number[];
  sparse: boolean[];
  /** The metrics (and per-output losses) logged, as compiled now. */
  scorers: Scorer[];
  onBatchEnd: Callbacks['onBatchEnd'] | null;
  logs: BatchLogs;
  /** [Σ loss·rows, Σ score of each metric…] of the epoch so far: typed, so accumulating never boxes. */
  acc: Float64Array;
  /** A promise returned by onBatchEnd, awaited before the next batch. */
  pending: Promise<void> | null;
  warnedNaN: boolean;
}

/** Re-reads the step programs after a callback recompiled the model. */
const lossKey = (model: Trainable) => JSON.stringify(model.config!.lossSpec);

function refresh(r: EpochRun): void {
  if (r.generation === r.model.generation) return;
  if (r.generation !== -1 && lossKey(r.model) !== r.loss) {
    throw new Error(`fit: a callback recompiled the model with loss ${lossKey(r.model)}, but this fit checked its targets for ${r.loss}; change the loss between fits (the optimizer, learning rate, loss weights and metrics may change during one)`);
  }
  r.generation = r.model.generation;
  r.scorers = scorersOf(r.model.config!, r.sparse);
  const bytes = r.x.map((x) => x instanceof Uint8Array);
  r.main = r.full > 0 ? r.model.program('train', r.batchSize, r.oneHot, bytes) : null;
  r.last = r.rest > 0 ? r.model.program('train', r.rest, r.oneHot, bytes) : null;
}

/**
 * Trains batches b0, b0+1, … synchronously (no per-step allocation: rows are gathered into the
 * step's own feed buffers, sums kept in a typed array) until the epoch ends, a callback returns
 * a promise, or a callback asks to stop. Returns the next batch index.
 */
function trainBatches(r: EpochRun, b0: number, batches: number): number {
  const { model, order, x, y, width, yWidth, logs, acc } = r;
  for (let b = b0; b < batches; b++) {
    refresh(r);
    const held = b < r.full ? r.main! : r.last!;
    const rows = b < r.full ? r.batchSize : r.rest;
    model.activate(held);
    for (let i = 0; i < x.length; i++) gatherRows(x[i]!, width[i]!, held.xs[i]!, order, b * r.batchSize, rows);
    for (let i = 0; i < y.length; i++) {
      const l = r.ordered[i]!;
      if (l !== null) writeOneHotRows(l, yWidth[i]!, held.targets[i]!, b * r.batchSize, rows);
      else gatherRows(y[i]!, yWidth[i]!, held.targets[i]!, order, b * r.batchSize, rows);
    }
    model.beginStep(held);
    const out = held.program.runPrechecked(held.feeds);
    model.trained(held);
    const loss = out['loss']![0]!;
    acc[0] += loss * rows;
    if (!r.warnedNaN && !Number.isFinite(loss)) {
      r.warnedNaN = true;
      warn(`fit: the loss became ${loss} at step ${model.step} (batch ${b}); the model has diverged. Lower the learning rate, clip gradients ` +
        `(optimizers.adam({ learningRate, globalClipNorm: 1 })), or stop at once with callbacks.terminateOnNaN()`);
    }
    const sc = r.scorers;
    for (let m = 0; m < sc.length; m++) {
      const s = scoreBatch(sc[m]!, out, held.targets, rows);
      acc[m + 1] += s;
      if (r.onBatchEnd) logs[sc[m]!.key] = s / scoreCount(sc[m]!, rows);
    }
    if (r.onBatchEnd) {
      logs.batch = b;
      logs.size = rows;
      logs.loss = loss;
      const p = r.onBatchEnd(b, logs);
      if (isThenable(p)) {
        r.pending = p;
        return b + 1;
      }
    }
    if (model.stopTraining) return b + 1;
  }
  return batches;
}

export async function fitModel(model: Trainable, xIn: unknown, yIn: unknown, options: FitOptions = {}): Promise<History> {
  if (options === null || typeof options !== 'object') throw new Error('fit: options must be an object like { epochs: 10, batchSize: 32 }');
  for (const k of Object.keys(options)) {
    if (!FIT_KEYS.includes(k)) throw new Error(`fit: unknown option '${k}'; options are ${FIT_KEYS.join(', ')}`);
  }
  const cfg0 = model.requireConfig('fit');
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${String(epochs)}`);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new Error(`fit: initialEpoch must be a non-negative integer, got ${String(initialEpoch)}`);
  const shuffle = options.shuffle ?? true;
  const verbose = options.verbose ?? 1;
  const cb = mergeCallbacks(options.callbacks);
  const data = checkFit(model, xIn, yIn, options);
  const batchSize = model.fixedBatch === null ? checkPositiveInt('fit: batchSize', options.batchSize ?? 32) : batchFor(model, data.nTrain, options.batchSize, 'fit');
  if (options.seed !== undefined) model.reseed(options.seed);

  const { x, y, oneHot, labels, nTrain } = data;
  const sparse = y.map((t) => t.shape.length === 1);
  const full = Math.floor(nTrain / batchSize);
  const rest = nTrain % batchSize;
  const order = new Int32Array(nTrain);
  const run: EpochRun = {
    model, main: null, last: null, generation: -1, loss: lossKey(model), oneHot, full, rest, batchSize, order, x: x.map((t) => t.data), y: y.map((t) => t.data),
    labels, ordered: labels.map((l, i) => (l === null ? null : labelArray(nTrain, cfg0.heads[i]!.units))),
    width: model.inputInfo.map((i) => i.width), yWidth: y.map((t, i) => (sparse[i] ? 1 : cfg0.heads[i]!.units)), sparse, scorers: [], onBatchEnd: cb.onBatchEnd ?? null,
    logs: { batch: 0, size: 0, loss: 0 } as BatchLogs, acc: new Float64Array(1), pending: null, warnedNaN: false,
  };
  // Build both step programs before the first step: errors surface before any training.
  refresh(run);

  const history: History = { epoch: [], history: { loss: [] } } as History;
  model.stopTraining = false;
  cb.setModel?.(model);
  if (cb.onTrainBegin) { const r = cb.onTrainBegin(); if (isThenable(r)) await r; }
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    const started = Date.now();
    if (cb.onEpochBegin) { const r = cb.onEpochBegin(epoch); if (isThenable(r)) await r; }
    for (let i = 0; i < nTrain; i++) order[i] = i;
    if (shuffle) model.shuffle(order);
    for (let i = 0; i < run.labels.length; i++) if (run.labels[i] !== null) orderLabels(run.labels[i]!, order, run.ordered[i]!);
    // metrics as compiled now (a callback may have recompiled with others)
    refresh(run);
    if (run.acc.length !== 1 + run.scorers.length) run.acc = new Float64Array(1 + run.scorers.length);
    run.acc.fill(0);
    const batches = full + (rest > 0 ? 1 : 0);
    let done = 0;
    for (let b = 0; b < batches && !model.stopTraining; ) {
      b = trainBatches(run, b, batches);
      done = b;
      if (run.pending) {
        const p = run.pending;
        run.pending = null;
        await p;
      }
    }
    const seen = Math.min(nTrain, done * batchSize);
    const epochLogs = { loss: run.acc[0]! / seen } as EpochLogs;
    run.scorers.forEach((f, m) => (epochLogs[f.key] = run.acc[m + 1]! / scoreCount(f, seen)));
    if (data.val) {
      const v = evaluateRange(model, data.val.x, data.val.y, data.val.oneHot, data.val.start, data.val.end, batchSize);
      for (const [k, val] of Object.entries(v)) epochLogs[`val_${k}`] = val;
    }
    model.countEpoch();
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(epochLogs)) (history.history[k] ??= []).push(v);
    if (verbose === 1) {
      const parts = Object.entries(epochLogs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
      console.log(`Epoch ${epoch + 1}/${epochs} - ${((Date.now() - started) / 1000).toFixed(1)}s - ${parts.join(' - ')}`);
    }
    if (cb.onEpochEnd) { const r = cb.onEpochEnd(epoch, epochLogs); if (isThenable(r)) await r; }
  }
  model.pull();
  if (cb.onTrainEnd) { const r = cb.onTrainEnd(); if (isThenable(r)) await r; }
  return history;
}
