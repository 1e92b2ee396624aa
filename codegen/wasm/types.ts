/** Value types and their binary codes. */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export const VALTYPE_CODE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function isValType(x: unknown): x is ValType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(VALTYPE_CODE, x);
}

/** The only identifiers printed into WAT (as $name) or used as export names. */
export const IDENT = /^[a-z_][a-z0-9_]*$/i;
