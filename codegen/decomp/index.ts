/**
 * Transcendentals as branch-free float32 expressions over `ScalarMath`, each with the accuracy it
 * is tested to: the largest distance, in float32 ulps, from the correctly rounded result over all
 * float32 inputs (docs/math.md).
 */
import type { ScalarMath } from './builder.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { tanh } from './tanh.js';
import { sigmoid } from './sigmoid.js';
import { softplus } from './softplus.js';
import { pow } from './pow.js';

export interface UnaryDecomposition {
  apply<F, I, B>(m: ScalarMath<F, I, B>, x: F): F;
  ulp: number;
}
export interface BinaryDecomposition {
  apply<F, I, B>(m: ScalarMath<F, I, B>, x: F, y: F): F;
  ulp: number;
}

export const DECOMPOSITIONS: {
  exp: UnaryDecomposition; log: UnaryDecomposition; tanh: UnaryDecomposition;
  sigmoid: UnaryDecomposition; softplus: UnaryDecomposition; pow: BinaryDecomposition;
} = {
  exp: { apply: exp, ulp: 1 },
  log: { apply: log, ulp: 1 },
  tanh: { apply: tanh, ulp: 1 },
  sigmoid: { apply: sigmoid, ulp: 2 },
  softplus: { apply: softplus, ulp: 2 },
  pow: { apply: pow, ulp: 2 },
};

export type { ScalarMath } from './builder.js';
export { f32Interpreter } from './f32-interpreter.js';
export { exp, expDoubleFloat } from './exp.js';
export { log, log1p, logDoubleFloat } from './log.js';
export { tanh } from './tanh.js';
export { sigmoid } from './sigmoid.js';
export { softplus } from './softplus.js';
export { pow } from './pow.js';
