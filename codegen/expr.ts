/**
 * Hash-consed scalar expressions. Building the same expression twice returns the same node, so a
 * common subexpression is one node and the emitters compute it once. The pool also folds
 * constants and a few exact identities (x+0, x·1, x/1, −(−x)) and orders commutative operands.
 */
import { affine, affineKey } from './affine.js';
import type {
  AccId, Affine, BinaryOp, BufferId, CompareOp, Expr, UnaryOp, VarId,
} from './ir.js';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS } from './ir.js';
import { evalBinary, evalCompare, evalUnary } from './scalar.js';

const COMMUTATIVE: ReadonlySet<string> = new Set(['add', 'mul', 'max', 'min', 'eq', 'ne']);

type Operand = Expr | number;

export class ExprPool {
  private readonly byKey = new Map<string, Expr>();
  private readonly nodes: Expr[] = [];
  private nextVar = 0;
  private nextAcc = 0;

  /** A fresh loop variable, unique in this pool. */
  newVar(): VarId {
    return this.nextVar++;
  }

  /** A fresh accumulator id, unique in this pool. */
  newAcc(): AccId {
    return this.nextAcc++;
  }

  /** Number of nodes built so far. */
  get size(): number {
    return this.nodes.length;
  }

  /** True when `e` was built by this pool. */
  owns(e: Expr): boolean {
    return this.nodes[e.id] === e;
  }

  c(value: number): Expr {
    if (typeof value !== 'number') throw new Error(`constant: expected a number, got ${typeof value}`);
    const key = Object.is(value, -0) ? 'c-0' : `c${value}`;
    return this.intern(key, (id) => ({ id, kind: 'const', value }));
  }

  v(v: VarId): Expr {
    if (!Number.isInteger(v) || v < 0 || v >= this.nextVar) {
      throw new Error(`var: ${v} was not created by this pool (use newVar())`);
    }
    return this.intern(`v${v}`, (id) => ({ id, kind: 'var', v }));
  }

  /** buffer[index]; `index` is an Affine or [offset, ...[var, stride]] pairs. */
  load(buffer: BufferId, index: Affine): Expr {
    if (!Number.isInteger(buffer) || buffer < 0) throw new Error(`load: bad buffer id ${buffer}`);
    const ix = affine(index.offset, index.terms.map((t) => [t.v, t.stride] as const));
    return this.intern(`L${buffer}@${affineKey(ix)}`, (id) => ({ id, kind: 'load', buffer, index: ix }));
  }

  acc(acc: AccId): Expr {
    if (!Number.isInteger(acc) || acc < 0 || acc >= this.nextAcc) {
      throw new Error(`acc: ${acc} was not created by this pool (use newAcc())`);
    }
    return this.intern(`a${acc}`, (id) => ({ id, kind: 'acc', acc }));
  }

  unary(op: UnaryOp, x: Operand): Expr {
    if (!UNARY_OPS.includes(op)) throw new Error(`unary: unknown op '${String(op)}'`);
    const a = this.own(x);
    if (a.kind === 'const') return this.c(evalUnary(op, a.value));
    if (op === 'neg' && a.kind === 'unary' && a.op === 'neg') return a.a;
    if (op === 'fround' && a.kind === 'unary' && a.op === 'fround') return a;
    return this.intern(`u${op}(${a.id})`, (id) => ({ id, kind: 'unary', op, a }));
  }

  binary(op: BinaryOp, x: Operand, y: Operand): Expr {
    if (!BINARY_OPS.includes(op)) throw new Error(`binary: unknown op '${String(op)}'`);
    let a = this.own(x);
    let b = this.own(y);
    if (a.kind === 'const' && b.kind === 'const') return this.c(evalBinary(op, a.value, b.value));
    if (COMMUTATIVE.has(op) && a.id > b.id) [a, b] = [b, a];
    const isC = (e: Expr, v: number) => e.kind === 'const' && e.value === v;
    if (op === 'add' && isC(a, 0)) return b;
    if ((op === 'add' || op === 'sub') && isC(b, 0)) return a;
    if (op === 'mul' && isC(a, 1)) return b;
    if ((op === 'mul' || op === 'div' || op === 'pow') && isC(b, 1)) return a;
    return this.intern(`b${op}(${a.id},${b.id})`, (id) => ({ id, kind: 'binary', op, a, b }));
  }

  compare(op: CompareOp, x: Operand, y: Operand): Expr {
    if (!COMPARE_OPS.includes(op)) throw new Error(`compare: unknown op '${String(op)}'`);
    let a = this.own(x);
    let b = this.own(y);
    if (a.kind === 'const' && b.kind === 'const') return this.c(evalCompare(op, a.value, b.value));
    if (COMMUTATIVE.has(op) && a.id > b.id) [a, b] = [b, a];
    return this.intern(`k${op}(${a.id},${b.id})`, (id) => ({ id, kind: 'compare', op, a, b }));
  }

  /** cond ≠ 0 ? a : b */
  select(cond: Operand, x: Operand, y: Operand): Expr {
    const c = this.own(cond);
    const a = this.own(x);
    const b = this.own(y);
    if (c.kind === 'const') return c.value !== 0 ? a : b;
    if (a === b) return a;
    return this.intern(`s(${c.id},${a.id},${b.id})`, (id) => ({ id, kind: 'select', cond: c, a, b }));
  }

  // ---- sugar ----
  add(a: Operand, b: Operand): Expr { return this.binary('add', a, b); }
  sub(a: Operand, b: Operand): Expr { return this.binary('sub', a, b); }
  mul(a: Operand, b: Operand): Expr { return this.binary('mul', a, b); }
  div(a: Operand, b: Operand): Expr { return this.binary('div', a, b); }
  max(a: Operand, b: Operand): Expr { return this.binary('max', a, b); }
  min(a: Operand, b: Operand): Expr { return this.binary('min', a, b); }
  pow(a: Operand, b: Operand): Expr { return this.binary('pow', a, b); }
  neg(a: Operand): Expr { return this.unary('neg', a); }
  abs(a: Operand): Expr { return this.unary('abs', a); }
  exp(a: Operand): Expr { return this.unary('exp', a); }
  log(a: Operand): Expr { return this.unary('log', a); }
  sqrt(a: Operand): Expr { return this.unary('sqrt', a); }
  square(a: Operand): Expr { return this.unary('square', a); }
  relu(a: Operand): Expr { return this.unary('relu', a); }
  sigmoid(a: Operand): Expr { return this.unary('sigmoid', a); }
  tanh(a: Operand): Expr { return this.unary('tanh', a); }
  softplus(a: Operand): Expr { return this.unary('softplus', a); }
  fround(a: Operand): Expr { return this.unary('fround', a); }
  floor(a: Operand): Expr { return this.unary('floor', a); }
  lt(a: Operand, b: Operand): Expr { return this.compare('lt', a, b); }
  le(a: Operand, b: Operand): Expr { return this.compare('le', a, b); }
  gt(a: Operand, b: Operand): Expr { return this.compare('gt', a, b); }
  ge(a: Operand, b: Operand): Expr { return this.compare('ge', a, b); }
  eq(a: Operand, b: Operand): Expr { return this.compare('eq', a, b); }
  ne(a: Operand, b: Operand): Expr { return this.compare('ne', a, b); }

  private own(x: Operand): Expr {
    if (typeof x === 'number') return this.c(x);
    if (!this.owns(x)) throw new Error('expression was built by another ExprPool: build a program from one pool');
    return x;
  }

  private intern(key: string, make: (id: number) => Expr): Expr {
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const node = Object.freeze(make(this.nodes.length));
    this.nodes.push(node);
    this.byKey.set(key, node);
    return node;
  }
}

/** Number of children of a node (see `child`: iterating without building an array). */
export function childCount(e: Expr): number {
  switch (e.kind) {
    case 'unary': return 1;
    case 'binary': case 'compare': return 2;
    case 'select': return 3;
    default: return 0;
  }
}

/** Child `i` of a node, in the order of `children`. */
export function child(e: Expr, i: number): Expr {
  if (e.kind === 'select') return i === 0 ? e.cond : i === 1 ? e.a : e.b;
  return i === 0 ? (e as { a: Expr }).a : (e as { b: Expr }).b;
}

/** Children of a node, in order. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'const': case 'var': case 'load': case 'acc': return [];
    case 'unary': return [e.a];
    case 'binary': case 'compare': return [e.a, e.b];
    case 'select': return [e.cond, e.a, e.b];
  }
}

/** All nodes reachable from `roots`, children before parents (ascending id). Iterative. */
export function reachable(roots: Iterable<Expr>): Expr[] {
  const seen = new Map<number, Expr>();
  const stack: Expr[] = Array.isArray(roots) ? roots.slice() : [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id)) continue;
    seen.set(e.id, e);
    switch (e.kind) {
      case 'unary': stack.push(e.a); break;
      case 'binary': case 'compare': stack.push(e.a, e.b); break;
      case 'select': stack.push(e.cond, e.a, e.b); break;
      default: break;
    }
  }
  return byId(seen);
}

/** The nodes of an id → node map in ascending id (a typed-array sort: no comparator calls). */
export function byId(nodes: ReadonlyMap<number, Expr>): Expr[] {
  const ids = new Int32Array(nodes.size);
  let n = 0;
  nodes.forEach((_, id) => (ids[n++] = id));
  ids.sort();
  const out = new Array<Expr>(n);
  for (let i = 0; i < n; i++) out[i] = nodes.get(ids[i]!)!;
  return out;
}

export { affine };

/** Rebuilds `e` in `pool` with its loads' indices passed through `index` (memoized per node). */
export function mapLoads(pool: ExprPool, roots: readonly Expr[], index: (ix: Affine) => Affine): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const e of reachable(roots)) {
    const c = (x: Expr) => out.get(x.id)!;
    let n: Expr;
    switch (e.kind) {
      case 'load': n = pool.load(e.buffer, index(e.index)); break;
      case 'unary': n = pool.unary(e.op, c(e.a)); break;
      case 'binary': n = pool.binary(e.op, c(e.a), c(e.b)); break;
      case 'compare': n = pool.compare(e.op, c(e.a), c(e.b)); break;
      case 'select': n = pool.select(c(e.cond), c(e.a), c(e.b)); break;
      default: n = e;
    }
    out.set(e.id, n);
  }
  return out;
}
