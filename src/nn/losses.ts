/**
 * Losses by their Keras names, built from the graph's loss ops so the simplifier sees every
 * step (e.g. crossEntropy(softmax(z), t) becomes the stable logSoftmax form, and its gradient
 * (softmax(z) − t)/n when t is one-hot).
 */
import { binaryCrossEntropy, crossEntropy, meanSquaredError } from '../graph/losses.js';
import { input, oneHot } from '../graph/functions.js';
import type { Tensor } from '../graph/tensor.js';
import type { ActivationName } from './activations.js';
import { checkName } from './checks.js';

export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
export const LOSSES: readonly LossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'];

const ALIASES: Record<string, LossName> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
};

export function checkLoss(name: unknown): LossName {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(ALIASES, name)) return ALIASES[name]!;
  return checkName('loss', name, LOSSES);
}

/** The activation a loss needs on the last layer, if any (cross-entropies take probabilities). */
export function checkLossActivation(loss: LossName, last: ActivationName, units: number): void {
  if ((loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') && last !== 'softmax') {
    throw new Error(`loss '${loss}' takes class probabilities: make the last layer's activation 'softmax' (it is '${last}')`);
  }
  if ((loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy') && units < 2) {
    throw new Error(`loss '${loss}' needs at least 2 classes, the last layer has ${units} unit; use 'binaryCrossentropy' with a sigmoid for one output`);
  }
  if (loss === 'binaryCrossentropy' && last !== 'sigmoid') {
    throw new Error(`loss 'binaryCrossentropy' takes probabilities: make the last layer's activation 'sigmoid' (it is '${last}')`);
  }
}

/**
 * The target input for a batch and the loss of the predictions `y` [batch, units].
 * `oneHot`: the caller checked the data's rows are one-hot, a fact the simplifier may use.
 */
export function buildLoss(loss: LossName, y: Tensor, oneHotRows: boolean): { target: Tensor<'input'>; loss: Tensor } {
  const [batch, units] = y.shape as [number, number];
  switch (loss) {
    case 'categoricalCrossentropy': {
      const t = input('target', [batch, units], oneHotRows ? { oneHot: true } : {});
      return { target: t, loss: crossEntropy(y, t) };
    }
    case 'sparseCategoricalCrossentropy': {
      const labels = input('target', [batch]);
      return { target: labels, loss: crossEntropy(y, oneHot(labels, units)) };
    }
    case 'binaryCrossentropy': {
      const t = input('target', [batch, units]);
      return { target: t, loss: binaryCrossEntropy(y, t) };
    }
    case 'meanSquaredError': {
      const t = input('target', [batch, units]);
      return { target: t, loss: meanSquaredError(y, t) };
    }
  }
}
