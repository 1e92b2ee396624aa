/**
 * The graphs a model runs: the training step (forward → loss → grad → optimizer updates), the
 * evaluation step (forward → loss) and prediction (forward). `compile` simplifies them all
 * (e.g. the cross-entropy gradient through softmax becomes (y − t)/n) before fusing. With several
 * outputs the loss is Σ wᵢ·Lᵢ over the outputs with a loss (Keras' lossWeights).
 */
import { grad } from '../grad/grad.js';
import type { Tensor } from '../graph/tensor.js';
import { buildLoss } from './losses.js';
import type { Optimizer } from './optimizers.js';
import type { ProgramSpec } from './program.js';
import { outputKey, type Head, type TrainStep } from './trainable.js';

/** A model's forward graph for `batch` rows: its inputs and its outputs. */
export type Forward = (batch: number) => { xs: Tensor<'input'>[]; ys: Tensor[] };

/** The targets and the loss of each head; outputs: the total loss, the trained outputs, and each head's loss when there are several. */
function lossGraph(forward: Forward, heads: readonly Head[], batch: number, oneHot: readonly boolean[]) {
  const { xs, ys } = forward(batch);
  const targets: Tensor<'input'>[] = [];
  const outputs: Record<string, Tensor> = {};
  let total: Tensor | null = null;
  heads.forEach((h, t) => {
    const { target, loss } = buildLoss(h.loss, ys[h.output]!, oneHot[t] ?? false, heads.length === 1 ? 'target' : `target/${t}`);
    targets.push(target);
    outputs[outputKey(h.output)] = ys[h.output]!;
    if (heads.length > 1) outputs[`loss${t}`] = loss;
    const weighted = h.weight === 1 ? loss : loss.mul(h.weight);
    total = total === null ? weighted : total.add(weighted);
  });
  return { xs, targets, loss: total!, outputs };
}

/** The training step for one batch size. `oneHot`: per head, the targets' rows are one-hot (a fact for the simplifier). */
export function buildTrainStep(forward: Forward, params: readonly Tensor<'param'>[], heads: readonly Head[], opt: Optimizer, batch: number, oneHot: readonly boolean[]): TrainStep & { spec: ProgramSpec; nInputs: number; nTargets: number } {
  const { xs, targets, loss, outputs } = lossGraph(forward, heads, batch, oneHot);
  const grads = grad(loss, params);
  const plan = opt.plan(params, grads);
  const spec: ProgramSpec = { inputs: [...xs, ...targets, ...plan.scalars], outputs: { loss, ...outputs }, updates: plan.updates };
  return { spec, plan, loss, nInputs: xs.length, nTargets: targets.length };
}

/** Forward and loss, no updates: evaluation. */
export function buildEvalStep(forward: Forward, heads: readonly Head[], batch: number, oneHot: readonly boolean[]): { spec: ProgramSpec; nInputs: number; nTargets: number } {
  const { xs, targets, loss, outputs } = lossGraph(forward, heads, batch, oneHot);
  return { spec: { inputs: [...xs, ...targets], outputs: { loss, ...outputs }, updates: [] }, nInputs: xs.length, nTargets: targets.length };
}

/** Every output, no loss: prediction. */
export function buildPredictStep(forward: Forward, batch: number): { spec: ProgramSpec; nInputs: number; nTargets: number } {
  const { xs, ys } = forward(batch);
  const outputs: Record<string, Tensor> = {};
  ys.forEach((y, j) => (outputs[outputKey(j)] = y));
  return { spec: { inputs: xs, outputs, updates: [] }, nInputs: xs.length, nTargets: 0 };
}
