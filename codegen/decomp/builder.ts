/**
 * The scalar vocabulary the transcendental decompositions are written in. Every op is one
 * f32x4/i32x4 WebAssembly SIMD instruction (or a short fixed sequence), so a decomposition
 * instantiated over the kernel IR vectorizes, and instantiated over `f32Interpreter` it can be
 * checked numerically.
 */

/** F: a float32 value, I: an int32 value, B: a boolean. No branches: select only (vectorizable). */
export interface ScalarMath<F, I, B> {
  f(c: number): F;                       // f32 constant (c must be exactly representable in f32 — assert it)
  i(c: number): I;                       // i32 constant
  add(a: F, b: F): F; sub(a: F, b: F): F; mul(a: F, b: F): F; div(a: F, b: F): F;
  min(a: F, b: F): F; max(a: F, b: F): F;   // IEEE-754 2019 minimum/maximum: NaN propagates
  neg(a: F): F; abs(a: F): F; sqrt(a: F): F; floor(a: F): F; nearest(a: F): F; // nearest = round half to even
  lt(a: F, b: F): B; le(a: F, b: F): B; gt(a: F, b: F): B; ge(a: F, b: F): B; eq(a: F, b: F): B; ne(a: F, b: F): B;
  isNaN(a: F): B;                        // a ≠ a
  select(c: B, a: F, b: F): F; selectI(c: B, a: I, b: I): I;
  and(a: B, b: B): B; or(a: B, b: B): B; not(a: B): B;
  iadd(a: I, b: I): I; isub(a: I, b: I): I; shl(a: I, n: number): I; shrS(a: I, n: number): I; shrU(a: I, n: number): I;
  iand(a: I, b: I): I; ior(a: I, b: I): I; ilt(a: I, b: I): B; ieq(a: I, b: I): B;
  toInt(a: F): I;                        // truncate toward zero, saturating (i32x4.trunc_sat_f32x4_s); NaN → 0
  toFloat(a: I): F;                      // f32x4.convert_i32x4_s
  bitsOf(a: F): I; fromBits(a: I): F;    // reinterpret
}
