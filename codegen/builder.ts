/**
 * Assembles a Program: buffers (placed in the arena in order unless an offset is given), kernels,
 * input and output slots. One ExprPool per program, so equal expressions are shared.
 */
import { ExprPool } from './expr.js';
import type { BufferDecl, BufferId, Kernel, Program, Storage } from './ir.js';
import { STORAGE_BYTES } from './ir.js';
import { validateProgram } from './validate.js';

export interface BufferOptions {
  dtype?: Storage;
  /** Byte offset in the arena; by default the buffer goes after the previous ones. */
  offset?: number;
}

export class ProgramBuilder {
  /** Builds the scalar expressions of this program's kernels. */
  readonly e = new ExprPool((id) => this.buffers[id]?.dtype);
  private readonly buffers: BufferDecl[] = [];
  private readonly kernels: Kernel[] = [];
  private readonly inputs: BufferId[] = [];
  private readonly outputs: BufferId[] = [];
  private end = 0;

  buffer(length: number, options: BufferOptions = {}): BufferId {
    const dtype = options.dtype ?? 'f32';
    const bytes = STORAGE_BYTES[dtype];
    if (bytes === undefined) throw new Error(`buffer: dtype must be one of ${Object.keys(STORAGE_BYTES).join(', ')}, got ${String(dtype)}`);
    const offset = options.offset ?? Math.ceil(this.end / 16) * 16;
    const id = this.buffers.length;
    this.buffers.push({ id, offset, length, dtype });
    this.end = Math.max(this.end, offset + length * bytes);
    return id;
  }

  /** A buffer that is also the next input slot. */
  input(length: number, options: BufferOptions = {}): BufferId {
    const id = this.buffer(length, options);
    this.inputs.push(id);
    return id;
  }

  /** A buffer that is also the next output slot. */
  output(length: number, options: BufferOptions = {}): BufferId {
    const id = this.buffer(length, options);
    this.outputs.push(id);
    return id;
  }

  /** Marks an existing buffer as the next input (or output) slot. */
  markInput(id: BufferId): void { this.inputs.push(id); }
  markOutput(id: BufferId): void { this.outputs.push(id); }

  /** Appends a kernel; kernels run in the order they are added. */
  kernel(k: Kernel): void {
    this.kernels.push(k);
  }

  /** Validates and returns the program. `arenaBytes` defaults to the end of the last buffer (8-aligned). */
  finish(arenaBytes?: number): Program {
    const program: Program = {
      buffers: [...this.buffers],
      kernels: [...this.kernels],
      arenaBytes: arenaBytes ?? Math.max(8, Math.ceil(this.end / 8) * 8),
      inputs: [...this.inputs],
      outputs: [...this.outputs],
    };
    validateProgram(program);
    return program;
  }
}
