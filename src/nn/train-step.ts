/**
 * The graphs a model runs: the training step (forward → loss → grad → optimizer updates), the
 * evaluation step (forward → loss) and prediction (forward). `compile` simplifies them all
 * (e.g. the cross-entropy gradient through softmax becomes (y − t)/n) before fusing.
 */
import { input } from '../graph/functions.js';
import { grad } from '../grad/grad.js';
import type { Tensor } from '../graph/tensor.js';
import { applyDense, type BuiltDense } from './layers.js';
import { buildLoss, type LossName } from './losses.js';
import { planOptimizer, type OptimizerConfig, type OptimizerPlan } from './optimizers.js';
import type { ProgramSpec } from './program.js';

export function forward(layers: readonly BuiltDense[], batch: number): { x: Tensor<'input'>; y: Tensor } {
  const x = input('x', [batch, layers[0]!.inputDim]);
  let h: Tensor = x;
  for (const l of layers) h = applyDense(l, h);
  return { x, y: h };
}

export function params(layers: readonly BuiltDense[]): Tensor<'param'>[] {
  return layers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel]));
}

export interface TrainStep {
  readonly spec: ProgramSpec;
  readonly plan: OptimizerPlan;
  readonly loss: Tensor;
  readonly grads: readonly Tensor[];
}

/** The training step for one batch size. `oneHot`: the targets' rows are one-hot (a fact for the simplifier). */
export function buildTrainStep(layers: readonly BuiltDense[], lossName: LossName, opt: OptimizerConfig, batch: number, oneHot: boolean): TrainStep {
  const { x, y } = forward(layers, batch);
  const { target, loss } = buildLoss(lossName, y, oneHot);
  const ps = params(layers);
  const grads = grad(loss, ps);
  const plan = planOptimizer(opt, ps, grads);
  const spec: ProgramSpec = { inputs: [x, target, ...plan.scalars], outputs: { loss, y }, updates: plan.updates };
  return { spec, plan, loss, grads };
}

/** Forward and loss, no updates: evaluation. */
export function buildEvalStep(layers: readonly BuiltDense[], lossName: LossName, batch: number, oneHot: boolean): ProgramSpec {
  const { x, y } = forward(layers, batch);
  const { target, loss } = buildLoss(lossName, y, oneHot);
  return { inputs: [x, target], outputs: { loss, y }, updates: [] };
}

export function buildPredictStep(layers: readonly BuiltDense[], batch: number): ProgramSpec {
  const { x, y } = forward(layers, batch);
  return { inputs: [x], outputs: { y }, updates: [] };
}
