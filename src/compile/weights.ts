/**
 * One weight region shared by several compiled programs (a model's train, last-batch, eval and
 * predict steps): params with the same name live at one offset of one memory, so switching from
 * one program to another copies nothing. Each program's own buffers go after the region.
 *
 * The memory is sized for the largest program compiled so far and never grown in place
 * (growing a WebAssembly.Memory detaches its buffer and slows every typed-array loop in the
 * process): when a larger program comes, a new memory is made, the region copied into it and
 * the earlier programs moved over (their code is not rebuilt). A param first seen after
 * programs exist extends the region, which invalidates those programs (their own buffers sat
 * where it now is): `run` on one of them then says to compile it again.
 */
import type { Backend } from '../../codegen/index.js';
import { wasmPages } from '../../codegen/index.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import type { Tensor } from '../graph/tensor.js';

interface Slot {
  readonly offset: number;
  readonly bytes: number;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** What the region needs of a program to move it to a new memory. */
export interface Rebindable {
  rebind(memory: ArrayBuffer | WebAssembly.Memory): void;
}

const ALIGN = 16;
const up = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export class SharedWeights {
  private readonly slots = new Map<string, Slot>();
  private end = 0;
  private mem: ArrayBuffer | WebAssembly.Memory | undefined;
  private readonly programs = new Set<Rebindable>();
  /** Incremented whenever the region grows: programs compiled before are then stale. */
  generation = 0;

  constructor(readonly backend: Backend) {}

  /** Bytes the params take, [0, regionBytes) of the memory. */
  get regionBytes(): number {
    return this.end;
  }

  /** The memory every program of this region runs in (undefined before the first program). */
  get memory(): ArrayBuffer | WebAssembly.Memory | undefined {
    return this.mem;
  }

  /** The param's offset, reserving its slot on first sight; a name reused with another shape is refused. */
  place(p: Tensor<'param'>): number {
    const name = p.attrs.name;
    const hit = this.slots.get(name);
    if (hit) {
      if (hit.shape.length !== p.shape.length || hit.shape.some((d, i) => d !== p.shape[i]) || hit.dtype !== p.dtype) {
        throw new GraphError('compile', `param '${name}' ${fmtShape(p.shape)} ${p.dtype} meets a param of that name ${fmtShape(hit.shape)} ${hit.dtype} in the shared weights; give one of them another name`);
      }
      return hit.offset;
    }
    const bytes = p.size * (p.dtype === 'float64' ? 8 : 4);
    const slot = { offset: this.end, bytes, shape: p.shape, dtype: p.dtype };
    this.slots.set(name, slot);
    this.end = up(this.end + bytes);
    if (this.programs.size > 0) {
      // Earlier programs kept their own buffers where the region now extends.
      this.generation++;
      this.programs.clear();
    }
    return slot.offset;
  }

  /** A memory of at least `bytes` holding the region (made, or replaced by a larger one). */
  memoryFor(bytes: number): ArrayBuffer | WebAssembly.Memory {
    const have = this.mem === undefined ? 0 : this.mem instanceof ArrayBuffer ? this.mem.byteLength : this.mem.buffer.byteLength;
    if (this.mem !== undefined && have >= bytes) return this.mem;
    const next = this.allocate(bytes);
    if (this.mem !== undefined) {
      const from = this.mem instanceof ArrayBuffer ? this.mem : this.mem.buffer;
      const to = next instanceof ArrayBuffer ? next : next.buffer;
      new Uint8Array(to, 0, this.end).set(new Uint8Array(from, 0, this.end));
    }
    this.mem = next;
    for (const p of this.programs) p.rebind(next);
    return next;
  }

  /** Registers a program compiled against this region (moved with it to a larger memory). */
  attach(p: Rebindable): void {
    this.programs.add(p);
  }

  private allocate(bytes: number): ArrayBuffer | WebAssembly.Memory {
    if (this.backend === 'wasm') {
      const pages = wasmPages(bytes);
      return new WebAssembly.Memory({ initial: pages, maximum: pages });
    }
    return new ArrayBuffer(Math.ceil(bytes / ALIGN) * ALIGN);
  }
}
