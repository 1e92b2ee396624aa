/** Builds the WebAssembly backend's module over a memory, once, synchronously. */
import type { BuiltKernels } from '../backend.js';
import type { ProgramPlan } from '../plan/program.js';
import { emitWasm } from './emit.js';
import { HOST_MATH } from './ops.js';

export function buildWasm(plan: ProgramPlan, memory: WebAssembly.Memory): BuiltKernels {
  const pages = memory.buffer.byteLength / 65536;
  const { module, functionNames, hostMath } = emitWasm(plan, pages);
  const bytes = module.toBytes();
  const math: Record<string, (...args: number[]) => number> = {};
  for (const op of hostMath) math[op] = HOST_MATH[op];
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory }, ...(hostMath.length ? { math } : {}) });
  const exports = instance.exports as Record<string, () => void>;
  let wat: string | undefined;
  return {
    // The WAT text of the module, printed when first asked for (it is for reading, not running).
    get source() { return (wat ??= module.toWat()); },
    bytes,
    run: exports['run']!,
    kernels: functionNames.map((n) => exports[n]!),
    functionNames,
  };
}
