/**
 * The functional model (Keras' `Model(inputs, outputs)`) over any graph: compile / fit /
 * evaluate / predict / save with the same batching, shuffling, callbacks and progress as
 * `sequential`. Several inputs and several outputs as Keras has them. Three forms:
 *   model({ inputs: x, outputs: y })                      a graph you built; x: input [batch, features]
 *   model({ inputs: [a, b], outputs: { cls, box } })      several inputs (fed by name or in order), named outputs
 *   model({ inputShape: [features], apply: (x) => y })    built for any batch size
 *   model({ inputShape: { a: [4], b: [3] }, apply: ({ a, b }) => [y1, y2] })   named inputs, any batch size
 * Shapes in gradc are static, so a graph built for 32 rows runs batches of 32 rows only; the
 * `apply` form is called once per batch size fit needs (and the last, smaller batch).
 * Outputs: a tensor (predict gives one array), a list (predict gives a list; outputs are named
 * output_1, output_2, …), or an object by name (predict gives an object). compile's loss is one
 * name (every output), a list per output (null: not trained) or an object by output name.
 */
import type { Rng } from '../data/rng.js';
import type { TensorData } from '../data/tensor-data.js';
import { input } from '../graph/functions.js';
import { Tensor } from '../graph/tensor.js';
import { leavesByName, topoSort } from '../graph/topo.js';
import type { ActivationName } from './activations.js';
import { INITIALIZERS, initialize, type InitializerName } from './initializers.js';
import { Model } from './model.js';
import { checkLayerName, checkName, checkPositiveInt } from './checks.js';
import type { InputInfo, OutputInfo } from './trainable.js';

/** What a model computes: one tensor, a list of them, or an object of them by output name. */
export type Outputs = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;

/** What predict gives for those outputs: one array, a list, or an object by output name. */
export type Prediction<O> = O extends Tensor ? TensorData : O extends readonly Tensor[] ? TensorData[] : { [K in keyof O]: TensorData };

interface CommonOptions {
  /** Initializer per param name; by default glorotUniform for params of rank ≥ 2, zeros otherwise (Keras' kernel and bias). */
  initializers?: Readonly<Record<string, InitializerName>>;
  /** Starting values per param name (e.g. `seq.getWeights()` for a Sequential used inside the graph). */
  weights?: ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>;
  seed?: number;
  name?: string;
}

/** The graph form: input(...) tensors [batch, features] (one or a list) and what the model computes from them. */
export interface GraphOptions<O extends Outputs = Outputs> extends CommonOptions {
  inputs: Tensor | readonly Tensor[];
  outputs: O;
}

/** The any-batch form with one input: features per row, and the outputs of x [batch, features]. */
export interface ApplyOptions<O extends Outputs = Outputs> extends CommonOptions {
  inputShape: readonly number[];
  apply: (x: Tensor<'input'>) => O;
}

/** The any-batch form with named inputs: features per row of each, and the outputs of the inputs (by name). */
export interface NamedApplyOptions<O extends Outputs = Outputs> extends CommonOptions {
  inputShape: Readonly<Record<string, readonly number[]>>;
  apply: (inputs: Readonly<Record<string, Tensor<'input'>>>) => O;
}

export type FunctionalOptions = GraphOptions | ApplyOptions | NamedApplyOptions;

const KEYS = ['inputs', 'outputs', 'inputShape', 'apply', 'initializers', 'weights', 'seed', 'name'];
/** Names the step gives its own inputs: the targets and the optimizers' scalars. */
const RESERVED = /^(target(\/\d+)?|(sgd|momentum|adam|adamw|rmsprop|adagrad)\/.*)$/;

interface Built {
  xs: Tensor<'input'>[];
  ys: Tensor[];
}

/** The outputs as a list, with their names and how predict gives them back. */
function normalizeOutputs(o: unknown, what: string): { names: string[]; ys: Tensor[]; kind: 'one' | 'list' | 'named' } {
  if (o instanceof Tensor) return { names: ['output'], ys: [o], kind: 'one' };
  if (Array.isArray(o)) {
    if (o.length === 0) throw new Error(`model: ${what} is an empty list; give at least one output tensor`);
    o.forEach((t, j) => { if (!(t instanceof Tensor)) throw new Error(`model: ${what}[${j}] must be a Tensor, got ${t === null ? 'null' : typeof t}`); });
    return { names: o.map((_, j) => `output_${j + 1}`), ys: [...o] as Tensor[], kind: 'list' };
  }
  if (o !== null && typeof o === 'object') {
    const entries = Object.entries(o);
    if (entries.length === 0) throw new Error(`model: ${what} is an empty object; give at least one output tensor`);
    for (const [k, t] of entries) {
      checkLayerName(k);
      if (!(t instanceof Tensor)) throw new Error(`model: ${what}.${k} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    return { names: entries.map(([k]) => k), ys: entries.map(([, t]) => t as Tensor), kind: 'named' };
  }
  throw new Error(`model: ${what} must be the output tensor, a list of them or an object of them by name, got ${String(o)}`);
}

export class FunctionalModel<P = TensorData> extends Model<P> {
  private readonly build: (batch: number, bytes: readonly boolean[]) => Built;
  private readonly fixed: number | null;
  private readonly ins: InputInfo[];
  private readonly outs: OutputInfo[];
  private readonly outKind: 'one' | 'list' | 'named';
  private readonly paramList: Tensor<'param'>[];
  private readonly activations: ActivationName[];
  private readonly inits: Readonly<Record<string, InitializerName>>;
  /** By batch size and feeds (`32:01`: input 1 fed as bytes). */
  private readonly cache = new Map<string, Built>();

  constructor(o: FunctionalOptions) {
    if (o === null || typeof o !== 'object') throw new Error('model: pass { inputs, outputs } (a graph) or { inputShape, apply } (any batch size)');
    for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new Error(`model: unknown option '${k}'; options are ${KEYS.join(', ')}`);
    super(o.name === undefined ? 'model' : checkLayerName(o.name), o.seed);
    const g = o as Partial<GraphOptions> & Partial<ApplyOptions> & { inputShape?: unknown; apply?: unknown };
    let sample: Built;
    let outNames: string[];
    if (g.apply !== undefined || g.inputShape !== undefined) {
      if (g.inputs !== undefined || g.outputs !== undefined) throw new Error('model: give { inputs, outputs } or { inputShape, apply }, not both');
      if (typeof g.apply !== 'function') throw new Error('model: apply must be a function from the input x [batch, features] (or the inputs by name) to the outputs');
      const s = g.inputShape;
      const named = s !== null && typeof s === 'object' && !Array.isArray(s);
      const shapes: [string, number][] = named
        ? Object.entries(s as unknown as Record<string, unknown>).map(([k, v]) => [k, this.featuresOf(`inputShape.${k}`, v)])
        : [['x', this.featuresOf('inputShape', s)]];
      if (shapes.length === 0) throw new Error('model: inputShape is an empty object; name at least one input, e.g. { pixels: [784] }');
      for (const [k] of shapes) if (named) checkLayerName(k);
      const apply = g.apply as (x: unknown) => unknown;
      let first: ReturnType<typeof normalizeOutputs> | null = null;
      this.build = (batch, bytes) => {
        const xs = shapes.map(([k, f], i) => input(k, [batch, f], bytes[i] ? { feed: 'uint8' } : {}));
        const out = normalizeOutputs(apply(named ? Object.fromEntries(xs.map((x, i) => [shapes[i]![0], x])) : xs[0]), 'apply(x)');
        if (first === null) first = out;
        else if (out.names.join() !== first.names.join()) throw new Error(`model: apply gave outputs ${out.names.join(', ')} for ${batch} rows, but ${first.names.join(', ')} before; the outputs must not depend on the batch size`);
        return { xs, ys: out.ys };
      };
      this.fixed = null;
      sample = this.build(2, shapes.map(() => false));
      outNames = first!.names;
      this.outKind = first!.kind;
    } else {
      const list = g.inputs instanceof Tensor ? [g.inputs] : g.inputs;
      if (!Array.isArray(list) || list.length === 0) throw new Error(`model: inputs must be an input(...) tensor [batch, features] or a list of them, got ${String(g.inputs)}`);
      list.forEach((x, i) => {
        if (!(x instanceof Tensor) || x.op !== 'input') throw new Error(`model: inputs${list.length > 1 ? `[${i}]` : ''} must be an input(...) tensor [batch, features], got ${x instanceof Tensor ? `a ${x.op} node` : String(x)}`);
      });
      const out = normalizeOutputs(g.outputs, 'outputs');
      sample = { xs: list as Tensor<'input'>[], ys: out.ys };
      outNames = out.names;
      this.outKind = out.kind;
      this.build = () => sample;
      this.fixed = (list[0] as Tensor).shape[0] ?? null;
    }
    const { xs, ys } = sample;
    const batch = xs[0]!.shape[0];
    const inNames = xs.map((x) => x.attrs.name);
    xs.forEach((x, i) => {
      const name = inNames[i]!;
      if (x.rank !== 2) throw new Error(`model: input '${name}' must be [batch, features], got shape [${x.shape.join(', ')}]`);
      if (x.shape[0] !== batch) throw new Error(`model: input '${name}' has batch ${x.shape[0]}, input '${inNames[0]}' has ${batch}; every input has one row per example`);
      if (RESERVED.test(name)) throw new Error(`model: the input name '${name}' is reserved for the training step's own inputs (targets, optimizer scalars); rename the input`);
      if (inNames.indexOf(name) !== i) throw new Error(`model: two inputs are named '${name}'; give each input its own name`);
    });
    ys.forEach((y, j) => {
      if (y.rank !== 2 || y.shape[0] !== batch) throw new Error(`model: the output${ys.length > 1 ? ` '${outNames[j]}'` : ''} must be [batch, units] with the input's batch ${batch}, got shape [${y.shape.join(', ')}]`);
    });
    const leaves = leavesByName(topoSort(ys), 'model');
    const read = [...leaves.values()];
    for (const x of xs) if (!read.includes(x)) throw new Error(`model: the output${ys.length > 1 ? 's do' : ' does'} not read the input '${x.attrs.name}'`);
    const others = read.filter((l) => l.op === 'input' && !xs.includes(l as Tensor<'input'>));
    if (others.length > 0) {
      throw new Error(`model: the output reads input${others.length > 1 ? 's' : ''} ${others.map((l) => `'${l.attrs.name}'`).join(', ')} besides ${inNames.map((n) => `'${n}'`).join(', ')}; list ${others.length > 1 ? 'them' : 'it'} in inputs (or make ${others.length > 1 ? 'them' : 'it'} a param or constant)`);
    }
    this.paramList = read.filter((l): l is Tensor<'param'> => l.op === 'param');
    if (this.paramList.length === 0) throw new Error('model: the output reads no params: there is nothing to train');
    this.ins = xs.map((x) => ({ name: x.attrs.name, width: x.shape[1]! }));
    this.outs = ys.map((y, j) => ({ name: outNames[j]!, units: y.shape[1]! }));
    this.activations = ys.map((y) => (y.op === 'softmax' ? 'softmax' : y.op === 'sigmoid' ? 'sigmoid' : 'linear'));
    const inits = o.initializers ?? {};
    const names = new Set(this.paramList.map((p) => p.attrs.name));
    for (const [k, v] of Object.entries(inits)) {
      if (!names.has(k)) throw new Error(`model: initializers names '${k}', which is not a param of the graph (its params are ${[...names].join(', ')})`);
      checkName(`initializer for '${k}'`, v, INITIALIZERS);
    }
    this.inits = inits;
    if (this.fixed === null) this.cache.set(`2:${xs.map(() => 0).join('')}`, sample);
    if (o.weights !== undefined) this.setWeights(o.weights as Record<string, Float32Array>);
  }

  private featuresOf(what: string, s: unknown): number {
    if (!Array.isArray(s) || s.length !== 1) throw new Error(`model: ${what} must be [features] (flatten images to [784]), got ${JSON.stringify(s)}`);
    return checkPositiveInt(`model: ${what}[0]`, s[0]);
  }

  get params(): Tensor<'param'>[] {
    return this.paramList;
  }

  get inputInfo(): readonly InputInfo[] {
    return this.ins;
  }

  get outputInfo(): readonly OutputInfo[] {
    return this.outs;
  }

  get fixedBatch(): number | null {
    return this.fixed;
  }

  protected forward(batch: number, bytes: readonly boolean[]): Built {
    const key = `${batch}:${this.ins.map((_, i) => (bytes[i] ? 1 : 0)).join('')}`;
    let g = this.cache.get(key);
    if (!g) {
      g = this.build(batch, bytes);
      const ps = leavesByName(topoSort(g.ys), 'model');
      for (const p of ps.values()) {
        if (p.op === 'param' && !this.paramList.includes(p as Tensor<'param'>)) {
          throw new Error(`model: apply for ${batch} rows reads param '${p.attrs.name}' [${p.shape.join(', ')}], which it did not read for 2 rows; the params must not depend on the batch size`);
        }
      }
      this.cache.set(key, g);
    }
    return g;
  }

  protected get outputActivations(): readonly ActivationName[] {
    return this.activations;
  }

  protected override shapePrediction(outputs: TensorData[]): P {
    if (this.outKind === 'one') return outputs[0] as P;
    if (this.outKind === 'list') return outputs as P;
    return Object.fromEntries(this.outs.map((o, j) => [o.name, outputs[j]])) as P;
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

/** A functional model over a graph of your own (see the forms above). */
export function model<O extends Outputs>(options: GraphOptions<O>): FunctionalModel<Prediction<O>>;
export function model<O extends Outputs>(options: ApplyOptions<O>): FunctionalModel<Prediction<O>>;
export function model<O extends Outputs>(options: NamedApplyOptions<O>): FunctionalModel<Prediction<O>>;
export function model(options: FunctionalOptions): FunctionalModel<unknown> {
  return new FunctionalModel<unknown>(options);
}
