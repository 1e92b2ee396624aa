/** The checked, flattened module the binary encoder and the WAT printer both read. */
import type { Instr } from './instr.js';
import type { ValType } from './types.js';

export interface FuncView {
  readonly name: string;
  readonly typeIndex: number;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly paramNames: readonly (string | undefined)[];
  readonly locals: readonly { readonly type: ValType; readonly name: string | undefined }[];
  readonly body: readonly Instr[];
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
