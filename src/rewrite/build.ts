// Small builders the rules share: scalar constants, canonical scalar multiples, powers, and
// fitting a rebuilt expression back to the shape of the node it replaces.
import type { DType } from '../graph/attrs.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import * as f from '../graph/functions.js';
import { sameShape, sizeOf, type Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';

/** The value of a constant holding one value (a scalar, or a fill of any shape). */
export function uniformValue(t: Tensor): number | undefined {
  if (t.op !== 'constant') return undefined;
  const v = (t as Tensor<'constant'>).attrs.values;
  if (v.length === 1) return v[0];
  for (let i = 1; i < v.length; i++) if (!Object.is(v[i], v[0])) return undefined;
  return v.length > 0 ? v[0] : undefined;
}

/** Scalars by value, one map per dtype (a Map key does not tell −0 from 0, so −0 has its own slot). */
const scalars32 = new Map<number, Tensor>();
const scalars64 = new Map<number, Tensor>();
const negativeZero: { float32?: Tensor; float64?: Tensor } = {};
/** A scalar constant; the rules make the same few over and over, so they are cached (bounded). */
export function scalarConst(v: number, dtype: DType): Tensor {
  if (v === 0 && 1 / v < 0) return (negativeZero[dtype] ??= f.scalar(v, dtype));
  const scalars = dtype === 'float64' ? scalars64 : scalars32;
  let t = scalars.get(v);
  if (t === undefined) {
    if (scalars.size >= 4096) scalars.clear();
    scalars.set(v, (t = f.scalar(v, dtype)));
  }
  return t;
}

/** A constant from computed values: one value if they are all equal. */
export function constantOf(values: Float64Array, shape: Shape, dtype: DType): Tensor {
  return f.constant(values, shape, dtype);
}

/** Constants small enough to be shared by value (the hash-consing table keys ≤ 64 values). */
export const SMALL_CONSTANT = 64;

/**
 * `t` read as a value of `shape`: broadcast up, or drop leading size-1 axes.
 * Rules rebuild expressions from broadcasting parts, whose shape may be smaller.
 */
export function fit(t: Tensor, shape: Shape): Tensor {
  if (sameShape(t.shape, shape)) return t;
  let x = t;
  // Leading 1s beyond the target rank: reshape them away first.
  if (x.shape.length > shape.length) {
    const extra = x.shape.length - shape.length;
    for (let i = 0; i < extra; i++) if (x.shape[i] !== 1) throw internal(t, shape);
    x = f.reshape(x, x.shape.slice(extra));
  }
  if (sameShape(x.shape, shape)) return x;
  const xs = x.shape;
  const lead = shape.length - xs.length;
  for (let i = 0; i < xs.length; i++) if (xs[i] !== shape[i + lead] && xs[i] !== 1) throw internal(t, shape);
  return f.broadcastTo(x, shape);
}

function internal(t: Tensor, shape: Shape): GraphError {
  return new GraphError('simplify', `internal error: a rewrite produced ${fmtShape(t.shape)} where ${fmtShape(shape)} was needed; please report this graph`);
}

/** k if a = 1/k exactly for an integer k ≥ 2 (so x·a prints as x / k). */
export function reciprocalInteger(a: number): number | undefined {
  const k = 1 / a;
  return Number.isInteger(k) && k >= 2 && k <= 1e15 && 1 / k === a ? k : undefined;
}

/** x^k for a whole k ≥ 1: x, x², or pow. */
export function power(x: Tensor, k: number): Tensor {
  return k === 1 ? x : k === 2 ? f.square(x) : f.pow(x, k);
}

/** c·x in the one canonical form: x, −x, x / k, c ⊙ x, or −(…) around those. */
export function scaled(c: number, x: Tensor, dtype: DType): Tensor {
  if (c === 1) return x;
  if (c === -1) return f.neg(x);
  const a = Math.abs(c);
  const k = reciprocalInteger(a);
  const body = k !== undefined ? f.div(x, scalarConst(k, dtype)) : f.mul(scalarConst(a, dtype), x);
  return c < 0 ? f.neg(body) : body;
}

/** A scalar and what it scales (see peelScalar). */
export class Peeled {
  declare readonly coef: number;
  declare readonly core: Tensor;

  constructor(coef: number, core: Tensor) {
    this.coef = coef;
    this.core = core;
  }
}

/** Peels scalar factors off the top of an expression: −(x / 4) → { coef: −0.25, core: x }. */
export function peelScalar(t: Tensor): Peeled {
  let coef = 1;
  let core = t;
  for (;;) {
    const op = core.op;
    if (op === 'neg') {
      coef = -coef;
      core = core.inputs[0]!;
      continue;
    }
    if (op === 'mul' || op === 'div') {
      const a = core.inputs[0]!;
      const b = core.inputs[1]!;
      const vb = uniformValue(b);
      const va = op === 'mul' ? uniformValue(a) : undefined;
      // Only scalars whose broadcast does not change the shape.
      if (vb !== undefined && vb !== 0 && sameShape(a.shape, core.shape)) {
        coef = op === 'mul' ? coef * vb : coef / vb;
        core = a;
        continue;
      }
      if (va !== undefined && sameShape(b.shape, core.shape)) {
        coef *= va;
        core = b;
        continue;
      }
    }
    return new Peeled(coef, core);
  }
}

/** Product of the sizes of `axes` of `shape`. */
export const countOf = (shape: Shape, axes: readonly number[]): number => sizeOf(axes.map((a) => shape[a]));
