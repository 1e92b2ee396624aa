/**
 * Immediates, as the builder (module.ts), the immediate encoder and the printer all see them.
 * Imports nothing from module.ts: a call target is any Callee, which WasmFunc and WasmImport both are.
 */
import type { ValType } from './types.js';

/** Memory immediate: byte offset and alignment in bytes (default: the access's natural alignment). */
export interface MemArg {
  readonly offset?: number;
  readonly align?: number;
}

/** A v128.const: four f32/i32 lanes or two f64/i64 lanes. */
export type V128Const =
  | { readonly f32x4: readonly number[] }
  | { readonly i32x4: readonly number[] }
  | { readonly f64x2: readonly number[] }
  | { readonly i64x2: readonly bigint[] };

/** What `call` names: a function by its index, WAT name and signature (WasmFunc and WasmImport). */
export interface Callee {
  readonly index: number;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export type Immediate = number | bigint | ValType | Callee | MemArg | V128Const | readonly number[] | undefined;
