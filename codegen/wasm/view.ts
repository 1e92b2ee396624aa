/** The checked, flattened module the binary encoder and the WAT printer both read. */
import type { Immediate } from './instr.js';
import type { WasmOp } from './opcodes.js';
import type { ValType } from './types.js';

export interface FuncView {
  readonly name: string;
  readonly typeIndex: number;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly paramNames: readonly (string | undefined)[];
  /** Types of the locals after the params, and their names (text only). */
  readonly localTypes: readonly ValType[];
  readonly localNames: readonly (string | undefined)[];
  /** The name a local is printed as, if any. */
  localName(index: number): string | undefined;
  /** The body's instruction bytes: the first `size` of `code` (without local declarations and the closing end). */
  readonly code: Uint8Array;
  readonly size: number;
  /** The body's lines for WAT (text only): an instruction and its immediate, or (op undefined) a comment's text. */
  readonly ops: readonly (WasmOp | undefined)[];
  readonly imms: readonly (Immediate | string)[];
}

export interface ModuleView {
  readonly memory: { readonly min: number; readonly max: number | undefined; readonly shared: boolean } | undefined;
  /** Distinct signatures in order of first use. */
  readonly types: readonly { readonly params: readonly ValType[]; readonly results: readonly ValType[] }[];
  /** Function imports, function indices 0..k-1 (after the memory import in the import section). */
  readonly imports: readonly { readonly module: string; readonly field: string; readonly name: string; readonly typeIndex: number }[];
  readonly funcs: readonly FuncView[];
  readonly exports: readonly { readonly name: string; readonly index: number; readonly funcName: string }[];
}
