/** Activations a layer applies after its affine map. */
import type { Tensor } from '../graph/tensor.js';
import { checkName } from './checks.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export const ACTIVATIONS: readonly ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export function checkActivation(name: unknown): ActivationName {
  return checkName('activation', name, ACTIVATIONS);
}

export function applyActivation(name: ActivationName, z: Tensor): Tensor {
  switch (name) {
    case 'linear': return z;
    case 'relu': return z.relu();
    case 'sigmoid': return z.sigmoid();
    case 'tanh': return z.tanh();
    case 'softmax': return z.softmax(-1);
  }
}
