/**
 * Optimizers as graph `updates`: each parameter's new value (and its slots' new values) is a
 * graph expression of the old ones and the gradient, so the compiler fuses the whole update of
 * one parameter into one in-place loop. Keras' formulas and defaults.
 *
 * The hyper-parameters a schedule or a callback changes are not baked into the compiled step: the
 * learning rate, momentum's μ and AdamW's weight decay λ are read from scalar inputs (shape [])
 * filled before each step, so schedules, `model.learningRate = …`, `model.optimizer.momentum = …`
 * and `model.optimizer.weightDecay = …` take effect at the next step without recompiling (the
 * others, β1, β2, ρ, ε, are constants of the step: changing them recompiles). Usable on any graph:
 *   const opt = optimizers.adam({ learningRate: 1e-3 });
 *   const step = opt.updates(loss, [W, b]);
 *   const exe = compile({ inputs: [x, t, ...step.inputs], outputs: { loss }, updates: step.updates });
 *   step.init(exe);                                  // slots to their initial values, step count 0
 *   exe.run({ x, t, ...step.next() });              // each step: advance, fill the scalar feeds
 */
import { div, input, minimum, param, sqrt, sum } from '../graph/functions.js';
import { grad } from '../grad/grad.js';
import type { Tensor } from '../graph/tensor.js';
import { checkName, checkPositiveNumber } from './checks.js';
import { checkLearningRate, rateAt, type LearningRate } from './schedules.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'];

interface Common { readonly learningRate: number; readonly globalClipNorm?: number }
/** An optimizer's hyper-parameters as data (what model.json stores). `learningRate` is the rate at step 0. */
export type OptimizerConfig =
  | (Common & { readonly name: 'sgd' })
  | (Common & { readonly name: 'momentum'; readonly momentum: number })
  | (Common & { readonly name: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number })
  | (Common & { readonly name: 'adamw'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly weightDecay: number })
  | (Common & { readonly name: 'rmsprop'; readonly rho: number; readonly epsilon: number })
  | (Common & { readonly name: 'adagrad'; readonly initialAccumulatorValue: number; readonly epsilon: number });

/** Keras' defaults. */
const DEFAULTS: { readonly [N in OptimizerName]: Readonly<Record<string, number>> } = {
  sgd: { learningRate: 0.01 },
  momentum: { learningRate: 0.01, momentum: 0.9 },
  adam: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  adamw: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 },
  rmsprop: { learningRate: 1e-3, rho: 0.9, epsilon: 1e-7 },
  adagrad: { learningRate: 1e-3, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
};
/** The options each optimizer takes (besides learningRate and globalClipNorm), in positional order. */
const HYPER: { readonly [N in OptimizerName]: readonly string[] } = {
  sgd: [], momentum: ['momentum'], adam: ['beta1', 'beta2', 'epsilon'], adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
  rmsprop: ['rho', 'epsilon'], adagrad: ['initialAccumulatorValue', 'epsilon'],
};

/** The hyper-parameters read from scalar inputs each step, besides the learning rate: changing them recompiles nothing. */
const RUNTIME: { readonly [N in OptimizerName]: readonly string[] } = {
  sgd: [], momentum: ['momentum'], adam: [], adamw: ['weightDecay'], rmsprop: [], adagrad: [],
};

export function optionNames(name: OptimizerName): string[] {
  return ['learningRate', ...HYPER[name], 'globalClipNorm'];
}

function checkHyper(name: OptimizerName, k: string, v: unknown): number {
  const what = `${name}: ${k}`;
  if (k === 'momentum' || k === 'beta1' || k === 'beta2' || k === 'rho') {
    if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`${what} must be in [0, 1), got ${typeof v === 'string' ? `the string ${JSON.stringify(v)}` : String(v)}`);
    return v;
  }
  if (k === 'weightDecay' || k === 'initialAccumulatorValue') {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`${what} must be a finite number ≥ 0, got ${typeof v === 'string' ? `the string ${JSON.stringify(v)}` : String(v)}`);
    return v;
  }
  if (typeof v === 'string') throw new Error(`${what} must be a positive finite number, got the string ${JSON.stringify(v)}`);
  return checkPositiveNumber(what, v);
}

/** The graph pieces of one optimizer step over some parameters. */
export interface OptimizerPlan {
  /** Optimizer state, one param per slot (names `<param>/m`, `<param>/v`, …). */
  readonly slots: Tensor<'param'>[];
  /** Each slot's initial value (0, or Adagrad's initialAccumulatorValue), by slot name. */
  readonly slotInit: ReadonlyMap<string, number>;
  /** [param, new value] pairs, applied together after the outputs are computed. */
  readonly updates: [Tensor<'param'>, Tensor][];
  /** Scalar inputs (shape []) fed each step: the learning rate, or what is derived from it. */
  readonly scalars: Tensor<'input'>[];
  /**
   * Fills the scalar inputs in place for step `t` (1-based) at learning rate `lr`, with the
   * runtime hyper-parameters `hyper` (the optimizer's values now: μ, λ). Allocation-free.
   */
  fill(t: number, lr: number, into: readonly Float32Array[], hyper: Readonly<Record<string, number>>): void;
}

/** What `optimizer.updates(loss, params)` gives a custom graph: everything `compile` and `run` need. */
export interface OptimizerStep {
  readonly updates: [Tensor<'param'>, Tensor][];
  /** Add these to compile's inputs (the learning-rate scalars). */
  readonly inputs: Tensor<'input'>[];
  readonly slots: Tensor<'param'>[];
  readonly grads: Tensor[];
  /** The scalar feed buffers, keyed by input name; `next()` refills them in place. */
  readonly feeds: Readonly<Record<string, Float32Array>>;
  /** Steps taken so far. */
  readonly step: number;
  /** Advances the step count and fills `feeds` for it (reading the optimizer's current learning rate); returns `feeds`. */
  next(): Readonly<Record<string, Float32Array>>;
  /** Sets every slot of `exe` to its initial value and the step count to 0. */
  init(exe: { setParam(p: Tensor, value: number): void }): void;
}

export class Optimizer {
  readonly name: OptimizerName;
  /** The hyper-parameters other than the learning rate (μ and λ as they are now). */
  private values: Readonly<Record<string, number>>;
  private lr: LearningRate;

  constructor(name: OptimizerName, options: Readonly<Record<string, unknown>> = {}) {
    this.name = name;
    for (const k of Object.keys(options)) {
      if (!optionNames(name).includes(k)) throw new Error(`optimizer '${name}' has no option '${k}'; its options are ${optionNames(name).join(', ')}`);
    }
    const hyper: Record<string, number> = {};
    for (const k of HYPER[name]) hyper[k] = checkHyper(name, k, options[k] ?? DEFAULTS[name][k]);
    if (options.globalClipNorm !== undefined) hyper.globalClipNorm = checkHyper(name, 'globalClipNorm', options.globalClipNorm);
    this.values = Object.freeze(hyper);
    this.lr = checkLearningRate(`${name}: learningRate`, options.learningRate ?? DEFAULTS[name].learningRate);
  }

  /** The hyper-parameters other than the learning rate, as they are now. */
  get hyper(): Readonly<Record<string, number>> {
    return this.values;
  }

  /** Momentum's μ (the 'momentum' optimizer only); setting it takes effect at the next step, no recompile. */
  get momentum(): number {
    return this.runtimeValue('momentum');
  }

  set momentum(v: number) {
    this.setRuntime('momentum', v);
  }

  /** AdamW's decoupled weight decay λ (the 'adamw' optimizer only); setting it takes effect at the next step, no recompile. */
  get weightDecay(): number {
    return this.runtimeValue('weightDecay');
  }

  set weightDecay(v: number) {
    this.setRuntime('weightDecay', v);
  }

  private runtimeValue(k: string): number {
    if (!RUNTIME[this.name].includes(k)) throw new Error(`optimizer '${this.name}' has no ${k}; ${k === 'momentum' ? "use optimizers.momentum({ learningRate, momentum })" : 'use optimizers.adamw({ learningRate, weightDecay })'}`);
    return this.values[k]!;
  }

  private setRuntime(k: string, v: unknown): void {
    void this.runtimeValue(k);
    this.values = Object.freeze({ ...this.values, [k]: checkHyper(this.name, k, v) });
  }

  /** A number or a schedule (a function of the 0-based step); setting it takes effect at the next step. */
  get learningRate(): LearningRate {
    return this.lr;
  }

  set learningRate(v: LearningRate) {
    this.lr = checkLearningRate(`${this.name}: learningRate`, v);
  }

  /** The rate used by update number `step` (0-based: 0 is the first update). */
  rateAt(step: number): number {
    return rateAt(this.lr, step, `${this.name}: learningRate`);
  }

  /** The hyper-parameters as data, with the learning rate at step 0. */
  get config(): OptimizerConfig {
    return Object.freeze({ name: this.name, learningRate: this.rateAt(0), ...this.hyper }) as OptimizerConfig;
  }

  /** Same optimizer and the same constants of the step (runtime values aside: lr, μ, λ): the same compiled step serves both. */
  sameGraph(o: Optimizer): boolean {
    const run = RUNTIME[this.name];
    const a = Object.entries(this.values).filter(([k]) => !run.includes(k)), b = o.values;
    return o.name === this.name && Object.keys(this.values).length === Object.keys(b).length && a.every(([k, v]) => b[k] === v);
  }

  /** The update graph for `params` given their gradients. */
  plan(params: readonly Tensor<'param'>[], grads: readonly Tensor[]): OptimizerPlan {
    return planOptimizer(this.name, this.values, params, grads);
  }

  /** Fills a plan's scalar inputs for update `t` (1-based) with this optimizer's values now. */
  fill(plan: OptimizerPlan, t: number, into: readonly Float32Array[]): void {
    plan.fill(t, this.rateAt(t - 1), into, this.values);
  }

  /** ∂loss/∂params, then this optimizer's updates, for a graph of your own. */
  updates(loss: Tensor, params: readonly Tensor<'param'>[]): OptimizerStep {
    if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p && (p as Tensor).op === 'param')) {
      throw new Error(`${this.name}.updates(loss, params): params must be a non-empty array of param(...) tensors`);
    }
    const grads = grad(loss, params);
    const plan = this.plan(params, grads);
    const feeds: Record<string, Float32Array> = {};
    const buffers = plan.scalars.map((s) => (feeds[s.attrs.name] = new Float32Array(1)));
    Object.freeze(feeds);
    let t = 0;
    const fill = () => this.fill(plan, t + 1, buffers);
    fill();
    return {
      updates: plan.updates,
      inputs: plan.scalars,
      slots: plan.slots,
      grads,
      feeds,
      get step() { return t; },
      next: () => {
        fill();
        t++;
        return feeds;
      },
      init: (exe) => {
        for (const s of plan.slots) {
          const v = plan.slotInit.get(s.attrs.name)!;
          exe.setParam(s, v);
        }
        t = 0;
      },
    };
  }
}

type Options<K extends string> = { learningRate?: LearningRate; globalClipNorm?: number } & { [P in K]?: number };

/** Positional (Keras-1 style, `sgd(0.1)`) or an options object (`sgd({ learningRate: 0.1 })`). */
function make(name: OptimizerName, args: unknown[]): Optimizer {
  if (args[0] !== null && typeof args[0] === 'object') {
    if (args.slice(1).some((a) => a !== undefined)) throw new Error(`optimizers.${name}: pass one options object, or positional numbers, not both`);
    return new Optimizer(name, args[0] as Record<string, unknown>);
  }
  const o: Record<string, unknown> = {};
  ['learningRate', ...HYPER[name]].forEach((k, i) => {
    if (args[i] !== undefined) o[k] = args[i];
  });
  return new Optimizer(name, o);
}

/** SGD: w ← w − lr·g (Keras default lr 0.01). */
export function sgd(options?: Options<never> | LearningRate): Optimizer {
  return make('sgd', [options]);
}
/** Momentum (Keras SGD with momentum): v ← μ·v − lr·g, w ← w + v. */
export function momentum(options?: Options<'momentum'> | LearningRate, mu?: number): Optimizer {
  return make('momentum', [options, mu]);
}
/** Adam (Kingma & Ba, Keras form): defaults lr 1e-3, β1 0.9, β2 0.999, ε 1e-7. */
export function adam(options?: Options<'beta1' | 'beta2' | 'epsilon'> | LearningRate, beta1?: number, beta2?: number, epsilon?: number): Optimizer {
  return make('adam', [options, beta1, beta2, epsilon]);
}
/** AdamW (Loshchilov & Hutter, Keras form): Adam plus decoupled weight decay w ← w − lr·λ·w (λ default 0.004). */
export function adamw(options?: Options<'beta1' | 'beta2' | 'epsilon' | 'weightDecay'>): Optimizer {
  return make('adamw', [options]);
}
/** RMSprop (Keras): v ← ρ·v + (1−ρ)·g², w ← w − lr·g/(√v + ε); defaults lr 1e-3, ρ 0.9, ε 1e-7. */
export function rmsprop(options?: Options<'rho' | 'epsilon'>): Optimizer {
  return make('rmsprop', [options]);
}
/** Adagrad (Keras): a ← a + g², w ← w − lr·g/(√a + ε); a starts at 0.1; defaults lr 1e-3, ε 1e-7. */
export function adagrad(options?: Options<'initialAccumulatorValue' | 'epsilon'>): Optimizer {
  return make('adagrad', [options]);
}

export const optimizers = { sgd, momentum, adam, adamw, rmsprop, adagrad } as const;

/** A name ('adam'), an object `{ name, learningRate?, … }` whose missing fields take Keras' defaults, or an Optimizer. */
export function checkOptimizer(spec: unknown): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') return new Optimizer(checkName('optimizer', spec, OPTIMIZERS));
  if (spec === null || typeof spec !== 'object') {
    throw new Error(`optimizer must be a name (${OPTIMIZERS.map((o) => `'${o}'`).join(', ')}), optimizers.adam({ ... }) or an object like { name: 'adam', learningRate: 0.001 }, got ${String(spec)}`);
  }
  const { name, ...rest } = spec as Record<string, unknown>;
  return new Optimizer(checkName('optimizer', name, OPTIMIZERS), rest);
}

function planOptimizer(name: OptimizerName, h: Readonly<Record<string, number>>, params: readonly Tensor<'param'>[], rawGrads: readonly Tensor[]): OptimizerPlan {
  const slots: Tensor<'param'>[] = [];
  const slotInit = new Map<string, number>();
  const updates: [Tensor<'param'>, Tensor][] = [];
  const slot = (p: Tensor<'param'>, s: string, init = 0) => {
    const t = param(`${p.attrs.name}/${s}`, p.shape);
    slots.push(t);
    slotInit.set(t.attrs.name, init);
    return t;
  };
  let grads = rawGrads;
  if (h.globalClipNorm !== undefined) {
    // g ← g · min(1, c / ‖g‖), ‖g‖ the norm of all gradients together (Keras' global_clipnorm)
    const norm = sqrt(rawGrads.map((g) => sum(g.square())).reduce((a, b) => a.add(b)));
    const scale = minimum(1, div(h.globalClipNorm, norm));
    grads = rawGrads.map((g) => g.mul(scale));
  }
  const lr = input(`${name}/lr`, []);
  const plain = (fill: OptimizerPlan['fill'], scalars: Tensor<'input'>[] = [lr]): OptimizerPlan => ({ slots, slotInit, updates, scalars, fill });
  const lrOnly: OptimizerPlan['fill'] = (_t, r, into) => { into[0]![0] = r; };
  switch (name) {
    case 'sgd':
      params.forEach((p, i) => updates.push([p, p.sub(grads[i]!.mul(lr))]));
      return plain(lrOnly);
    case 'momentum': {
      const mu = input('momentum/mu', []);
      params.forEach((p, i) => {
        const v = slot(p, 'velocity');
        const v1 = v.mul(mu).sub(grads[i]!.mul(lr)); // v ← μv − lr·g
        updates.push([v, v1], [p, p.add(v1)]);
      });
      return plain((_t, r, into, now) => { into[0]![0] = r; into[1]![0] = now.momentum!; }, [lr, mu]);
    }
    case 'rmsprop':
      params.forEach((p, i) => {
        const g = grads[i]!;
        const v = slot(p, 'rms');
        const v1 = v.mul(h.rho!).add(g.square().mul(1 - h.rho!)); // v ← ρv + (1−ρ)g²
        updates.push([v, v1], [p, p.sub(g.mul(lr).div(v1.sqrt().add(h.epsilon!)))]); // w ← w − lr·g/(√v + ε)
      });
      return plain(lrOnly);
    case 'adagrad':
      params.forEach((p, i) => {
        const g = grads[i]!;
        const a = slot(p, 'accumulator', h.initialAccumulatorValue!);
        const a1 = a.add(g.square()); // a ← a + g²
        updates.push([a, a1], [p, p.sub(g.mul(lr).div(a1.sqrt().add(h.epsilon!)))]); // w ← w − lr·g/(√a + ε)
      });
      return plain(lrOnly);
    case 'adam':
    case 'adamw': {
      const { beta1: b1, beta2: b2, epsilon: eps } = h as { beta1: number; beta2: number; epsilon: number };
      const lrT = input(`${name}/lr_t`, []);
      const keep = name === 'adamw' ? input('adamw/keep', []) : null;
      params.forEach((p, i) => {
        const g = grads[i]!;
        const m = slot(p, 'm');
        const v = slot(p, 'v');
        const m1 = m.mul(b1).add(g.mul(1 - b1)); // m ← β1·m + (1−β1)·g
        const v1 = v.mul(b2).add(g.square().mul(1 - b2)); // v ← β2·v + (1−β2)·g²
        const w = keep ? p.mul(keep) : p; // AdamW: w ← w·(1 − lr·λ) first (decoupled decay)
        updates.push([m, m1], [v, v1], [p, w.sub(m1.mul(lrT).div(v1.sqrt().add(eps)))]); // w ← w − lr_t·m/(√v + ε)
      });
      // lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ): the bias corrections folded into the step size
      return plain((t, r, into, now) => {
        into[0]![0] = (r * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        if (keep) into[1]![0] = 1 - r * now.weightDecay!;
      }, keep ? [lrT, keep] : [lrT]);
    }
  }
}
