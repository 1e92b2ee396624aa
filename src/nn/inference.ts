/** Prediction and evaluation over many rows, batch by batch through cached step programs. */
import type { TensorData } from '../data/tensor-data.js';
import { checkPositiveInt } from './checks.js';
import { checkX, checkY } from './data-input.js';
import { accuracyCount, countCorrect } from './metrics.js';
import type { Sequential } from './sequential.js';

/** Copies rows `order[from..from+rows)` (or from..from+rows when `order` is null) of src into dst. */
export function gatherRows(src: Float32Array, width: number, dst: Float32Array, order: Int32Array | null, from: number, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const r = order === null ? from + i : order[from + i]!;
    const s = r * width;
    const d = i * width;
    for (let k = 0; k < width; k++) dst[d + k] = src[s + k]!;
  }
}

export function predictRows(model: Sequential, xIn: unknown, batchSize: number): TensorData {
  checkPositiveInt('predict: batchSize', batchSize);
  const x = checkX(xIn, model.inputDim, 'predict: x');
  const n = x.shape[0]!;
  const width = model.inputDim;
  const units = model.outputUnits;
  const out = new Float32Array(n * units);
  for (let from = 0; from < n; from += batchSize) {
    const rows = Math.min(batchSize, n - from);
    const held = model.program('predict', rows, false);
    gatherRows(x.data, width, held.feeds['x']!, null, from, rows);
    const y = held.program.run(held.feeds)['y']!;
    for (let i = 0; i < rows * units; i++) out[from * units + i] = y[i]!;
  }
  return { shape: [n, units], data: out };
}

export interface EvalResult {
  loss: number;
  acc?: number;
}

/** Mean loss (weighted by batch size) and accuracy over rows [start, end) of checked data. */
export function evaluateRange(model: Sequential, x: TensorData, y: TensorData, oneHot: boolean, start: number, end: number, batchSize: number): EvalResult {
  const cfg = model.requireConfig('evaluate');
  const width = model.inputDim;
  const units = model.outputUnits;
  const yWidth = y.shape.length === 1 ? 1 : units;
  let lossSum = 0;
  let correct = 0;
  for (let from = start; from < end; from += batchSize) {
    const rows = Math.min(batchSize, end - from);
    const held = model.program('eval', rows, oneHot);
    const t = held.feeds['target']!;
    gatherRows(x.data, width, held.feeds['x']!, null, from, rows);
    gatherRows(y.data, yWidth, t, null, from, rows);
    const out = held.program.run(held.feeds);
    lossSum += out['loss']![0]! * rows;
    if (cfg.metrics.length > 0) correct += countCorrect(out['y']!, t, rows, units, cfg.accuracy);
  }
  const n = end - start;
  const res: EvalResult = { loss: lossSum / n };
  if (cfg.metrics.length > 0) res.acc = correct / accuracyCount(n, units, cfg.accuracy);
  return res;
}

/** model.evaluate(x, y): checks the data, then loss and metrics over all of it. */
export function evaluateModel(model: Sequential, xIn: unknown, yIn: unknown, batchSize: number): EvalResult {
  const cfg = model.requireConfig('evaluate');
  checkPositiveInt('evaluate: batchSize', batchSize);
  const x = checkX(xIn, model.inputDim, 'evaluate: x');
  const { y, oneHot } = checkY(yIn, x.shape[0]!, model.outputUnits, cfg.loss, 'evaluate: y');
  return evaluateRange(model, x, y, oneHot, 0, x.shape[0]!, batchSize);
}
