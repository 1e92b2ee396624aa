/** Builds the WebAssembly backend's module over a memory, once, synchronously. */
import type { BuiltKernels } from '../backend.js';
import type { ProgramPlan } from '../plan/program.js';
import { emitWasm } from './emit.js';
import { HOST_MATH } from './ops.js';

export function buildWasm(plan: ProgramPlan, memory: WebAssembly.Memory, checked = false): BuiltKernels {
  // The module asks for the pages its plan needs and no maximum, so any memory at least that
  // large (one a model's programs share) can be given; the memory itself is never grown.
  const pages = Math.max(1, Math.ceil(plan.memoryBytes / 65536));
  if (memory.buffer.byteLength < pages * 65536) throw new Error(`codegen: the memory has ${memory.buffer.byteLength} bytes; this program needs ${pages * 65536}`);
  // Bytes only: the WAT is printed from the same plan emitted again with text, when first read.
  const { module, functionNames, hostMath } = emitWasm(plan, pages, checked, false);
  const bytes = module.toBytes();
  const math: Record<string, (...args: number[]) => number> = {};
  for (const op of hostMath) math[op] = HOST_MATH[op];
  const compiled = compileModule(bytes, plan, pages);
  let wat: string | undefined;
  const over = (mem: WebAssembly.Memory): BuiltKernels => {
    const instance = new WebAssembly.Instance(compiled, { env: { memory: mem }, ...(hostMath.length ? { math } : {}) });
    const exports = instance.exports as Record<string, () => void>;
    return {
      // The WAT text of the module, printed when first asked for (it is for reading, not running).
      get source() { return (wat ??= emitWasm(plan, pages, checked, true).module.toWat()); },
      bytes,
      hostMath,
      run: exports['run']!,
      kernels: functionNames.map((n) => exports[n]!),
      functionNames,
      rebind: (m) => {
        if (!(m instanceof WebAssembly.Memory)) throw new Error('codegen: the wasm backend runs in a WebAssembly.Memory, not an ArrayBuffer');
        return over(m);
      },
    };
  };
  return over(memory);
}

/** The module, synchronously; a module V8 rejects is emitted again with the checker, to say where it goes wrong. */
function compileModule(bytes: Uint8Array<ArrayBuffer>, plan: ProgramPlan, pages: number): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (e) {
    if (!(e instanceof WebAssembly.CompileError)) throw e;
    emitWasm(plan, pages, true, false).module.toBytes(); // throws naming the function and the instruction
    throw new Error(`internal: the wasm backend built a module WebAssembly rejects: ${e.message}`);
  }
}
