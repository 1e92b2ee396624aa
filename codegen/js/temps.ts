/** Printing named `const` temps (which nodes get one is the plan's decision: plan/placement.ts). */
import { byId } from '../expr.js';
import type { Expr, Store } from '../ir.js';
import { readsWritten, sharedNodes } from '../plan/placement.js';
import { JS_TARGET } from '../target.js';
import type { Env } from './expr.js';
import { bufferName, exprCode, indexCode } from './expr.js';
import type { Writer } from './writer.js';

/** Per kernel: hands out t0, t1, … in emission order. */
export class TempNamer {
  private n = 0;
  next(prefix = 't'): string {
    return `${prefix}${this.n++}`;
  }
}

/** Writes `const tN = …` for `nodes` (ascending id, so children first) and names them in `temps`. */
export function writeTemps(w: Writer, nodes: readonly Expr[], env: Env, temps: Map<number, string>, namer: TempNamer): void {
  if (nodes.length === 0) return;
  const unique = new Map<number, Expr>();
  for (let i = 0; i < nodes.length; i++) unique.set(nodes[i]!.id, nodes[i]!);
  const sorted = byId(unique);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (temps.has(e.id)) continue;
    const name = namer.next();
    w.line(`const ${name} = ${exprCode(e, env)};`);
    temps.set(e.id, name);
  }
}

/** Straight-line code: the plan's shared nodes under `roots` (and `force`) as temps. */
export function writeSharedTemps(
  w: Writer, roots: readonly Expr[], env: Env, temps: Map<number, string>, namer: TempNamer,
  force: readonly Expr[] = [],
): void {
  writeTemps(w, sharedNodes(roots, temps, JS_TARGET, force), env, temps, namer);
}

/**
 * Writes stores. When a value reads a buffer that another store of the same group writes, all
 * values are computed first, so every read sees the values from before the group.
 */
export function writeStores(w: Writer, stores: readonly Store[], env: Env, temps: Map<number, string>, namer: TempNamer): void {
  const roots = stores.map((s) => s.value);
  const hazard = stores.length > 1 && readsWritten(stores);
  writeSharedTemps(w, roots, env, temps, namer, hazard ? roots : []);
  for (const s of stores) w.line(`${bufferName(s.buffer, env.style)}[${indexCode(s.index, env)}] = ${exprCode(s.value, env)};`);
}
