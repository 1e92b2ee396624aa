/**
 * Metrics, counted on the host from each batch's predictions (a few hundred numbers per step,
 * no allocation): the compiled step already writes the predictions for the backward pass.
 * Each metric sums a score over a batch and says how many scores that was; the epoch's value is
 * Σ scores / Σ counts (so a smaller last batch weighs what it holds).
 */
import { checkName, checkPositiveInt } from './checks.js';

/** How targets are laid out: 'sparse' rows hold a class index, otherwise rows like the predictions. */
export type TargetMode = 'sparse' | 'dense';

export interface Metric {
  /** The key in logs and history (Keras' names): acc, binary_accuracy, categorical_accuracy, mse, mae, top_k_categorical_accuracy. */
  readonly key: string;
  /** Σ of the scores of rows [0, rows) of y [rows, units] against targets t. */
  score(y: ArrayLike<number>, t: ArrayLike<number>, rows: number, units: number, mode: TargetMode): number;
  /** How many scores a batch of `rows` holds. */
  count(rows: number, units: number): number;
}

export const METRIC_NAMES = ['accuracy', 'acc', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'mse', 'meanSquaredError', 'mae', 'meanAbsoluteError', 'topKCategoricalAccuracy'] as const;

const target = (t: ArrayLike<number>, i: number, k: number, units: number, mode: TargetMode) => (mode === 'sparse' ? (t[i]! === k ? 1 : 0) : t[i * units + k]!);

function argmax(a: ArrayLike<number>, base: number, units: number): number {
  let best = 0, v = a[base]!;
  for (let k = 1; k < units; k++) if (a[base + k]! > v) { v = a[base + k]!; best = k; }
  return best;
}

const perElement = (rows: number, units: number) => rows * units;
const perRow = (rows: number) => rows;

/** Per element, (y > 0.5) equals (t > 0.5). */
const binaryAccuracy: Metric = {
  key: 'binary_accuracy',
  score(y, t, rows, units, mode) {
    let c = 0;
    for (let i = 0; i < rows; i++) for (let k = 0; k < units; k++) if (y[i * units + k]! > 0.5 === target(t, i, k, units, mode) > 0.5) c++;
    return c;
  },
  count: perElement,
};

/** argmax(y) equals the class (argmax(t), first maximum wins as tf.argMax; or the index). */
const categoricalAccuracy: Metric = {
  key: 'categorical_accuracy',
  score(y, t, rows, units, mode) {
    let c = 0;
    for (let i = 0; i < rows; i++) if (argmax(y, i * units, units) === (mode === 'sparse' ? t[i]! : argmax(t, i * units, units))) c++;
    return c;
  },
  count: perRow,
};

/** The class is among the k largest predictions (ties count against, as tf.nn.in_top_k does not). */
function topK(k: number): Metric {
  return {
    key: k === 5 ? 'top_k_categorical_accuracy' : `top_${k}_categorical_accuracy`,
    score(y, t, rows, units, mode) {
      let c = 0;
      for (let i = 0; i < rows; i++) {
        const base = i * units;
        const label = mode === 'sparse' ? t[i]! : argmax(t, base, units);
        const v = y[base + label]!;
        let above = 0;
        for (let j = 0; j < units; j++) if (y[base + j]! > v) above++;
        if (above < k) c++;
      }
      return c;
    },
    count: perRow,
  };
}

const mse: Metric = {
  key: 'mse',
  score(y, t, rows, units, mode) {
    let s = 0;
    for (let i = 0; i < rows; i++) for (let k = 0; k < units; k++) { const d = y[i * units + k]! - target(t, i, k, units, mode); s += d * d; }
    return s;
  },
  count: perElement,
};

const mae: Metric = {
  key: 'mae',
  score(y, t, rows, units, mode) {
    let s = 0;
    for (let i = 0; i < rows; i++) for (let k = 0; k < units; k++) s += Math.abs(y[i * units + k]! - target(t, i, k, units, mode));
    return s;
  },
  count: perElement,
};

/** Keras' choice for 'accuracy': binary accuracy for binaryCrossentropy or a single output unit, else categorical. */
function accuracy(loss: string, units: number): Metric {
  const m = loss === 'binaryCrossentropy' || (units === 1 && loss !== 'sparseCategoricalCrossentropy') ? binaryAccuracy : categoricalAccuracy;
  return { ...m, key: 'acc' };
}

export type MetricSpec = string | { readonly name: 'topKCategoricalAccuracy'; readonly k?: number };

/** Checks metric names (or `{ name: 'topKCategoricalAccuracy', k }`) and returns their canonical forms and implementations. */
export function checkMetrics(metrics: unknown, loss: string, units: number): { names: string[]; fns: Metric[] } {
  if (metrics === undefined) return { names: [], fns: [] };
  if (!Array.isArray(metrics)) throw new Error(`metrics must be an array of names, e.g. ['accuracy'], got ${typeof metrics}`);
  const names: string[] = [];
  const fns: Metric[] = [];
  for (const m of metrics) {
    let name: string, fn: Metric;
    if (m !== null && typeof m === 'object') {
      const o = m as Record<string, unknown>;
      checkName('metric', o.name, ['topKCategoricalAccuracy']);
      const k = checkPositiveInt('metrics: topKCategoricalAccuracy k', o.k ?? 5);
      name = k === 5 ? 'topKCategoricalAccuracy' : `topKCategoricalAccuracy:${k}`;
      fn = topK(k);
    } else {
      const given = checkName('metric', m, METRIC_NAMES);
      name = given === 'acc' ? 'accuracy' : given === 'meanSquaredError' ? 'mse' : given === 'meanAbsoluteError' ? 'mae' : given === 'sparseCategoricalAccuracy' ? 'categoricalAccuracy' : given;
      fn = name === 'accuracy' ? accuracy(loss, units) : name === 'binaryAccuracy' ? binaryAccuracy : name === 'categoricalAccuracy' ? categoricalAccuracy
        : name === 'mse' ? mse : name === 'mae' ? mae : topK(5);
    }
    if (names.includes(name)) continue;
    names.push(name);
    fns.push(fn);
  }
  return { names, fns };
}

/** Rebuilds saved metric names ('topKCategoricalAccuracy:3' included). */
export function metricsFromNames(names: readonly string[]): MetricSpec[] {
  return names.map((n) => {
    const m = /^topKCategoricalAccuracy:(\d+)$/.exec(n);
    return m ? { name: 'topKCategoricalAccuracy', k: Number(m[1]) } : n;
  });
}
