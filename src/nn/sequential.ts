/**
 * A sequential model in the shape Keras and tfjs users know:
 *   const model = sequential(); model.add(layers.dense({ units: 32, inputDim: 784, activation: 'relu' }));
 *   model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
 *   const history = await model.fit(x, y, { epochs: 10, batchSize: 32 });
 * Weights live on the host between calls; each step program (per kind and batch size) is built
 * once and holds its own copy, synchronised only when another program or the user needs them.
 */
import { randomInt } from 'node:crypto';
import { Rng } from '../data/rng.js';
import type { TensorData } from '../data/tensor-data.js';
import type { Tensor } from '../graph/tensor.js';
import { initialize } from './initializers.js';
import { buildDense, type BuiltDense, type DenseSpec } from './layers.js';
import { checkLoss, checkLossActivation, type LossName } from './losses.js';
import { accuracyMode, checkMetrics, type AccuracyMode, type MetricName } from './metrics.js';
import { checkOptimizer, type OptimizerConfig } from './optimizers.js';
import { buildStepProgram, checkBackend, type Backend, type StepProgram } from './program.js';
import { buildEvalStep, buildPredictStep, buildTrainStep, params, type TrainStep } from './train-step.js';
import { checkLayerName } from './checks.js';
import { evaluateModel, predictRows, type EvalResult } from './inference.js';
import { fitModel, type FitOptions, type History } from './fit.js';
import { modelMermaid, summaryText } from './describe.js';
import { saveModel } from './serialize.js';

export interface CompileArgs {
  loss: LossName | string;
  optimizer: string | OptimizerConfig | { name: string; [k: string]: unknown };
  metrics?: string[];
  /** 'js' (default): the kernel compiler; 'reference': the graph interpreter (slow, for checking). */
  backend?: Backend;
}

export interface CompiledConfig {
  readonly loss: LossName;
  readonly optimizer: OptimizerConfig;
  readonly metrics: MetricName[];
  readonly backend: Backend;
  readonly accuracy: AccuracyMode;
}

export interface SequentialOptions {
  /** Seeds weight initialisation and shuffling: the same seed gives the same run, bit for bit. */
  seed?: number;
  name?: string;
}

/** A program and the weights version it holds. */
export interface Held {
  program: StepProgram;
  version: number;
  train: TrainStep | null;
  /** One reusable buffer per input, keyed by input name: the feeds of every run. */
  feeds: Record<string, Float32Array>;
  /** The feed buffers of the optimizer's scalar inputs, in plan order. */
  scalarFeeds: Float32Array[];
  batch: number;
}

export class Sequential {
  readonly name: string;
  /** The seed this model's generator started from (random unless given). */
  readonly seed: number;
  /** Init and shuffling draw from here; its state is saved in checkpoints. */
  rng: Rng;
  readonly specs: DenseSpec[] = [];
  private built: BuiltDense[] | null = null;
  /** Host values of params and optimizer slots, by param name. */
  readonly values = new Map<string, Float32Array>();
  /** Optimizer steps taken (Adam's t). */
  step = 0;
  /** Epochs trained so far (what `initialEpoch` resumes from). */
  epochsTrained = 0;
  config: CompiledConfig | null = null;
  private version = 0;
  private live: Held | null = null;
  private readonly programs = new Map<string, Held>();

  constructor(options: SequentialOptions = {}) {
    const seed = options.seed ?? randomInt(0, 2 ** 32 - 1);
    this.rng = new Rng(seed);
    this.seed = seed;
    this.name = options.name === undefined ? 'sequential' : checkLayerName(options.name);
  }

  add(layer: DenseSpec): this {
    if (layer === null || typeof layer !== 'object' || layer.type !== 'dense') {
      throw new Error('model.add: pass a layer made by layers.dense({ units, ... })');
    }
    if (this.built) throw new Error('model.add: the model is already built (compiled or trained); create a new model to change its layers');
    if (this.specs.length === 0 && layer.inputDim === null) {
      throw new Error('model.add: the first layer needs its input size: layers.dense({ units, inputDim: 784 }) or inputShape: [784]');
    }
    if (this.specs.length > 0 && layer.inputDim !== null && layer.inputDim !== this.specs.at(-1)!.units) {
      throw new Error(`model.add: layer ${this.specs.length + 1} declares inputDim ${layer.inputDim} but the previous layer has ${this.specs.at(-1)!.units} units`);
    }
    this.specs.push(layer);
    return this;
  }

  /** The layers with their names and params (builds them on first use). */
  get layers(): readonly BuiltDense[] {
    if (this.built) return this.built;
    if (this.specs.length === 0) throw new Error('the model has no layers: model.add(layers.dense({ units, inputDim })) first');
    const names = new Set<string>();
    let inputDim = this.specs[0]!.inputDim!;
    const built = this.specs.map((s, i) => {
      const name = s.name ?? `dense_${i + 1}`;
      if (names.has(name)) throw new Error(`two layers are named '${name}'; give each layer its own name`);
      names.add(name);
      const b = buildDense(s, name, inputDim);
      inputDim = s.units;
      return b;
    });
    this.built = built;
    return built;
  }

  get inputDim(): number {
    return this.layers[0]!.inputDim;
  }

  get outputUnits(): number {
    return this.specs.at(-1)!.units;
  }

  /** The trainable params, in layer order. */
  get params(): Tensor<'param'>[] {
    return params(this.layers);
  }

  /** Initialises any weight that has no value yet, in layer order, from the model's generator. */
  private ensureWeights(): void {
    for (const l of this.layers) {
      if (!this.values.has(l.kernel.attrs.name)) this.values.set(l.kernel.attrs.name, initialize(l.spec.kernelInitializer, l.kernel.shape, this.rng));
      if (l.bias && !this.values.has(l.bias.attrs.name)) this.values.set(l.bias.attrs.name, initialize(l.spec.biasInitializer, l.bias.shape, this.rng));
    }
  }

  compile(args: CompileArgs): void {
    if (args === null || typeof args !== 'object') throw new Error("model.compile: pass { loss, optimizer, metrics }, e.g. { loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] }");
    const loss = checkLoss(args.loss);
    const optimizer = checkOptimizer(args.optimizer);
    const metrics = checkMetrics(args.metrics);
    const backend = checkBackend(args.backend ?? 'js');
    const last = this.layers.at(-1)!;
    checkLossActivation(loss, last.spec.activation, last.spec.units);
    const same = this.config && this.config.optimizer.name === optimizer.name;
    this.pull();
    if (!same) {
      // a different optimizer starts with fresh state
      for (const k of [...this.values.keys()]) if (!this.params.some((p) => p.attrs.name === k)) this.values.delete(k);
      this.step = 0;
    }
    this.config = { loss, optimizer, metrics, backend, accuracy: accuracyMode(loss, last.spec.units) };
    this.programs.clear();
    this.live = null;
    this.ensureWeights();
  }

  requireConfig(what: string): CompiledConfig {
    if (!this.config) throw new Error(`model.${what}: call model.compile({ loss, optimizer, metrics }) first`);
    return this.config;
  }

  // ---- weights ----

  /** Brings the host copies up to date with the program that trained last. */
  pull(): void {
    const held = this.live;
    if (!held) return;
    const names = held.train ? [...this.params, ...held.train.plan.slots] : this.params;
    for (const p of names) {
      let v = this.values.get(p.attrs.name);
      if (!v) this.values.set(p.attrs.name, (v = new Float32Array(p.size)));
      held.program.readParam(p, v);
    }
    this.version++;
    held.version = this.version;
    this.live = null;
  }

  /** Gives `held` the current weights (and optimizer state) if it holds an older version. */
  private push(held: Held): void {
    if (this.live === held) return;
    this.pull();
    if (held.version === this.version) return;
    this.ensureWeights();
    for (const p of this.params) held.program.setParam(p, this.values.get(p.attrs.name)!);
    if (held.train) {
      for (const s of held.train.plan.slots) {
        let v = this.values.get(s.attrs.name);
        if (!v) this.values.set(s.attrs.name, (v = new Float32Array(s.size)));
        held.program.setParam(s, v);
      }
    }
    held.version = this.version;
  }

  /** A copy of every weight, by param name (`dense_1/kernel`, …). */
  getWeights(): Map<string, Float32Array> {
    this.pull();
    this.ensureWeights();
    return new Map(this.params.map((p) => [p.attrs.name, Float32Array.from(this.values.get(p.attrs.name)!)]));
  }

  /** Replaces weights by name; shapes are checked before anything changes. */
  setWeights(weights: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>): void {
    const entries = weights instanceof Map ? [...weights.entries()] : Object.entries(weights);
    const byName = new Map(this.params.map((p) => [p.attrs.name, p]));
    for (const [k, v] of entries) {
      const p = byName.get(k);
      if (!p) throw new Error(`setWeights: the model has no weight '${k}'; its weights are ${[...byName.keys()].join(', ')}`);
      if (!(v instanceof Float32Array) || v.length !== p.size) {
        throw new Error(`setWeights: '${k}' needs a Float32Array of ${p.size} values (shape [${p.shape.join(', ')}]), got ${v instanceof Float32Array ? v.length + ' values' : typeof v}`);
      }
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new Error(`setWeights: '${k}'[${i}] is ${v[i]}`);
    }
    this.pull();
    for (const [k, v] of entries) this.values.set(k, Float32Array.from(v));
    this.version++;
  }

  // ---- programs ----

  /** The step program of `kind` for `batch` rows, built once and cached. */
  program(kind: 'train' | 'eval' | 'predict', batch: number, oneHot: boolean): Held {
    const cfg = kind === 'predict' ? this.config : this.requireConfig(kind === 'train' ? 'fit' : 'evaluate');
    const backend: Backend = cfg?.backend ?? 'js';
    const key = `${kind}:${batch}:${oneHot}`;
    let held = this.programs.get(key);
    if (!held) {
      let train: TrainStep | null = null;
      let spec;
      if (kind === 'train') {
        train = buildTrainStep(this.layers, cfg!.loss, cfg!.optimizer, batch, oneHot);
        spec = train.spec;
      } else if (kind === 'eval') spec = buildEvalStep(this.layers, cfg!.loss, batch, oneHot);
      else spec = buildPredictStep(this.layers, batch);
      // A plain object with a fixed set of keys (the step's own input names, never user strings):
      // V8 keeps it in fast mode, so walking it in run() allocates nothing.
      const feeds: Record<string, Float32Array> = {};
      for (const t of spec.inputs) feeds[t.attrs.name] = new Float32Array(t.size);
      const scalarFeeds = train ? train.plan.scalars.map((t) => feeds[t.attrs.name]!) : [];
      held = { program: buildStepProgram(spec, backend), version: -1, train, feeds, scalarFeeds, batch };
      this.programs.set(key, held);
    }
    this.push(held);
    return held;
  }

  /** Makes `held` hold the current weights (a no-op when it trained last). */
  activate(held: Held): void {
    this.push(held);
  }

  /** Marks `held` as holding the newest weights (it just trained). */
  trained(held: Held): void {
    this.live = held;
  }

  // ---- training and inference ----

  /** Trains on (x, y); returns the loss and metrics per epoch. */
  fit(x: unknown, y: unknown, options: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /** Mean loss and accuracy over (x, y). */
  evaluate(x: unknown, y: unknown, options: { batchSize?: number } = {}): EvalResult {
    return evaluateModel(this, x, y, options.batchSize ?? 256);
  }

  /** Class probabilities (or outputs) for each row of x: [n, units]. */
  predict(x: unknown, options: { batchSize?: number } = {}): TensorData {
    return predictRows(this, x, options.batchSize ?? 256);
  }

  // ---- views ----

  /** The layer table with parameter counts; printed with `print` (console.log by default) and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    const text = summaryText(this.name, this.layers);
    if (print) print(text);
    return text;
  }

  /** The layer diagram (input → hidden → output) as a Mermaid flowchart. */
  toMermaid(): string {
    return modelMermaid(this.layers);
  }

  /** The training step for `batchSize` rows, built as `fit` builds it (one-hot targets unless told otherwise). */
  trainStep(batchSize = 32, oneHot = true): StepProgram {
    const cfg = this.requireConfig('trainStep');
    return this.program('train', batchSize, oneHot && cfg.loss === 'categoricalCrossentropy').program;
  }

  /** The generated code of the training step, to read. */
  trainStepSource(batchSize = 32): string {
    return this.trainStep(batchSize).source;
  }

  // ---- persistence ----

  /** Writes model.json and the weights (with optimizer state) into `dir`, crash-safely. */
  save(dir: string): Promise<void> {
    return Promise.resolve().then(() => saveModel(this, dir));
  }
}

export function sequential(options: SequentialOptions = {}): Sequential {
  return new Sequential(options);
}
