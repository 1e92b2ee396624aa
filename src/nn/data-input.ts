/**
 * Training data in: `{ shape, data }` (Float32Array or Float64Array) or nested arrays.
 * Everything is checked (shape, NaN, label range) before any training starts.
 */
import type { TensorData } from '../data/tensor-data.js';
import type { LossName } from './losses.js';

export type DataInput = TensorData | TensorData<Uint8Array> | { readonly shape: readonly number[]; readonly data: Float64Array | Float32Array | Uint8Array | readonly number[]; readonly oneHot?: boolean } | readonly (readonly number[])[] | readonly number[];

/** Features as given: floats, or bytes (a Uint8Array, kept as bytes: see `layers.rescaling`). */
export type Features = TensorData<Float32Array | Uint8Array>;

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Converts and checks one array: its shape, finiteness, and a flat Float32Array; a Uint8Array
 * is kept as it is (bytes are finite) when `bytes` allows it, else converted.
 */
export function toTensorData(v: unknown, what: string, bytes: true): Features;
export function toTensorData(v: unknown, what: string, bytes?: false, finite?: boolean): TensorData;
export function toTensorData(v: unknown, what: string, bytes = false, finite = true): Features {
  const t = convert(v, what, bytes);
  return finite && !(t.data instanceof Uint8Array) ? checkFinite(t as TensorData, what) : t;
}

function convert(v: unknown, what: string, bytes: boolean): Features {
  if (Array.isArray(v)) {
    if (v.length === 0) throw new Error(`${what} is an empty array; pass at least one example`);
    if (Array.isArray(v[0])) {
      const cols = (v[0] as unknown[]).length;
      const data = new Float32Array(v.length * cols);
      v.forEach((row: unknown, i) => {
        if (!Array.isArray(row) || row.length !== cols) {
          throw new Error(`${what}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, row 0 has ${cols}; every row must have the same length`);
        }
        row.forEach((x: unknown, k) => {
          if (typeof x !== 'number') throw new Error(`${what}[${i}][${k}] is ${typeof x}, expected a number`);
          data[i * cols + k] = x;
        });
      });
      return { shape: [v.length, cols], data };
    }
    const data = new Float32Array(v.length);
    v.forEach((x: unknown, i) => {
      if (typeof x !== 'number') throw new Error(`${what}[${i}] is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number (or pass rows of equal length)`);
      data[i] = x;
    });
    return { shape: [v.length], data };
  }
  if (v !== null && typeof v === 'object' && 'shape' in v && 'data' in v) {
    const o = v as { shape: unknown; data: unknown; oneHot?: unknown };
    if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${what}.shape must be an array of non-negative integers, got ${JSON.stringify(o.shape)}`);
    }
    const shape = o.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const raw = o.data;
    if (!(raw instanceof Float32Array || raw instanceof Float64Array || raw instanceof Uint8Array || Array.isArray(raw))) {
      throw new Error(`${what}.data must be a Float32Array (or Uint8Array of bytes, Float64Array, number array), got ${raw === null ? 'null' : typeof raw === 'object' ? (raw as object).constructor?.name ?? 'an object' : typeof raw}`);
    }
    if (raw.length !== size) throw new Error(`${what}: shape ${fmt(shape)} holds ${size} values but data has ${raw.length}`);
    if (raw instanceof Uint8Array && bytes) return { shape, data: raw, ...(o.oneHot === true ? { oneHot: true } : {}) };
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    return { shape, data, ...(o.oneHot === true ? { oneHot: true } : {}) };
  }
  throw new Error(`${what} must be { shape, data: Float32Array } or a nested number array, got ${v === null ? 'null' : typeof v}`);
}

function checkFinite<T extends TensorData>(t: T, what: string): T {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new Error(`${what} contains ${d[i]} at ${where(t.shape, i)}; clean the data (NaN and ±Infinity cannot be trained on)`);
    }
  }
  return t;
}

function where(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    idx.unshift(flat % shape[k]!);
    flat = Math.floor(flat / shape[k]!);
  }
  return `index [${idx.join(', ')}]`;
}

/** Checks x [n, inputDim]; bytes (a Uint8Array) stay bytes. */
export function checkX(x: unknown, inputDim: number, what = 'x'): Features {
  const t = toTensorData(x, what, true);
  if (t.shape.length !== 2 || t.shape[1] !== inputDim) {
    throw new Error(`${what} has shape ${fmt(t.shape)}, the model takes [n, ${inputDim}] (one row of ${inputDim} features per example)`);
  }
  if (t.shape[0] === 0) throw new Error(`${what} has no examples (shape ${fmt(t.shape)})`);
  return t;
}

/** Each row's class when every row of the targets is one-hot (fit writes target rows from them): bytes up to 256 classes. */
export type Labels = Uint8Array | Int32Array;

/** A class per row for n rows of `units` classes. */
export function labelArray(n: number, units: number): Labels {
  return units <= 256 ? new Uint8Array(n) : new Int32Array(n);
}

export interface CheckedY {
  y: TensorData;
  /** Every row is one-hot (and there are 2+ units): a fact for the simplifier. */
  oneHot: boolean;
  /** With `oneHot`, the class of each row; else null. */
  labels: Labels | null;
}

/** Checks targets for a loss and returns them with whether every row is one-hot, and each row's class if so. */
export function checkY(y: unknown, n: number, units: number, loss: LossName, what = 'y'): CheckedY {
  // finiteness is checked below, in the same pass as the rest (a failure re-checks slowly, for the error)
  let t = toTensorData(y, what, false, false);
  const d = t.data;
  if (loss === 'sparseCategoricalCrossentropy') {
    checkFinite(t, what);
    if (t.shape.length === 2 && t.shape[1] === 1) t = { shape: [t.shape[0]!], data: d };
    if (t.shape.length !== 1 || t.shape[0] !== n) {
      throw new Error(`${what} has shape ${fmt(t.shape)}; sparseCategoricalCrossentropy takes one class index per example: [${n}]`);
    }
    for (let i = 0; i < d.length; i++) {
      if (!Number.isInteger(d[i]) || d[i]! < 0 || d[i]! >= units) {
        throw new Error(`${what}[${i}] = ${d[i]} is not a class index in [0, ${units - 1}] (the last layer has ${units} units)`);
      }
    }
    return { y: t, oneHot: false, labels: null };
  }
  if (t.shape.length !== 2 || t.shape[0] !== n || t.shape[1] !== units) {
    const hint = t.shape.length === 1 && loss === 'categoricalCrossentropy' ? ` (class indices? use loss 'sparseCategoricalCrossentropy', or one-hot them with toOneHot)` : '';
    throw new Error(`${what} has shape ${fmt(t.shape)}, the model outputs [${n}, ${units}] for ${n} examples${hint}`);
  }
  const labels = labelArray(n, units);
  const scan = oneHotBits(d, n, units, labels) ? ONE_HOT : scanDense(d, n, units, loss, labels);
  if (scan === BAD) denseError(t, n, units, loss, what);
  const oneHot = scan === ONE_HOT && units > 1;
  return { y: t, oneHot, labels: oneHot ? labels : null };
}

const BAD = 0, SOFT = 1, ONE_HOT = 2;

/** 1.0f's bits. */
const ONE_BITS = 0x3f800000;

/**
 * Whether every row is one-hot by the values' bits (+0 or 1.0 only, one 1.0 a row: finite, in
 * [0, 1] and summing to 1, so every check passes), writing each row's class into `labels`.
 * Integer compares: 3× faster than scanDense, the pass every fit of one-hot labels takes.
 */
function oneHotBits(d: Float32Array, n: number, units: number, labels: Labels): boolean {
  const w = new Int32Array(d.buffer, d.byteOffset, d.length);
  for (let r = 0, i = 0; r < n; r++) {
    let label = -1;
    for (let k = 0; k < units; k++, i++) {
      const b = w[i]!;
      if (b === 0) continue;
      if (b !== ONE_BITS || label >= 0) return false;
      label = k;
    }
    if (label < 0) return false;
    labels[r] = label;
  }
  return true;
}

/**
 * One pass over dense targets [n, units]: every value finite (in [0, 1] for the cross-entropies),
 * each row of categoricalCrossentropy summing to 1 (±1e-3); whether every row is one-hot (all 0
 * or 1, exactly one 1), writing each row's class into `labels` while it is.
 */
function scanDense(d: Float32Array, n: number, units: number, loss: LossName, labels: Labels): typeof BAD | typeof SOFT | typeof ONE_HOT {
  const prob = loss === 'categoricalCrossentropy' || loss === 'binaryCrossentropy';
  const cce = loss === 'categoricalCrossentropy';
  let oneHot = true;
  for (let r = 0, i = 0; r < n; r++) {
    let sum = 0, ones = 0, label = 0, binary = true;
    for (let k = 0; k < units; k++, i++) {
      const v = d[i]!;
      if (prob ? !(v >= 0 && v <= 1) : v - v !== 0) return BAD;
      if (v === 1) { ones++; label = k; } else if (v !== 0) binary = false;
      sum += v;
    }
    if (cce && Math.abs(sum - 1) > 1e-3) return BAD;
    if (binary && ones === 1) labels[r] = label;
    else oneHot = false;
  }
  return oneHot ? ONE_HOT : SOFT;
}

/** The error for targets scanDense refused, found in the order the checks read: a non-finite value, a value out of [0, 1], a row not summing to 1. */
function denseError(t: TensorData, n: number, units: number, loss: LossName, what: string): never {
  checkFinite(t, what);
  const d = t.data;
  if (loss === 'categoricalCrossentropy' || loss === 'binaryCrossentropy') {
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < 0 || d[i]! > 1) {
        throw new Error(`${what} ${where(t.shape, i)} = ${d[i]} is not a probability in [0, 1]; ${loss} needs targets in [0, 1]${loss === 'categoricalCrossentropy' ? ' (one-hot rows)' : ''}`);
      }
    }
  }
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let k = 0; k < units; k++) sum += d[r * units + k]!;
    if (loss === 'categoricalCrossentropy' && Math.abs(sum - 1) > 1e-3) {
      throw new Error(`${what} row ${r} sums to ${sum}; categoricalCrossentropy needs each row to be a probability distribution (one-hot labels sum to 1)`);
    }
  }
  throw new Error(`${what}: internal error, the targets failed a check no message names`);
}

/** Nested number rows (one array of data), not a list of arrays. */
function isRows(v: readonly unknown[]): boolean {
  return typeof v[0] === 'number' || (Array.isArray(v[0]) && typeof v[0][0] === 'number');
}

/** An object keyed by input or output name (not `{ shape, data }` itself). */
function isByName(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !('shape' in v && 'data' in v);
}

/**
 * x for a model's inputs: the data itself (one input), a list in input order, or an object by
 * input name. Every input must have the same number of rows.
 */
export function checkXs(x: unknown, inputs: readonly { name: string; width: number }[], what = 'x'): Features[] {
  const names = inputs.map((i) => i.name);
  let list: unknown[];
  if (isByName(x)) {
    for (const k of Object.keys(x)) if (!names.includes(k)) throw new Error(`${what} names input '${k}'; the model's inputs are ${names.map((n) => `'${n}'`).join(', ')}`);
    list = names.map((n) => {
      if (!Object.prototype.hasOwnProperty.call(x, n)) throw new Error(`${what} has no data for input '${n}'; pass { ${names.join(', ')} }`);
      return x[n];
    });
  } else if (inputs.length === 1) {
    list = [x];
  } else {
    if (!Array.isArray(x) || x.length !== inputs.length) {
      throw new Error(`${what}: the model has ${inputs.length} inputs (${names.map((n) => `'${n}'`).join(', ')}); pass a list of ${inputs.length} arrays in that order, or an object by input name`);
    }
    list = x;
  }
  const many = inputs.length > 1;
  const out = list.map((v, i) => checkX(v, inputs[i]!.width, many ? `${what} for input '${names[i]}'` : what));
  const n = out[0]!.shape[0]!;
  out.forEach((t, i) => {
    if (t.shape[0] !== n) throw new Error(`${what}: input '${names[i]}' has ${t.shape[0]} rows, input '${names[0]}' has ${n}; every input needs one row per example`);
  });
  return out;
}

/**
 * Targets for the outputs with a loss (`heads`): the data itself (one such output), a list (one
 * per output, or one per output with a loss), or an object by output name.
 */
export function checkYs(y: unknown, n: number, heads: readonly { output: number; name: string; units: number; loss: LossName }[], outputs: readonly string[], what = 'y'): { ys: TensorData[]; oneHot: boolean[]; labels: (Labels | null)[] } {
  let list: unknown[];
  if (isByName(y)) {
    for (const k of Object.keys(y)) {
      if (!outputs.includes(k)) throw new Error(`${what} names output '${k}'; the model's outputs are ${outputs.map((o) => `'${o}'`).join(', ')}`);
      if (!heads.some((h) => h.name === k)) throw new Error(`${what} has targets for output '${k}', which has no loss; drop them, or give it a loss in compile`);
    }
    list = heads.map((h) => {
      if (!Object.prototype.hasOwnProperty.call(y, h.name)) throw new Error(`${what} has no targets for output '${h.name}'; pass { ${heads.map((x) => x.name).join(', ')} }`);
      return y[h.name];
    });
  } else if (heads.length === 1 && outputs.length === 1) {
    list = [y];
  } else if (Array.isArray(y) && !isRows(y) && y.length === outputs.length && outputs.length > 1) {
    list = heads.map((h) => y[h.output]);
  } else if (Array.isArray(y) && !isRows(y) && y.length === heads.length && heads.length > 1) {
    list = y;
  } else if (heads.length === 1) {
    list = [y];
  } else {
    throw new Error(`${what}: the model trains ${heads.length} outputs (${heads.map((h) => `'${h.name}'`).join(', ')}); pass a list of their targets in that order, or an object by output name`);
  }
  const many = heads.length > 1;
  const ys: TensorData[] = [], oneHot: boolean[] = [], labels: (Labels | null)[] = [];
  list.forEach((v, t) => {
    const h = heads[t]!;
    const c = checkY(v, n, h.units, h.loss, many ? `${what} for output '${h.name}'` : what);
    ys.push(c.y);
    oneHot.push(c.oneHot);
    labels.push(c.labels);
  });
  return { ys, oneHot, labels };
}
