/** Builds the JS backend's module over an arena, once, with `new Function`. */
import type { BuiltKernels } from '../backend.js';
import type { ProgramPlan } from '../plan/program.js';
import { emitJs } from './emit.js';

export function buildJs(plan: ProgramPlan, arena: ArrayBuffer): BuiltKernels {
  const { source, functionNames } = emitJs(plan);
  const factory = new Function('arena', source) as (arena: ArrayBuffer) => { run: () => void; kernels: (() => void)[] };
  const over = (buffer: ArrayBuffer): BuiltKernels => {
    const built = factory(buffer);
    return {
      source, run: built.run, kernels: built.kernels, functionNames,
      rebind: (m) => over(m instanceof ArrayBuffer ? m : m.buffer),
    };
  };
  return over(arena);
}
