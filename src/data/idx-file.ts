/** Reading IDX files from disk (Node): only the records asked for are read. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { decodeIdx, idxError, idxRecords, parseIdxHeader, type IdxArray, type IdxExpect } from './idx.js';

/** Reads an IDX file from disk, reading only the records asked for (the size check covers the whole file). */
export function readIdx(path: string, expect: IdxExpect = {}): IdxArray {
  const source = basename(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    idxError(source, `cannot open ${path} (${code ?? String(e)})`);
  }
  try {
    const total = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(total, 4 + 4 * 255));
    readFully(fd, head, 0, source);
    const h = parseIdxHeader(head, total, source, expect);
    const n = idxRecords(h, expect, source);
    const perRecord = h.shape.slice(1).reduce((a, b) => a * b, 1);
    const count = n * perRecord;
    const raw = new Uint8Array(count * h.bytes);
    readFully(fd, raw, h.headerBytes, source);
    return { type: h.type, shape: [n, ...h.shape.slice(1)], data: decodeIdx(h, raw, count) };
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number, source: string): void {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) idxError(source, `file ended early while reading (changed while being read?)`);
    done += got;
  }
}
