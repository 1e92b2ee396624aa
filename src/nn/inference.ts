/** Prediction and evaluation over many rows, batch by batch through cached step programs. */
import type { TensorData } from '../data/tensor-data.js';
import { checkPositiveInt } from './checks.js';
import { checkX, checkY, type Features } from './data-input.js';
import type { Trainable } from './trainable.js';
import { gatherRows } from './batch-rows.js';

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

export function predictRows(model: Trainable, xIn: unknown, batchSize: number | undefined): TensorData {
  const width = model.inputWidth;
  const x = checkX(xIn, width, 'predict: x');
  const n = x.shape[0]!;
  const bs = batchFor(model, n, batchSize, 'predict');
  const units = model.outputUnits;
  const out = new Float32Array(n * units);
  for (let from = 0; from < n; from += bs) {
    const rows = Math.min(bs, n - from);
    const held = model.program('predict', rows, false, x.data instanceof Uint8Array);
    gatherRows(x.data, width, held.x, null, from, rows);
    const y = held.program.run(held.feeds)['y']!;
    for (let i = 0; i < rows * units; i++) out[from * units + i] = y[i]!;
  }
  return { shape: [n, units], data: out };
}

/** Mean loss and each metric, by the keys of the logs (loss, acc, mae, …). */
export type EvalResult = { loss: number; acc?: number } & Record<string, number>;

/** Mean loss (weighted by batch size) and metrics over rows [start, end) of checked data. */
export function evaluateRange(model: Trainable, x: Features, y: TensorData, oneHot: boolean, start: number, end: number, batchSize: number): EvalResult {
  const cfg = model.requireConfig('evaluate');
  const width = model.inputWidth;
  const units = model.outputUnits;
  const sparse = y.shape.length === 1;
  const yWidth = sparse ? 1 : units;
  const fns = cfg.metricFns;
  const sums = new Float64Array(fns.length);
  let lossSum = 0;
  for (let from = start; from < end; from += batchSize) {
    const rows = Math.min(batchSize, end - from);
    const held = model.program('eval', rows, oneHot, x.data instanceof Uint8Array);
    const t = held.target!;
    gatherRows(x.data, width, held.x, null, from, rows);
    gatherRows(y.data, yWidth, t, null, from, rows);
    const out = held.program.run(held.feeds);
    lossSum += out['loss']![0]! * rows;
    for (let m = 0; m < fns.length; m++) sums[m] += fns[m]!.score(out['y']!, t, rows, units, sparse ? 'sparse' : 'dense');
  }
  const n = end - start;
  const res: EvalResult = { loss: lossSum / n } as EvalResult;
  fns.forEach((f, m) => (res[f.key] = sums[m]! / f.count(n, units)));
  return res;
}

/** model.evaluate(x, y): checks the data, then loss and metrics over all of it. */
export function evaluateModel(model: Trainable, xIn: unknown, yIn: unknown, batchSize: number | undefined): EvalResult {
  const cfg = model.requireConfig('evaluate');
  const x = checkX(xIn, model.inputWidth, 'evaluate: x');
  const { y, oneHot } = checkY(yIn, x.shape[0]!, model.outputUnits, cfg.loss, 'evaluate: y');
  const bs = batchFor(model, x.shape[0]!, batchSize, 'evaluate');
  return evaluateRange(model, x, y, oneHot, 0, x.shape[0]!, bs);
}
