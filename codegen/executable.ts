/**
 * An executable program: the arena, one typed-array view per buffer, the kernels built once from
 * the generated source, and `run()`. Inputs and outputs are slots by index; everything else
 * (names, feeds, params) belongs to the compiler in src/compile.
 */
import type { BufferId, Kernel, Program } from './ir.js';
import { emitJs } from './js/emit.js';
import { matmulOrder } from './js/matmul.js';
import { validateProgram } from './validate.js';

export type View = Float32Array | Float64Array;

/** What a kernel is, for reports and debugging. */
export interface KernelInfo {
  readonly index: number;
  readonly name: string;
  /** Name of its function in `source`. */
  readonly functionName: string;
  readonly kind: Kernel['kind'];
  /** Loop shape, e.g. `32×10 | reduce[10], reduce[10], map[10]` or `matmul 32×784·784×32 (ikj)`. */
  readonly loops: string;
}

export interface BuildOptions {
  backend?: 'js';
}

export class Executable {
  readonly arena: ArrayBuffer;
  readonly source: string;
  readonly kernels: readonly KernelInfo[];
  /** Views of the input slots' buffers (write feeds here, then `run()`). */
  readonly inputs: readonly View[];
  /** Views of the output slots' buffers (valid until the next `run()`). */
  readonly outputs: readonly View[];
  private readonly views: readonly View[];
  private readonly runAll: () => void;
  private readonly kernelFns: readonly (() => void)[];

  constructor(readonly program: Program, options: BuildOptions = {}) {
    const backend = options.backend ?? 'js';
    if (backend !== 'js') throw new Error(`codegen: unknown backend ${JSON.stringify(backend)}; available: 'js'`);
    validateProgram(program);
    const { source, functionNames } = emitJs(program);
    this.source = source;
    this.arena = new ArrayBuffer(program.arenaBytes);
    const factory = new Function('arena', source) as (arena: ArrayBuffer) => { run: () => void; kernels: (() => void)[] };
    const built = factory(this.arena);
    this.runAll = built.run;
    this.kernelFns = built.kernels;
    this.views = program.buffers.map((b) =>
      b.dtype === 'f64' ? new Float64Array(this.arena, b.offset, b.length) : new Float32Array(this.arena, b.offset, b.length));
    this.inputs = program.inputs.map((id) => this.views[id]!);
    this.outputs = program.outputs.map((id) => this.views[id]!);
    this.kernels = program.kernels.map((k, index) => ({
      index,
      name: k.name,
      functionName: functionNames[index]!,
      kind: k.kind,
      loops: describeLoops(k),
    }));
  }

  /** The view of any buffer (for params, debugging). */
  view(id: BufferId): View {
    const v = this.views[id];
    if (v === undefined) throw new Error(`executable: no buffer ${id} (there are ${this.views.length})`);
    return v;
  }

  /** Copies `data` into input slot `slot`, checking its length first. */
  setInput(slot: number, data: ArrayLike<number>): void {
    const v = this.inputs[slot];
    if (v === undefined) throw new Error(`executable: no input slot ${slot} (there are ${this.inputs.length})`);
    if (data.length !== v.length) {
      throw new Error(`executable: input slot ${slot} needs ${v.length} values, got ${data.length}`);
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
    if (fn === undefined) throw new Error(`executable: no kernel ${index} (there are ${this.kernelFns.length})`);
    fn();
  }
}

/** Builds the program's kernels (validated first). */
export function buildProgram(program: Program, options: BuildOptions = {}): Executable {
  return new Executable(program, options);
}

export function describeLoops(k: Kernel): string {
  if (k.kind === 'matmul') {
    const batch = k.batch.map((l) => l.extent).join('×');
    return `matmul ${batch ? `${batch} × ` : ''}${k.i.extent}×${k.k.extent}·${k.k.extent}×${k.j.extent} (${matmulOrder(k)})`;
  }
  const outer = k.outer.map((l) => l.extent).join('×') || 'scalar';
  return `${outer} | ${k.passes.map((p) => `${p.kind}[${p.loops.map((l) => l.extent).join('×')}]`).join(', ')}`;
}
