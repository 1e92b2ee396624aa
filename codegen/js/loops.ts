/**
 * A loop kernel as one JS function. Every expression node is placed in the outermost scope where
 * its inputs are known (loop-invariant code motion): a node that depends only on the outer loops
 * is computed once per outer iteration, one that reads an accumulator right after that
 * accumulator's pass. Nodes used twice, or used deeper than they are computed, become temps.
 */
import { child, childCount, reachable } from '../expr.js';
import type { AccId, Expr, LoopKernel, Pass, VarId } from '../ir.js';
import type { Env } from './expr.js';
import { bufferName, exprCode, indexCode, operandWeight } from './expr.js';
import { isTrivial, TempNamer, writeTemps } from './temps.js';
import type { Writer } from './writer.js';

interface Where {
  /** Pass whose loops the node depends on, or −1. */
  pass: number;
  /** Depth in that pass's loops (1-based), or in the outer loops when pass = −1. */
  depth: number;
  /** Latest pass whose accumulator the node reads, or −1. */
  acc: number;
}

const INIT = { sum: '0', max: '-Infinity', min: 'Infinity' } as const;

export function emitLoopKernel(w: Writer, k: LoopKernel, fnName: string): void {
  const nOuter = k.outer.length;
  const varWhere = new Map<VarId, { pass: number; depth: number }>();
  k.outer.forEach((l, d) => varWhere.set(l.v, { pass: -1, depth: d + 1 }));
  const accPass = new Map<AccId, number>();
  k.passes.forEach((p, pi) => {
    p.loops.forEach((l, d) => varWhere.set(l.v, { pass: pi, depth: d + 1 }));
    if (p.kind === 'reduce') for (const a of p.accs) accPass.set(a.acc, pi);
  });

  const rootsOf = (p: Pass): Expr[] => (p.kind === 'reduce' ? p.accs.map((a) => a.value) : p.stores.map((s) => s.value));
  const innerScope = (pi: number): string => {
    const n = k.passes[pi]!.loops.length;
    return n > 0 ? `p${pi}:${n}` : `s${pi}`;
  };

  // Where each node can live.
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
  const scopeOf = (e: Expr): string => {
    const at = where.get(e.id)!;
    if (at.pass >= 0) return `p${at.pass}:${at.depth}`;
    if (at.acc >= 0) return `s${at.acc + 1}`;
    return at.depth >= nOuter ? 's0' : `o${at.depth}`;
  };

  // Which nodes become temps: used twice, or used in a deeper scope than their own.
  const uses = new Map<number, number>();
  const userScopes = new Map<number, Set<string>>();
  const note = (e: Expr, scope: string, weight: number) => {
    uses.set(e.id, (uses.get(e.id) ?? 0) + weight);
    let s = userScopes.get(e.id);
    if (!s) userScopes.set(e.id, (s = new Set()));
    s.add(scope);
  };
  const forced = new Set<number>();
  k.passes.forEach((p, pi) => {
    for (const r of rootsOf(p)) note(r, innerScope(pi), 1);
    // Pointwise in place: every value is read before any store of the iteration.
    if (p.kind === 'map') {
      const written = new Set(p.stores.map((s) => s.buffer));
      const readsWritten = reachable(rootsOf(p)).some((e) => e.kind === 'load' && written.has(e.buffer));
      if (readsWritten && p.stores.length > 1) for (const r of rootsOf(p)) forced.add(r.id);
    }
  });
  for (const e of all) {
    const n = childCount(e);
    if (n === 0) continue;
    const scope = scopeOf(e);
    const weight = operandWeight(e);
    for (let i = 0; i < n; i++) note(child(e, i), scope, weight);
  }
  const temps = new Map<string, Expr[]>();
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

  const vars = new Map<VarId, string>();
  const accs = new Map<AccId, string>();
  const names = new Map<number, string>();
  const env: Env = { vars, accs, temps: names };
  const namer = new TempNamer();
  let nAcc = 0;
  const emitScope = (s: string) => writeTemps(w, temps.get(s) ?? [], env, names, namer);

  const emitPassBody = (p: Pass) => {
    if (p.kind === 'reduce') {
      for (const a of p.accs) {
        const name = accs.get(a.acc)!;
        const v = exprCode(a.value, env);
        w.line(a.op === 'sum' ? `${name} += ${v};` : `${name} = Math.${a.op}(${name}, ${v});`);
      }
    } else {
      for (const s of p.stores) w.line(`${bufferName(s.buffer)}[${indexCode(s.index, env)}] = ${exprCode(s.value, env)};`);
    }
  };
  const openPass = (p: Pass, pi: number, d: number) => {
    const l = p.loops[d]!;
    const name = `j${d}`;
    vars.set(l.v, name);
    w.block(`for (let ${name} = 0; ${name} < ${l.extent}; ${name}++)`, () => {
      emitScope(`p${pi}:${d + 1}`);
      if (d + 1 < p.loops.length) openPass(p, pi, d + 1);
      else emitPassBody(p);
    });
  };
  const emitPasses = () => {
    k.passes.forEach((p, pi) => {
      emitScope(`s${pi}`);
      if (p.kind === 'reduce') {
        for (const a of p.accs) {
          const name = `a${nAcc++}`;
          accs.set(a.acc, name);
          w.line(`let ${name} = ${INIT[a.op]};`);
        }
      }
      if (p.loops.length === 0) emitPassBody(p);
      else openPass(p, pi, 0);
    });
  };
  const openOuter = (d: number) => {
    if (d === nOuter) return emitPasses();
    const l = k.outer[d]!;
    const name = `i${d}`;
    vars.set(l.v, name);
    w.block(`for (let ${name} = 0; ${name} < ${l.extent}; ${name}++)`, () => {
      if (d + 1 < nOuter) emitScope(`o${d + 1}`);
      openOuter(d + 1);
    });
  };

  w.block(`function ${fnName}()`, () => {
    if (nOuter > 0) emitScope('o0');
    openOuter(0);
  });
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
