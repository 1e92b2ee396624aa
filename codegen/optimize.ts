/**
 * Loop coalescing: two nested loops (u outer, w inner of extent E) become one loop of the
 * combined extent when every index in the kernel steps u exactly E times as far as w
 * (stride(u) = E·stride(w), e.g. a row-major 784×32 walk is one walk of 25,088), and no
 * expression uses u or w as a value. Fewer, longer loops for both emitters.
 */
import { affine } from './affine.js';
import type { ExprPool } from './expr.js';
import { mapLoads, reachable } from './expr.js';
import type { Affine, Expr, Loop, LoopKernel, Pass, VarId } from './ir.js';

export function coalesceLoops(k: LoopKernel, pool: ExprPool): LoopKernel {
  let kernel = k;
  for (;;) {
    const next = coalesceOnce(kernel, pool);
    if (next === undefined) return kernel;
    kernel = next;
  }
}

function rootsOf(p: Pass): Expr[] {
  return p.kind === 'reduce' ? p.accs.map((a) => a.value) : p.stores.map((s) => s.value);
}

function coalesceOnce(k: LoopKernel, pool: ExprPool): LoopKernel | undefined {
  const indices: Affine[] = [];
  const valueVars = new Set<VarId>();
  for (const p of k.passes) {
    if (p.kind === 'map') for (const s of p.stores) indices.push(s.index);
    for (const e of reachable(rootsOf(p))) {
      if (e.kind === 'load') indices.push(e.index);
      if (e.kind === 'var') valueVars.add(e.v);
    }
  }
  const stride = (ix: Affine, v: VarId) => ix.terms.find((t) => t.v === v)?.stride ?? 0;
  const mergeable = (u: Loop, w: Loop) =>
    !valueVars.has(u.v) && !valueVars.has(w.v) && indices.every((ix) => stride(ix, u.v) === stride(ix, w.v) * w.extent);
  // u disappears; w runs over both: stride(u)·u + stride(w)·w = stride(w)·(E·u + w).
  const merged = (loops: readonly Loop[], d: number): Loop[] =>
    [...loops.slice(0, d), { v: loops[d + 1]!.v, extent: loops[d]!.extent * loops[d + 1]!.extent }, ...loops.slice(d + 2)];
  const rewrite = (u: VarId, outer: readonly Loop[], passLoops: (p: Pass, i: number) => readonly Loop[]): LoopKernel => {
    const drop = (ix: Affine) => (ix.terms.some((t) => t.v === u) ? affine(ix.offset, ix.terms.filter((t) => t.v !== u).map((t) => [t.v, t.stride] as const)) : ix);
    const passes = k.passes.map((p, i): Pass => {
      const m = mapLoads(pool, rootsOf(p), drop);
      const loops = passLoops(p, i);
      return p.kind === 'reduce'
        ? { kind: 'reduce', loops, accs: p.accs.map((a) => ({ ...a, value: m.get(a.value.id)! })) }
        : { kind: 'map', loops, stores: p.stores.map((s) => ({ buffer: s.buffer, index: drop(s.index), value: m.get(s.value.id)! })) };
    });
    return { ...k, outer, passes };
  };
  for (let d = 0; d + 1 < k.outer.length; d++) {
    if (mergeable(k.outer[d]!, k.outer[d + 1]!)) return rewrite(k.outer[d]!.v, merged(k.outer, d), (p) => p.loops);
  }
  for (let i = 0; i < k.passes.length; i++) {
    const loops = k.passes[i]!.loops;
    for (let d = 0; d + 1 < loops.length; d++) {
      if (mergeable(loops[d]!, loops[d + 1]!)) {
        return rewrite(loops[d]!.v, k.outer, (p, j) => (j === i ? merged(loops, d) : p.loops));
      }
    }
  }
  return undefined;
}
