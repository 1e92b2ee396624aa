/**
 * The seed recipe as a model: 784 → hidden (relu) → 10 softmax, categorical cross-entropy. It
 * takes MNIST's bytes: a rescaling layer (×1/255) first, fused into the first kernel.
 */
import { sequential, type Sequential } from '../nn/sequential.js';
import { layers } from '../nn/layers.js';
import type { ActivationName } from '../nn/activations.js';
import type { OptimizerName } from '../nn/optimizers.js';
import type { Backend } from '../nn/program.js';

export interface RecipeOptions {
  hidden: number[];
  activation: ActivationName;
  optimizer: OptimizerName;
  lr?: number;
  backend: Backend;
  seed: number;
}

export const SEED_DEFAULTS = { epochs: 10, batchSize: 32, hidden: [32], activation: 'relu', optimizer: 'adam', seed: 42 } as const;

export function seedModel(o: RecipeOptions): Sequential {
  const model = sequential({ seed: o.seed });
  model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
  for (const units of o.hidden) model.add(layers.dense({ units, activation: o.activation }));
  model.add(layers.dense({ units: 10, activation: 'softmax' }));
  const optimizer = o.lr === undefined ? o.optimizer : { name: o.optimizer, learningRate: o.lr };
  model.compile({ loss: 'categoricalCrossentropy', optimizer, metrics: ['accuracy'], backend: o.backend });
  return model;
}

/** "784→32 relu→10 softmax" */
export function describeRecipe(o: RecipeOptions): string {
  return ['784', ...o.hidden.map((h) => `${h} ${o.activation}`), '10 softmax'].join('→');
}
