/**
 * Built-in callbacks (Keras' names and defaults): pass them to fit in `callbacks: [...]`.
 * Each gets the model through `setModel` when fit starts.
 */
import { printLine } from '../compile/warn.js';
import type { BatchLogs, Callbacks, EpochLogs } from './fit.js';
import type { Trainable } from './trainable.js';

function options(what: string, o: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object') throw new Error(`callbacks.${what}: pass an options object { ${allowed.join(', ')} }`);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`callbacks.${what}: unknown option '${k}'; options are ${allowed.join(', ')}`);
  return o as Record<string, unknown>;
}

/** 'min' for losses and errors, 'max' for accuracies (Keras' 'auto'). */
function better(mode: unknown, monitor: string, what: string): (a: number, b: number, delta: number) => boolean {
  const m = mode ?? 'auto';
  if (m !== 'auto' && m !== 'min' && m !== 'max') throw new Error(`callbacks.${what}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(m)}`);
  const max = m === 'max' || (m === 'auto' && /acc/.test(monitor));
  return max ? (a, b, d) => a > b + d : (a, b, d) => a < b - d;
}

function monitored(logs: EpochLogs, monitor: string, what: string): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    throw new Error(`callbacks.${what}: monitor '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')}); ` +
      `${monitor.startsWith('val_') ? 'pass validationData or validationSplit to fit, or ' : ''}monitor one of those`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  /** Put back the weights of the best epoch when stopping (or at the end). */
  restoreBestWeights?: boolean;
}

/** Stops fit when `monitor` (default 'val_loss') has not improved by minDelta for `patience` epochs. */
export function earlyStopping(o?: EarlyStoppingOptions): Callbacks & { readonly stoppedEpoch: number } {
  const opt = options('earlyStopping', o, ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights']);
  const monitor = (opt.monitor ?? 'val_loss') as string;
  if (typeof monitor !== 'string') throw new Error(`callbacks.earlyStopping: monitor must be a log key like 'val_loss', got ${String(monitor)}`);
  const minDelta = Math.abs((opt.minDelta ?? 0) as number);
  const patience = (opt.patience ?? 0) as number;
  if (!Number.isFinite(minDelta)) throw new Error(`callbacks.earlyStopping: minDelta must be a finite number, got ${String(opt.minDelta)}`);
  if (!Number.isInteger(patience) || patience < 0) throw new Error(`callbacks.earlyStopping: patience must be an integer ≥ 0, got ${String(opt.patience)}`);
  const isBetter = better(opt.mode, monitor, 'earlyStopping');
  const restore = opt.restoreBestWeights === true;
  let model: Trainable | null = null;
  let best = NaN, wait = 0, bestWeights: Map<string, Float32Array> | null = null;
  const state = { stoppedEpoch: -1 };
  return {
    get stoppedEpoch() { return state.stoppedEpoch; },
    setModel: (m) => { model = m; },
    onTrainBegin: () => { best = NaN; wait = 0; bestWeights = null; state.stoppedEpoch = -1; },
    onEpochEnd: (epoch, logs) => {
      const v = monitored(logs, monitor, 'earlyStopping');
      if (Number.isNaN(best) || isBetter(v, best, minDelta)) {
        best = v;
        wait = 0;
        if (restore) bestWeights = model!.getWeights();
        return;
      }
      if (++wait > patience) {
        state.stoppedEpoch = epoch;
        model!.stopTraining = true;
        if (restore && bestWeights) model!.setWeights(bestWeights);
      }
    },
  };
}

export interface ModelCheckpointOptions {
  /** The directory to save into; `{epoch}` is replaced by the epoch number (1-based). */
  path: string;
  monitor?: string;
  /** Save only when `monitor` improved (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
}

/** Saves the model (crash-safely, as model.save) at the end of each epoch, or of each best epoch. */
export function modelCheckpoint(o: ModelCheckpointOptions): Callbacks {
  const opt = options('modelCheckpoint', o, ['path', 'monitor', 'saveBestOnly', 'mode']);
  if (typeof opt.path !== 'string' || opt.path.length === 0) throw new Error(`callbacks.modelCheckpoint: path must be a directory path (may contain {epoch}), got ${JSON.stringify(opt.path)}`);
  const path = opt.path;
  const monitor = (opt.monitor ?? 'val_loss') as string;
  const bestOnly = opt.saveBestOnly === true;
  const isBetter = better(opt.mode, monitor, 'modelCheckpoint');
  let model: Trainable | null = null;
  let best = NaN;
  return {
    setModel: (m) => { model = m; },
    onTrainBegin: () => { best = NaN; },
    onEpochEnd: async (epoch, logs) => {
      if (bestOnly) {
        const v = monitored(logs, monitor, 'modelCheckpoint');
        if (!Number.isFinite(v) || !(Number.isNaN(best) || isBetter(v, best, 0))) return;
        best = v;
      } else if (!Number.isFinite(logs.loss)) return; // a diverged model is never written over a checkpoint
      await model!.save(path.replace(/\{epoch\}/g, String(epoch + 1)));
    },
  };
}

/** Stops fit at the first batch whose loss is NaN or ±∞ (and says so on stderr). */
export function terminateOnNaN(): Callbacks {
  let model: Trainable | null = null;
  return {
    setModel: (m) => { model = m; },
    onBatchEnd: (batch: number, logs: BatchLogs) => {
      if (!Number.isFinite(logs.loss)) {
        printLine(`terminateOnNaN: batch ${batch}: invalid loss ${logs.loss}, terminating training`);
        model!.stopTraining = true;
      }
    },
  };
}

export const callbacks = { earlyStopping, modelCheckpoint, terminateOnNaN } as const;
