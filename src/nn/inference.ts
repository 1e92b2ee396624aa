/** Prediction and evaluation over many rows, batch by batch through cached step programs. */
import type { TensorData } from '../data/tensor-data.js';
import { checkPositiveInt } from './checks.js';
import { gatherRows } from './batch-rows.js';
import { checkXs, checkYs, type Features } from './data-input.js';
import type { Metric, TargetMode } from './metrics.js';
import { outputKey, type CompiledConfig, type Trainable } from './trainable.js';

/** A graph of fixed batch size runs whole batches only: the batch size it takes, or a clear error. */
export function batchFor(model: Trainable, n: number, asked: number | undefined, what: string): number {
  const fixed = model.fixedBatch;
  if (fixed === null) return checkPositiveInt(`${what}: batchSize`, asked);
  if (asked !== undefined && asked !== fixed) {
    throw new Error(`${what}: batchSize is ${asked}, but the model's graph is built for batches of ${fixed} rows; omit batchSize, or build the model with model({ inputShape, apply }) to run any batch size`);
  }
  if (n % fixed !== 0) {
    throw new Error(`${what}: ${n} rows are not a whole number of batches of ${fixed} (the model's graph has a fixed batch); pass a multiple of ${fixed} rows, or build the model with model({ inputShape, apply }) to run any batch size`);
  }
  return fixed;
}

export function predictRows(model: Trainable, xIn: unknown, batchSize: number | undefined): TensorData[] {
  const xs = checkXs(xIn, model.inputInfo, 'predict: x');
  const n = xs[0]!.shape[0]!;
  const bs = batchFor(model, n, batchSize, 'predict');
  const outs = model.outputInfo.map((o) => new Float32Array(n * o.units));
  const bytes = xs.map((x) => x.data instanceof Uint8Array);
  for (let from = 0; from < n; from += bs) {
    const rows = Math.min(bs, n - from);
    const held = model.program('predict', rows, false, bytes);
    for (let i = 0; i < xs.length; i++) gatherRows(xs[i]!.data, model.inputInfo[i]!.width, held.xs[i]!, null, from, rows);
    const res = held.program.runPrechecked(held.feeds);
    model.outputInfo.forEach((o, j) => {
      const y = res[outputKey(j)]!, out = outs[j]!;
      for (let i = 0; i < rows * o.units; i++) out[from * o.units + i] = y[i]!;
    });
  }
  return outs.map((data, j) => ({ shape: [n, model.outputInfo[j]!.units], data }));
}

/** Mean loss and each metric, by the keys of the logs (loss, acc, mae, …; with several outputs `<output>_loss`, `<output>_acc`, …). */
export type EvalResult = { loss: number; acc?: number } & Record<string, number>;

/** One number a batch adds to the logs besides the loss: a metric of one output, or (several outputs) one output's loss. */
export interface Scorer {
  readonly key: string;
  /** The program output it reads. */
  readonly out: string;
  /** Its head's index (its targets). */
  readonly target: number;
  readonly units: number;
  readonly mode: TargetMode;
  /** null: the head's own loss (a scalar output), weighted by rows. */
  readonly metric: Metric | null;
}

/** The scorers of a compiled model, Keras' log order: each output's loss (several outputs), then the metrics. */
export function scorersOf(cfg: CompiledConfig, sparse: readonly boolean[]): Scorer[] {
  const many = cfg.heads.length > 1;
  const list: Scorer[] = [];
  if (many) cfg.heads.forEach((h, t) => list.push({ key: `${h.name}_loss`, out: `loss${t}`, target: t, units: h.units, mode: 'dense', metric: null }));
  cfg.heads.forEach((h, t) => {
    for (const f of h.metricFns) list.push({ key: many ? `${h.name}_${f.key}` : f.key, out: outputKey(h.output), target: t, units: h.units, mode: sparse[t] ? 'sparse' : 'dense', metric: f });
  });
  return list;
}

/** The scorer's sum over a batch of `rows`. Allocation-free. */
export function scoreBatch(s: Scorer, out: Readonly<Record<string, ArrayLike<number>>>, targets: readonly Float32Array[], rows: number): number {
  return s.metric ? s.metric.score(out[s.out]!, targets[s.target]!, rows, s.units, s.mode) : out[s.out]![0]! * rows;
}

/** How many values that sum is over. */
export function scoreCount(s: Scorer, rows: number): number {
  return s.metric ? s.metric.count(rows, s.units) : rows;
}

/** Mean loss (weighted by batch size) and metrics over rows [start, end) of checked data. */
export function evaluateRange(model: Trainable, xs: readonly Features[], ys: readonly TensorData[], oneHot: readonly boolean[], start: number, end: number, batchSize: number): EvalResult {
  const cfg = model.requireConfig('evaluate');
  const inputs = model.inputInfo;
  const yWidths = ys.map((y, t) => (y.shape.length === 1 ? 1 : cfg.heads[t]!.units));
  const sc = scorersOf(cfg, ys.map((y) => y.shape.length === 1));
  const sums = new Float64Array(sc.length);
  const bytes = xs.map((x) => x.data instanceof Uint8Array);
  let lossSum = 0;
  for (let from = start; from < end; from += batchSize) {
    const rows = Math.min(batchSize, end - from);
    const held = model.program('eval', rows, oneHot, bytes);
    for (let i = 0; i < xs.length; i++) gatherRows(xs[i]!.data, inputs[i]!.width, held.xs[i]!, null, from, rows);
    for (let t = 0; t < ys.length; t++) gatherRows(ys[t]!.data, yWidths[t]!, held.targets[t]!, null, from, rows);
    const out = held.program.runPrechecked(held.feeds);
    lossSum += out['loss']![0]! * rows;
    for (let m = 0; m < sc.length; m++) sums[m] += scoreBatch(sc[m]!, out, held.targets, rows);
  }
  const n = end - start;
  const res: EvalResult = { loss: lossSum / n } as EvalResult;
  sc.forEach((f, m) => (res[f.key] = sums[m]! / scoreCount(f, n)));
  return res;
}

/** model.evaluate(x, y): checks the data, then loss and metrics over all of it. */
export function evaluateModel(model: Trainable, xIn: unknown, yIn: unknown, batchSize: number | undefined): EvalResult {
  const cfg = model.requireConfig('evaluate');
  const xs = checkXs(xIn, model.inputInfo, 'evaluate: x');
  const n = xs[0]!.shape[0]!;
  const { ys, oneHot } = checkYs(yIn, n, cfg.heads, model.outputInfo.map((o) => o.name), 'evaluate: y');
  const bs = batchFor(model, n, batchSize, 'evaluate');
  return evaluateRange(model, xs, ys, oneHot, 0, n, bs);
}
