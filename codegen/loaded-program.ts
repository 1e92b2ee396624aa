/**
 * A loaded program: a kernel program planned for a target, its memory (one arena: buffers, then
 * scratch), the backend's kernels built once over it, and `run()`. Inputs and outputs are slots
 * by index; everything else (names, feeds, params) belongs to the public `Executable` that
 * src/compile wraps around it.
 */
import type { BuiltKernels } from './backend.js';
import type { BufferId, Kernel, Program, Storage } from './ir.js';
import { buildJs } from './js/build.js';
import type { ProgramPlan } from './plan/program.js';
import { planKernel, planProgram } from './plan/program.js';
import type { Target } from './target.js';
import { TARGETS } from './target.js';
import { validateProgram } from './validate.js';
import { buildWasm } from './wasm/build.js';

export type View = Float32Array | Float64Array | Int32Array | Uint8Array;

export type Backend = Target['name'];
export const BACKENDS: readonly Backend[] = ['js', 'wasm'];

/** What a kernel is, for reports and debugging. */
export interface KernelInfo {
  readonly index: number;
  readonly name: string;
  /** Name of its function in `source`. */
  readonly functionName: string;
  readonly kind: Kernel['kind'];
  /** Loop shape, e.g. `32×10 | reduce[10], reduce[10], map[10]` or `matmul 32×784·784×32`. */
  readonly loops: string;
  /** Its plan in one line, e.g. `matmul 32×784·784×32: order dot, tile 4×8, vector j (4 lanes), acc f32`. */
  readonly plan: string;
}

export interface BuildOptions {
  readonly backend?: Backend;
  /**
   * Memory to run in (shared by programs that agree on where their common buffers live), or a
   * function giving one of at least the bytes the plan needs; by default a new one of the plan's
   * size. For `wasm` it must be a WebAssembly.Memory.
   */
  readonly memory?: ArrayBuffer | WebAssembly.Memory | ((bytes: number) => ArrayBuffer | WebAssembly.Memory);
  /**
   * wasm: run the operand-type checker on every instruction as the module is built (errors name
   * the kernel's function and the instruction). Off by default: the module is validated by
   * `new WebAssembly.Module` anyway, and a module it rejects is built again checked.
   */
  readonly checked?: boolean;
}

const VIEWS: Readonly<Record<Storage, new (b: ArrayBuffer, offset: number, length: number) => View>> = {
  f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array,
};

/** Bytes of WebAssembly memory pages for `bytes` (64 KiB pages, at least one). */
export function wasmPages(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 65536));
}

export class LoadedProgram {
  readonly backend: Backend;
  readonly plan: ProgramPlan;
  /** The WebAssembly.Memory the arena lives in (wasm, or when one was given). */
  memory: WebAssembly.Memory | undefined;
  arena: ArrayBuffer;
  readonly kernels: readonly KernelInfo[];
  /** Views of the input slots' buffers (write feeds here, then `run()`). */
  inputs: readonly View[];
  /** Views of the output slots' buffers (valid until the next `run()`). */
  outputs: readonly View[];
  private views: readonly View[];
  private built: BuiltKernels;
  private runAll: () => void;
  private kernelFns: readonly (() => void)[];

  constructor(readonly program: Program, options: BuildOptions = {}) {
    const backend = options.backend ?? 'js';
    const target = TARGETS[backend];
    if (target === undefined) throw new Error(`codegen: unknown backend ${JSON.stringify(backend)}; available: ${BACKENDS.map((b) => `'${b}'`).join(', ')}`);
    this.backend = backend;
    validateProgram(program, target);
    this.plan = planProgram(program, target);
    const given = typeof options.memory === 'function' ? options.memory(this.plan.memoryBytes) : options.memory;
    if (given !== undefined) {
      const bytes = given instanceof ArrayBuffer ? given.byteLength : given.buffer.byteLength;
      if (bytes < this.plan.memoryBytes) throw new Error(`codegen: the given memory has ${bytes} bytes; this program needs ${this.plan.memoryBytes}`);
      if (backend === 'wasm' && given instanceof ArrayBuffer) throw new Error('codegen: the wasm backend runs in a WebAssembly.Memory, not an ArrayBuffer');
    }
    this.memory = given instanceof WebAssembly.Memory ? given
      : given === undefined && backend === 'wasm'
        ? new WebAssembly.Memory({ initial: wasmPages(this.plan.memoryBytes), maximum: wasmPages(this.plan.memoryBytes) })
        : undefined;
    this.arena = this.memory ? this.memory.buffer : (given as ArrayBuffer | undefined) ?? new ArrayBuffer(this.plan.memoryBytes);
    const built: BuiltKernels = backend === 'wasm' ? buildWasm(this.plan, this.memory!, options.checked ?? false) : buildJs(this.plan, this.arena);
    this.built = built;
    this.runAll = built.run;
    this.kernelFns = built.kernels;
    this.views = this.inputs = this.outputs = [];
    this.makeViews();
    this.kernels = this.plan.kernels.map((kp, index) => ({
      index,
      name: kp.kernel.name,
      functionName: built.functionNames[index]!,
      kind: kp.kind,
      loops: describeLoops(kp.kernel),
      plan: kp.describe,
    }));
  }

  /**
   * Moves the program to another memory holding the same layout (e.g. a larger one that several
   * programs share): the kernels are re-instantiated over it, the code is not rebuilt. Views
   * taken before are stale afterwards.
   */
  rebind(memory: ArrayBuffer | WebAssembly.Memory): void {
    const bytes = memory instanceof ArrayBuffer ? memory.byteLength : memory.buffer.byteLength;
    if (bytes < this.plan.memoryBytes) throw new Error(`codegen: the given memory has ${bytes} bytes; this program needs ${this.plan.memoryBytes}`);
    this.built = this.built.rebind(memory);
    this.runAll = this.built.run;
    this.kernelFns = this.built.kernels;
    this.memory = memory instanceof ArrayBuffer ? undefined : memory;
    this.arena = memory instanceof ArrayBuffer ? memory : memory.buffer;
    this.makeViews();
  }

  private makeViews(): void {
    this.views = this.program.buffers.map((b) => new VIEWS[b.dtype](this.arena, b.offset, b.length));
    this.inputs = this.program.inputs.map((id) => this.views[id]!);
    this.outputs = this.program.outputs.map((id) => this.views[id]!);
  }

  /** What runs, to read: the JS module's source, or the Wasm module as WAT text. */
  get source(): string {
    return this.built.source;
  }

  /** The binary module and the host functions it imports (wasm backend), e.g. to embed it elsewhere. */
  get wasm(): { readonly bytes: Uint8Array; readonly hostMath: readonly string[] } | undefined {
    const { bytes, hostMath } = this.built;
    return bytes === undefined ? undefined : { bytes, hostMath: hostMath ?? [] };
  }

  /** The view of any buffer (for params, debugging). */
  view(id: BufferId): View {
    const v = this.views[id];
    if (v === undefined) throw new Error(`LoadedProgram: no buffer ${id} (there are ${this.views.length})`);
    return v;
  }

  /** Copies `data` into input slot `slot`, checking its length first. */
  setInput(slot: number, data: ArrayLike<number>): void {
    const v = this.inputs[slot];
    if (v === undefined) throw new Error(`LoadedProgram: no input slot ${slot} (there are ${this.inputs.length})`);
    if (data.length !== v.length) {
      throw new Error(`LoadedProgram: input slot ${slot} needs ${v.length} values, got ${data.length}`);
    }
    v.set(data);
  }

  /** Runs every kernel in order. Allocation-free. */
  run(): void {
    this.runAll();
  }

  /** Runs kernel `index` alone (debugging: inspect buffers between kernels). */
  runKernel(index: number): void {
    const fn = this.kernelFns[index];
    if (fn === undefined) throw new Error(`LoadedProgram: no kernel ${index} (there are ${this.kernelFns.length})`);
    fn();
  }
}

/** Builds the program's kernels (validated first). */
export function buildProgram(program: Program, options: BuildOptions = {}): LoadedProgram {
  return new LoadedProgram(program, options);
}

export function describeLoops(k: Kernel): string {
  if (k.kind === 'matmul') {
    const batch = k.batch.map((l) => l.extent).join('×');
    return `matmul ${batch ? `${batch} × ` : ''}${k.i.extent}×${k.k.extent}·${k.k.extent}×${k.j.extent}`;
  }
  const outer = k.outer.map((l) => l.extent).join('×') || 'scalar';
  return `${outer} | ${k.passes.map((p) => `${p.kind}[${p.loops.map((l) => l.extent).join('×')}]`).join(', ')}`;
}

/** The plan line of one kernel for a target (reports, without building). */
export function describePlan(k: Kernel, program: Program, backend: Backend = 'js'): string {
  return planKernel(k, TARGETS[backend], (b) => program.buffers[b]!.dtype, (b) => program.buffers[b]!.length).describe;
}
