/** LEB128 integer encodings used throughout the Wasm binary format. */

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
  if (n >= 0 && n < 128 && (n | 0) === n) {
    out.push(n);
    return;
  }
  if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
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

/** A name: its UTF-8 byte length, then the bytes. */
export function encodeName(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  return [...uleb(bytes.length), ...bytes];
}
