/**
 * Placement: where each expression node of a kernel is computed, and which nodes become named
 * temporaries. A node lives in the outermost scope where its inputs are known (loop-invariant
 * code motion): one that depends only on the outer loops is computed once per outer iteration,
 * one that reads an accumulator right after that accumulator's pass. A node used twice, or used
 * deeper than it is computed, becomes a temp. Every backend prints this same placement.
 */
import { byId, child, childCount, indexNodes, reachable } from '../expr.js';
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

/** A `where` number's unit of pass: (pass + 1)·PASS + depth. */
const PASS = 1 << 16;

function varWhere(varPlace: ReadonlyMap<VarId, number>, v: VarId, k: LoopKernel): number {
  const w = varPlace.get(v);
  if (w === undefined) throw new Error(`internal: var ${v} is not bound in kernel ${k.name}`);
  return w;
}

export function placeLoopKernel(k: LoopKernel, target: Target, index = indexNodes(k.passes.flatMap(rootsOf))): LoopPlacement {
  const nOuter = k.outer.length;
  const nPasses = k.passes.length;
  // Scopes as numbers: o<d> is d, s<p> is nOuter + p, p<p>:<d> is passBase[p] + d.
  const passBase: number[] = [];
  let nScopes = nOuter + nPasses + 1;
  for (let pi = 0; pi < nPasses; pi++) {
    passBase.push(nScopes - 1);
    nScopes += k.passes[pi]!.loops.length;
  }
  const scopeKey = (s: number): ScopeKey => {
    if (s < nOuter) return `o${s}`;
    if (s <= nOuter + nPasses) return `s${s - nOuter}`;
    let pi = nPasses - 1;
    while (passBase[pi]! >= s) pi--;
    return `p${pi}:${s - passBase[pi]!}`;
  };
  const innerScopeOf = (pi: number): number => {
    const n = k.passes[pi]!.loops.length;
    return n > 0 ? passBase[pi]! + n : nOuter + pi;
  };
  const innerScope = (pi: number): ScopeKey => scopeKey(innerScopeOf(pi));

  // Where each var is bound, as a `where` number (below); each accumulator's pass.
  const varPlace = new Map<VarId, number>();
  for (let d = 0; d < nOuter; d++) varPlace.set(k.outer[d]!.v, d + 1);
  const accPass = new Map<AccId, number>();
  for (let pi = 0; pi < nPasses; pi++) {
    const p = k.passes[pi]!;
    for (let d = 0; d < p.loops.length; d++) varPlace.set(p.loops[d]!.v, (pi + 1) * PASS + d + 1);
    if (p.kind === 'reduce') for (const a of p.accs) accPass.set(a.acc, pi);
  }

  // Where each node is known, children first: the join of its vars', its accumulator's and its
  // children's. One number per node, (pass + 1)·2¹⁶ + depth, for the pass whose loops it depends
  // on (−1: outer loops only) and its depth in those loops (1-based; 0 before any), so that
  // joining is the larger of the two once two different passes are ruled out (a pass's loops are
  // inside all outer loops); and the latest pass whose accumulator it reads, or −1. Its scope
  // follows, and each child is noted as used there.
  const { nodes, counts, kids } = index;
  const n = nodes.length;
  const where = new Int32Array(n);
  const accOf = new Int32Array(n);
  const scope = new Int32Array(n);
  const uses = new Int32Array(n);
  const userScope = new Int32Array(n).fill(-1);
  const otherScope = new Uint8Array(n);
  const mixed = (a: number, b: number) => new Error(`internal: an expression mixes the loops of passes ${(a >> 16) - 1} and ${(b >> 16) - 1}`);
  for (let i = 0; i < n; i++) {
    const e = nodes[i]!;
    let w = 0;
    let acc = -1;
    const nc = counts[i]!;
    if (nc === 0) {
      if (e.kind === 'var') w = varWhere(varPlace, e.v, k);
      else if (e.kind === 'load') {
        const terms = e.index.terms;
        for (let t = 0; t < terms.length; t++) {
          const wv = varWhere(varPlace, terms[t]!.v, k);
          if (w >= PASS && wv >= PASS && w >> 16 !== wv >> 16) throw mixed(w, wv);
          if (wv > w) w = wv;
        }
      } else if (e.kind === 'acc') acc = accPass.get(e.acc) ?? -1;
    } else {
      for (let c = 0; c < nc; c++) {
        const j = kids[3 * i + c]!;
        const wj = where[j]!;
        if (w >= PASS && wj >= PASS && w >> 16 !== wj >> 16) throw mixed(w, wj);
        if (wj > w) w = wj;
        if (accOf[j]! > acc) acc = accOf[j]!;
      }
    }
    where[i] = w;
    accOf[i] = acc;
    const depth = w & 0xffff;
    const own = w >= PASS ? passBase[(w >> 16) - 1]! + depth : acc >= 0 ? nOuter + acc + 1 : depth >= nOuter ? nOuter : depth;
    scope[i] = own;
    // Uses, weighted by the target's spelling, and the scopes they are in: the first, and
    // whether there is another.
    const weight = nc > 0 ? operandWeight(e, target) : 0;
    for (let c = 0; c < nc; c++) {
      const j = kids[3 * i + c]!;
      uses[j] += weight;
      if (userScope[j] === -1) userScope[j] = own;
      else if (userScope[j] !== own) otherScope[j] = 1;
    }
  }
  const forced = new Uint8Array(n);
  for (let pi = 0; pi < nPasses; pi++) {
    const p = k.passes[pi]!;
    const roots = rootsOf(p);
    const inner = innerScopeOf(pi);
    for (let r = 0; r < roots.length; r++) {
      const j = index.positions.get(roots[r]!.id)!;
      uses[j] += 1;
      if (userScope[j] === -1) userScope[j] = inner;
      else if (userScope[j] !== inner) otherScope[j] = 1;
    }
    // Pointwise in place: every value is read before any store of the iteration.
    if (p.kind === 'map' && p.stores.length > 1 && readsWritten(p.stores)) for (const r of roots) forced[index.positions.get(r.id)!] = 1;
  }
  // A node used twice, or used in another scope than its own (or forced), is a temp of its scope.
  const lists: (Expr[] | undefined)[] = [];
  const temps = new Map<ScopeKey, Expr[]>();
  for (let i = 0; i < n; i++) {
    const e = nodes[i]!;
    if (isTrivial(e)) continue;
    const own = scope[i]!;
    if (forced[i] === 1 || uses[i]! > 1 || otherScope[i] === 1 || userScope[i] !== own) {
      const list = lists[own];
      if (list) list.push(e);
      else temps.set(scopeKey(own), (lists[own] = [e]));
    }
  }
  return { temps, innerScope };
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
