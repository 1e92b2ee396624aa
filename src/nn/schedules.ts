/**
 * Learning-rate schedules (Keras' formulas). A schedule maps the optimizer's step count (0 before
 * the first update, as Keras' `iterations`) to a rate. The compiled step reads the rate from a
 * scalar input each step, so a schedule never recompiles anything.
 */
import { checkPositiveNumber } from './checks.js';

export interface ScheduleConfig {
  readonly kind: 'exponentialDecay' | 'cosineDecay' | 'piecewiseConstant';
  readonly [k: string]: unknown;
}

/** A built-in schedule: a function of the step that also knows its config (so save can write it). */
export interface Schedule {
  (step: number): number;
  readonly config: ScheduleConfig;
}

/** What `learningRate` accepts: a number, a built-in schedule, or any function of the step. */
export type LearningRate = number | Schedule | ((step: number) => number);

function made(config: ScheduleConfig, fn: (step: number) => number): Schedule {
  return Object.assign(fn, { config: Object.freeze(config) }) as Schedule;
}

function keys(what: string, o: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (o === null || typeof o !== 'object') throw new Error(`schedules.${what}: pass an options object { ${allowed.join(', ')} }`);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`schedules.${what}: unknown option '${k}'; options are ${allowed.join(', ')}`);
  return o as Record<string, unknown>;
}

/** lr · decayRate^(step / decaySteps) (the exponent floored when `staircase`). */
export function exponentialDecay(options: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }): Schedule {
  const o = keys('exponentialDecay', options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const lr = checkPositiveNumber('schedules.exponentialDecay: initialLearningRate', o.initialLearningRate);
  const steps = checkPositiveNumber('schedules.exponentialDecay: decaySteps', o.decaySteps);
  const rate = checkPositiveNumber('schedules.exponentialDecay: decayRate', o.decayRate);
  const staircase = o.staircase ?? false;
  if (typeof staircase !== 'boolean') throw new Error(`schedules.exponentialDecay: staircase must be true or false, got ${String(staircase)}`);
  return made({ kind: 'exponentialDecay', initialLearningRate: lr, decaySteps: steps, decayRate: rate, staircase }, (step) => {
    const p = step / steps;
    return lr * rate ** (staircase ? Math.floor(p) : p);
  });
}

/** lr · ((1 − α) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + α). */
export function cosineDecay(options: { initialLearningRate: number; decaySteps: number; alpha?: number }): Schedule {
  const o = keys('cosineDecay', options, ['initialLearningRate', 'decaySteps', 'alpha']);
  const lr = checkPositiveNumber('schedules.cosineDecay: initialLearningRate', o.initialLearningRate);
  const steps = checkPositiveNumber('schedules.cosineDecay: decaySteps', o.decaySteps);
  const alpha = o.alpha ?? 0;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new Error(`schedules.cosineDecay: alpha must be a number in [0, 1], got ${String(alpha)}`);
  return made({ kind: 'cosineDecay', initialLearningRate: lr, decaySteps: steps, alpha }, (step) => {
    const done = Math.min(step, steps) / steps;
    return lr * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha);
  });
}

/** values[0] while step ≤ boundaries[0], values[i] while step ≤ boundaries[i], then the last value. */
export function piecewiseConstant(options: { boundaries: readonly number[]; values: readonly number[] }): Schedule {
  const o = keys('piecewiseConstant', options, ['boundaries', 'values']);
  const b = o.boundaries, v = o.values;
  if (!Array.isArray(b) || !b.every((x, i) => typeof x === 'number' && Number.isFinite(x) && (i === 0 || x > b[i - 1]))) {
    throw new Error(`schedules.piecewiseConstant: boundaries must be increasing finite numbers (steps), got ${JSON.stringify(b)}`);
  }
  if (!Array.isArray(v) || v.length !== b.length + 1) {
    throw new Error(`schedules.piecewiseConstant: values needs one more entry than boundaries (${b.length + 1}), got ${Array.isArray(v) ? v.length : JSON.stringify(v)}`);
  }
  v.forEach((x, i) => checkPositiveNumber(`schedules.piecewiseConstant: values[${i}]`, x));
  const bs = [...(b as number[])], vs = [...(v as number[])];
  return made({ kind: 'piecewiseConstant', boundaries: bs, values: vs }, (step) => {
    for (let i = 0; i < bs.length; i++) if (step <= bs[i]!) return vs[i]!;
    return vs[vs.length - 1]!;
  });
}

export const schedules = { exponentialDecay, cosineDecay, piecewiseConstant } as const;

/** Rebuilds a built-in schedule from its saved config (loadModel). */
export function scheduleFromConfig(c: Record<string, unknown>): Schedule {
  const { kind, ...rest } = c;
  switch (kind) {
    case 'exponentialDecay': return exponentialDecay(rest as never);
    case 'cosineDecay': return cosineDecay(rest as never);
    case 'piecewiseConstant': return piecewiseConstant(rest as never);
    default: throw new Error(`unknown schedule kind ${JSON.stringify(kind)}; known: 'exponentialDecay', 'cosineDecay', 'piecewiseConstant'`);
  }
}

/** Checks what a user gave as a learning rate, naming the option and the type. */
export function checkLearningRate(what: string, v: unknown): LearningRate {
  if (typeof v === 'function') return v as LearningRate;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  const got = typeof v === 'string' ? `the string ${JSON.stringify(v)} (pass a number: ${Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : 0.001})` : String(v);
  throw new Error(`${what} must be a positive finite number or a schedule (schedules.exponentialDecay(...), or a function of the step), got ${got}`);
}

/** The rate at `step` (0-based), checked: a schedule returning garbage stops training with a clear message. */
export function rateAt(lr: LearningRate, step: number, what: string): number {
  if (typeof lr === 'number') return lr;
  const v = lr(step);
  if (typeof v !== 'number' || !(v >= 0 && v < Infinity)) {
    throw new Error(`${what}: the learning-rate schedule returned ${typeof v === 'number' ? v : `${typeof v} ${JSON.stringify(v)}`} at step ${step}; it must return a finite number ≥ 0`);
  }
  return v;
}
