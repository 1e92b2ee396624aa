/**
 * What every model shares (Sequential and the functional model over any graph): compile, the
 * step programs per kind and batch size, weights moving between them, the training state, and
 * fit / evaluate / predict / save. A subclass gives its forward graph, params and topology.
 *
 * Weights live on the host between calls; each step program (per kind and batch size) is built
 * once and holds its own copy, synchronised only when another program or the user needs them.
 * The training state (optimizer step, generator, epochs) changes only through methods here.
 */
import { randomSeed, Rng, type RngState } from '../data/rng.js';
import type { TensorData } from '../data/tensor-data.js';
import type { Tensor } from '../graph/tensor.js';
import type { ActivationName } from './activations.js';
import { fitModel, type FitOptions, type History } from './fit.js';
import { evaluateModel, predictRows, type EvalResult } from './inference.js';
import { checkLossSpec, type LossSpec } from './losses.js';
import { checkMetrics, type MetricSpec } from './metrics.js';
import { checkOptimizer, type Optimizer, type OptimizerConfig } from './optimizers.js';
import { defaultBackend } from '../compile/compile.js';
import { warn } from '../compile/warn.js';
import { SharedWeights } from '../compile/weights.js';
import { buildStepProgram, checkBackend, type Backend, type ProgramSpec, type StepProgram } from './program.js';
import type { LearningRate } from './schedules.js';
import { saveFiles } from './save-files.js';
import type { CompiledConfig, Head, Held, InputInfo, OutputInfo, SaveState, Trainable, TrainStep } from './trainable.js';
import { buildEvalStep, buildPredictStep, buildTrainStep, type Forward } from './train-step.js';

export interface CompileArgs {
  /**
   * A loss name; with several outputs (a functional model): one name for every output, a list
   * with one per output (null: not trained), or an object by output name (outputs not named are not trained).
   */
  loss: LossSpec;
  /** Several outputs: the weight of each output's loss in the total Σ wᵢ·Lᵢ (a list, or an object by output name; default 1). */
  lossWeights?: readonly number[] | Readonly<Record<string, number>>;
  /** A name ('adam'), `{ name, learningRate, … }`, or `optimizers.adam({ … })`. */
  optimizer: string | Optimizer | OptimizerConfig | { name: string; [k: string]: unknown };
  metrics?: MetricSpec[];
  /** 'wasm' (WebAssembly SIMD, the default where available) or 'js' (readable, portable): the kernel compiler; 'reference': the graph interpreter (slow, for checking). Passed through to `compile`. */
  backend?: Backend;
}

const COMPILE_KEYS = ['loss', 'lossWeights', 'optimizer', 'metrics', 'backend'];

/** `P`: what predict returns (one array; or one per output for a functional model with several). */
export abstract class Model<P = TensorData> implements Trainable {
  readonly name: string;
  /** The seed this model's generator started from (random unless given). */
  readonly seed: number;
  /** Set from a callback to stop `fit` after the current batch (Keras' `model.stop_training`). */
  stopTraining = false;
  private rng: Rng;
  /** Host values of params and optimizer slots, by param name. */
  private readonly values = new Map<string, Float32Array>();
  private steps = 0;
  private epochs = 0;
  private cfg: CompiledConfig | null = null;
  private gen = 0;
  private version = 0;
  /** The host version the shared weight region holds (−1: none, or params only without slots). */
  private regionVersion = -1;
  /** One weight region for the programs of the compiled backend (js, wasm). */
  private weights: SharedWeights | null = null;
  private live: Held | null = null;
  private readonly programs = new Map<string, Held>();
  /** The function learning rate save last warned about (once per function, not per checkpoint). */
  private warnedRate: unknown = null;

  protected constructor(name: string, seed: number | undefined) {
    this.seed = seed ?? randomSeed();
    this.rng = new Rng(this.seed);
    this.name = name;
  }

  // ---- what a subclass gives ----

  /** The trainable params. */
  abstract get params(): Tensor<'param'>[];
  /** The inputs (name, features per row) and outputs (name, values per row), in order. */
  abstract get inputInfo(): readonly InputInfo[];
  abstract get outputInfo(): readonly OutputInfo[];
  /** The only batch size the model's graph runs, or null when it is built for any. */
  abstract get fixedBatch(): number | null;
  /** The forward graph for `batch` rows; `bytes[i]`: input i fed as bytes (`{ feed: 'uint8' }`) where the model builds it. */
  protected abstract forward(batch: number, bytes: readonly boolean[]): { xs: Tensor<'input'>[]; ys: Tensor[] };
  /** Each output's last activation, for the loss check ('linear' when it is no softmax or sigmoid). */
  protected abstract get outputActivations(): readonly ActivationName[];
  /** A fresh value for a param that has none, drawn from `rng`. */
  protected abstract initialValue(p: Tensor<'param'>, rng: Rng): Float32Array;
  protected abstract get kind(): SaveState['kind'];
  protected abstract topology(): unknown;

  /** Features per row of the first input. */
  get inputWidth(): number {
    return this.inputInfo[0]!.width;
  }

  /** Values per row of the first output. */
  get outputUnits(): number {
    return this.outputInfo[0]!.units;
  }

  // ---- state, read-only outside ----

  /** Optimizer steps taken (Adam's t). */
  get step(): number {
    return this.steps;
  }

  /** Epochs trained so far, over every fit (what `initialEpoch` resumes from). */
  get epochsTrained(): number {
    return this.epochs;
  }

  get config(): CompiledConfig | null {
    return this.cfg;
  }

  get generation(): number {
    return this.gen;
  }

  /** The optimizer's learning rate (a number or a schedule); setting it takes effect at the next step, no recompile. */
  get learningRate(): LearningRate {
    return this.requireConfig('learningRate').optimizer.learningRate;
  }

  set learningRate(v: LearningRate) {
    this.requireConfig('learningRate').optimizer.learningRate = v;
  }

  /** The compiled optimizer (Keras' `model.optimizer`): set its `learningRate`, `momentum` or `weightDecay` from a callback, no recompile. */
  get optimizer(): Optimizer {
    return this.requireConfig('optimizer').optimizer;
  }

  // ---- compile ----

  compile(args: CompileArgs): void {
    if (args === null || typeof args !== 'object') throw new Error("model.compile: pass { loss, optimizer, metrics }, e.g. { loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] }");
    for (const k of Object.keys(args)) if (!COMPILE_KEYS.includes(k)) throw new Error(`model.compile: unknown option '${k}'; options are ${COMPILE_KEYS.join(', ')}`);
    const outs = this.outputInfo;
    const acts = this.outputActivations;
    const { losses, lossSpec, lossWeights } = checkLossSpec(args.loss, args.lossWeights, outs.map((o, j) => ({ ...o, activation: acts[j]! })));
    const optimizer = checkOptimizer(args.optimizer);
    let names: string[] = [];
    const heads: Head[] = [];
    losses.forEach((l, j) => {
      if (l === null) return;
      const m = checkMetrics(args.metrics, l, outs[j]!.units);
      names = m.names;
      heads.push({ output: j, name: outs[j]!.name, units: outs[j]!.units, loss: l, weight: lossWeights?.[j] ?? 1, metricFns: m.fns });
    });
    const backend = checkBackend(args.backend ?? defaultBackend());
    const old = this.cfg;
    this.pull();
    const sameLoss = old !== null && JSON.stringify([old.lossSpec, old.lossWeights]) === JSON.stringify([lossSpec, lossWeights]);
    const sameStep = old !== null && sameLoss && old.backend === backend && old.optimizer.sameGraph(optimizer);
    if (!old || old.optimizer.name !== optimizer.name) {
      // a different optimizer starts with fresh state
      const keep = new Set(this.params.map((p) => p.attrs.name));
      for (const k of [...this.values.keys()]) if (!keep.has(k)) this.values.delete(k);
      this.steps = 0;
    }
    this.cfg = { loss: heads[0]!.loss, heads, lossSpec, lossWeights, optimizer, metrics: names, backend };
    this.gen++;
    if (!sameStep) {
      // The learning rate, μ and λ are runtime inputs: only a change of loss, backend or another hyper-parameter rebuilds the steps.
      this.programs.clear();
      this.live = null;
      this.weights = null;
      this.regionVersion = -1;
    }
    this.ensureWeights();
  }

  requireConfig(what: string): CompiledConfig {
    if (!this.cfg) throw new Error(`model.${what}: call model.compile({ loss, optimizer, metrics }) first`);
    return this.cfg;
  }

  // ---- weights ----

  private ensureWeights(): void {
    for (const p of this.params) if (!this.values.has(p.attrs.name)) this.values.set(p.attrs.name, this.initialValue(p, this.rng));
  }

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
    // The region and the host copies agree now.
    if (held.program.shared) this.regionVersion = this.version;
    this.live = null;
  }

  /**
   * Gives `held` the current weights (and optimizer state) if it holds an older version. Programs
   * of the model's shared weight region need nothing when another of them trained last (the
   * region is current), and one copy from the host values otherwise.
   */
  private push(held: Held): void {
    if (this.live === held) return;
    if (held.program.shared && this.live?.program.shared) return;
    this.pull();
    if (held.version === this.version) return;
    if (held.program.shared && this.regionVersion === this.version) {
      held.version = this.version;
      return;
    }
    this.ensureWeights();
    for (const p of this.params) held.program.setParam(p, this.values.get(p.attrs.name)!);
    if (held.train) {
      for (const s of held.train.plan.slots) {
        let v = this.values.get(s.attrs.name);
        if (!v) this.values.set(s.attrs.name, (v = new Float32Array(s.size).fill(held.train.plan.slotInit.get(s.attrs.name) ?? 0)));
        held.program.setParam(s, v);
      }
    }
    held.version = this.version;
    if (held.program.shared) this.regionVersion = held.train ? this.version : -1;
  }

  /** A copy of every weight, by param name (`dense_1/kernel`, …). */
  getWeights(): Map<string, Float32Array> {
    this.pull();
    this.ensureWeights();
    return new Map(this.params.map((p) => [p.attrs.name, Float32Array.from(this.values.get(p.attrs.name)!)]));
  }

  /** Replaces weights by name; shapes and finiteness are checked before anything changes. */
  setWeights(weights: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>): void {
    const entries = weights instanceof Map ? [...weights.entries()] : Object.entries(weights);
    const byName = new Map(this.params.map((p) => [p.attrs.name, p]));
    for (const [k, v] of entries) {
      const p = byName.get(k);
      if (!p) throw new Error(`setWeights: the model has no weight '${k}'; its weights are ${[...byName.keys()].join(', ')}`);
      if (!(v instanceof Float32Array) || v.length !== p.size) {
        throw new Error(`setWeights: '${k}' needs a Float32Array of ${p.size} values (shape [${p.shape.join(', ')}]), got ${v instanceof Float32Array ? v.length + ' values' : typeof v}`);
      }
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new Error(`setWeights: '${k}'[${i}] is ${v[i]}; weights must be finite`);
    }
    this.pull();
    for (const [k, v] of entries) this.values.set(k, Float32Array.from(v));
    this.version++;
  }

  // ---- training state, changed only here ----

  beginStep(held: Held): void {
    const t = ++this.steps;
    if (held.scalarFeeds.length > 0) this.cfg!.optimizer.fill(held.train!.plan, t, held.scalarFeeds);
  }

  shuffle(order: Int32Array): void {
    this.rng.shuffle(order);
  }

  reseed(seed: number): void {
    this.rng = new Rng(seed);
  }

  countEpoch(): void {
    this.epochs++;
  }

  /** Installs a loaded state (loadModel): weights and slots by name, step, epochs, generator. */
  restoreState(s: { values: ReadonlyMap<string, Float32Array>; step: number; epochsTrained: number; rng: RngState }): void {
    const rng = Rng.fromState(s.rng);
    this.pull();
    for (const [k, v] of s.values) this.values.set(k, v);
    this.steps = s.step;
    this.epochs = s.epochsTrained;
    this.rng = rng;
    this.version++;
  }

  /** What save writes: params, then the optimizer's slots, with their values. */
  saveState(): SaveState {
    this.pull();
    this.ensureWeights();
    const cfg = this.cfg;
    const slots = cfg ? cfg.optimizer.plan(this.params, this.params).slots : [];
    const slotInit = cfg ? cfg.optimizer.plan(this.params, this.params).slotInit : new Map<string, number>();
    const opt = cfg?.optimizer;
    const lr = opt?.learningRate;
    if (typeof lr === 'function' && !('config' in lr) && this.warnedRate !== lr) {
      // A function is code: model.json can hold only the rate it gives now.
      this.warnedRate = lr;
      warn(`model.save: the learning rate is a JavaScript function, which cannot be saved; model.json holds its current value ${opt!.rateAt(this.steps)}, ` +
        'so loadModel gives a constant rate. Use a built-in schedule (schedules.exponentialDecay, cosineDecay or piecewiseConstant: saved and restored exactly), ' +
        'or set model.learningRate = yourSchedule again after loadModel');
    }
    return {
      kind: this.kind,
      name: this.name,
      seed: this.seed,
      topology: this.topology(),
      training: cfg && opt
        ? {
          loss: cfg.lossSpec,
          ...(cfg.lossWeights ? { lossWeights: [...cfg.lossWeights] } : {}),
          optimizer: { ...opt.config, ...(typeof lr === 'function' && 'config' in lr ? { learningRate: opt.rateAt(this.steps), schedule: { ...lr.config } } : { learningRate: opt.rateAt(this.steps) }) },
          metrics: [...cfg.metrics],
          backend: cfg.backend,
        }
        : null,
      step: this.steps,
      epochsTrained: this.epochs,
      rng: this.rng.state(),
      tensors: [...this.params, ...slots].map((t) => ({
        name: t.attrs.name,
        shape: t.shape,
        value: this.values.get(t.attrs.name) ?? new Float32Array(t.size).fill(slotInit.get(t.attrs.name) ?? 0),
      })),
    };
  }

  // ---- programs ----

  /**
   * The step program of `kind` for `batch` rows, built once and cached. Bytes (`bytes`) are fed
   * as bytes when the model builds its input (Sequential, `model({ inputShape, apply })`); a
   * graph of your own takes them as its input is declared (floats: converted row by row).
   */
  program(kind: 'train' | 'eval' | 'predict', batch: number, oneHotIn: boolean | readonly boolean[], bytesIn: boolean | readonly boolean[]): Held {
    const cfg = kind === 'predict' ? this.cfg : this.requireConfig(kind === 'train' ? 'fit' : 'evaluate');
    const backend: Backend = cfg?.backend ?? defaultBackend();
    const heads = cfg?.heads ?? [];
    const oneHot = typeof oneHotIn === 'boolean' ? heads.map(() => oneHotIn) : oneHotIn;
    const bytes = typeof bytesIn === 'boolean' ? this.inputInfo.map(() => bytesIn) : bytesIn;
    const key = `${kind}:${batch}:${kind === 'predict' ? '' : oneHot.map(Number).join('')}:${bytes.map(Number).join('')}`;
    let held = this.programs.get(key);
    if (held?.program.stale) {
      this.programs.delete(key);
      held = undefined;
    }
    if (!held) {
      // Host copies first: a new program may extend or move the shared region.
      this.pull();
      const fwd: Forward = (n) => this.forward(n, bytes);
      let train: TrainStep | null = null;
      let built;
      if (kind === 'train') {
        const t = buildTrainStep(fwd, this.params, heads, cfg!.optimizer, batch, oneHot);
        train = t;
        built = t;
      } else if (kind === 'eval') built = buildEvalStep(fwd, heads, batch, oneHot);
      else built = buildPredictStep(fwd, batch);
      const spec = built.spec;
      spec.inputs.slice(0, built.nInputs).forEach((xIn, i) => {
        if (xIn.attrs.facts.feed !== 'uint8' || bytes[i]) return;
        const what = kind === 'train' ? 'fit' : kind === 'eval' ? 'evaluate' : 'predict';
        const x = built.nInputs > 1 ? `x for input '${xIn.attrs.name}'` : 'x';
        throw new Error(`${what}: ${x} holds floats, but the model's input '${xIn.attrs.name}' is declared { feed: 'uint8' } (bytes); pass ${built.nInputs > 1 ? 'it' : 'x'} as { shape, data: Uint8Array } of bytes 0..255, or declare the input without feed: 'uint8'`);
      });
      // A plain object with a fixed set of keys (the step's own input names, never user strings):
      // V8 keeps it in fast mode, so walking it in run() allocates nothing.
      // Each is the program's own input buffer where it has one (rows are gathered into the arena, never copied twice).
      if (backend !== 'reference' && this.weights?.backend !== backend) {
        this.weights = new SharedWeights(backend);
        this.regionVersion = -1;
      }
      const generation = this.weights?.generation;
      const program = buildStepProgram(spec, backend, backend === 'reference' ? undefined : this.weights!);
      // The region gained params: what it holds is no longer the host version.
      if (this.weights && this.weights.generation !== generation) this.regionVersion = -1;
      held = { program, inputs: spec.inputs, nInputs: built.nInputs, nTargets: built.nTargets, version: -1, train, feeds: {}, xs: [], targets: [], x: new Float32Array(0), target: null, scalarFeeds: [], batch };
      bindFeeds(held);
      // A new program may have moved the shared region to a larger memory: rebind the others' feeds.
      for (const h of this.programs.values()) if (h.program.shared) bindFeeds(h);
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

  /**
   * Mean loss and metrics over (x, y), through the compiled (simplified) evaluation step. The
   * graph-level `evaluate()` of gradc interprets the graph as built, unsimplified: see README.
   */
  evaluate(x: unknown, y: unknown, options: { batchSize?: number } = {}): EvalResult {
    return evaluateModel(this, x, y, options.batchSize ?? (this.fixedBatch === null ? 256 : undefined));
  }

  /** Class probabilities (or outputs) for each row of x: [n, units] (a functional model with several outputs: one per output). */
  predict(x: unknown, options: { batchSize?: number } = {}): P {
    return this.shapePrediction(predictRows(this, x, options.batchSize ?? (this.fixedBatch === null ? 256 : undefined)));
  }

  /** predict's answer from the arrays of every output, in order. */
  protected shapePrediction(outputs: TensorData[]): P {
    return outputs[0] as P;
  }

  /** The training step for `batchSize` rows, built as `fit` builds it (one-hot targets unless told otherwise). */
  trainStep(batchSize = 32, oneHot = true, bytes = false): StepProgram {
    const cfg = this.requireConfig('trainStep');
    return this.program('train', batchSize, cfg.heads.map((h) => oneHot && h.loss === 'categoricalCrossentropy'), bytes).program;
  }

  /** The generated code of the training step, to read. */
  trainStepSource(batchSize = 32): string {
    return this.trainStep(batchSize).source;
  }

  /**
   * The graph of one step for `batch` rows as `compile` takes it (with the optimizer's plan for
   * 'train'), nothing compiled and no state changed: what exporters (`toOnnx`) read. `oneHot`
   * (one flag, or one per output with a loss) defaults as in `fit`: the categoricalCrossentropy
   * heads; `bytes` (one flag, or one per input): fed as bytes where the model builds its input.
   */
  stepGraph(kind: 'train' | 'eval' | 'predict', batch: number, options: { oneHot?: boolean | readonly boolean[]; bytes?: boolean | readonly boolean[] } = {}): { spec: ProgramSpec; train: TrainStep | null } {
    const bytesIn = options.bytes ?? false;
    const bytes = typeof bytesIn === 'boolean' ? this.inputInfo.map(() => bytesIn) : bytesIn;
    const fwd: Forward = (n) => this.forward(n, bytes);
    if (kind === 'predict') return { spec: buildPredictStep(fwd, batch).spec, train: null };
    const cfg = this.requireConfig('stepGraph');
    const oneHotIn = options.oneHot;
    const oneHot = oneHotIn === undefined ? cfg.heads.map((h) => h.loss === 'categoricalCrossentropy') : typeof oneHotIn === 'boolean' ? cfg.heads.map(() => oneHotIn) : oneHotIn;
    if (kind === 'eval') return { spec: buildEvalStep(fwd, cfg.heads, batch, oneHot).spec, train: null };
    const t = buildTrainStep(fwd, this.params, cfg.heads, cfg.optimizer, batch, oneHot);
    return { spec: t.spec, train: t };
  }

  /** Writes model.json and the weights (with optimizer state) into `dir`, crash-safely; refuses non-finite weights. */
  save(dir: string): Promise<void> {
    return Promise.resolve().then(() => saveFiles()(this.saveState(), dir));
  }
}

/**
 * Points `held`'s feeds at the program's own input buffers where it has them (rows are gathered
 * straight into the arena), else at buffers of their own, copied in by `run`.
 */
function bindFeeds(held: Held): void {
  const feeds: Record<string, Float32Array | Uint8Array> = {};
  for (const t of held.inputs) {
    const old = held.feeds[t.attrs.name];
    feeds[t.attrs.name] = held.program.feedBuffer(t) ?? old ?? (t.attrs.facts.feed === 'uint8' ? new Uint8Array(t.size) : new Float32Array(t.size));
  }
  held.feeds = feeds;
  held.scalarFeeds = held.train ? held.train.plan.scalars.map((t) => feeds[t.attrs.name] as Float32Array) : [];
  const of = (t: Tensor<'input'>) => feeds[t.attrs.name]!;
  held.xs = held.inputs.slice(0, held.nInputs).map(of);
  held.targets = held.inputs.slice(held.nInputs, held.nInputs + held.nTargets).map(of) as Float32Array[];
  held.x = held.xs[0]!;
  held.target = held.targets[0] ?? null;
}
