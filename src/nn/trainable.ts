/**
 * The narrow interface training, inference and saving see of a model: programs per batch size,
 * weights moving between them, and the training state (optimizer step, generator, epochs), all
 * changed through methods. `Model` (model.ts) implements it; fit.ts, inference.ts and
 * serialize.ts import only this file, so no import circle runs through the model class.
 */
import type { RngState } from '../data/rng.js';
import type { Tensor } from '../graph/tensor.js';
import type { LossName } from './losses.js';
import type { Metric } from './metrics.js';
import type { Optimizer, OptimizerPlan } from './optimizers.js';
import type { Backend, StepProgram } from './program.js';

/** One output with a loss, as compiled: what its targets, losses and metrics are. */
export interface Head {
  /** The output's index among the model's outputs. */
  readonly output: number;
  readonly name: string;
  readonly units: number;
  readonly loss: LossName;
  /** Its weight in the total loss Σ wᵢ·Lᵢ (Keras' lossWeights). */
  readonly weight: number;
  /** The metrics computed on this output. */
  readonly metricFns: readonly Metric[];
}

export interface CompiledConfig {
  /** The loss of the first output with one (a single-output model's loss). */
  readonly loss: LossName;
  /** The outputs with a loss, in output order (a single-output model: one). */
  readonly heads: readonly Head[];
  /** The loss as compile took it, canonical (what save writes): a name, or one entry per output (null: no loss). */
  readonly lossSpec: LossName | readonly (LossName | null)[];
  /** One weight per output, or null when all are 1. */
  readonly lossWeights: readonly number[] | null;
  readonly optimizer: Optimizer;
  /** The metric names as given (canonical). */
  readonly metrics: readonly string[];
  readonly backend: Backend;
}

/** An input of the model: its name and features per row. */
export interface InputInfo {
  readonly name: string;
  readonly width: number;
}

/** An output of the model: its name and values per row. */
export interface OutputInfo {
  readonly name: string;
  readonly units: number;
}

/** The program output key of model output `j`: 'y' for the first (one-output models read it so), then y1, y2, … */
export const outputKey = (j: number): string => (j === 0 ? 'y' : `y${j}`);

export interface TrainStep {
  readonly plan: OptimizerPlan;
  readonly loss: Tensor;
}

/** A program and the weights version it holds. */
export interface Held {
  program: StepProgram;
  /** The step's inputs, in order (the feeds are bound to them): the model's inputs, the targets of each head (train and eval), the optimizer's scalars (train). */
  inputs: readonly Tensor<'input'>[];
  /** How many of `inputs` are the model's inputs, and how many then are targets. */
  nInputs: number;
  nTargets: number;
  version: number;
  train: TrainStep | null;
  /** One reusable buffer per input, keyed by input name: the feeds of every run. */
  feeds: Record<string, Float32Array | Uint8Array>;
  /** The feed buffers of the model's inputs (bytes where an input is fed as bytes), and of the targets, in order. */
  xs: (Float32Array | Uint8Array)[];
  targets: Float32Array[];
  /** xs[0] and targets[0] (null: predict). */
  x: Float32Array | Uint8Array;
  target: Float32Array | null;
  /** The feed buffers of the optimizer's scalar inputs, in plan order. */
  scalarFeeds: Float32Array[];
  batch: number;
}

export interface Trainable {
  readonly name: string;
  readonly seed: number;
  /** The model's inputs and outputs, in order. */
  readonly inputInfo: readonly InputInfo[];
  readonly outputInfo: readonly OutputInfo[];
  /** Features per example of the first input. */
  readonly inputWidth: number;
  /** Values per prediction row of the first output. */
  readonly outputUnits: number;
  /** The only batch size a fixed graph runs (null: any). */
  readonly fixedBatch: number | null;
  readonly step: number;
  readonly epochsTrained: number;
  readonly config: CompiledConfig | null;
  /** Bumped by every compile: fit re-reads its programs when a callback recompiled. */
  readonly generation: number;
  /** Set by a callback to end fit after the current batch. */
  stopTraining: boolean;
  requireConfig(what: string): CompiledConfig;
  /**
   * `oneHot`: per head, its targets' rows are one-hot; `bytes`: per input, its features are bytes
   * (a Uint8Array), fed as bytes where the model's input allows it. A boolean means all of them.
   */
  program(kind: 'train' | 'eval' | 'predict', batch: number, oneHot: boolean | readonly boolean[], bytes: boolean | readonly boolean[]): Held;
  activate(held: Held): void;
  trained(held: Held): void;
  pull(): void;
  /** Counts one optimizer step and fills the held program's scalar feeds for it (the learning rate now). */
  beginStep(held: Held): void;
  shuffle(order: Int32Array): void;
  reseed(seed: number): void;
  /** One more epoch trained. */
  countEpoch(): void;
  getWeights(): Map<string, Float32Array>;
  setWeights(weights: ReadonlyMap<string, Float32Array> | Record<string, Float32Array>): void;
  save(dir: string): Promise<void>;
}

/** What serialize.ts writes. */
export interface SaveState {
  readonly kind: 'sequential' | 'functional';
  readonly name: string;
  readonly seed: number;
  readonly topology: unknown;
  readonly training: Record<string, unknown> | null;
  readonly step: number;
  readonly epochsTrained: number;
  readonly rng: RngState;
  /** Params, then optimizer slots, with their current values. */
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly value: Float32Array }[];
}
