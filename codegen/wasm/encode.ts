/** The binary writer: sections 1 (type), 2 (import), 3 (function), 7 (export), 10 (code). */
import { encodeName, uleb } from './leb128.js';
import { VALTYPE_CODE } from './types.js';
import type { ValType } from './types.js';
import type { FuncView, ModuleView } from './view.js';

/** Appends bytes one by one (a spread of a large body would overflow the call stack). */
function append(out: number[], bytes: readonly number[]): number[] {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
  return out;
}

const vec = (items: readonly (readonly number[])[]): number[] => {
  const out = uleb(items.length);
  for (const item of items) append(out, item);
  return out;
};
const section = (id: number, body: readonly number[]): number[] => append(append([id], uleb(body.length)), body);
const types = (ts: readonly ValType[]): number[] => [...uleb(ts.length), ...ts.map((t) => VALTYPE_CODE[t])];

export function encodeModule(m: ModuleView): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (m.types.length) append(out, section(1, vec(m.types.map((t) => [0x60, ...types(t.params), ...types(t.results)]))));
  const imports: number[][] = [];
  if (m.memory) {
    const { min, max, shared } = m.memory;
    const limits = max === undefined ? [0x00, ...uleb(min)] : [shared ? 0x03 : 0x01, ...uleb(min), ...uleb(max)];
    imports.push([...encodeName('env'), ...encodeName('memory'), 0x02, ...limits]);
  }
  for (const i of m.imports) imports.push([...encodeName(i.module), ...encodeName(i.field), 0x00, ...uleb(i.typeIndex)]);
  if (imports.length) append(out, section(2, vec(imports)));
  if (m.funcs.length) append(out, section(3, vec(m.funcs.map((f) => uleb(f.typeIndex)))));
  if (m.exports.length) append(out, section(7, vec(m.exports.map((e) => [...encodeName(e.name), 0x00, ...uleb(e.index)]))));
  if (!m.funcs.length) return Uint8Array.from(out);
  // The code section, written straight into the result: the bodies are most of the module.
  const heads = m.funcs.map(bodyHead);
  const sizes = m.funcs.map((f, i) => heads[i]!.length + f.code.length + 1);
  const entries = sizes.map((n) => uleb(n));
  const count = uleb(m.funcs.length);
  let bodyBytes = count.length;
  sizes.forEach((n, i) => (bodyBytes += entries[i]!.length + n));
  append(out, [10, ...uleb(bodyBytes), ...count]);
  const bytes = new Uint8Array(out.length + bodyBytes - count.length);
  bytes.set(out);
  let at = out.length;
  m.funcs.forEach((f, i) => {
    bytes.set(entries[i]!, at);
    at += entries[i]!.length;
    bytes.set(heads[i]!, at);
    at += heads[i]!.length;
    bytes.set(f.code, at);
    at += f.code.length;
    bytes[at++] = 0x0b;
  });
  return bytes;
}

/** A function body's local declarations, run-length encoded (its instructions and the end follow). */
function bodyHead(f: FuncView): number[] {
  const runs: number[][] = [];
  let i = 0;
  while (i < f.locals.length) {
    const t = f.locals[i]!.type;
    let j = i;
    while (j < f.locals.length && f.locals[j]!.type === t) j++;
    runs.push([...uleb(j - i), VALTYPE_CODE[t]]);
    i = j;
  }
  return vec(runs);
}
