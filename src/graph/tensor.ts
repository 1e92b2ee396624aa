import type { DType, Facts, OpAttrs, OpName } from './attrs.js';
import { sizeOf, type Shape } from './shape.js';
import { opInfo } from './ops.js';

export type TensorLike = Tensor | number;

let nextId = 0;

/**
 * A node of the computation graph: immutable and hash-consed, so building the
 * same op with the same attributes on the same inputs returns the same object.
 */
export class Tensor<P extends OpName = OpName> {
  // Declared, and assigned in the constructor: class fields would define each property (as
  // undefined) before the constructor runs, a second store per field on every node made.
  declare readonly op: P;
  declare readonly inputs: readonly Tensor[];
  declare readonly attrs: OpAttrs[P];
  declare readonly shape: Shape;
  declare readonly dtype: DType;
  /** The hash-consing key: op, attributes and input ids. */
  declare readonly key: string;
  declare readonly id: number;
  declare readonly size: number;

  /** Use the op functions (`add`, `matmul`, …) or `make`; never `new`. */
  constructor(op: P, inputs: readonly Tensor[], attrs: OpAttrs[P], shape: Shape, dtype: DType, key: string) {
    this.op = op;
    this.inputs = inputs;
    this.attrs = attrs;
    this.shape = shape;
    this.dtype = dtype;
    this.key = key;
    this.id = nextId++;
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

  // The fluent methods (`x.matmul(W)`, …) are declared and attached beside the op functions
  // (graph/functions.ts), so this file does not import them.
}

// Hash-consing table. Values are weak so graphs nobody holds can be collected.
const nodes = new Map<string, WeakRef<Tensor>>();
const collected = new FinalizationRegistry<string>((key) => {
  const ref = nodes.get(key);
  if (ref !== undefined && ref.deref() === undefined) nodes.delete(key);
});
let uniqueKeys = 0;

/**
 * The attributes of the ops that have none, shared (and frozen) so that building a node does not
 * allocate them and its key needs no JSON.stringify.
 */
export const NO_ATTRS: Record<string, never> = Object.freeze({});

/** The attributes as they appear in hash-consing keys (also the structural order's). */
export function attrText(attrs: object): string {
  return attrs === NO_ATTRS ? '{}' : JSON.stringify(attrs);
}

function attrKey<P extends OpName>(op: P, attrs: OpAttrs[P]): string {
  if (op === 'constant') {
    const { values, shape } = attrs as OpAttrs['constant'];
    // Small constants are shared by value; large ones are their own node.
    const data = values.length <= 64 ? Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',') : `#${uniqueKeys++}`;
    return `${shape.join('x')}:${data}`;
  }
  return attrText(attrs);
}

/** dtype of an op's result: float64 if any input is. */
function resultDType(inputs: readonly Tensor[]): DType {
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.dtype === 'float64') return 'float64';
  return 'float32';
}

/**
 * The one way nodes are made: checks shapes with the op's rule (throwing a
 * GraphError before anything is built) and returns the shared node.
 */
export function make<P extends OpName>(op: P, inputs: readonly Tensor[], attrs: OpAttrs[P], dtype?: DType): Tensor<P> {
  const dt = dtype ?? resultDType(inputs);
  // op|attrs|dtype|id,id,… (plain concatenation: this runs for every node a rewrite builds)
  let key = op + '|' + attrKey(op, attrs) + '|' + dt + '|';
  for (let i = 0; i < inputs.length; i++) key += i === 0 ? String(inputs[i]!.id) : ',' + inputs[i]!.id;
  const hit = nodes.get(key)?.deref();
  if (hit !== undefined) return hit as Tensor<P>;
  const shapes = new Array<Shape>(inputs.length);
  for (let i = 0; i < inputs.length; i++) shapes[i] = inputs[i]!.shape;
  const shape = opInfo[op].shape(shapes, attrs);
  const t = new Tensor(op, inputs, attrs, shape, dt, key);
  nodes.set(key, new WeakRef(t));
  collected.register(t, key);
  return t;
}

export type { Facts };
