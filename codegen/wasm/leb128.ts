/**
 * LEB128 integer encodings used throughout the Wasm binary format: as arrays (the opcode table,
 * the general immediate path) and written in place into a byte buffer (the builder's short path
 * and the module writer), where the caller has made room.
 */

/** Unsigned LEB128 of a non-negative integer below 2^53. */
export function uleb(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`uleb: ${n} is not a non-negative integer`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Appends the unsigned LEB128 of a non-negative integer below 2^53 to `out`. */
export function pushUleb(out: number[], n: number): void {
  if (n >= 0 && n <= 0xffffffff && n >>> 0 === n) {
    // 7 bits a byte, low first, by shifts (no array)
    while (n >= 128) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return;
  }
  for (const b of uleb(n)) out.push(b);
}

/**
 * Writes the unsigned LEB128 of a u32 at `at` (room for 5 bytes); returns the position after it.
 * The caller checks that n is a u32.
 */
export function writeUleb(buf: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

/** Bytes in the unsigned LEB128 of a u32. */
export function ulebSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb32(n: number): number[] {
  const out: number[] = [];
  pushSleb32(out, n);
  return out;
}

/** Appends the signed LEB128 of the 32-bit integer n | 0 to `out`. */
export function pushSleb32(out: number[], n: number): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7; // arithmetic shift: sign-extends
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Writes the signed LEB128 of the 32-bit integer n | 0 at `at` (room for 5 bytes); returns the position after it. */
export function writeSleb32(buf: Uint8Array, at: number, n: number): number {
  n |= 0;
  // -64..63 is one byte: the low 7 bits, sign bit 0x40 included
  while (n < -64 || n > 63) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>= 7; // arithmetic shift: sign-extends
  }
  buf[at++] = n & 0x7f;
  return at;
}

/** Signed LEB128 of a 64-bit integer. */
export function sleb64(n: bigint): number[] {
  n = BigInt.asIntN(64, n);
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n; // arithmetic shift: sign-extends
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
