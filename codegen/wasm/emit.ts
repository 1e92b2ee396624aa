/**
 * The WebAssembly backend: prints a program plan as one module that imports the memory the
 * arena lives in (sized once from the memory plan, never grown) and, only when an f64
 * transcendental needs it, the host's Math; one exported function per kernel and `run`
 * calling them in order. The same module is printed as WAT for reading (`exe.source`).
 */
import { child, childCount } from '../expr.js';
import { KERNEL_NAME } from '../ir.js';
import type { Transcendental } from '../ops.js';
import { kernelRoots } from '../plan/decompose.js';
import type { ProgramPlan } from '../plan/program.js';
import { WasmEnv } from './exprs.js';
import { emitLoopKernel } from './loops.js';
import { emitMatmulKernel } from './matmul.js';
import type { WasmFunc, WasmImport } from './module.js';
import { WasmModule } from './module.js';
import { HOST_MATH } from './ops.js';

export interface WasmProgram {
  readonly module: WasmModule;
  readonly functionNames: readonly string[];
  /** Host functions to import as `math.<name>`. */
  readonly hostMath: readonly Transcendental[];
}

export function wasmKernelName(index: number, name: string): string {
  if (!KERNEL_NAME.test(name)) throw new Error(`kernel ${index}: name ${JSON.stringify(name)} is not one of ours`);
  return `k${index}_${name}`;
}

/**
 * `checked` runs the operand-type checker on every instruction as it is appended (tests, and
 * buildWasm again when V8 rejects a module, to name the function and instruction at fault);
 * without it the builder still checks immediates, locals, labels and nesting, and
 * `new WebAssembly.Module` validates the rest. `text` keeps what the WAT needs (a compile emits
 * bytes only; `exe.source` emits the same module again with text).
 */
export function emitWasm(plan: ProgramPlan, pages: number, checked = false, text = true): WasmProgram {
  // Most programs call no host function: the module is emitted on that guess, and again with the
  // imports hostMathOf finds (a walk of every node) only when a kernel does call one.
  return emitWith(plan, pages, checked, text, undefined) ?? emitWith(plan, pages, checked, text, hostMathOf(plan))!;
}

/** Thrown by the first try's host lookup: a kernel calls a host function after all. */
class CallsHost extends Error {}

/** The module importing `hostNeeded`; undefined when none was given and a kernel calls the host. */
function emitWith(plan: ProgramPlan, pages: number, checked: boolean, text: boolean, hostNeeded: Transcendental[] | undefined): WasmProgram | undefined {
  const m = new WasmModule({ checked, text });
  m.importMemory(pages);
  const imports = new Map<Transcendental, WasmImport>();
  if (hostNeeded !== undefined) {
    for (const op of hostNeeded) {
      imports.set(op, m.importFunc('math', op, op === 'pow' ? ['f64', 'f64'] : ['f64'], ['f64']));
    }
  }
  const host = (op: Transcendental): WasmImport => {
    const i = imports.get(op);
    if (i !== undefined) return i;
    if (hostNeeded === undefined) throw new CallsHost();
    throw new Error(`internal: ${op} on f64 was not imported`);
  };
  const functionNames: string[] = [];
  const fns: WasmFunc[] = [];
  try {
    plan.kernels.forEach((kp, n) => {
      const name = wasmKernelName(n, kp.kernel.name);
      functionNames.push(name);
      const f = m.func(name, [], []);
      if (text) f.comment(`${name}: ${kp.describe}`);
      const env = new WasmEnv(f, plan.program.buffers, host);
      if (kp.kind === 'loops') emitLoopKernel(env, kp.kernel, kp.placement, kp.vector);
      else emitMatmulKernel(env, kp.kernel, kp.plan, plan.scratch.offset);
      m.export(name, f);
      fns.push(f);
    });
  } catch (e) {
    if (e instanceof CallsHost) return undefined;
    throw e;
  }
  const run = m.func('run', [], []);
  for (const f of fns) run.op('call', f);
  m.export('run', run);
  return { module: m, functionNames, hostMath: hostNeeded ?? [] };
}

/** The f64 transcendentals the program computes (the only host calls). */
function hostMathOf(plan: ProgramPlan): Transcendental[] {
  const found = new Set<Transcendental>();
  // Each node once, in any order (the result is sorted).
  const seen = new Set<number>();
  const stack = plan.program.kernels.flatMap(kernelRoots);
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if ((e.kind === 'unary' || e.kind === 'binary') && e.dtype === 'f64' && e.op in HOST_MATH) found.add(e.op as Transcendental);
    for (let i = 0, n = childCount(e); i < n; i++) stack.push(child(e, i));
  }
  return [...found].sort();
}
