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

export interface CompiledConfig {
  readonly loss: LossName;
  readonly optimizer: Optimizer;
  /** The metric names as given (canonical), and how each is computed. */
  readonly metrics: readonly string[];
  readonly metricFns: readonly Metric[];
  readonly backend: Backend;
}

export interface TrainStep {
  readonly plan: OptimizerPlan;
  readonly loss: Tensor;
}

/** A program and the weights version it holds. */
export interface Held {
  program: StepProgram;
  /** The step's inputs, in order (the feeds are bound to them). */
  inputs: readonly Tensor<'input'>[];
  version: number;
  train: TrainStep | null;
  /** One reusable buffer per input, keyed by input name: the feeds of every run. */
  feeds: Record<string, Float32Array | Uint8Array>;
  /** The feed buffer of the model's input (rows of features: bytes when the input is fed as bytes) and of the targets (train and eval). */
  x: Float32Array | Uint8Array;
  target: Float32Array | null;
  /** The feed buffers of the optimizer's scalar inputs, in plan order. */
  scalarFeeds: Float32Array[];
  batch: number;
}

export interface Trainable {
  readonly name: string;
  readonly seed: number;
  /** Features per example (the input's row length). */
  readonly inputWidth: number;
  /** Values per prediction row. */
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
  /** `bytes`: the features are bytes (a Uint8Array), fed as bytes where the model's input allows it. */
  program(kind: 'train' | 'eval' | 'predict', batch: number, oneHot: boolean, bytes: boolean): Held;
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
