/**
 * Metrics, counted on the host from each batch's predictions (a few hundred numbers per step,
 * no allocation): the compiled step already writes the predictions for the backward pass.
 */
import { checkName } from './checks.js';

export type MetricName = 'accuracy';
const METRIC_NAMES = ['accuracy', 'acc'] as const;

export function checkMetrics(metrics: unknown): MetricName[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new Error(`metrics must be an array of names, e.g. ['accuracy'], got ${typeof metrics}`);
  const out: MetricName[] = [];
  for (const m of metrics) {
    checkName('metric', m, METRIC_NAMES);
    if (!out.includes('accuracy')) out.push('accuracy');
  }
  return out;
}

/** How accuracy compares predictions with targets. */
export type AccuracyMode = 'categorical' | 'sparse' | 'binary';

/** Keras' choice: binary accuracy for binaryCrossentropy or a single output unit, else categorical. */
export function accuracyMode(loss: string, units: number): AccuracyMode {
  if (loss === 'sparseCategoricalCrossentropy') return 'sparse';
  return loss === 'binaryCrossentropy' || units === 1 ? 'binary' : 'categorical';
}

/** Predictions accuracy is averaged over: one per row, or one per element for binary accuracy. */
export function accuracyCount(rows: number, units: number, mode: AccuracyMode): number {
  return mode === 'binary' ? rows * units : rows;
}

/**
 * Correct predictions in rows [0, rows) of `y` [rows, units]:
 * - 'sparse': argmax(y) equals the class index t[i];
 * - 'categorical': argmax(y) equals argmax(t) (first maximum wins, as tf.argMax);
 * - 'binary': per element, (y > 0.5) equals (t > 0.5).
 */
export function countCorrect(y: ArrayLike<number>, t: ArrayLike<number>, rows: number, units: number, mode: AccuracyMode): number {
  let correct = 0;
  if (mode === 'binary') {
    const n = rows * units;
    for (let i = 0; i < n; i++) if (y[i]! > 0.5 === t[i]! > 0.5) correct++;
    return correct;
  }
  for (let i = 0; i < rows; i++) {
    const base = i * units;
    let best = 0;
    let bestV = y[base]!;
    for (let k = 1; k < units; k++) if (y[base + k]! > bestV) { bestV = y[base + k]!; best = k; }
    let label: number;
    if (mode === 'sparse') label = t[i]!;
    else {
      label = 0;
      let tv = t[base]!;
      for (let k = 1; k < units; k++) if (t[base + k]! > tv) { tv = t[base + k]!; label = k; }
    }
    if (best === label) correct++;
  }
  return correct;
}
