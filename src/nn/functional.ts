/**
 * The functional model (Keras' `Model(inputs, outputs)`) over any graph: compile / fit /
 * evaluate / predict / save with the same batching, shuffling, callbacks and progress as
 * `sequential`. Two forms:
 *   model({ inputs: x, outputs: y })                     a graph you built; x: input [batch, features]
 *   model({ inputShape: [features], apply: (x) => y })   built for any batch size
 * Shapes in gradc are static, so a graph built for 32 rows runs batches of 32 rows only; the
 * `apply` form is called once per batch size fit needs (and the last, smaller batch).
 */
import type { Rng } from '../data/rng.js';
import { input } from '../graph/functions.js';
import { Tensor } from '../graph/tensor.js';
import { leavesByName, topoSort } from '../graph/topo.js';
import type { ActivationName } from './activations.js';
import { INITIALIZERS, initialize, type InitializerName } from './initializers.js';
import { Model } from './model.js';
import { checkLayerName, checkName, checkPositiveInt } from './checks.js';

export interface FunctionalOptions {
  /** The graph form: the one input [batch, features] and the output [batch, units] it computes. */
  inputs?: Tensor;
  outputs?: Tensor;
  /** The any-batch form: features per row, and the output of x [batch, features]. */
  inputShape?: readonly number[];
  apply?: (x: Tensor<'input'>) => Tensor;
  /** Initializer per param name; by default glorotUniform for params of rank ≥ 2, zeros otherwise (Keras' kernel and bias). */
  initializers?: Readonly<Record<string, InitializerName>>;
  /** Starting values per param name (e.g. `seq.getWeights()` for a Sequential used inside the graph). */
  weights?: ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>;
  seed?: number;
  name?: string;
}

const KEYS = ['inputs', 'outputs', 'inputShape', 'apply', 'initializers', 'weights', 'seed', 'name'];

export class FunctionalModel extends Model {
  private readonly build: (batch: number, bytes: boolean) => { x: Tensor<'input'>; y: Tensor };
  private readonly fixed: number | null;
  private readonly width: number;
  private readonly units: number;
  private readonly paramList: Tensor<'param'>[];
  private readonly activation: ActivationName;
  private readonly inits: Readonly<Record<string, InitializerName>>;
  /** By batch size and feed (`32:f32`, `32:u8`). */
  private readonly cache = new Map<string, { x: Tensor<'input'>; y: Tensor }>();

  constructor(o: FunctionalOptions) {
    if (o === null || typeof o !== 'object') throw new Error('model: pass { inputs, outputs } (a graph) or { inputShape, apply } (any batch size)');
    for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new Error(`model: unknown option '${k}'; options are ${KEYS.join(', ')}`);
    super(o.name === undefined ? 'model' : checkLayerName(o.name), o.seed);
    let sample: { x: Tensor<'input'>; y: Tensor };
    if (o.apply !== undefined || o.inputShape !== undefined) {
      if (o.inputs !== undefined || o.outputs !== undefined) throw new Error('model: give { inputs, outputs } or { inputShape, apply }, not both');
      if (typeof o.apply !== 'function') throw new Error('model: apply must be a function from the input x [batch, features] to the output tensor');
      const s = o.inputShape;
      if (!Array.isArray(s) || s.length !== 1) throw new Error(`model: inputShape must be [features] (flatten images to [784]), got ${JSON.stringify(s)}`);
      const features = checkPositiveInt('model: inputShape[0]', s[0]);
      const apply = o.apply;
      this.build = (batch, bytes) => {
        const x = input('x', [batch, features], bytes ? { feed: 'uint8' } : {});
        const y = apply(x);
        if (!(y instanceof Tensor)) throw new Error(`model: apply(x) must return a Tensor, got ${y === null ? 'null' : typeof y}`);
        return { x, y };
      };
      this.fixed = null;
      sample = this.build(2, false);
    } else {
      const x = o.inputs, y = o.outputs;
      if (!(x instanceof Tensor) || x.op !== 'input') throw new Error(`model: inputs must be one input(...) tensor [batch, features], got ${x instanceof Tensor ? `a ${x.op} node` : String(x)}`);
      if (!(y instanceof Tensor)) throw new Error(`model: outputs must be the output tensor, got ${String(y)}`);
      sample = { x: x as Tensor<'input'>, y };
      this.build = () => sample;
      this.fixed = x.shape[0]!;
    }
    const { x, y } = sample;
    if (x.rank !== 2) throw new Error(`model: the input must be [batch, features], got shape [${x.shape.join(', ')}]`);
    if (y.rank !== 2 || y.shape[0] !== x.shape[0]) throw new Error(`model: the output must be [batch, units] with the input's batch ${x.shape[0]}, got shape [${y.shape.join(', ')}]`);
    const leaves = leavesByName(topoSort([y]), 'model');
    if (![...leaves.values()].includes(x)) throw new Error(`model: the output does not read the input '${x.attrs.name}'`);
    const others = [...leaves.values()].filter((l) => l.op === 'input' && l !== x);
    if (others.length > 0) throw new Error(`model: the output reads input${others.length > 1 ? 's' : ''} ${others.map((l) => `'${l.attrs.name}'`).join(', ')} besides '${x.attrs.name}'; a model has one input (make the others params or constants)`);
    this.paramList = [...leaves.values()].filter((l): l is Tensor<'param'> => l.op === 'param');
    if (this.paramList.length === 0) throw new Error('model: the output reads no params: there is nothing to train');
    this.width = x.shape[1]!;
    this.units = y.shape[1]!;
    this.activation = y.op === 'softmax' ? 'softmax' : y.op === 'sigmoid' ? 'sigmoid' : 'linear';
    const inits = o.initializers ?? {};
    const names = new Set(this.paramList.map((p) => p.attrs.name));
    for (const [k, v] of Object.entries(inits)) {
      if (!names.has(k)) throw new Error(`model: initializers names '${k}', which is not a param of the graph (its params are ${[...names].join(', ')})`);
      checkName(`initializer for '${k}'`, v, INITIALIZERS);
    }
    this.inits = inits;
    if (this.fixed === null) this.cache.set('2:f32', sample);
    if (o.weights !== undefined) this.setWeights(o.weights as Record<string, Float32Array>);
  }

  get params(): Tensor<'param'>[] {
    return this.paramList;
  }

  get inputWidth(): number {
    return this.width;
  }

  get outputUnits(): number {
    return this.units;
  }

  get fixedBatch(): number | null {
    return this.fixed;
  }

  protected forward(batch: number, bytes: boolean): { x: Tensor<'input'>; y: Tensor } {
    const key = `${batch}:${bytes ? 'u8' : 'f32'}`;
    let g = this.cache.get(key);
    if (!g) {
      g = this.build(batch, bytes);
      const ps = leavesByName(topoSort([g.y]), 'model');
      for (const p of ps.values()) {
        if (p.op === 'param' && !this.paramList.includes(p as Tensor<'param'>)) {
          throw new Error(`model: apply(x) for ${batch} rows reads param '${p.attrs.name}' [${p.shape.join(', ')}], which it did not read for 2 rows; the params must not depend on the batch size`);
        }
      }
      this.cache.set(key, g);
    }
    return g;
  }

  protected get outputActivation(): ActivationName {
    return this.activation;
  }

  protected initialValue(p: Tensor<'param'>, rng: Rng): Float32Array {
    return initialize(this.inits[p.attrs.name] ?? (p.rank >= 2 ? 'glorotUniform' : 'zeros'), p.shape, rng);
  }

  protected get kind(): 'functional' {
    return 'functional';
  }

  /** The graph is code; what is saved is its params' names and shapes, to check on load. */
  protected topology(): unknown {
    return this.paramList.map((p) => ({ name: p.attrs.name, shape: [...p.shape] }));
  }
}

/** A functional model over a graph of your own (see FunctionalOptions). */
export function model(options: FunctionalOptions): FunctionalModel {
  return new FunctionalModel(options);
}
