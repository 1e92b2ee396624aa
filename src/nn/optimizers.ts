/**
 * Optimizers as graph `updates`: each parameter's new value (and its slots' new values) is a
 * graph expression of the old ones and the gradient, so the compiler fuses the whole update of
 * one parameter into one in-place loop. Keras' formulas and defaults.
 */
import { input, param } from '../graph/functions.js';
import type { Tensor } from '../graph/tensor.js';
import { checkName, checkPositiveNumber } from './checks.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

export type OptimizerConfig =
  | { readonly name: 'sgd'; readonly learningRate: number }
  | { readonly name: 'momentum'; readonly learningRate: number; readonly momentum: number }
  | { readonly name: 'adam'; readonly learningRate: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

/** SGD: w ← w − lr·g (Keras default lr 0.01). */
export function sgd(learningRate = 0.01): OptimizerConfig {
  return Object.freeze({ name: 'sgd', learningRate: checkPositiveNumber('sgd: learningRate', learningRate) });
}

/** Momentum (Keras SGD with momentum): v ← μ·v − lr·g, w ← w + v. */
export function momentum(learningRate = 0.01, mu = 0.9): OptimizerConfig {
  if (!(typeof mu === 'number' && mu >= 0 && mu < 1)) throw new Error(`momentum: momentum must be in [0, 1), got ${String(mu)}`);
  return Object.freeze({ name: 'momentum', learningRate: checkPositiveNumber('momentum: learningRate', learningRate), momentum: mu });
}

/** Adam (Kingma & Ba, Keras form): defaults lr 1e-3, β1 0.9, β2 0.999, ε 1e-7. */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): OptimizerConfig {
  for (const [k, v] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`adam: ${k} must be in [0, 1), got ${String(v)}`);
  }
  return Object.freeze({
    name: 'adam',
    learningRate: checkPositiveNumber('adam: learningRate', learningRate),
    beta1,
    beta2,
    epsilon: checkPositiveNumber('adam: epsilon', epsilon),
  });
}

export const optimizers = { sgd, momentum, adam } as const;

/** A name ('adam'), or an object `{ name, learningRate?, … }` whose missing fields take Keras' defaults. */
export function checkOptimizer(spec: unknown): OptimizerConfig {
  if (typeof spec === 'string') {
    const name = checkName('optimizer', spec, OPTIMIZERS);
    return name === 'sgd' ? sgd() : name === 'momentum' ? momentum() : adam();
  }
  if (spec === null || typeof spec !== 'object') {
    throw new Error(`optimizer must be a name (${OPTIMIZERS.map((o) => `'${o}'`).join(', ')}) or an object like { name: 'adam', learningRate: 0.001 }, got ${String(spec)}`);
  }
  const o = spec as Record<string, unknown>;
  const name = checkName('optimizer', o.name, OPTIMIZERS);
  const known: Record<OptimizerName, string[]> = { sgd: ['learningRate'], momentum: ['learningRate', 'momentum'], adam: ['learningRate', 'beta1', 'beta2', 'epsilon'] };
  for (const k of Object.keys(o)) {
    if (k !== 'name' && !known[name].includes(k)) throw new Error(`optimizer '${name}' has no option '${k}'; its options are ${known[name].join(', ')}`);
  }
  const num = (k: string) => (o[k] === undefined ? undefined : (o[k] as number));
  if (name === 'sgd') return sgd(num('learningRate'));
  if (name === 'momentum') return momentum(num('learningRate'), num('momentum'));
  return adam(num('learningRate'), num('beta1'), num('beta2'), num('epsilon'));
}

/** The graph pieces of one optimizer step over some parameters. */
export interface OptimizerPlan {
  /** Optimizer state, one zero-initialised param per slot (names `<param>/m`, `<param>/v`). */
  readonly slots: Tensor<'param'>[];
  /** [param, new value] pairs, applied together after the outputs are computed. */
  readonly updates: [Tensor<'param'>, Tensor][];
  /** Scalar inputs fed each step (Adam's bias-corrected learning rate). */
  readonly scalars: Tensor<'input'>[];
  /** Fills the scalar inputs for step `t` (1-based) in place. */
  fillScalars(t: number, into: Float32Array[]): void;
}

export function planOptimizer(cfg: OptimizerConfig, params: readonly Tensor<'param'>[], grads: readonly Tensor[]): OptimizerPlan {
  const slots: Tensor<'param'>[] = [];
  const updates: [Tensor<'param'>, Tensor][] = [];
  const slot = (p: Tensor<'param'>, s: string) => {
    const t = param(`${p.attrs.name}/${s}`, p.shape);
    slots.push(t);
    return t;
  };
  switch (cfg.name) {
    case 'sgd':
      params.forEach((p, i) => updates.push([p, p.sub(grads[i]!.mul(cfg.learningRate))]));
      return { slots, updates, scalars: [], fillScalars: () => {} };
    case 'momentum':
      params.forEach((p, i) => {
        const v = slot(p, 'velocity');
        const v1 = v.mul(cfg.momentum).sub(grads[i]!.mul(cfg.learningRate)); // v ← μv − lr·g
        updates.push([v, v1], [p, p.add(v1)]);
      });
      return { slots, updates, scalars: [], fillScalars: () => {} };
    case 'adam': {
      const { beta1: b1, beta2: b2, epsilon: eps, learningRate: lr } = cfg;
      const lrT = input('adam_lr_t', []);
      params.forEach((p, i) => {
        const g = grads[i]!;
        const m = slot(p, 'm');
        const v = slot(p, 'v');
        const m1 = m.mul(b1).add(g.mul(1 - b1)); // m ← β1·m + (1−β1)·g
        const v1 = v.mul(b2).add(g.square().mul(1 - b2)); // v ← β2·v + (1−β2)·g²
        updates.push([m, m1], [v, v1], [p, p.sub(m1.mul(lrT).div(v1.sqrt().add(eps)))]); // w ← w − lr_t·m/(√v + ε)
      });
      return {
        slots,
        updates,
        scalars: [lrT],
        // lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ): the bias corrections folded into the step size
        fillScalars: (t, into) => {
          into[0]![0] = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        },
      };
    }
  }
}
