/**
 * Meaning of each scalar expression node (the scalar reference): `evalOp` from the vocabulary
 * for ops, and the conversions here. The expression pool folds constants with these.
 */
import type { DType } from './ir.js';
import { evalOp, roundEven, toDType } from './ops.js';

export { evalOp, toDType, roundEven };

const bits = new DataView(new ArrayBuffer(4));

/** `cast` of x from dtype `from` to `to`. */
export function evalCast(from: DType, to: DType, x: number): number {
  if (to === 'i32' && (from === 'f32' || from === 'f64')) {
    // Truncate toward zero, saturating; NaN → 0 (i32.trunc_sat_f32_s).
    if (Number.isNaN(x)) return 0;
    if (x >= 2147483647) return 2147483647;
    if (x <= -2147483648) return -2147483648;
    return Math.trunc(x) | 0;
  }
  if (to === 'bool') return x !== 0 ? 1 : 0;
  return toDType(to, x);
}

/** `bitcast` of x (f32 ↔ i32). */
export function evalBitcast(to: DType, x: number): number {
  if (to === 'i32') {
    bits.setFloat32(0, x);
    return bits.getInt32(0);
  }
  bits.setInt32(0, x);
  return bits.getFloat32(0);
}
