/**
 * Weight initializers, with Keras' definitions. Each fills a Float32Array from a seeded `Rng`,
 * so a seed fixes every initial weight.
 */
import type { Rng } from '../data/rng.js';

export type InitializerName = 'glorotUniform' | 'heNormal' | 'zeros';
export const INITIALIZERS: readonly InitializerName[] = ['glorotUniform', 'heNormal', 'zeros'];

/** Keras' fans: a kernel [.., in, out] has fanIn = in·r, fanOut = out·r (r = product of the leading dims); a vector has fanIn = fanOut = its length. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/** Glorot/Xavier uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)). */
export function glorotUniform(shape: readonly number[], rng: Rng): Float32Array {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
  return out;
}

/** Std of N(0, 1) truncated to [−2, 2]: scaling by its inverse keeps the requested variance. */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/**
 * He normal: a normal with std σ = √(2 / fanIn) / 0.8796…, truncated at ±2σ (values outside are
 * redrawn), so the result has variance 2 / fanIn as in Keras.
 */
export function heNormal(shape: readonly number[], rng: Rng): Float32Array {
  const { fanIn } = fans(shape);
  const std = Math.sqrt(2 / fanIn) / TRUNCATED_NORMAL_STD;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    let z: number;
    do z = rng.normal(); while (z < -2 || z > 2);
    out[i] = std * z;
  }
  return out;
}

export function zeros(shape: readonly number[]): Float32Array {
  return new Float32Array(shape.reduce((a, b) => a * b, 1));
}

export function initialize(name: InitializerName, shape: readonly number[], rng: Rng): Float32Array {
  switch (name) {
    case 'glorotUniform': return glorotUniform(shape, rng);
    case 'heNormal': return heNormal(shape, rng);
    case 'zeros': return zeros(shape);
    default:
      throw new Error(`unknown initializer ${JSON.stringify(name)}; use one of ${INITIALIZERS.join(', ')}`);
  }
}
