/** The kernel IR's value types and buffer element types. */
/** Types of values: IEEE floats, 32-bit two's-complement integers (wrapping), booleans. */
export type DType = 'f32' | 'f64' | 'i32' | 'bool';

/** Element types of buffers. A `u8` element loads as an `i32` in [0, 255]. */
export type Storage = 'f32' | 'f64' | 'i32' | 'u8';

/** Bytes per element. */
export const STORAGE_BYTES: Readonly<Record<Storage, number>> = { f32: 4, f64: 8, i32: 4, u8: 1 };
export const STORAGES: readonly Storage[] = ['f32', 'f64', 'i32', 'u8'];

/** The dtype a load of this storage yields (and a store into it takes). */
export function valueType(s: Storage): DType {
  return s === 'u8' ? 'i32' : s;
}
