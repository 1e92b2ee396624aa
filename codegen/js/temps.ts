/** Deciding which expression nodes become named `const` temps, and writing them. */
import { children } from '../expr.js';
import type { Expr, Store } from '../ir.js';
import type { Env } from './expr.js';
import { bufferName, exprCode, indexCode, operandWeight } from './expr.js';
import type { Writer } from './writer.js';

/** Constants, loop vars and accumulators are spelled inline wherever they are used. */
export function isTrivial(e: Expr): boolean {
  return e.kind === 'const' || e.kind === 'var' || e.kind === 'acc';
}

/** Per kernel: hands out t0, t1, … in emission order. */
export class TempNamer {
  private n = 0;
  next(prefix = 't'): string {
    return `${prefix}${this.n++}`;
  }
}

/**
 * Weighted use counts of the nodes under `roots` (each root counts once), not descending into
 * nodes already named in `env`. A node used more than once is worth a temp.
 */
export function useCounts(roots: readonly Expr[], env: Env): Map<number, number> {
  const uses = new Map<number, number>();
  const nodes = new Map<number, Expr>();
  const stack = [...roots];
  for (const r of roots) uses.set(r.id, (uses.get(r.id) ?? 0) + 1);
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (nodes.has(e.id) || env.temps.has(e.id)) continue;
    nodes.set(e.id, e);
    const w = operandWeight(e);
    for (const c of children(e)) {
      uses.set(c.id, (uses.get(c.id) ?? 0) + w);
      if (!nodes.has(c.id)) stack.push(c);
    }
  }
  return uses;
}

/** Writes `const tN = …` for `nodes` (ascending id, so children first) and names them in `temps`. */
export function writeTemps(w: Writer, nodes: readonly Expr[], env: Env, temps: Map<number, string>, namer: TempNamer): void {
  for (const e of [...nodes].sort((a, b) => a.id - b.id)) {
    if (temps.has(e.id)) continue;
    const name = namer.next();
    w.line(`const ${name} = ${exprCode(e, env)};`);
    temps.set(e.id, name);
  }
}

/**
 * For straight-line code in one scope: names every non-trivial node used more than once under
 * `roots` (and the nodes in `force`), so each is computed once.
 */
export function writeSharedTemps(
  w: Writer, roots: readonly Expr[], env: Env, temps: Map<number, string>, namer: TempNamer,
  force: readonly Expr[] = [],
): void {
  const uses = useCounts(roots, env);
  const shared: Expr[] = [...force.filter((e) => !isTrivial(e))];
  const stack = [...roots];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id) || temps.has(e.id)) continue;
    seen.add(e.id);
    if (!isTrivial(e) && (uses.get(e.id) ?? 0) > 1) shared.push(e);
    stack.push(...children(e));
  }
  writeTemps(w, shared, env, temps, namer);
}

/**
 * Writes stores. When a value reads a buffer that another store of the same group writes, all
 * values are computed first, so every read sees the values from before the group.
 */
export function writeStores(w: Writer, stores: readonly Store[], env: Env, temps: Map<number, string>, namer: TempNamer): void {
  const written = new Set(stores.map((s) => s.buffer));
  const roots = stores.map((s) => s.value);
  const hazard = stores.length > 1 && roots.some((r) => readsAny(r, written));
  writeSharedTemps(w, roots, env, temps, namer, hazard ? roots : []);
  for (const s of stores) w.line(`${bufferName(s.buffer)}[${indexCode(s.index, env)}] = ${exprCode(s.value, env)};`);
}

function readsAny(root: Expr, buffers: ReadonlySet<number>): boolean {
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.kind === 'load' && buffers.has(e.buffer)) return true;
    stack.push(...children(e));
  }
  return false;
}
