/**
 * The binary writer: sections 1 (type), 2 (import), 3 (function), 7 (export), 10 (code), written
 * straight into one byte buffer sized for the whole module (the bodies are most of it).
 */
import { ulebSize, writeUleb } from './leb128.js';
import { VALTYPE_CODE } from './types.js';
import type { ValType } from './types.js';
import type { ModuleView } from './view.js';

/** A byte buffer written front to back; it grows only for the small sections' names and lists. */
class ModuleBytes {
  bytes: Uint8Array<ArrayBuffer>;
  at = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const bytes = new Uint8Array(Math.max(2 * this.bytes.length, this.at + n));
    bytes.set(this.bytes.subarray(0, this.at));
    this.bytes = bytes;
  }

  byte(b: number): void {
    this.room(1);
    this.bytes[this.at++] = b;
  }

  uleb(n: number): void {
    this.room(5);
    this.at = writeUleb(this.bytes, this.at, n);
  }

  /** A name (an ASCII identifier: checked where it was declared): its byte length, then the bytes. */
  name(s: string): void {
    this.room(5 + s.length);
    this.at = writeUleb(this.bytes, this.at, s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.at++] = s.charCodeAt(i);
  }

  types(ts: readonly ValType[]): void {
    this.uleb(ts.length);
    this.room(ts.length);
    for (let i = 0; i < ts.length; i++) this.bytes[this.at++] = VALTYPE_CODE[ts[i]!];
  }

  /** Starts section `id` with room for its size; returns where its body starts. */
  open(id: number): number {
    this.byte(id);
    this.room(5);
    this.at += 5;
    return this.at;
  }

  /** Ends the section whose body started at `start`: its size goes before it (the body moves back over the unused room). */
  close(start: number): void {
    const n = this.at - start, size = ulebSize(n);
    const to = writeUleb(this.bytes, start - 5, n);
    this.bytes.copyWithin(to, start, this.at);
    this.at -= 5 - size;
  }
}

export function encodeModule(m: ModuleView): Uint8Array<ArrayBuffer> {
  let bodies = 0;
  for (const f of m.funcs) bodies += f.size + 2 * f.localTypes.length + 16;
  const out = new ModuleBytes(256 + bodies);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const b of header) out.byte(b);
  if (m.types.length) {
    const s = out.open(1);
    out.uleb(m.types.length);
    for (const t of m.types) {
      out.byte(0x60);
      out.types(t.params);
      out.types(t.results);
    }
    out.close(s);
  }
  const nImports = (m.memory ? 1 : 0) + m.imports.length;
  if (nImports) {
    const s = out.open(2);
    out.uleb(nImports);
    if (m.memory) {
      const { min, max, shared } = m.memory;
      out.name('env');
      out.name('memory');
      out.byte(0x02);
      if (max === undefined) {
        out.byte(0x00);
        out.uleb(min);
      } else {
        out.byte(shared ? 0x03 : 0x01);
        out.uleb(min);
        out.uleb(max);
      }
    }
    for (const i of m.imports) {
      out.name(i.module);
      out.name(i.field);
      out.byte(0x00);
      out.uleb(i.typeIndex);
    }
    out.close(s);
  }
  if (m.funcs.length) {
    const s = out.open(3);
    out.uleb(m.funcs.length);
    for (const f of m.funcs) out.uleb(f.typeIndex);
    out.close(s);
  }
  if (m.exports.length) {
    const s = out.open(7);
    out.uleb(m.exports.length);
    for (const e of m.exports) {
      out.name(e.name);
      out.byte(0x00);
      out.uleb(e.index);
    }
    out.close(s);
  }
  if (m.funcs.length) {
    // Each body: its size, the local declarations run-length encoded, the instructions, end.
    const s = out.open(10);
    out.uleb(m.funcs.length);
    for (const f of m.funcs) {
      const locals = f.localTypes;
      out.room(16 + 6 * locals.length + f.size);
      const bytes = out.bytes;
      let at = writeUleb(bytes, out.at, headSize(locals) + f.size + 1);
      at = writeUleb(bytes, at, runCount(locals));
      for (let i = 0; i < locals.length;) {
        const t = locals[i]!;
        let j = i + 1;
        while (j < locals.length && locals[j] === t) j++;
        at = writeUleb(bytes, at, j - i);
        bytes[at++] = VALTYPE_CODE[t];
        i = j;
      }
      bytes.set(f.code.subarray(0, f.size), at);
      at += f.size;
      bytes[at++] = 0x0b;
      out.at = at;
    }
    out.close(s);
  }
  return out.bytes.length === out.at ? out.bytes : out.bytes.slice(0, out.at);
}

/** Runs of one type among the locals (one declaration each). */
function runCount(locals: readonly ValType[]): number {
  let runs = 0;
  for (let i = 0; i < locals.length; i++) if (i === 0 || locals[i] !== locals[i - 1]) runs++;
  return runs;
}

/** Bytes of a body's local declarations: the count of runs, then per run its length and type. */
function headSize(locals: readonly ValType[]): number {
  let bytes = ulebSize(runCount(locals));
  for (let i = 0; i < locals.length;) {
    let j = i + 1;
    while (j < locals.length && locals[j] === locals[i]) j++;
    bytes += ulebSize(j - i) + 1;
    i = j;
  }
  return bytes;
}
