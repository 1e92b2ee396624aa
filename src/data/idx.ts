/**
 * IDX files (the MNIST format): two zero bytes, a type byte, a rank byte, then `rank`
 * big-endian uint32 dimensions, then the values in row-major order, big-endian.
 * Everything is checked against the header before a value is read. Bytes in memory only: reading
 * a file is `idx-file.ts` (Node), so the parser runs in a browser too.
 */

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  readonly type: IdxType;
  readonly shape: number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** What the caller expects; any difference is an error naming the file. */
export interface IdxExpect {
  type?: IdxType;
  /** Expected dimensions; `-1` accepts any size on that axis. The length fixes the rank. */
  shape?: readonly number[];
  /** Read only the first `limit` records (entries along axis 0); the file size is still checked in full. */
  limit?: number;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

export interface IdxHeader {
  type: IdxType;
  bytes: number;
  shape: number[];
  headerBytes: number;
  dataBytes: number;
}

export function idxError(source: string, msg: string): never {
  throw new Error(`IDX ${source}: ${msg}`);
}

/** Parses and checks the header against the total byte length of the file. */
export function parseIdxHeader(head: Uint8Array, totalBytes: number, source: string, expect: IdxExpect): IdxHeader {
  if (totalBytes < 4 || head.length < 4) idxError(source, `file is ${totalBytes} bytes, too short for the 4-byte magic number`);
  if (head[0] !== 0 || head[1] !== 0) {
    idxError(source, `bad magic number 0x${[...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')}: an IDX file starts with two zero bytes (is it gzipped, or not an IDX file?)`);
  }
  const t = TYPES[head[2]!];
  if (!t) idxError(source, `unknown element type byte 0x${head[2]!.toString(16).padStart(2, '0')} (known: 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64)`);
  const rank = head[3]!;
  if (rank === 0) idxError(source, 'rank 0 in header: an IDX file has at least one dimension');
  const headerBytes = 4 + 4 * rank;
  if (totalBytes < headerBytes || head.length < headerBytes) {
    idxError(source, `truncated header: rank ${rank} needs ${headerBytes} header bytes, file has ${totalBytes}`);
  }
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  const dataBytes = count * t.bytes;
  const what = `${shape.join('×')} ${t.type}`;
  if (totalBytes < headerBytes + dataBytes) {
    idxError(source, `truncated: header says ${what} = ${dataBytes} data bytes after the ${headerBytes}-byte header, file has ${totalBytes - headerBytes}`);
  }
  if (totalBytes > headerBytes + dataBytes) {
    idxError(source, `${totalBytes - headerBytes - dataBytes} unexpected bytes after the data: header says ${what} = ${dataBytes} data bytes, file has ${totalBytes - headerBytes}`);
  }
  if (expect.type !== undefined && expect.type !== t.type) {
    idxError(source, `element type is ${t.type}, expected ${expect.type}`);
  }
  if (expect.shape !== undefined) {
    const want = expect.shape;
    const ok = want.length === rank && want.every((d, i) => d === -1 || d === shape[i]);
    if (!ok) idxError(source, `shape is [${shape.join(', ')}], expected [${want.map((d) => (d === -1 ? 'any' : d)).join(', ')}]`);
  }
  return { type: t.type, bytes: t.bytes, shape, headerBytes, dataBytes };
}

export function decodeIdx(h: IdxHeader, raw: Uint8Array, count: number): IdxArray['data'] {
  if (h.type === 'uint8') return raw;
  if (h.type === 'int8') return new Int8Array(raw.buffer, raw.byteOffset, count);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (h.type) {
    case 'int16': { const a = new Int16Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt16(2 * i, false); return a; }
    case 'int32': { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt32(4 * i, false); return a; }
    case 'float32': { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat32(4 * i, false); return a; }
    default: { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat64(8 * i, false); return a; }
  }
}

export function idxRecords(h: IdxHeader, expect: IdxExpect, source: string): number {
  const n = h.shape[0]!;
  if (expect.limit === undefined) return n;
  if (!Number.isInteger(expect.limit) || expect.limit < 0) idxError(source, `limit must be a non-negative integer, got ${expect.limit}`);
  return Math.min(n, expect.limit);
}

/** Parses an IDX file held in memory. `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = 'buffer', expect: IdxExpect = {}): IdxArray {
  const h = parseIdxHeader(bytes, bytes.length, source, expect);
  const n = idxRecords(h, expect, source);
  const perRecord = h.shape.slice(1).reduce((a, b) => a * b, 1);
  const count = n * perRecord;
  const raw = bytes.slice(h.headerBytes, h.headerBytes + count * h.bytes); // a copy, aligned at offset 0
  return { type: h.type, shape: [n, ...h.shape.slice(1)], data: decodeIdx(h, raw, count) };
}

/** Encodes an array as IDX bytes (used to write test files and exports). */
export function encodeIdx(type: IdxType, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)]!.type === type));
  const bytes = TYPES[code]!.bytes;
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`encodeIdx: shape [${shape.join(', ')}] holds ${count} values, got ${values.length}`);
  if (shape.length === 0 || shape.length > 255) throw new Error(`encodeIdx: rank must be 1..255, got ${shape.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + count * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const base = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    switch (type) {
      case 'uint8': view.setUint8(base + i, v); break;
      case 'int8': view.setInt8(base + i, v); break;
      case 'int16': view.setInt16(base + 2 * i, v, false); break;
      case 'int32': view.setInt32(base + 4 * i, v, false); break;
      case 'float32': view.setFloat32(base + 4 * i, v, false); break;
      case 'float64': view.setFloat64(base + 8 * i, v, false); break;
    }
  }
  return out;
}
