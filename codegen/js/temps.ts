/** Deciding which expression nodes become named `const` temps, and writing them. */
import { byId, child, childCount } from '../expr.js';
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
  const nodes = new Set<number>();
  const stack = roots.slice();
  for (let i = 0; i < roots.length; i++) uses.set(roots[i]!.id, (uses.get(roots[i]!.id) ?? 0) + 1);
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (nodes.has(e.id) || env.temps.has(e.id)) continue;
    nodes.add(e.id);
    const w = operandWeight(e);
    for (let i = 0, n = childCount(e); i < n; i++) {
      const c = child(e, i);
      uses.set(c.id, (uses.get(c.id) ?? 0) + w);
      if (!nodes.has(c.id)) stack.push(c);
    }
  }
  return uses;
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

/**
 * For straight-line code in one scope: names every non-trivial node used more than once under
 * `roots` (and the nodes in `force`), so each is computed once.
 */
export function writeSharedTemps(
  w: Writer, roots: readonly Expr[], env: Env, temps: Map<number, string>, namer: TempNamer,
  force: readonly Expr[] = [],
): void {
  const uses = useCounts(roots, env);
  const shared: Expr[] = force.filter((e) => !isTrivial(e));
  const stack = roots.slice();
  const seen = new Set<number>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id) || temps.has(e.id)) continue;
    seen.add(e.id);
    if (!isTrivial(e) && (uses.get(e.id) ?? 0) > 1) shared.push(e);
    for (let i = 0, n = childCount(e); i < n; i++) stack.push(child(e, i));
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
    for (let i = 0, n = childCount(e); i < n; i++) stack.push(child(e, i));
  }
  return false;
}
