/** Value types and their binary codes. */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export const VALTYPE_CODE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function isValType(x: unknown): x is ValType {
  return x === 'i32' || x === 'f32' || x === 'v128' || x === 'f64' || x === 'i64';
}

/** The only identifiers printed into WAT (as $name) or used as export names. */
export const IDENT = /^[a-z_][a-z0-9_]*$/i;

/** IDENT.test(name), by character codes (names are checked one per local: no regular expression to run). */
export function isIdent(name: string): boolean {
  const n = name.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const lower = c | 0x20; // an ASCII letter in lower case (only letters land in a..z)
    if (!((lower >= 0x61 && lower <= 0x7a) || c === 0x5f || (i > 0 && c >= 0x30 && c <= 0x39))) return false;
  }
  return true;
}
