/**
 * Placement: where each expression node of a kernel is computed, and which nodes become named
 * temporaries. A node lives in the outermost scope where its inputs are known (loop-invariant
 * code motion): one that depends only on the outer loops is computed once per outer iteration,
 * one that reads an accumulator right after that accumulator's pass. A node used twice, or used
 * deeper than it is computed, becomes a temp. Every backend prints this same placement.
 */
import { byId, child, childCount, reachable } from '../expr.js';
import type { AccId, Expr, LoopKernel, Pass, Store, VarId } from '../ir.js';
import type { Target } from '../target.js';

/**
 * Scopes of a loop kernel, as keys: `o<d>` inside outer loop d (o0 before any), `s<p>` straight
 * before pass p (after pass p − 1's loop), `p<p>:<d>` inside loop d of pass p (1-based).
 */
export type ScopeKey = string;

export interface LoopPlacement {
  /** Temps to compute at the top of each scope, children first. */
  readonly temps: ReadonlyMap<ScopeKey, readonly Expr[]>;
  /** The scope of the body of pass p's innermost loop (or `s<p>` for a pass without loops). */
  innerScope(pass: number): ScopeKey;
}

interface Where {
  /** Pass whose loops the node depends on, or −1. */
  pass: number;
  /** Depth in that pass's loops (1-based), or in the outer loops when pass = −1. */
  depth: number;
  /** Latest pass whose accumulator the node reads, or −1. */
  acc: number;
}

export function rootsOf(p: Pass): Expr[] {
  return p.kind === 'reduce' ? p.accs.map((a) => a.value) : p.stores.map((s) => s.value);
}

/** Constants, loop vars and accumulators are spelled inline wherever they are used. */
export function isTrivial(e: Expr): boolean {
  return e.kind === 'const' || e.kind === 'var' || e.kind === 'acc';
}

/** How often an op's spelling mentions its operand on `target` (JS spells relu `x > 0 ? x : 0`). */
function operandWeight(e: Expr, target: Target): number {
  return e.kind === 'unary' && target.repeatsOperand.includes(e.op) ? 2 : 1;
}

export function placeLoopKernel(k: LoopKernel, target: Target): LoopPlacement {
  const nOuter = k.outer.length;
  const varWhere = new Map<VarId, { pass: number; depth: number }>();
  k.outer.forEach((l, d) => varWhere.set(l.v, { pass: -1, depth: d + 1 }));
  const accPass = new Map<AccId, number>();
  k.passes.forEach((p, pi) => {
    p.loops.forEach((l, d) => varWhere.set(l.v, { pass: pi, depth: d + 1 }));
    if (p.kind === 'reduce') for (const a of p.accs) accPass.set(a.acc, pi);
  });
  const innerScope = (pi: number): ScopeKey => {
    const n = k.passes[pi]!.loops.length;
    return n > 0 ? `p${pi}:${n}` : `s${pi}`;
  };

  const where = new Map<number, Where>();
  const all = reachable(k.passes.flatMap(rootsOf));
  for (const e of all) {
    let at: Where = { pass: -1, depth: 0, acc: -1 };
    const addVar = (v: VarId) => {
      const vw = varWhere.get(v);
      if (vw === undefined) throw new Error(`internal: var ${v} is not bound in kernel ${k.name}`);
      at = join(at, { pass: vw.pass, depth: vw.depth, acc: -1 });
    };
    if (e.kind === 'var') addVar(e.v);
    else if (e.kind === 'load') for (const t of e.index.terms) addVar(t.v);
    else if (e.kind === 'acc') at = join(at, { pass: -1, depth: 0, acc: accPass.get(e.acc) ?? -1 });
    for (let i = 0, n = childCount(e); i < n; i++) at = join(at, where.get(child(e, i).id)!);
    where.set(e.id, at);
  }
  const scopeOf = (e: Expr): ScopeKey => {
    const at = where.get(e.id)!;
    if (at.pass >= 0) return `p${at.pass}:${at.depth}`;
    if (at.acc >= 0) return `s${at.acc + 1}`;
    return at.depth >= nOuter ? 's0' : `o${at.depth}`;
  };

  const uses = new Map<number, number>();
  const userScopes = new Map<number, Set<ScopeKey>>();
  const note = (e: Expr, scope: ScopeKey, weight: number) => {
    uses.set(e.id, (uses.get(e.id) ?? 0) + weight);
    let s = userScopes.get(e.id);
    if (!s) userScopes.set(e.id, (s = new Set()));
    s.add(scope);
  };
  const forced = new Set<number>();
  k.passes.forEach((p, pi) => {
    for (const r of rootsOf(p)) note(r, innerScope(pi), 1);
    // Pointwise in place: every value is read before any store of the iteration.
    if (p.kind === 'map' && p.stores.length > 1 && readsWritten(p.stores)) for (const r of rootsOf(p)) forced.add(r.id);
  });
  for (const e of all) {
    const n = childCount(e);
    if (n === 0) continue;
    const scope = scopeOf(e);
    const weight = operandWeight(e, target);
    for (let i = 0; i < n; i++) note(child(e, i), scope, weight);
  }
  const temps = new Map<ScopeKey, Expr[]>();
  for (const e of all) {
    if (isTrivial(e)) continue;
    const users = userScopes.get(e.id)!;
    const own = scopeOf(e);
    if (forced.has(e.id) || (uses.get(e.id) ?? 0) > 1 || users.size > 1 || !users.has(own)) {
      const list = temps.get(own);
      if (list) list.push(e);
      else temps.set(own, [e]);
    }
  }
  return { temps, innerScope };
}

function join(a: Where, b: Where): Where {
  if (a.pass >= 0 && b.pass >= 0 && a.pass !== b.pass) {
    throw new Error(`internal: an expression mixes the loops of passes ${a.pass} and ${b.pass}`);
  }
  const pass = Math.max(a.pass, b.pass);
  // Depth counts inner loops once a pass is involved; outer depth otherwise.
  const depth = pass >= 0
    ? Math.max(a.pass >= 0 ? a.depth : 0, b.pass >= 0 ? b.depth : 0)
    : Math.max(a.depth, b.depth);
  return { pass, depth, acc: Math.max(a.acc, b.acc) };
}

/** True when a value of the group reads a buffer one of its stores writes. */
export function readsWritten(stores: readonly Store[]): boolean {
  const written = new Set(stores.map((s) => s.buffer));
  return reachable(stores.map((s) => s.value)).some((e) => e.kind === 'load' && written.has(e.buffer));
}

/**
 * For straight-line code in one scope: the non-trivial nodes under `roots` used more than once
 * (weighted by the target's spelling), not descending into nodes in `named`, plus `force`; in
 * ascending id (children first).
 */
export function sharedNodes(roots: readonly Expr[], named: ReadonlyMap<number, unknown>, target: Target, force: readonly Expr[] = []): Expr[] {
  const uses = new Map<number, number>();
  const nodes = new Set<number>();
  const stack = roots.slice();
  for (const r of roots) uses.set(r.id, (uses.get(r.id) ?? 0) + 1);
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (nodes.has(e.id) || named.has(e.id)) continue;
    nodes.add(e.id);
    const w = operandWeight(e, target);
    for (let i = 0, n = childCount(e); i < n; i++) {
      const c = child(e, i);
      uses.set(c.id, (uses.get(c.id) ?? 0) + w);
      if (!nodes.has(c.id)) stack.push(c);
    }
  }
  const out = new Map<number, Expr>();
  for (const e of force) if (!isTrivial(e) && !named.has(e.id)) out.set(e.id, e);
  const seen = new Set<number>();
  const walk = roots.slice();
  while (walk.length > 0) {
    const e = walk.pop()!;
    if (seen.has(e.id) || named.has(e.id)) continue;
    seen.add(e.id);
    if (!isTrivial(e) && (uses.get(e.id) ?? 0) > 1) out.set(e.id, e);
    for (let i = 0, n = childCount(e); i < n; i++) walk.push(child(e, i));
  }
  return byId(out);
}

/** The largest subexpressions under `roots` that depend neither on var `i` nor on an accumulator. */
export function invariantRoots(roots: readonly Expr[], i: VarId): Expr[] {
  const varies = new Map<number, boolean>();
  for (const e of reachable(roots)) {
    let v = e.kind === 'acc' || (e.kind === 'var' && e.v === i)
      || (e.kind === 'load' && e.index.terms.some((t) => t.v === i));
    for (let c = 0, n = childCount(e); c < n; c++) v ||= varies.get(child(e, c).id)!;
    varies.set(e.id, v);
  }
  const out = new Map<number, Expr>();
  const stack = [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (!varies.get(e.id)) {
      if (!isTrivial(e)) out.set(e.id, e);
      continue;
    }
    for (let c = 0, n = childCount(e); c < n; c++) stack.push(child(e, c));
  }
  return [...out.values()];
}
