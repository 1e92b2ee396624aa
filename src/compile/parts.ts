/**
 * What a compiled program is made of, for tools that print it elsewhere (`gradc export`): the
 * kernel executable (program, plan, Wasm bytes), each buffer's role and graph node, the feeds'
 * facts, the params, the outputs and the simplified updates. Kept off the public Executable.
 */
import type { LoadedProgram } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { BufferInfo } from '../lower/lower.js';

export interface ProgramParts {
  readonly kernels: LoadedProgram;
  /** Each kernel as `exe.kernels` reports it (compile.ts's KernelReport). */
  readonly reports: readonly { readonly name: string; readonly ops: readonly string[]; readonly plan: string }[];
  readonly buffers: readonly BufferInfo[];
  /** Inputs in slot order, with the oneHot depth their values must lie below as labels (0: not labels). */
  readonly inputs: readonly { readonly node: Tensor<'input'>; readonly buffer: number; readonly labelDepth: number }[];
  readonly params: readonly { readonly node: Tensor<'param'>; readonly buffer: number }[];
  readonly outputs: readonly { readonly name: string; readonly node: Tensor; readonly buffer: number }[];
  /** [param, new value] as simplified (what the kernels compute). */
  readonly updates: readonly (readonly [Tensor<'param'>, Tensor])[];
  /** Bytes of the shared weight region at the start of the memory (0 without one). */
  readonly regionBytes: number;
}

/** Keyed by compile's Executable (an object here: this file sits below compile.ts). */
const registry = new WeakMap<object, ProgramParts>();

export function recordParts(exe: object, parts: ProgramParts): void {
  registry.set(exe, parts);
}

export function partsOf(exe: object): ProgramParts {
  const p = registry.get(exe);
  if (p === undefined) throw new Error('export: not an executable made by compile()');
  return p;
}
