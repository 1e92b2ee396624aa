/** GRADC_DEBUG levels: 1 compile summary, 2 fused kernels, 3 rewrites fired, 4 generated code. */
import { GraphError } from '../graph/errors.js';
import { printLine, warn } from './warn.js';

export type DebugLevel = 0 | 1 | 2 | 3 | 4;

let warnedEnv: string | null = null;

/** The level from the option, else from the GRADC_DEBUG environment variable, else 0. */
export function debugLevel(option: unknown): DebugLevel {
  if (option === undefined || option === null) {
    const env = typeof process !== 'undefined' ? process.env.GRADC_DEBUG : undefined;
    if (env === undefined || env === '') return 0;
    const n = Number(env);
    if (!isLevel(n)) {
      // an environment variable must not break every compile of a program that never asked for debugging
      if (warnedEnv !== env) {
        warnedEnv = env;
        warn(`GRADC_DEBUG must be 0, 1, 2, 3 or 4, got '${env}'; ignoring it (unset it, or set GRADC_DEBUG=1 for a compile summary)`);
      }
      return 0;
    }
    return n;
  }
  if (option === true) return 1;
  if (option === false) return 0;
  if (!isLevel(option)) throw new GraphError('compile', `debug must be 0-4 (1 summary, 2 kernels, 3 rewrites, 4 code), got ${String(option)}`);
  return option;
}

function isLevel(n: unknown): n is DebugLevel {
  return n === 0 || n === 1 || n === 2 || n === 3 || n === 4;
}

export function defaultLog(line: string): void {
  printLine(line);
}
