/**
 * The plan of a whole program for one target: transcendentals decomposed where the target says
 * so, each kernel's placement or matmul plan, and the scratch region (in the arena, after the
 * program's buffers: kernels run one at a time, so they share it). Backends print this.
 */
import { indexNodes } from '../expr.js';
import type { Kernel, LoopKernel, MatmulKernel, Program } from '../ir.js';
import type { Target } from '../target.js';
import { decomposeProgram } from './decompose.js';
import type { MatmulPlan } from './matmul.js';
import { describeMatmulPlan, planMatmul } from './matmul.js';
import type { LoopPlacement } from './placement.js';
import { placeLoopKernel, rootsOf } from './placement.js';
import type { LoopVectorPlan, StorageOf } from './vector.js';
import { describeLoopPlan, planLoopVector } from './vector.js';

export interface LoopKernelPlan {
  readonly kind: 'loops';
  readonly kernel: LoopKernel;
  readonly placement: LoopPlacement;
  readonly vector: LoopVectorPlan;
  readonly describe: string;
}

export interface MatmulKernelPlan {
  readonly kind: 'matmul';
  readonly kernel: MatmulKernel;
  readonly plan: MatmulPlan;
  readonly describe: string;
}

export type KernelPlan = LoopKernelPlan | MatmulKernelPlan;

export interface ProgramPlan {
  readonly target: Target;
  /** The program as the backend runs it (transcendentals decomposed per the target). */
  readonly program: Program;
  readonly kernels: readonly KernelPlan[];
  /** Shared scratch: byte offset (16-aligned) and size. */
  readonly scratch: { readonly offset: number; readonly bytes: number };
  /** Program buffers plus scratch. */
  readonly memoryBytes: number;
}

export function planKernel(k: Kernel, target: Target, storageOf: StorageOf, lengthOf: (buffer: number) => number): KernelPlan {
  if (k.kind === 'matmul') {
    const plan = planMatmul(k, target, storageOf, lengthOf);
    return { kind: 'matmul', kernel: k, plan, describe: describeMatmulPlan(k, plan) };
  }
  const index = indexNodes(k.passes.flatMap(rootsOf));
  const vector = planLoopVector(k, target, storageOf, index);
  return { kind: 'loops', kernel: k, placement: placeLoopKernel(k, target, index), vector, describe: describeLoopPlan(k, vector) };
}

export function planProgram(source: Program, target: Target): ProgramPlan {
  const program = decomposeProgram(source, target);
  const storageOf = (b: number) => program.buffers[b]!.dtype;
  const kernels = program.kernels.map((k) => planKernel(k, target, storageOf, (b) => program.buffers[b]!.length));
  const offset = Math.ceil(program.arenaBytes / 16) * 16;
  const bytes = Math.max(0, ...kernels.map((k) => (k.kind === 'matmul' ? k.plan.scratchBytes : 0)));
  return { target, program, kernels, scratch: { offset, bytes }, memoryBytes: offset + bytes };
}
