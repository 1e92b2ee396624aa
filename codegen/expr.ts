/**
 * Hash-consed typed scalar expressions. Building the same expression twice returns the same
 * node, so a common subexpression is one node and the plan computes it once. The pool checks
 * dtypes as it builds (an f32 plus an f64 is an error: cast one), folds constants with the
 * vocabulary's meaning, applies a few exact identities (x+0, x·1, x/1, −(−x)) and orders
 * commutative operands. A number operand becomes a constant of the other operand's dtype.
 */
import { affine, affineCopy, affineKey, canonicalAffine } from './affine.js';
import type {
  AccId, Affine, BufferId, DType, Expr, Loop, Program, Storage, VarId,
} from './ir.js';
import { valueType } from './ir.js';
import type { BinaryOp, CompareOp, ScalarOp, UnaryOp } from './ops.js';
import { SCALAR_OPS } from './ops.js';
import { evalBitcast, evalCast, evalOp, toDType } from './scalar.js';

type Operand = Expr | number;

/**
 * The pool's state. Its builders are the module-level functions below (`binaryIn(pool, 'add',
 * a, b)`, …), which a first compile compiles with the module (class methods are compiled lazily,
 * at their first call); the methods are the same builders, for callers that like `pool.add(a, b)`.
 */
export class ExprPool {
  /** Hash-consing table (key → node), nodes by id, accumulator dtypes, the next var: the builders' state. */
  readonly byKey: Map<string, Expr>;
  readonly nodes: Expr[];
  readonly accTypes: DType[];
  nextVar: number;
  /** Each buffer's element type (loads take their dtype from it). */
  readonly storageOf: ((buffer: BufferId) => Storage | undefined) | undefined;

  constructor(storageOf?: (buffer: BufferId) => Storage | undefined) {
    this.byKey = new Map();
    this.nodes = [];
    this.accTypes = [];
    this.nextVar = 0;
    this.storageOf = storageOf;
  }

  /**
   * A pool that can rebuild `p`'s expressions (its vars and accumulators keep their ids, with
   * the accumulators' dtypes): passes that rewrite a finished program build into it.
   */
  static forProgram(p: Program): ExprPool {
    return poolForProgram(p);
  }

  /** Rebuilds a node of another pool here (its leaves re-made, memoized per call through `memo`). */
  adopt(e: Expr, memo: Map<Expr, Expr> = new Map()): Expr {
    return rebuildInto(this, e, memo);
  }

  /** A fresh loop variable, unique in this pool. */
  newVar(): VarId { return newVarIn(this); }
  /** A fresh accumulator id of `dtype`, unique in this pool. */
  newAcc(dtype: DType = 'f32'): AccId { return newAccIn(this, dtype); }
  accType(acc: AccId): DType { return accTypeIn(this, acc); }

  /** Number of nodes built so far. */
  get size(): number {
    return this.nodes.length;
  }

  /** True when `e` was built by this pool. */
  owns(e: Expr): boolean {
    return this.nodes[e.id] === e;
  }

  /** A constant of `dtype` (default f32); the value must be exact in it. */
  c(value: number, dtype: DType = 'f32'): Expr { return constIn(this, value, dtype); }
  /** The nearest f32 to `value` as a constant (for coefficients written in decimal). */
  f32(value: number): Expr { return constIn(this, Math.fround(value), 'f32'); }
  f64(value: number): Expr { return constIn(this, value, 'f64'); }
  i32(value: number): Expr { return constIn(this, value, 'i32'); }
  bool(value: boolean): Expr { return constIn(this, value ? 1 : 0, 'bool'); }
  /** A loop variable's value (i32). */
  v(v: VarId): Expr { return varIn(this, v); }
  /** buffer[index], of the buffer's value type (`storage` when the pool has no buffer table). */
  load(buffer: BufferId, index: Affine, storage?: Storage): Expr { return loadIn(this, buffer, index, storage); }
  acc(acc: AccId): Expr { return accIn(this, acc); }
  unary(op: UnaryOp, x: Operand): Expr { return unaryIn(this, op, x); }
  binary(op: BinaryOp, x: Operand, y: Operand): Expr { return binaryIn(this, op, x, y); }
  compare(op: CompareOp, x: Operand, y: Operand): Expr { return compareIn(this, op, x, y); }
  /** cond ? a : b; cond is a bool, a and b of one dtype. */
  select(cond: Expr, x: Operand, y: Operand): Expr { return selectIn(this, cond, x, y); }
  /** A value conversion to `dtype` (see CastExpr); a no-op when it already has that dtype. */
  cast(x: Expr, dtype: DType): Expr { return castIn(this, x, dtype); }
  /** The same 32 bits as the other type: f32 ↔ i32. */
  bitcast(x: Expr, dtype: 'f32' | 'i32'): Expr { return bitcastIn(this, x, dtype); }

  // ---- sugar ----
  add(a: Operand, b: Operand): Expr { return binaryIn(this, 'add', a, b); }
  sub(a: Operand, b: Operand): Expr { return binaryIn(this, 'sub', a, b); }
  mul(a: Operand, b: Operand): Expr { return binaryIn(this, 'mul', a, b); }
  div(a: Operand, b: Operand): Expr { return binaryIn(this, 'div', a, b); }
  max(a: Operand, b: Operand): Expr { return binaryIn(this, 'max', a, b); }
  min(a: Operand, b: Operand): Expr { return binaryIn(this, 'min', a, b); }
  pow(a: Operand, b: Operand): Expr { return binaryIn(this, 'pow', a, b); }
  neg(a: Operand): Expr { return unaryIn(this, 'neg', a); }
  abs(a: Operand): Expr { return unaryIn(this, 'abs', a); }
  exp(a: Operand): Expr { return unaryIn(this, 'exp', a); }
  log(a: Operand): Expr { return unaryIn(this, 'log', a); }
  sqrt(a: Operand): Expr { return unaryIn(this, 'sqrt', a); }
  /** x·x (one node used twice). */
  square(a: Operand): Expr { const x = own(this, a, 'f32'); return binaryIn(this, 'mul', x, x); }
  relu(a: Operand): Expr { return unaryIn(this, 'relu', a); }
  sigmoid(a: Operand): Expr { return unaryIn(this, 'sigmoid', a); }
  tanh(a: Operand): Expr { return unaryIn(this, 'tanh', a); }
  softplus(a: Operand): Expr { return unaryIn(this, 'softplus', a); }
  floor(a: Operand): Expr { return unaryIn(this, 'floor', a); }
  lt(a: Operand, b: Operand): Expr { return compareIn(this, 'lt', a, b); }
  le(a: Operand, b: Operand): Expr { return compareIn(this, 'le', a, b); }
  gt(a: Operand, b: Operand): Expr { return compareIn(this, 'gt', a, b); }
  ge(a: Operand, b: Operand): Expr { return compareIn(this, 'ge', a, b); }
  eq(a: Operand, b: Operand): Expr { return compareIn(this, 'eq', a, b); }
  ne(a: Operand, b: Operand): Expr { return compareIn(this, 'ne', a, b); }
}

function poolForProgram(p: Program): ExprPool {
  const pool = new ExprPool((id) => p.buffers[id]?.dtype);
  let maxVar = -1;
  const accs = new Map<AccId, DType>();
  const loops = (ls: readonly Loop[]) => { for (const l of ls) maxVar = Math.max(maxVar, l.v); };
  for (const k of p.kernels) {
    if (k.kind === 'matmul') {
      loops([...k.batch, k.i, k.j, k.k]);
      accs.set(k.acc, k.accType);
    } else {
      loops(k.outer);
      for (const ps of k.passes) {
        loops(ps.loops);
        if (ps.kind === 'reduce') for (const a of ps.accs) accs.set(a.acc, a.value.dtype);
      }
    }
  }
  pool.nextVar = maxVar + 1;
  const n = Math.max(-1, ...accs.keys()) + 1;
  for (let a = 0; a < n; a++) pool.accTypes.push(accs.get(a) ?? 'f32');
  return pool;
}

/** A fresh loop variable, unique in `pool`. */
export function newVarIn(pool: ExprPool): VarId {
  return pool.nextVar++;
}

/** A fresh accumulator id of `dtype`, unique in `pool`. */
export function newAccIn(pool: ExprPool, dtype: DType): AccId {
  if (dtype !== 'f32' && dtype !== 'f64' && dtype !== 'i32') throw new Error(`accumulator: dtype must be f32, f64 or i32, got ${String(dtype)}`);
  pool.accTypes.push(dtype);
  return pool.accTypes.length - 1;
}

export function accTypeIn(pool: ExprPool, acc: AccId): DType {
  const t = pool.accTypes[acc];
  if (t === undefined) throw new Error(`acc: ${acc} was not created by this pool (use newAcc())`);
  return t;
}

/** A constant of `dtype`; the value must be exact in it. */
export function constIn(pool: ExprPool, value: number, dtype: DType): Expr {
  if (typeof value !== 'number') throw new Error(`constant: expected a number, got ${typeof value}`);
  // −0 is 0 for integers and booleans.
  if ((dtype === 'i32' || dtype === 'bool') && Object.is(value, -0)) value = 0;
  if (!Object.is(toDType(dtype, value), value) && !(Number.isNaN(value) && (dtype === 'f32' || dtype === 'f64'))) {
    throw new Error(`constant: ${value} is not exactly representable as ${dtype}; round it first (Math.fround for f32)`);
  }
  const key = `c${dtype}:${Object.is(value, -0) ? '-0' : value}`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'const', dtype, undefined, undefined, undefined, undefined, value));
}

/** A loop variable's value (i32). */
export function varIn(pool: ExprPool, v: VarId): Expr {
  if (!Number.isInteger(v) || v < 0 || v >= pool.nextVar) {
    throw new Error(`var: ${v} was not created by this pool (use newVar())`);
  }
  const key = `v${v}`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'var', 'i32', undefined, undefined, undefined, undefined, undefined, v));
}

/** buffer[index], of the buffer's value type (`storage` when the pool has no buffer table). */
export function loadIn(pool: ExprPool, buffer: BufferId, index: Affine, storage?: Storage): Expr {
  if (!Number.isInteger(buffer) || buffer < 0) throw new Error(`load: bad buffer id ${buffer}`);
  const s = storage ?? pool.storageOf?.(buffer);
  if (s === undefined) throw new Error(`load: buffer ${buffer} has no declared storage type`);
  const dtype = valueType(s);
  const ix = canonicalAffine(index);
  const key = `L${buffer}:${dtype}@${affineKey(ix)}`;
  // The node holds an index of its own (a copy).
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'load', dtype, undefined, undefined, undefined, undefined, undefined, undefined, buffer, ix === index ? affineCopy(ix) : ix));
}

export function accIn(pool: ExprPool, acc: AccId): Expr {
  const dtype = accTypeIn(pool, acc);
  const key = `a${acc}`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'acc', dtype, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, acc));
}

export function unaryIn(pool: ExprPool, op: UnaryOp, x: Operand): Expr {
  const info = SCALAR_OPS[op];
  if (info === undefined || info.kind !== 'unary') throw new Error(`unary: unknown op '${String(op)}'`);
  const a = own(pool, x, 'f32');
  if (!info.takes.includes(a.dtype)) check(op, a.dtype);
  if (a.kind === 'const') return constIn(pool, evalOp(op, a.dtype, a.value), a.dtype);
  if ((op === 'neg' || op === 'not') && a.kind === 'unary' && a.op === op) return a.a;
  const key = `u${op}(${a.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'unary', a.dtype, op, undefined, a));
}

export function binaryIn(pool: ExprPool, op: BinaryOp, x: Operand, y: Operand): Expr {
  const info = SCALAR_OPS[op];
  if (info === undefined || info.kind !== 'binary') throw new Error(`binary: unknown op '${String(op)}'`);
  const dtype = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'f32';
  let a = own(pool, x, dtype);
  let b = own(pool, y, dtype);
  if (a.dtype !== b.dtype || !info.takes.includes(a.dtype)) pairError(op, a, b);
  const dt = a.dtype;
  if (a.kind === 'const' || b.kind === 'const') {
    if (a.kind === 'const' && b.kind === 'const') return constIn(pool, evalOp(op, dt, a.value, b.value), dt);
    if (info.commutative && a.id > b.id) {
      const t = a;
      a = b;
      b = t;
    }
    if (op === 'add' && dt === 'i32' && isConst(a, 0)) return b;
    if (op === 'add' && dt === 'i32' && isConst(b, 0)) return a;
    // x + (−0) = x exactly, also for x = −0; x + 0 is not (−0 + 0 = +0), so floats keep it.
    if (op === 'add' && b.kind === 'const' && Object.is(b.value, -0)) return a;
    if (op === 'add' && a.kind === 'const' && Object.is(a.value, -0)) return b;
    if (op === 'sub' && isConst(b, 0)) return a;
    if (op === 'mul' && isConst(a, 1)) return b;
    if ((op === 'mul' || op === 'div' || op === 'pow') && isConst(b, 1)) return a;
    if ((op === 'shl' || op === 'shrS' || op === 'shrU') && isConst(b, 0)) return a;
  } else if (info.commutative && a.id > b.id) {
    const t = a;
    a = b;
    b = t;
  }
  const key = `b${op}(${a.id},${b.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'binary', dt, op, undefined, a, b));
}

export function compareIn(pool: ExprPool, op: CompareOp, x: Operand, y: Operand): Expr {
  const info = SCALAR_OPS[op];
  if (info === undefined || info.kind !== 'compare') throw new Error(`compare: unknown op '${String(op)}'`);
  const dtype = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'f32';
  let a = own(pool, x, dtype);
  let b = own(pool, y, dtype);
  if (a.dtype !== b.dtype || !info.takes.includes(a.dtype)) pairError(op, a, b);
  if (a.kind === 'const' && b.kind === 'const') return constIn(pool, evalOp(op, a.dtype, a.value, b.value), 'bool');
  if (info.commutative && a.id > b.id) {
    const t = a;
    a = b;
    b = t;
  }
  const key = `k${op}(${a.id},${b.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'compare', 'bool', op, undefined, a, b));
}

/** cond ? a : b; cond is a bool, a and b of one dtype. */
export function selectIn(pool: ExprPool, cond: Expr, x: Operand, y: Operand): Expr {
  const c = own(pool, cond, 'bool');
  if (c.dtype !== 'bool') throw new Error(`select: the condition is ${c.dtype}; compare it (ne(x, 0)) to get a bool`);
  const dtype = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'f32';
  const a = own(pool, x, dtype);
  const b = own(pool, y, dtype);
  if (a.dtype !== b.dtype) pairError('select', a, b);
  if (c.kind === 'const') return c.value !== 0 ? a : b;
  if (a === b) return a;
  const key = `s(${c.id},${a.id},${b.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'select', a.dtype, undefined, c, a, b));
}

/** A value conversion to `dtype` (see CastExpr); a no-op when it already has that dtype. */
export function castIn(pool: ExprPool, x: Expr, dtype: DType): Expr {
  const a = own(pool, x, dtype);
  if (a.dtype === dtype) return a;
  if (dtype === 'bool') throw new Error(`cast: to get a bool from ${a.dtype}, compare it (ne(x, 0))`);
  if (a.kind === 'const') return constIn(pool, evalCast(a.dtype, dtype, a.value), dtype);
  // f32 → f64 → f32 is the identity.
  if (a.kind === 'cast' && a.a.dtype === dtype && a.dtype === 'f64' && dtype === 'f32') return a.a;
  const key = `C${dtype}(${a.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'cast', dtype, undefined, undefined, a));
}

/** The same 32 bits as the other type: f32 ↔ i32. */
export function bitcastIn(pool: ExprPool, x: Expr, dtype: 'f32' | 'i32'): Expr {
  const a = own(pool, x, dtype);
  const ok = (a.dtype === 'f32' && dtype === 'i32') || (a.dtype === 'i32' && dtype === 'f32');
  if (!ok) throw new Error(`bitcast: only f32 ↔ i32, got ${a.dtype} → ${dtype}`);
  if (a.kind === 'const') return constIn(pool, evalBitcast(dtype, a.value), dtype);
  if (a.kind === 'bitcast') return a.a;
  const key = `B${dtype}(${a.id})`;
  return pool.byKey.get(key) ?? addNode(pool, key, node(pool.nodes.length, 'bitcast', dtype, undefined, undefined, a));
}

/** Throws for two operands of different dtypes, or of one dtype `op` does not take. */
function pairError(op: ScalarOp | 'select', a: Expr, b: Expr): never {
  if (a.dtype !== b.dtype) throw new Error(`${op}: operands are ${a.dtype} and ${b.dtype}; cast one of them`);
  check(op as ScalarOp, a.dtype);
  throw new Error(`internal: ${op} operands`);
}

function check(op: ScalarOp, dtype: DType): void {
  if (!SCALAR_OPS[op].takes.includes(dtype)) {
    throw new Error(`${op}: does not take ${dtype} operands (it takes ${SCALAR_OPS[op].takes.join(', ')})`);
  }
}

/** An operand as a node of `pool`: a number becomes a constant of `dtype`. */
function own(pool: ExprPool, x: Operand, dtype: DType): Expr {
  if (typeof x === 'number') return constIn(pool, dtype === 'f32' ? Math.fround(x) : dtype === 'i32' ? x | 0 : x, dtype);
  if (pool.nodes[x.id] !== x) throw new Error('expression was built by another ExprPool: build a program from one pool');
  return x;
}

/** Adds a new node (frozen) under its hash-consing key. */
function addNode(pool: ExprPool, key: string, node: Expr): Expr {
  Object.freeze(node);
  pool.nodes.push(node);
  pool.byKey.set(key, node);
  return node;
}

/**
 * A node with every field of every kind (undefined where its kind has none), always in this
 * order: all nodes share one hidden class, so reading a node's field is a monomorphic property
 * load in every pass that walks expressions.
 */
function node(
  id: number, kind: Expr['kind'], dtype: DType, op?: ScalarOp, cond?: Expr, a?: Expr, b?: Expr,
  value?: number, v?: VarId, buffer?: BufferId, index?: Affine, acc?: AccId,
): Expr {
  return { id, kind, dtype, op, cond, a, b, value, v, buffer, index, acc } as unknown as Expr;
}

/** e is the constant v (not −0). */
function isConst(e: Expr, v: number): boolean {
  return e.kind === 'const' && e.value === v && !Object.is(e.value, -0);
}

/** Number of children of a node (see `child`: iterating without building an array). */
export function childCount(e: Expr): number {
  switch (e.kind) {
    case 'unary': case 'cast': case 'bitcast': return 1;
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
  const n = childCount(e);
  const out: Expr[] = [];
  for (let i = 0; i < n; i++) out.push(child(e, i));
  return out;
}

/**
 * All nodes reachable from `roots`, children before parents (ascending id). Iterative. With
 * `done`, nodes it accepts are left out and not looked below (e.g. those a memo already holds,
 * when everything below a memoized node is memoized too).
 */
export function reachable(roots: Iterable<Expr>, done?: (e: Expr) => boolean): Expr[] {
  const seen = new Map<number, Expr>();
  const stack: Expr[] = Array.isArray(roots) ? roots.slice() : [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id) || (done !== undefined && done(e))) continue;
    seen.set(e.id, e);
    for (let i = 0, n = childCount(e); i < n; i++) stack.push(child(e, i));
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

/**
 * The nodes under `roots` once each, in ascending id (children first), with each node's children
 * as positions in that list: one walk of a kernel's DAG, then every question over plain arrays.
 */
export interface NodeIndex {
  /** The nodes, ascending id. */
  readonly nodes: readonly Expr[];
  /** Position of each node, by id. */
  readonly positions: ReadonlyMap<number, number>;
  /** childCount of node i. */
  readonly counts: Uint8Array;
  /** Positions of node i's children, in `child` order, at 3i, 3i + 1, 3i + 2. */
  readonly kids: Int32Array;
}

export function indexNodes(roots: readonly Expr[]): NodeIndex {
  const nodes = reachable(roots);
  const n = nodes.length;
  const positions = new Map<number, number>();
  for (let i = 0; i < n; i++) positions.set(nodes[i]!.id, i);
  const counts = new Uint8Array(n);
  const kids = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const e = nodes[i]!;
    const nc = childCount(e);
    counts[i] = nc;
    for (let c = 0; c < nc; c++) kids[3 * i + c] = positions.get(child(e, c).id)!;
  }
  return { nodes, positions, counts, kids };
}

/** 1 at the positions of the nodes under `roots` (nodes of `index`), else 0. */
export function marksUnder(index: NodeIndex, roots: readonly Expr[]): Uint8Array {
  const { counts, kids } = index;
  const mark = new Uint8Array(index.nodes.length);
  const stack: number[] = [];
  for (let r = 0; r < roots.length; r++) stack.push(index.positions.get(roots[r]!.id)!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (mark[i] === 1) continue;
    mark[i] = 1;
    for (let c = 0, nc = counts[i]!; c < nc; c++) stack.push(kids[3 * i + c]!);
  }
  return mark;
}

export { affine };

/**
 * Rebuilds the nodes under `roots` in `pool`, bottom-up: `leaf` may replace a leaf (load, var,
 * acc, const) and `node` an op node whose children were rebuilt (memoized per node).
 */
export function rebuild(
  pool: ExprPool, roots: readonly Expr[],
  leaf: (e: Expr) => Expr = (e) => e,
  node?: (e: Expr, kids: readonly Expr[]) => Expr | undefined,
): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const e of reachable(roots)) {
    const c = (x: Expr) => out.get(x.id)!;
    let n: Expr | undefined;
    if (childCount(e) === 0) n = leaf(e);
    else {
      const kids = children(e).map(c);
      n = node?.(e, kids) ?? remake(pool, e, kids);
    }
    out.set(e.id, n);
  }
  return out;
}

/** A leaf (const, var, acc, load) built again in `pool`; undefined for an op node. */
export function leafIn(pool: ExprPool, e: Expr): Expr | undefined {
  switch (e.kind) {
    case 'const': return constIn(pool, e.value, e.dtype);
    case 'var': return varIn(pool, e.v);
    case 'acc': return accIn(pool, e.acc);
    case 'load': return loadIn(pool, e.buffer, e.index);
    default: return undefined;
  }
}

/** `e` with new children (same op, dtype rules re-checked). */
export function remake(pool: ExprPool, e: Expr, k: readonly Expr[]): Expr {
  switch (e.kind) {
    case 'unary': return unaryIn(pool, e.op, k[0]!);
    case 'binary': return binaryIn(pool, e.op, k[0]!, k[1]!);
    case 'compare': return compareIn(pool, e.op, k[0]!, k[1]!);
    case 'select': return selectIn(pool, k[0]!, k[1]!, k[2]!);
    case 'cast': return castIn(pool, k[0]!, e.dtype);
    case 'bitcast': return bitcastIn(pool, k[0]!, e.dtype as 'f32' | 'i32');
    default: return e;
  }
}

/** Rebuilds `e` in `pool` with its loads' indices passed through `index` (memoized per node). */
export function mapLoads(pool: ExprPool, roots: readonly Expr[], index: (ix: Affine) => Affine): Map<number, Expr> {
  return rebuild(pool, roots, (e) => (e.kind === 'load' ? loadIn(pool, e.buffer, index(e.index), storageOfLoad(e)) : e));
}

/** A storage type that loads as `e`'s dtype (u8 and i32 both load as i32; the index is unchanged so i32 is safe for rebuilding). */
function storageOfLoad(e: Expr & { kind: 'load' }): Storage {
  return e.dtype === 'i32' ? 'i32' : (e.dtype as Storage);
}

/** `e` built again in `pool` from its leaves up (iterative; `memo` maps old nodes to new). */
function rebuildInto(pool: ExprPool, root: Expr, memo: Map<Expr, Expr>): Expr {
  if (pool.nodes[root.id] === root) return root;
  for (const e of reachable([root], (x) => memo.has(x))) {
    memo.set(e, leafIn(pool, e) ?? remake(pool, e, children(e).map((c) => memo.get(c)!)));
  }
  return memo.get(root)!;
}
