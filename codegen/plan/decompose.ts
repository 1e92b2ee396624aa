/**
 * Transcendentals as IR rewrites: where the target says `decompose`, each exp, log, tanh,
 * sigmoid, softplus or pow node is replaced by its range-reduction-and-polynomial expression
 * (codegen/decomp/) over the same typed IR, so it vectorizes like any arithmetic. Other nodes
 * are rebuilt unchanged. A program with nothing to decompose is returned as it is.
 */
import { child, childCount, ExprPool, leafIn, remake } from '../expr.js';
import type { Expr, Kernel, Program } from '../ir.js';
import type { Transcendental } from '../ops.js';
import { TRANSCENDENTALS } from '../ops.js';
import type { ScalarMath } from '../decomp/builder.js';
import { DECOMPOSITIONS } from '../decomp/index.js';
import type { Target } from '../target.js';

/** The decompositions' builder over an expression pool: each call is one typed IR node. */
export function poolMath(p: ExprPool): ScalarMath<Expr, Expr, Expr> {
  return {
    f: (c) => {
      if (Math.fround(c) !== c && !Number.isNaN(c)) throw new Error(`decomposition constant ${c} is not a float32`);
      return p.c(c, 'f32');
    },
    i: (c) => p.c(c, 'i32'),
    add: (a, b) => p.binary('add', a, b), sub: (a, b) => p.binary('sub', a, b), mul: (a, b) => p.binary('mul', a, b),
    div: (a, b) => p.binary('div', a, b), min: (a, b) => p.binary('min', a, b), max: (a, b) => p.binary('max', a, b),
    neg: (a) => p.unary('neg', a), abs: (a) => p.unary('abs', a), sqrt: (a) => p.unary('sqrt', a), floor: (a) => p.unary('floor', a),
    nearest: (a) => p.unary('nearest', a),
    lt: (a, b) => p.compare('lt', a, b), le: (a, b) => p.compare('le', a, b), gt: (a, b) => p.compare('gt', a, b),
    ge: (a, b) => p.compare('ge', a, b), eq: (a, b) => p.compare('eq', a, b), ne: (a, b) => p.compare('ne', a, b),
    isNaN: (a) => p.compare('ne', a, a),
    select: (c, a, b) => p.select(c, a, b), selectI: (c, a, b) => p.select(c, a, b),
    and: (a, b) => p.binary('and', a, b), or: (a, b) => p.binary('or', a, b), not: (a) => p.unary('not', a),
    iadd: (a, b) => p.binary('add', a, b), isub: (a, b) => p.binary('sub', a, b),
    shl: (a, n) => p.binary('shl', a, p.c(n, 'i32')), shrS: (a, n) => p.binary('shrS', a, p.c(n, 'i32')),
    shrU: (a, n) => p.binary('shrU', a, p.c(n, 'i32')),
    iand: (a, b) => p.binary('and', a, b), ior: (a, b) => p.binary('or', a, b),
    ilt: (a, b) => p.compare('lt', a, b), ieq: (a, b) => p.compare('eq', a, b),
    toInt: (a) => p.cast(a, 'i32'), toFloat: (a) => p.cast(a, 'f32'),
    bitsOf: (a) => p.bitcast(a, 'i32'), fromBits: (a) => p.bitcast(a, 'f32'),
  };
}

function decomposes(e: Expr, target: Target): boolean {
  if (e.kind !== 'unary' && e.kind !== 'binary') return false;
  if (!(TRANSCENDENTALS as readonly string[]).includes(e.op)) return false;
  const dt = e.dtype;
  return (dt === 'f32' || dt === 'f64') && target.math[e.op as Transcendental][dt] === 'decompose';
}

export function decomposeProgram(p: Program, target: Target): Program {
  if (!TRANSCENDENTALS.some((op) => target.math[op].f32 === 'decompose' || target.math[op].f64 === 'decompose')) return p;
  // The roots in the order they are rebuilt; each root's nodes not under an earlier root, in
  // ascending id (children first: the order the new pool numbers them in).
  const roots = p.kernels.flatMap(kernelRoots);
  const byIdOf = new Map<number, Expr>();
  const order: number[] = [];
  const ends: number[] = [];
  let found = false;
  const stack: Expr[] = [];
  for (let r = 0; r < roots.length; r++) {
    stack.push(roots[r]!);
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (byIdOf.has(e.id)) continue;
      byIdOf.set(e.id, e);
      order.push(e.id);
      if (!found && decomposes(e, target)) found = true;
      for (let c = 0, nc = childCount(e); c < nc; c++) stack.push(child(e, c));
    }
    ends.push(order.length);
  }
  const n = order.length;
  const ids = new Int32Array(order);
  for (let r = 0, start = 0; r < roots.length; start = ends[r++]!) ids.subarray(start, ends[r]).sort();
  if (!found) return p;
  const pool = ExprPool.forProgram(p);
  const m = poolMath(pool);
  const mapped = new Map<number, Expr>();
  for (let t = 0; t < n; t++) {
    const e = byIdOf.get(ids[t]!)!;
    let x: Expr;
    switch (e.kind) {
      case 'unary': {
        const a = mapped.get(e.a.id)!;
        if (decomposes(e, target)) x = decompose(e, m, a, a);
        else x = pool.unary(e.op, a);
        break;
      }
      case 'binary': {
        const a = mapped.get(e.a.id)!;
        const b = mapped.get(e.b.id)!;
        if (decomposes(e, target)) x = decompose(e, m, a, b);
        else x = pool.binary(e.op, a, b);
        break;
      }
      default: {
        const leaf = leafIn(pool, e);
        if (leaf !== undefined) { x = leaf; break; }
        const kids: Expr[] = [];
        for (let i = 0, k = childCount(e); i < k; i++) kids.push(mapped.get(child(e, i).id)!);
        x = remake(pool, e, kids);
      }
    }
    mapped.set(e.id, x);
  }
  const map = (e: Expr): Expr => mapped.get(e.id)!;
  const kernels = p.kernels.map((k): Kernel => {
    if (k.kind === 'matmul') {
      return { ...k, a: map(k.a), b: map(k.b), stores: k.stores.map((s) => ({ ...s, value: map(s.value) })) };
    }
    return {
      ...k,
      passes: k.passes.map((ps) => (ps.kind === 'reduce'
        ? { ...ps, accs: ps.accs.map((a) => ({ ...a, value: map(a.value) })) }
        : { ...ps, stores: ps.stores.map((s) => ({ ...s, value: map(s.value) })) })),
    };
  });
  return { ...p, kernels };
}

/** The decomposition of transcendental `e` (f32) over already rebuilt operands. */
function decompose(e: Expr & { kind: 'unary' | 'binary' }, m: ScalarMath<Expr, Expr, Expr>, a: Expr, b: Expr): Expr {
  if (e.dtype !== 'f32') throw new Error(`internal: ${e.op} on ${e.dtype} has no decomposition (only f32)`);
  return e.op === 'pow' ? DECOMPOSITIONS.pow.apply(m, a, b) : DECOMPOSITIONS[e.op as Exclude<Transcendental, 'pow'>].apply(m, a);
}

export function kernelRoots(k: Kernel): Expr[] {
  if (k.kind === 'matmul') return [k.a, k.b, ...k.stores.map((s) => s.value)];
  return k.passes.flatMap((ps) => (ps.kind === 'reduce' ? ps.accs.map((a) => a.value) : ps.stores.map((s) => s.value)));
}
