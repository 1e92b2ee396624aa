// The op functions: argument checks and conversions, then `make`. Shape rules live in the op table.
import type { DType, Facts, OpName } from './attrs.js';
import { GraphError, fmtShape } from './errors.js';
import { checkShape, normAxes, normAxis, sizeOf, sameShape, type Shape } from './shape.js';
import { NO_ATTRS, Tensor, make, type TensorLike } from './tensor.js';
import { declareLeafName } from './names.js';

function checkTensor(op: string, x: unknown, which: string): Tensor {
  if (x instanceof Tensor) return x;
  // Callers that accept numbers convert them first, so a number here is not accepted.
  if (typeof x === 'number') throw new GraphError(op, `${which} must be a Tensor, got the number ${x}; wrap it with constant(${x})`);
  throw new GraphError(op, `${which} must be a Tensor or a number, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with constant(...))';
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new GraphError(op, `dtype must be 'float32' or 'float64', got ${String(dtype)}`);
}

/** A number becomes a scalar constant of the other operand's dtype. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new GraphError(op, `both operands are numbers (${a}, ${b}); make one a tensor with constant(...)`);
  }
  const ta = typeof a === 'number' ? scalar(a, checkTensor(op, b, 'operand 2').dtype) : checkTensor(op, a, 'operand 1');
  const tb = typeof b === 'number' ? scalar(b, ta.dtype) : checkTensor(op, b, 'operand 2');
  return [ta, tb];
}

function checkName(op: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new GraphError(op, `name must be a non-empty string, got ${describe(name)}`);
  }
  return name;
}

// ---- leaves ----

/** A placeholder fed at run time. `facts` are the only things rewrites may assume about it. */
export function input(name: string, shape: Shape, facts: Facts = {}, dtype: DType = 'float32'): Tensor<'input'> {
  const n = checkName('input', name);
  const s = checkShape(`input '${n}'`, shape);
  declareLeafName(n);
  if (facts === null || typeof facts !== 'object') throw new GraphError('input', `facts for '${n}' must be an object like { oneHot: true } or { feed: 'uint8' }, got ${describe(facts)}`);
  if (facts.oneHot && s.length === 0) throw new GraphError('input', `'${n}' is declared oneHot but is a scalar; one-hot rows need a last axis`);
  if (facts.feed !== undefined && facts.feed !== 'uint8') {
    throw new GraphError('input', `'${n}': feed must be 'uint8' (fed as bytes, a Uint8Array) or omitted (floats), got ${JSON.stringify(facts.feed)}`);
  }
  const kept: Facts = { ...(facts.oneHot ? { oneHot: true } : {}), ...(facts.feed === 'uint8' ? { feed: 'uint8' as const } : {}) };
  return make('input', [], { name: n, shape: s, facts: kept }, checkDType('input', dtype));
}

/** A trainable variable; its value lives outside the graph (fed by name, or held by a compiled program). */
export function param(name: string, shape: Shape, dtype: DType = 'float32'): Tensor<'param'> {
  const n = checkName('param', name);
  declareLeafName(n);
  return make('param', [], { name: n, shape: checkShape(`param '${n}'`, shape) }, checkDType('param', dtype));
}

type Nested = number | readonly Nested[];

function flatten(value: Nested, shape: number[], data: number[], depth: number): void {
  if (typeof value === 'number') {
    if (depth !== shape.length) throw new GraphError('constant', `ragged nested array: a number at depth ${depth}, expected depth ${shape.length}`);
    data.push(value);
    return;
  }
  if (!Array.isArray(value)) throw new GraphError('constant', `expected numbers or arrays, got ${describe(value)}`);
  if (depth === shape.length) {
    // The shape grows only along the first path; once a number is read it is complete.
    if (data.length > 0) throw new GraphError('constant', `ragged nested array: an array at depth ${depth}, expected a number`);
    shape.push(value.length);
  }
  else if (shape[depth] !== value.length) {
    throw new GraphError('constant', `ragged nested array: length ${value.length} at depth ${depth}, expected ${shape[depth]}`);
  }
  for (const v of value) flatten(v, shape, data, depth + 1);
}

/** Nested arrays to a flat Float64Array and a shape. */
export function fromNested(value: Nested): { data: Float64Array; shape: number[] } {
  const shape: number[] = [];
  const data: number[] = [];
  flatten(value, shape, data, 0);
  return { data: Float64Array.from(data), shape };
}

/**
 * A constant: a number (broadcast to `shape`, default scalar), a nested array,
 * or flat data with its `shape`.
 */
export function constant(value: Nested | ArrayLike<number>, shape?: Shape, dtype: DType = 'float32'): Tensor<'constant'> {
  let data: Float64Array;
  let s: number[];
  if (typeof value === 'number') {
    data = Float64Array.of(value);
    s = shape ? checkShape('constant', shape) : [];
  } else if (Array.isArray(value) && (shape === undefined || value.some((v) => Array.isArray(v)))) {
    ({ data, shape: s } = fromNested(value as Nested));
    if (shape !== undefined && !sameShape(checkShape('constant', shape), s)) {
      throw new GraphError('constant', `the nested array has shape ${fmtShape(s)} but shape ${fmtShape(shape)} was passed; pass flat data with a shape, or a nested array alone`);
    }
  } else {
    data = Float64Array.from(value as ArrayLike<number>);
    s = shape ? checkShape('constant', shape) : [data.length];
    if (data.length !== sizeOf(s)) {
      throw new GraphError('constant', `${data.length} values do not fill shape ${fmtShape(s)} (${sizeOf(s)} elements); pass a matching shape`);
    }
  }
  if (data.length > 1 && data.every((v) => Object.is(v, data[0]))) data = data.subarray(0, 1);
  return make('constant', [], { values: data, shape: s }, checkDType('constant', dtype));
}

export function scalar(value: number, dtype: DType = 'float32'): Tensor<'constant'> {
  return constant(value, [], dtype);
}
export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor<'constant'> {
  return constant(value, shape, dtype);
}
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor<'constant'> {
  return constant(0, shape, dtype);
}
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor<'constant'> {
  return constant(1, shape, dtype);
}

// ---- elementwise ----

type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'abs' | 'relu' | 'sigmoid' | 'tanh' | 'softplus';
function unary(op: UnaryOp, x: TensorLike): Tensor {
  const t = typeof x === 'number' ? scalar(x) : checkTensor(op, x, 'the operand');
  return make(op, [t], NO_ATTRS);
}
export const neg = (x: TensorLike): Tensor => unary('neg', x);
export const exp = (x: TensorLike): Tensor => unary('exp', x);
export const log = (x: TensorLike): Tensor => unary('log', x);
export const sqrt = (x: TensorLike): Tensor => unary('sqrt', x);
export const square = (x: TensorLike): Tensor => unary('square', x);
export const abs = (x: TensorLike): Tensor => unary('abs', x);
export const relu = (x: TensorLike): Tensor => unary('relu', x);
export const sigmoid = (x: TensorLike): Tensor => unary('sigmoid', x);
export const tanh = (x: TensorLike): Tensor => unary('tanh', x);
export const softplus = (x: TensorLike): Tensor => unary('softplus', x);

/** x^p for a constant exponent p. */
export function pow(x: TensorLike, exponent: number): Tensor {
  const t = typeof x === 'number' ? scalar(x) : checkTensor('pow', x, 'the base');
  if (typeof exponent !== 'number' || !Number.isFinite(exponent)) {
    throw new GraphError('pow', `the exponent must be a finite number, got ${describe(exponent)}`);
  }
  return make('pow', [t], { exponent });
}

type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'greater' | 'less' | 'equal';
function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return make(op, operands(op, a, b), NO_ATTRS);
}
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
/** 1 where a > b, else 0. No gradient. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b);
/** 1 where a < b, else 0. No gradient. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('less', a, b);
/** 1 where a = b, else 0. No gradient. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b);

/** Elementwise choice: a where cond ≠ 0, else b (all three broadcast). */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const like = [cond, a, b].find((x): x is Tensor => x instanceof Tensor);
  if (like === undefined) throw new GraphError('where', 'all three operands are numbers; make one a tensor');
  const t = (x: TensorLike, which: string): Tensor => (typeof x === 'number' ? scalar(x, like.dtype) : checkTensor('where', x, which));
  return make('where', [t(cond, 'cond'), t(a, 'operand a'), t(b, 'operand b')], NO_ATTRS);
}

// ---- reductions ----

type Axes = number | readonly number[] | undefined;
function reduce(op: 'sum' | 'max' | 'logSumExp', x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  const t = checkTensor(op, x, 'the operand');
  const norm = normAxes(op, axes, t.rank);
  if (norm.length === 0) return t;
  return make(op, [t], { axes: norm, keepDims: Boolean(keepDims) });
}
/** Σ over `axes` (all when omitted). */
export const sum = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('sum', x, axes, keepDims);
/** max over `axes`. */
export const max = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('max', x, axes, keepDims);
/** log Σ exp over `axes`, computed stably as m + log Σ exp(x − m). */
export const logSumExp = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('logSumExp', x, axes, keepDims);

/** Σx / count over `axes`. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const t = checkTensor('mean', x, 'the operand');
  const norm = normAxes('mean', axes, t.rank);
  const count = norm.reduce((n, a) => n * t.shape[a], 1);
  return div(sum(t, norm, keepDims), count);
}

// ---- shape ----

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const t = checkTensor('reshape', x, 'the operand');
  if (!Array.isArray(shape)) throw new GraphError('reshape', `the new shape must be an array, got ${describe(shape)}`);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) throw new GraphError('reshape', `shape ${fmtShape(shape)} has more than one -1; at most one size can be inferred`);
  let target = [...shape];
  if (holes === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) {
      throw new GraphError('reshape', `cannot infer -1 in ${fmtShape(shape)} from ${t.size} elements of ${fmtShape(t.shape)}`);
    }
    target = shape.map((d) => (d === -1 ? t.size / known : d));
  }
  const s = checkShape('reshape', target);
  if (sameShape(s, t.shape)) return t;
  return make('reshape', [t], { shape: s });
}

/** Permute axes; the default reverses them (for a matrix, the transpose). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const t = checkTensor('transpose', x, 'the operand');
  const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : perm.map((a) => (a < 0 ? a + t.rank : a));
  if (p.every((a, i) => a === i) && p.length === t.rank) return t;
  return make('transpose', [t], { perm: p });
}

/** Swap the last two axes (matrix transpose of every batch item). */
export function transposeLast2(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  if (x.rank < 2) throw new GraphError('transpose', `needs rank >= 2 to swap the last two axes, got ${fmtShape(x.shape)}`);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = typeof x === 'number' ? scalar(x) : checkTensor('broadcastTo', x, 'the operand');
  const s = checkShape('broadcastTo', shape);
  if (sameShape(s, t.shape)) return t;
  return make('broadcastTo', [t], { shape: s });
}

/** The block starting at `begin` (negative counts from the end) of `size` (-1: to the end). */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  const t = checkTensor('slice', x, 'the operand');
  if (begin.length !== t.rank || (size !== undefined && size.length !== t.rank)) {
    throw new GraphError('slice', `begin ${fmtShape(begin)} and size ${fmtShape(size ?? [])} must each have one entry per axis of ${fmtShape(t.shape)}`);
  }
  const b = begin.map((v, i) => (v < 0 ? v + t.shape[i] : v));
  const s = (size ?? t.shape.map(() => -1)).map((v, i) => (v === -1 ? t.shape[i] - b[i] : v));
  if (b.every((v) => v === 0) && sameShape(s, t.shape)) return t;
  return make('slice', [t], { begin: b, size: s });
}

/** Zeros around x: `before[i]` ahead of and `after[i]` behind axis i. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  const t = checkTensor('pad', x, 'the operand');
  if (before.every((v) => v === 0) && after.every((v) => v === 0) && before.length === t.rank && after.length === t.rank) return t;
  return make('pad', [t], { before: [...before], after: [...after] });
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new GraphError('concat', 'needs a non-empty array of tensors');
  const ts = xs.map((x, i) => checkTensor('concat', x, `tensor ${i}`));
  if (ts.length === 1) return ts[0];
  return make('concat', ts, { axis: normAxis('concat', axis, ts[0].rank) });
}

// ---- linear algebra and composites ----

/** Matrix product over the last two axes; leading (batch) axes broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return make('matmul', [checkTensor('matmul', a, 'operand 1'), checkTensor('matmul', b, 'operand 2')], NO_ATTRS);
}

/** exp(x − max) / Σ exp(x − max) along `axis`. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const t = checkTensor('softmax', x, 'the operand');
  return make('softmax', [t], { axis: normAxis('softmax', axis, t.rank) });
}

/** x − logSumExp(x) along `axis`. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const t = checkTensor('logSoftmax', x, 'the operand');
  return make('logSoftmax', [t], { axis: normAxis('logSoftmax', axis, t.rank) });
}

/** Integer labels [...] to one-hot rows [..., depth]. The result carries the oneHot fact. */
export function oneHot(labels: Tensor, depth: number): Tensor {
  const t = checkTensor('oneHot', labels, 'the labels');
  if (!Number.isInteger(depth) || depth < 1) throw new GraphError('oneHot', `depth must be a positive integer, got ${depth}`);
  return make('oneHot', [t], { depth });
}

/** Σ g over the axes that broadcasting added, so that the result has `shape`. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, true), shape);
}

// ---- fluent methods ----
// `x.matmul(W)` is `matmul(x, W)`. Declared on Tensor by module augmentation and attached to its
// prototype here, beside the functions, so tensor.ts never imports them (as tfjs' chained ops do).

/** Every op as a method of its first operand. */
export interface FluentMethods {
  add(b: TensorLike): Tensor;
  sub(b: TensorLike): Tensor;
  mul(b: TensorLike): Tensor;
  div(b: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  square(): Tensor;
  pow(exponent: number): Tensor;
  abs(): Tensor;
  maximum(b: TensorLike): Tensor;
  minimum(b: TensorLike): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  softplus(): Tensor;
  greater(b: TensorLike): Tensor;
  less(b: TensorLike): Tensor;
  equal(b: TensorLike): Tensor;
  sum(axes?: Axes, keepDims?: boolean): Tensor;
  mean(axes?: Axes, keepDims?: boolean): Tensor;
  max(axes?: Axes, keepDims?: boolean): Tensor;
  logSumExp(axes?: Axes, keepDims?: boolean): Tensor;
  reshape(shape: readonly number[]): Tensor;
  transpose(perm?: readonly number[]): Tensor;
  broadcastTo(shape: readonly number[]): Tensor;
  slice(begin: readonly number[], size?: readonly number[]): Tensor;
  pad(before: readonly number[], after: readonly number[]): Tensor;
  matmul(b: Tensor): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  /** This tensor as labels, one-hot encoded: `[...shape, depth]`. */
  oneHot(depth: number): Tensor;
  /** This tensor as the condition: a where this ≠ 0, else b. */
  where(a: TensorLike, b: TensorLike): Tensor;
  /** This tensor followed by `others` along `axis`. */
  concat(others: readonly Tensor[], axis?: number): Tensor;
}

declare module './tensor.js' {
  interface Tensor<P extends OpName = OpName> extends FluentMethods {}
}

/** Exhaustive over FluentMethods: a declared method without its body fails `tsc`. */
const fluent: { [K in keyof FluentMethods]: (this: Tensor, ...args: Parameters<FluentMethods[K]>) => Tensor } = {
  add(b) { return add(this, b); },
  sub(b) { return sub(this, b); },
  mul(b) { return mul(this, b); },
  div(b) { return div(this, b); },
  neg() { return neg(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  square() { return square(this); },
  pow(exponent) { return pow(this, exponent); },
  abs() { return abs(this); },
  maximum(b) { return maximum(this, b); },
  minimum(b) { return minimum(this, b); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  softplus() { return softplus(this); },
  greater(b) { return greater(this, b); },
  less(b) { return less(this, b); },
  equal(b) { return equal(this, b); },
  sum(axes, keepDims = false) { return sum(this, axes, keepDims); },
  mean(axes, keepDims = false) { return mean(this, axes, keepDims); },
  max(axes, keepDims = false) { return max(this, axes, keepDims); },
  logSumExp(axes, keepDims = false) { return logSumExp(this, axes, keepDims); },
  reshape(shape) { return reshape(this, shape); },
  transpose(perm) { return transpose(this, perm); },
  broadcastTo(shape) { return broadcastTo(this, shape); },
  slice(begin, size) { return slice(this, begin, size); },
  pad(before, after) { return pad(this, before, after); },
  matmul(b) { return matmul(this, b); },
  softmax(axis = -1) { return softmax(this, axis); },
  logSoftmax(axis = -1) { return logSoftmax(this, axis); },
  oneHot(depth) { return oneHot(this, depth); },
  where(a, b) { return where(this, a, b); },
  concat(others, axis = 0) { return concat([this, ...others], axis); },
};
for (const [name, method] of Object.entries(fluent)) {
  // Non-enumerable, like class methods.
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
