/**
 * One compiled program as the pieces an exported module embeds: a name for every buffer (checked
 * identifiers), the JS kernels as the body of a factory over an arena (named buffers, exact
 * constants, no loop of one step, the maths of each kernel in its doc comment), the Wasm bytes,
 * and where its feeds, outputs, params and constants live in the memory.
 */
import { emitJs, STORAGE_BYTES } from '../../codegen/index.js';
import type { Storage } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { ProgramParts } from '../compile/parts.js';
import { kernelMaths } from './kernel-maths.js';
import { Namer } from './names.js';

export interface Slot {
  /** The export's identifier for it. */
  readonly id: string;
  readonly offset: number;
  readonly length: number;
  readonly storage: Storage;
  readonly shape: readonly number[];
}

export interface FeedSlot extends Slot {
  /** Row length of a one-hot input (0: none). */
  readonly oneHotRow: number;
  /** oneHot depth its values must lie below as labels (0: not labels). */
  readonly labelDepth: number;
}

export interface ProgramText {
  /** The factory's body: `(arena) => { run, kernels }` as statements. */
  readonly jsBody: string;
  readonly wasmBase64: string;
  /** The host functions the Wasm module imports from `math`. */
  readonly hostMath: readonly string[];
  readonly inputs: readonly FeedSlot[];
  readonly outputs: readonly Slot[];
  /** Params by the graph's param name. */
  readonly params: ReadonlyMap<string, Slot>;
  readonly constants: readonly { readonly offset: number; readonly storage: Storage; readonly base64: string }[];
  readonly memoryBytes: number;
  readonly kernelLines: readonly string[];
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const TYPED = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;

/**
 * `ids` names params and inputs by their graph names (shared by the module's programs); every
 * other buffer is named for the op that computes it (`relu`, `matmul_2`).
 */
export function programText(parts: ProgramParts, ids: { param(name: string): string; input(name: string): string; output(name: string): string }): ProgramText {
  const program = parts.kernels.program;
  const names: string[] = new Array<string>(program.buffers.length);
  const fixed = new Map<number, string>();
  for (const p of parts.params) fixed.set(p.buffer, ids.param(p.node.attrs.name));
  for (const i of parts.inputs) fixed.set(i.buffer, ids.input(i.node.attrs.name));
  for (const o of parts.outputs) if (!fixed.has(o.buffer)) fixed.set(o.buffer, ids.output(o.name));
  const namer = new Namer(fixed.values());
  for (const b of parts.buffers) {
    names[b.id] = fixed.get(b.id) ?? namer.name(b.role === 'constant' ? 'constant' : (b.node as Tensor).op, 'value');
  }
  const maths = kernelMaths(parts, names);
  const js = emitJs(parts.kernels.plan, { bufferNames: names, exactConstants: true, dropUnitLoops: true, typescript: true, kernelDocs: maths });
  const slot = (id: number): Slot => {
    const d = program.buffers[id]!;
    return { id: names[id]!, offset: d.offset, length: d.length, storage: d.dtype, shape: parts.buffers[id]!.node.shape };
  };
  const wasm = parts.kernels.wasm;
  return {
    jsBody: js.source,
    wasmBase64: wasm ? base64(wasm.bytes) : '',
    hostMath: wasm?.hostMath ?? [],
    inputs: parts.inputs.map((i) => ({
      ...slot(i.buffer),
      oneHotRow: i.node.attrs.facts.oneHot ? i.node.shape[i.node.rank - 1]! : 0,
      labelDepth: i.labelDepth,
    })),
    outputs: parts.outputs.map((o) => ({ ...slot(o.buffer), id: ids.output(o.name) })),
    params: new Map(parts.params.map((p) => [p.node.attrs.name, slot(p.buffer)])),
    constants: parts.buffers.filter((b) => b.role === 'constant').map((b) => {
      const d = program.buffers[b.id]!;
      const values = TYPED[d.dtype].from((b.node as Tensor<'constant'>).attrs.values);
      return { offset: d.offset, storage: d.dtype, base64: base64(new Uint8Array(values.buffer, 0, d.length * STORAGE_BYTES[d.dtype])) };
    }),
    memoryBytes: parts.kernels.plan.memoryBytes,
    kernelLines: parts.reports.map((k) => `${k.name}: ${k.plan}; fuses ${k.ops.join(' ') || '(copies)'}`),
  };
}
