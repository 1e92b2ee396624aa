/**
 * Transcendentals as IR rewrites: where the target says `decompose`, each exp, log, tanh,
 * sigmoid, softplus or pow node is replaced by its range-reduction-and-polynomial expression
 * (codegen/decomp/) over the same typed IR, so it vectorizes like any arithmetic. Other nodes
 * are rebuilt unchanged. A program with nothing to decompose is returned as it is.
 */
import { children, ExprPool, reachable, remake } from '../expr.js';
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
    i: (c) => p.i32(c),
    add: (a, b) => p.add(a, b), sub: (a, b) => p.sub(a, b), mul: (a, b) => p.mul(a, b), div: (a, b) => p.div(a, b),
    min: (a, b) => p.min(a, b), max: (a, b) => p.max(a, b),
    neg: (a) => p.neg(a), abs: (a) => p.abs(a), sqrt: (a) => p.sqrt(a), floor: (a) => p.floor(a),
    nearest: (a) => p.unary('nearest', a),
    lt: (a, b) => p.lt(a, b), le: (a, b) => p.le(a, b), gt: (a, b) => p.gt(a, b), ge: (a, b) => p.ge(a, b),
    eq: (a, b) => p.eq(a, b), ne: (a, b) => p.ne(a, b),
    isNaN: (a) => p.ne(a, a),
    select: (c, a, b) => p.select(c, a, b), selectI: (c, a, b) => p.select(c, a, b),
    and: (a, b) => p.binary('and', a, b), or: (a, b) => p.binary('or', a, b), not: (a) => p.unary('not', a),
    iadd: (a, b) => p.add(a, b), isub: (a, b) => p.sub(a, b),
    shl: (a, n) => p.binary('shl', a, p.i32(n)), shrS: (a, n) => p.binary('shrS', a, p.i32(n)), shrU: (a, n) => p.binary('shrU', a, p.i32(n)),
    iand: (a, b) => p.binary('and', a, b), ior: (a, b) => p.binary('or', a, b),
    ilt: (a, b) => p.lt(a, b), ieq: (a, b) => p.eq(a, b),
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
  const roots = p.kernels.flatMap(kernelRoots);
  if (!reachable(roots).some((e) => decomposes(e, target))) return p;
  const pool = ExprPool.forProgram(p);
  const m = poolMath(pool);
  const memo = new Map<Expr, Expr>();
  const map = (root: Expr): Expr => {
    // Only what is not mapped yet: every node below a mapped one is mapped (ascending id, as before).
    for (const e of reachable([root], (x) => memo.has(x))) {
      const kids = children(e).map((c) => memo.get(c)!);
      let n: Expr;
      if (decomposes(e, target)) {
        if (e.dtype !== 'f32') throw new Error(`internal: ${(e as { op: string }).op} on ${e.dtype} has no decomposition (only f32)`);
        const op = (e as { op: Transcendental }).op;
        n = op === 'pow' ? DECOMPOSITIONS.pow.apply(m, kids[0]!, kids[1]!) : DECOMPOSITIONS[op].apply(m, kids[0]!);
      } else if (kids.length === 0) n = pool.adopt(e, memo);
      else n = remake(pool, e, kids);
      memo.set(e, n);
    }
    return memo.get(root)!;
  };
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

export function kernelRoots(k: Kernel): Expr[] {
  if (k.kind === 'matmul') return [k.a, k.b, ...k.stores.map((s) => s.value)];
  return k.passes.flatMap((ps) => (ps.kind === 'reduce' ? ps.accs.map((a) => a.value) : ps.stores.map((s) => s.value)));
}
