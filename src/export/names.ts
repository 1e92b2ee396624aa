/**
 * Identifiers for an exported module. User strings (param and input names) never reach the
 * code: each becomes a checked identifier (`dense_1/kernel` → `dense_1_kernel`), made unique,
 * and refused by the emitter if it is not one (`isFreeJsName`).
 */
import { isFreeJsName } from '../../codegen/index.js';

/** Letters, digits and _ of `raw`, other runs as one _, at most 40 characters; '' when none is left. */
export function sanitize(raw: string): string {
  const s = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).replace(/_+$/, '');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** Hands out unique free identifiers: the sanitized name, `fallback` when nothing is left, `_2`, `_3`, … on a clash. */
export class Namer {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  name(raw: string, fallback: string): string {
    let base = sanitize(raw) || fallback;
    if (!isFreeJsName(base)) base = `${base}_`;
    if (!isFreeJsName(base)) base = fallback;
    let name = base;
    for (let n = 2; this.taken.has(name) || !isFreeJsName(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}
