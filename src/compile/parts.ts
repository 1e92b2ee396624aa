/**
 * What a compiled program is made of, for tools that print it elsewhere (`gradc export`): the
 * kernel executable (program, plan, Wasm bytes), each buffer's role and graph node, the feeds'
 * facts, the params, the outputs and the simplified updates. Kept off the public Executable.
 */
import type { Executable as KernelExecutable } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { BufferInfo } from '../lower/lower.js';
import type { Executable, KernelReport } from './compile.js';

export interface ProgramParts {
  readonly kernels: KernelExecutable;
  readonly reports: readonly KernelReport[];
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

const registry = new WeakMap<Executable, ProgramParts>();

export function recordParts(exe: Executable, parts: ProgramParts): void {
  registry.set(exe, parts);
}

export function partsOf(exe: Executable): ProgramParts {
  const p = registry.get(exe);
  if (p === undefined) throw new Error('export: not an executable made by compile()');
  return p;
}
