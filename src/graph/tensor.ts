import type { DType, Facts, OpAttrs, OpName } from './attrs.js';
import { sizeOf, type Shape } from './shape.js';
import { opTable } from './ops/table.js';
import * as f from './functions.js';

export type TensorLike = Tensor | number;

let nextId = 0;

/**
 * A node of the computation graph: immutable and hash-consed, so building the
 * same op with the same attributes on the same inputs returns the same object.
 */
export class Tensor<P extends OpName = OpName> {
  readonly id = nextId++;
  readonly size: number;

  /** Use the op functions (`add`, `matmul`, …) or `make`; never `new`. */
  constructor(
    readonly op: P,
    readonly inputs: readonly Tensor[],
    readonly attrs: OpAttrs[P],
    readonly shape: Shape,
    readonly dtype: DType,
    /** The hash-consing key: op, attributes and input ids. */
    readonly key: string,
  ) {
    this.size = sizeOf(shape);
    Object.freeze(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  is<Q extends OpName>(op: Q): this is Tensor<Q> {
    return (this.op as OpName) === op;
  }

  toString(): string {
    return `Tensor(${this.op}#${this.id} [${this.shape.join(',')}] ${this.dtype})`;
  }

  // elementwise
  add(b: TensorLike): Tensor { return f.add(this, b); }
  sub(b: TensorLike): Tensor { return f.sub(this, b); }
  mul(b: TensorLike): Tensor { return f.mul(this, b); }
  div(b: TensorLike): Tensor { return f.div(this, b); }
  neg(): Tensor { return f.neg(this); }
  exp(): Tensor { return f.exp(this); }
  log(): Tensor { return f.log(this); }
  sqrt(): Tensor { return f.sqrt(this); }
  square(): Tensor { return f.square(this); }
  pow(exponent: number): Tensor { return f.pow(this, exponent); }
  abs(): Tensor { return f.abs(this); }
  maximum(b: TensorLike): Tensor { return f.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return f.minimum(this, b); }
  relu(): Tensor { return f.relu(this); }
  sigmoid(): Tensor { return f.sigmoid(this); }
  tanh(): Tensor { return f.tanh(this); }
  softplus(): Tensor { return f.softplus(this); }
  greater(b: TensorLike): Tensor { return f.greater(this, b); }
  less(b: TensorLike): Tensor { return f.less(this, b); }
  equal(b: TensorLike): Tensor { return f.equal(this, b); }
  // reductions
  sum(axes?: number | readonly number[], keepDims = false): Tensor { return f.sum(this, axes, keepDims); }
  mean(axes?: number | readonly number[], keepDims = false): Tensor { return f.mean(this, axes, keepDims); }
  max(axes?: number | readonly number[], keepDims = false): Tensor { return f.max(this, axes, keepDims); }
  logSumExp(axes?: number | readonly number[], keepDims = false): Tensor { return f.logSumExp(this, axes, keepDims); }
  // shape
  reshape(shape: readonly number[]): Tensor { return f.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return f.transpose(this, perm); }
  broadcastTo(shape: readonly number[]): Tensor { return f.broadcastTo(this, shape); }
  slice(begin: readonly number[], size?: readonly number[]): Tensor { return f.slice(this, begin, size); }
  pad(before: readonly number[], after: readonly number[]): Tensor { return f.pad(this, before, after); }
  // linear algebra and composites
  matmul(b: Tensor): Tensor { return f.matmul(this, b); }
  softmax(axis = -1): Tensor { return f.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return f.logSoftmax(this, axis); }
  /** This tensor as labels, one-hot encoded: `[...shape, depth]`. */
  oneHot(depth: number): Tensor { return f.oneHot(this, depth); }
  /** This tensor as the condition: a where this ≠ 0, else b. */
  where(a: TensorLike, b: TensorLike): Tensor { return f.where(this, a, b); }
  /** This tensor followed by `others` along `axis`. */
  concat(others: readonly Tensor[], axis = 0): Tensor { return f.concat([this, ...others], axis); }
}

// Hash-consing table. Values are weak so graphs nobody holds can be collected.
const nodes = new Map<string, WeakRef<Tensor>>();
const collected = new FinalizationRegistry<string>((key) => {
  const ref = nodes.get(key);
  if (ref !== undefined && ref.deref() === undefined) nodes.delete(key);
});
let uniqueKeys = 0;

function attrKey<P extends OpName>(op: P, attrs: OpAttrs[P]): string {
  if (op === 'constant') {
    const { values, shape } = attrs as OpAttrs['constant'];
    // Small constants are shared by value; large ones are their own node.
    const data = values.length <= 64 ? Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',') : `#${uniqueKeys++}`;
    return `${shape.join('x')}:${data}`;
  }
  return JSON.stringify(attrs);
}

/** dtype of an op's result: float64 if any input is. */
function resultDType(inputs: readonly Tensor[]): DType {
  return inputs.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/**
 * The one way nodes are made: checks shapes with the op's rule (throwing a
 * GraphError before anything is built) and returns the shared node.
 */
export function make<P extends OpName>(op: P, inputs: readonly Tensor[], attrs: OpAttrs[P], dtype?: DType): Tensor<P> {
  const dt = dtype ?? resultDType(inputs);
  const key = `${op}|${attrKey(op, attrs)}|${dt}|${inputs.map((t) => t.id).join(',')}`;
  const hit = nodes.get(key)?.deref();
  if (hit !== undefined) return hit as Tensor<P>;
  const shape = opTable[op].shape(inputs, attrs);
  const t = new Tensor(op, inputs, attrs, shape, dt, key);
  nodes.set(key, new WeakRef(t));
  collected.register(t, key);
  return t;
}

export type { Facts };
