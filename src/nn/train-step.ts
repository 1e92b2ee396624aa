/**
 * The graphs a model runs: the training step (forward → loss → grad → optimizer updates), the
 * evaluation step (forward → loss) and prediction (forward). `compile` simplifies them all
 * (e.g. the cross-entropy gradient through softmax becomes (y − t)/n) before fusing.
 */
import { grad } from '../grad/grad.js';
import type { Tensor } from '../graph/tensor.js';
import { buildLoss, type LossName } from './losses.js';
import type { Optimizer } from './optimizers.js';
import type { ProgramSpec } from './program.js';
import type { TrainStep } from './trainable.js';

/** A model's forward graph for `batch` rows: its one input and its output. */
export type Forward = (batch: number) => { x: Tensor<'input'>; y: Tensor };

/** The training step for one batch size. `oneHot`: the targets' rows are one-hot (a fact for the simplifier). */
export function buildTrainStep(forward: Forward, params: readonly Tensor<'param'>[], lossName: LossName, opt: Optimizer, batch: number, oneHot: boolean): TrainStep & { spec: ProgramSpec } {
  const { x, y } = forward(batch);
  const { target, loss } = buildLoss(lossName, y, oneHot);
  const grads = grad(loss, params);
  const plan = opt.plan(params, grads);
  const spec: ProgramSpec = { inputs: [x, target, ...plan.scalars], outputs: { loss, y }, updates: plan.updates };
  return { spec, plan, loss };
}

/** Forward and loss, no updates: evaluation. */
export function buildEvalStep(forward: Forward, lossName: LossName, batch: number, oneHot: boolean): ProgramSpec {
  const { x, y } = forward(batch);
  const { target, loss } = buildLoss(lossName, y, oneHot);
  return { inputs: [x, target], outputs: { loss, y }, updates: [] };
}

export function buildPredictStep(forward: Forward, batch: number): ProgramSpec {
  const { x, y } = forward(batch);
  return { inputs: [x], outputs: { y }, updates: [] };
}
