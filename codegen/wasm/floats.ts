/** Float bit patterns and their exact WAT spelling (hex floats, nan:0x…), so text and binary agree. */

const buf = new DataView(new ArrayBuffer(8));

export function f32Bits(x: number): number {
  buf.setFloat32(0, x, true);
  return buf.getUint32(0, true);
}

/** Typed-array views that spell a float's bytes in one store (little-endian engines; see writeF32). */
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes the 4 little-endian bytes of f32(x) at `at`; returns the position after them. */
export function writeF32(out: Uint8Array, at: number, x: number): number {
  if (!LITTLE_ENDIAN) {
    const bits = f32Bits(x);
    out[at] = bits & 0xff; out[at + 1] = (bits >>> 8) & 0xff; out[at + 2] = (bits >>> 16) & 0xff; out[at + 3] = bits >>> 24;
    return at + 4;
  }
  F32[0] = x;
  out[at] = F32_BYTES[0]!; out[at + 1] = F32_BYTES[1]!; out[at + 2] = F32_BYTES[2]!; out[at + 3] = F32_BYTES[3]!;
  return at + 4;
}

/** Writes the 8 little-endian bytes of x at `at`; returns the position after them. */
export function writeF64(out: Uint8Array, at: number, x: number): number {
  if (!LITTLE_ENDIAN) {
    buf.setFloat64(0, x, true);
    for (let i = 0; i < 8; i++) out[at + i] = buf.getUint8(i);
    return at + 8;
  }
  F64[0] = x;
  for (let i = 0; i < 8; i++) out[at + i] = F64_BYTES[i]!;
  return at + 8;
}

export function f64Bits(x: number): bigint {
  buf.setFloat64(0, x, true);
  return buf.getBigUint64(0, true);
}

/** Little-endian bytes of a 32-bit pattern. */
export function bytes32(bits: number): number[] {
  return [bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24];
}

export function bytes64(bits: bigint): number[] {
  const lo = Number(bits & 0xffffffffn), hi = Number(bits >> 32n);
  return [...bytes32(lo), ...bytes32(hi)];
}

/** Short decimals are printed as is when they read back exactly (1, 0.5, 2.25); everything else in hex. */
function shortDecimal(x: number, exact: boolean): string | undefined {
  if (!exact || !Number.isFinite(x) || Object.is(x, -0)) return undefined;
  const s = String(x);
  return s.length <= 10 && !s.includes('e') ? s : undefined;
}

/** Formats sign / biased exponent / mantissa fields as a WAT float. */
function formatFields(neg: boolean, exp: number, mant: bigint, expBits: number, mantBits: number): string {
  const sign = neg ? '-' : '';
  const expMax = (1 << expBits) - 1, bias = expMax >> 1;
  if (exp === expMax) {
    if (mant === 0n) return `${sign}inf`;
    return mant === 1n << BigInt(mantBits - 1) ? `${sign}nan` : `${sign}nan:0x${mant.toString(16)}`;
  }
  if (exp === 0 && mant === 0n) return `${sign}0x0p+0`;
  // Mantissa as whole hex digits: pad the field to a multiple of 4 bits, then trim trailing zeros.
  const digits = Math.ceil(mantBits / 4);
  const frac = (mant << BigInt(digits * 4 - mantBits)).toString(16).padStart(digits, '0').replace(/0+$/, '');
  const lead = exp === 0 ? '0' : '1';
  const e = exp === 0 ? 1 - bias : exp - bias;
  return `${sign}0x${lead}${frac ? '.' + frac : ''}p${e >= 0 ? '+' : ''}${e}`;
}

export function formatF32(bits: number): string {
  buf.setUint32(0, bits, true);
  const x = buf.getFloat32(0, true);
  const dec = shortDecimal(x, f32Bits(x) === bits);
  return dec ?? formatFields(bits >>> 31 === 1, (bits >>> 23) & 0xff, BigInt(bits & 0x7fffff), 8, 23);
}

export function formatF64(bits: bigint): string {
  buf.setBigUint64(0, bits, true);
  const x = buf.getFloat64(0, true);
  const dec = shortDecimal(x, f64Bits(x) === bits);
  return dec ?? formatFields(bits >> 63n === 1n, Number((bits >> 52n) & 0x7ffn), bits & ((1n << 52n) - 1n), 11, 52);
}
