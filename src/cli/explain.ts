// The derivation `gradc explain` prints: the seed MLP's loss and gradients, simplified by the
// rewrite rules, with every rule firing listed.
import type { Tensor } from '../graph/tensor.js';
import { add, input, matmul, param, relu, softmax } from '../graph/functions.js';
import { crossEntropy } from '../graph/losses.js';
import { grad } from '../grad/grad.js';
import { GraphError } from '../graph/errors.js';
import { explain, type Explanation } from '../rewrite/explain.js';

export interface SeedOptions {
  /** Rows per batch (shapes are concrete in gradc, so n is a number). Default 32. */
  readonly batch?: number;
  /** Declare the targets `{ oneHot: true }`. Default true; without it the result stays exact: (y·Σt − t)/n. */
  readonly oneHot?: boolean;
}

/** The seed model: x [n,784] → relu(x·W1 + b1) [n,32] → softmax(h·W2 + b2) [n,10], cross-entropy against t. */
export function seedGraph({ batch = 32, oneHot = true }: SeedOptions = {}) {
  if (!Number.isInteger(batch) || batch < 1) throw new GraphError('explain', `batch must be a positive integer, got ${batch}`);
  const x = input('x', [batch, 784]);
  const t = input('t', [batch, 10], oneHot ? { oneHot: true } : {});
  const W1 = param('W1', [784, 32]);
  const b1 = param('b1', [32]);
  const W2 = param('W2', [32, 10]);
  const b2 = param('b2', [10]);
  const z1 = add(matmul(x, W1), b1);
  const h = relu(z1);
  const z2 = add(matmul(h, W2), b2);
  const y = softmax(z2);
  const loss = crossEntropy(y, t);
  const params = { W1, b1, W2, b2 };
  const grads = grad(loss, Object.values(params));
  return { x, t, params, z1, h, z2, y, loss, grads };
}

export const SEED_LABELS = ['L', '∂L/∂W1', '∂L/∂b1', '∂L/∂W2', '∂L/∂b2'];

/** The explanation of the seed's loss and its four gradients. */
export function explainSeed(options: SeedOptions = {}): { explanation: Explanation; names: Record<string, Tensor> } {
  const g = seedGraph(options);
  return { explanation: explain([g.loss, ...g.grads]), names: { z1: g.z1, h: g.h, z2: g.z2, y: g.y } };
}

/** The text `gradc explain` prints. */
export function seedDerivation(options: SeedOptions = {}): string {
  const { batch = 32, oneHot = true } = options;
  const { explanation, names } = explainSeed(options);
  const header = [
    `The seed MLP, batch n = ${batch}: x [${batch},784] → h = relu(z1), z1 = x · W1 + b1 [${batch},32] → y = softmax(z2), z2 = h · W2 + b2 [${batch},10],`,
    `loss L = crossEntropy(y, t) = −Σ(t ⊙ log y) / ${batch}, with t ${oneHot ? 'declared { oneHot: true }' : 'not declared one-hot'}.`,
    `Gradients by reverse mode, then simplified; each step names the rule and the fact it used.`,
    '',
  ];
  return header.join('\n') + explanation.text({ names, labels: SEED_LABELS });
}
