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
export function buildLoss(loss: LossName, y: Tensor, oneHotRows: boolean, targetName = 'target'): { target: Tensor<'input'>; loss: Tensor } {
  const [batch, units] = y.shape as [number, number];
  switch (loss) {
    case 'categoricalCrossentropy': {
      const t = input(targetName, [batch, units], oneHotRows ? { oneHot: true } : {});
      return { target: t, loss: crossEntropy(y, t) };
    }
    case 'sparseCategoricalCrossentropy': {
      const labels = input(targetName, [batch]);
      return { target: labels, loss: crossEntropy(y, oneHot(labels, units)) };
    }
    case 'binaryCrossentropy': {
      const t = input(targetName, [batch, units]);
      return { target: t, loss: binaryCrossEntropy(y, t) };
    }
    case 'meanSquaredError': {
      const t = input(targetName, [batch, units]);
      return { target: t, loss: meanSquaredError(y, t) };
    }
  }
}

/** What a model output needs for its loss check. */
export interface OutputForLoss {
  readonly name: string;
  readonly units: number;
  readonly activation: ActivationName;
}

export type LossSpec = LossName | string | readonly (LossName | string | null)[] | Readonly<Record<string, LossName | string>>;

/**
 * compile's `loss` and `lossWeights` for a model's outputs (Keras' forms): one name (every output
 * gets it), a list with one entry per output (null: that output is not trained), or an object by
 * output name (outputs not named are not trained). Weights: a list per output or an object by
 * name (1 where not given), each finite and ≥ 0.
 */
export function checkLossSpec(spec: unknown, weights: unknown, outputs: readonly OutputForLoss[]): {
  losses: (LossName | null)[]; lossSpec: LossName | (LossName | null)[]; lossWeights: number[] | null;
} {
  const names = outputs.map((o) => o.name);
  const byName = (what: string, o: object): Record<string, unknown> => {
    for (const k of Object.keys(o)) {
      if (!names.includes(k)) throw new Error(`model.compile: ${what} names output '${k}'; the model's outputs are ${names.map((n) => `'${n}'`).join(', ')}`);
    }
    return o as Record<string, unknown>;
  };
  let losses: (LossName | null)[];
  let lossSpec: LossName | (LossName | null)[];
  if (Array.isArray(spec)) {
    if (spec.length !== outputs.length) throw new Error(`model.compile: loss lists ${spec.length} losses, the model has ${outputs.length} output${outputs.length > 1 ? 's' : ''} (${names.map((n) => `'${n}'`).join(', ')}); give one per output (null for an output not trained)`);
    losses = spec.map((l) => (l === null || l === undefined ? null : checkLoss(l)));
    lossSpec = losses;
  } else if (spec !== null && typeof spec === 'object') {
    const o = byName('loss', spec);
    losses = names.map((n) => (Object.prototype.hasOwnProperty.call(o, n) ? checkLoss(o[n]) : null));
    lossSpec = losses;
  } else {
    const l = checkLoss(spec);
    losses = outputs.map(() => l);
    lossSpec = l;
  }
  if (losses.every((l) => l === null)) throw new Error(`model.compile: no output has a loss; give at least one (outputs: ${names.map((n) => `'${n}'`).join(', ')})`);
  let w: number[] = outputs.map(() => 1);
  if (weights !== undefined) {
    if (Array.isArray(weights)) {
      if (weights.length !== outputs.length) throw new Error(`model.compile: lossWeights lists ${weights.length} weights, the model has ${outputs.length} outputs`);
      w = [...weights];
    } else if (weights !== null && typeof weights === 'object') {
      const o = byName('lossWeights', weights);
      w = names.map((n) => (Object.prototype.hasOwnProperty.call(o, n) ? o[n] : 1) as number);
    } else throw new Error(`model.compile: lossWeights must be a list per output or an object by output name, got ${String(weights)}`);
    w.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`model.compile: lossWeights for output '${names[i]}' must be a finite number ≥ 0, got ${typeof v === 'string' ? `the string ${JSON.stringify(v)}` : String(v)}`);
    });
  }
  losses.forEach((l, i) => {
    if (l === null) return;
    try {
      checkLossActivation(l, outputs[i]!.activation, outputs[i]!.units);
    } catch (e) {
      throw outputs.length > 1 ? new Error(`output '${names[i]}': ${(e as Error).message}`) : e;
    }
  });
  return { losses, lossSpec, lossWeights: w.every((v) => v === 1) ? null : w };
}
