/**
 * Checks a program before anything is emitted: buffers inside the arena, every var used inside
 * its loop, accumulators read only after their pass, every load and store in bounds, and no
 * read-after-write hazard the emitters could not honour. Errors name the kernel and the fix.
 */
import { affineEqual, affineKey, loopExtents } from './affine.js';
import { reachable } from './expr.js';
import type {
  AccId, Affine, BufferDecl, DType, Expr, Kernel, Loop, LoopKernel, MatmulKernel, Program, Store, VarId,
} from './ir.js';
import { SCALAR_OPS } from './ops.js';
import { KERNEL_NAME, STORAGE_BYTES, STORAGES, valueType } from './ir.js';
import type { Target } from './target.js';
import { JS_TARGET } from './target.js';

/** Checks `p` for `target` (whose `maxExprHeight` bounds expression depth). */
export function validateProgram(p: Program, target: Target = JS_TARGET): void {
  const limits: Limits = { maxHeight: target.maxExprHeight, target: target.name };
  if (!Number.isInteger(p.arenaBytes) || p.arenaBytes < 0) {
    throw new Error(`program: arenaBytes must be a non-negative integer, got ${p.arenaBytes}`);
  }
  p.buffers.forEach((b, i) => checkBuffer(b, i, p.arenaBytes));
  const slot = (what: string, ids: readonly number[]) => ids.forEach((id, i) => {
    if (!Number.isInteger(id) || p.buffers[id] === undefined) {
      throw new Error(`program: ${what} slot ${i} names buffer ${id}, which does not exist`);
    }
  });
  slot('input', p.inputs);
  slot('output', p.outputs);
  p.kernels.forEach((k, i) => {
    try {
      checkKernel(k, p.buffers, limits);
    } catch (e) {
      throw new Error(`kernel ${i} (${String(k.name)}): ${(e as Error).message}`);
    }
  });
}

function checkBuffer(b: BufferDecl, i: number, arenaBytes: number): void {
  if (b.id !== i) throw new Error(`program: buffer at position ${i} has id ${b.id}; ids must be 0..n-1 in order`);
  if (!STORAGES.includes(b.dtype)) throw new Error(`buffer ${i}: dtype must be one of ${STORAGES.join(', ')}, got ${String(b.dtype)}`);
  const bytes = STORAGE_BYTES[b.dtype];
  if (!Number.isInteger(b.length) || b.length < 1) throw new Error(`buffer ${i}: length must be a positive integer, got ${b.length}`);
  if (!Number.isInteger(b.offset) || b.offset < 0 || b.offset % bytes !== 0) {
    throw new Error(`buffer ${i}: byte offset ${b.offset} must be a non-negative multiple of ${bytes} (${b.dtype})`);
  }
  const end = b.offset + b.length * bytes;
  if (end > arenaBytes) throw new Error(`buffer ${i}: bytes [${b.offset}, ${end}) exceed the arena of ${arenaBytes} bytes`);
}

function checkLoops(loops: readonly Loop[], seen: Set<VarId>): void {
  for (const l of loops) {
    if (!Number.isInteger(l.extent) || l.extent < 1) throw new Error(`loop over var ${l.v}: extent must be a positive integer, got ${l.extent}`);
    if (seen.has(l.v)) throw new Error(`var ${l.v} is bound by two loops; give each loop a fresh var`);
    seen.add(l.v);
  }
}

interface Limits { readonly maxHeight: number; readonly target: string }

/** Checks height, vars, accumulators, bounds and dtypes of every node reachable from `roots`; returns those nodes. */
function checkExprs(
  roots: readonly Expr[], where: string, extents: ReadonlyMap<VarId, number>,
  readableAccs: ReadonlyMap<AccId, DType>, buffers: readonly BufferDecl[], limits: Limits,
): Expr[] {
  const height = new Map<number, number>();
  const nodes = reachable(roots);
  const bad = (e: Expr, why: string): never => { throw new Error(`${where}: ${e.kind} node ${e.id}: ${why}`); };
  for (let n = 0; n < nodes.length; n++) {
    const e = nodes[n]!;
    // Height first (children are earlier), then scoping and bounds, then the pool's dtype rules.
    let h = 1;
    switch (e.kind) {
      case 'unary': case 'cast': case 'bitcast': h = 1 + height.get(e.a.id)!; break;
      case 'binary': case 'compare': h = 1 + Math.max(height.get(e.a.id)!, height.get(e.b.id)!); break;
      case 'select': h = 1 + Math.max(height.get(e.cond.id)!, height.get(e.a.id)!, height.get(e.b.id)!); break;
      default: break;
    }
    height.set(e.id, h);
    if (h > limits.maxHeight) {
      throw new Error(`${where}: an expression is ${h} operations deep (at most ${limits.maxHeight} for the ${limits.target} target); split the fused chain into more kernels`);
    }
    switch (e.kind) {
      case 'load': {
        checkAccess('load', e.buffer, e.index, where, extents, buffers);
        const want = valueType(buffers[e.buffer]!.dtype);
        if (e.dtype !== want) throw new Error(`${where}: a load of buffer ${e.buffer} (${buffers[e.buffer]!.dtype}) is typed ${e.dtype}, not ${want}`);
        break;
      }
      case 'var':
        if (!extents.has(e.v)) throw new Error(`${where} uses var ${e.v} outside its loop`);
        if (e.dtype !== 'i32') bad(e, 'a loop var is i32');
        break;
      case 'acc': {
        const t = readableAccs.get(e.acc);
        if (t === undefined) throw new Error(`${where} reads accumulator ${e.acc} before (or without) the pass that computes it`);
        if (t !== e.dtype) throw new Error(`${where} reads accumulator ${e.acc} as ${e.dtype}, but it is ${t}`);
        break;
      }
      case 'unary': case 'binary': case 'compare': {
        // The dtype rules of the pool, for programs assembled by hand.
        const info = SCALAR_OPS[e.op];
        if (info === undefined) bad(e, `unknown op ${String(e.op)}`);
        if (e.kind !== 'unary' && e.a.dtype !== e.b.dtype) bad(e, `operands are ${e.a.dtype} and ${e.b.dtype}`);
        if (!info.takes.includes(e.a.dtype)) bad(e, `${e.op} does not take ${e.a.dtype}`);
        if (e.dtype !== (info.result === 'bool' ? 'bool' : e.a.dtype)) bad(e, `result typed ${e.dtype}`);
        break;
      }
      case 'select':
        if (e.cond.dtype !== 'bool') bad(e, `condition is ${e.cond.dtype}, not bool`);
        if (e.a.dtype !== e.b.dtype || e.dtype !== e.a.dtype) bad(e, `branches are ${e.a.dtype} and ${e.b.dtype}`);
        break;
      case 'cast': if (e.dtype === 'bool') bad(e, 'cast to bool (compare instead)'); break;
      case 'bitcast':
        if (!((e.dtype === 'i32' && e.a.dtype === 'f32') || (e.dtype === 'f32' && e.a.dtype === 'i32'))) bad(e, `bitcast ${e.a.dtype} → ${e.dtype}`);
        break;
      default: break;
    }
  }
  return nodes;
}

function checkAccess(
  what: string, buffer: number, index: Affine, where: string,
  extents: ReadonlyMap<VarId, number>, buffers: readonly BufferDecl[],
): void {
  const b = buffers[buffer];
  if (b === undefined) throw new Error(`${where}: ${what} from buffer ${buffer}, which does not exist`);
  // Smallest and largest index reached as each var runs over [0, extent).
  let lo = index.offset;
  let hi = index.offset;
  const terms = index.terms;
  for (let i = 0; i < terms.length; i++) {
    const extent = extents.get(terms[i]!.v);
    if (extent === undefined) throw new Error(`${where}: ${what} of buffer ${buffer} uses var ${terms[i]!.v} outside its loop`);
    const span = terms[i]!.stride * (extent - 1);
    if (span < 0) lo += span;
    else hi += span;
  }
  if (lo < 0 || hi >= b.length) {
    throw new Error(`${where}: ${what} of buffer ${buffer} reaches indices [${lo}, ${hi}] but its length is ${b.length}`);
  }
}

function checkStoreType(s: Store, buffers: readonly BufferDecl[], where: string): void {
  const want = valueType(buffers[s.buffer]!.dtype);
  if (s.value.dtype !== want) {
    throw new Error(`${where}: a store into buffer ${s.buffer} (${buffers[s.buffer]!.dtype}) has a ${s.value.dtype} value; cast it to ${want}`);
  }
}

function checkKernel(k: Kernel, buffers: readonly BufferDecl[], limits: Limits): void {
  if (typeof k.name !== 'string' || !KERNEL_NAME.test(k.name)) {
    throw new Error(`kernel names must match ${KERNEL_NAME} (our op vocabulary plus indices), got ${JSON.stringify(k.name)}`);
  }
  if (k.kind === 'loops') checkLoopKernel(k, buffers, limits);
  else if (k.kind === 'matmul') checkMatmulKernel(k, buffers, limits);
  else throw new Error(`unknown kernel kind ${String((k as { kind: unknown }).kind)}`);
}

function checkLoopKernel(k: LoopKernel, buffers: readonly BufferDecl[], limits: Limits): void {
  const seen = new Set<VarId>();
  checkLoops(k.outer, seen);
  const outer = loopExtents(k.outer);
  const ready = new Map<AccId, DType>();
  const defined = new Set<AccId>();
  // Which passes load and store each buffer, for the hazard check.
  const stores = new Map<number, { pass: number; index: Affine }[]>();
  const loads = new Map<number, { pass: number; index: Affine }[]>();
  if (k.passes.length === 0) throw new Error('a loop kernel needs at least one pass');
  k.passes.forEach((pass, p) => {
    const where = `pass ${p}`;
    let nodes: Expr[] = [];
    checkLoops(pass.loops, seen);
    const extents = new Map(outer);
    for (const l of pass.loops) extents.set(l.v, l.extent);
    if (pass.kind === 'reduce') {
      if (pass.accs.length === 0) throw new Error(`${where}: a reduce pass needs at least one accumulator`);
      if (pass.loops.length === 0) throw new Error(`${where}: a reduce pass needs at least one loop`);
      for (const a of pass.accs) {
        if (defined.has(a.acc)) throw new Error(`${where}: accumulator ${a.acc} is computed twice`);
        if (a.op !== 'sum' && a.op !== 'max' && a.op !== 'min') throw new Error(`${where}: unknown reduction ${String(a.op)}`);
        defined.add(a.acc);
      }
      nodes = checkExprs(pass.accs.map((a) => a.value), where, extents, ready, buffers, limits);
      for (const a of pass.accs) {
        if (a.value.dtype === 'bool') throw new Error(`${where}: accumulator ${a.acc} folds bool values; cast them to a number`);
        ready.set(a.acc, a.value.dtype);
      }
    } else if (pass.kind === 'map') {
      if (pass.stores.length === 0) throw new Error(`${where}: a map pass needs at least one store`);
      nodes = checkExprs(pass.stores.map((s) => s.value), where, extents, ready, buffers, limits);
      for (const s of pass.stores) {
        checkAccess('store', s.buffer, s.index, where, extents, buffers);
        checkStoreType(s, buffers, where);
        push(stores, s.buffer, { pass: p, index: s.index });
      }
    } else {
      throw new Error(`${where}: unknown pass kind ${String((pass as { kind: unknown }).kind)}`);
    }
    for (let i = 0; i < nodes.length; i++) {
      const e = nodes[i]!;
      if (e.kind === 'load') push(loads, e.buffer, { pass: p, index: e.index });
    }
  });
  // In place is fine only pointwise: a buffer written by this kernel may be read in the same pass,
  // at exactly the index written (values are read before the iteration's stores).
  for (const [buffer, ws] of stores) {
    for (const r of loads.get(buffer) ?? []) {
      const ok = ws.some((w) => w.pass === r.pass && affineEqual(w.index, r.index));
      if (!ok) {
        throw new Error(
          `buffer ${buffer} is written (pass ${ws.map((w) => w.pass).join(',')}) and read at another index or in another pass ` +
          `(pass ${r.pass}, index ${affineKey(r.index)}); in place is only pointwise: give the result its own buffer`);
      }
    }
  }
}

function checkMatmulKernel(k: MatmulKernel, buffers: readonly BufferDecl[], limits: Limits): void {
  const seen = new Set<VarId>();
  checkLoops([...k.batch, k.i, k.j, k.k], seen);
  const batch = loopExtents(k.batch);
  const none = new Map<AccId, DType>();
  const ext = (...ls: Loop[]) => {
    const m = new Map(batch);
    for (const l of ls) m.set(l.v, l.extent);
    return m;
  };
  const aNodes = checkExprs([k.a], 'operand a (may use batch, i, k)', ext(k.i, k.k), none, buffers, limits);
  const bNodes = checkExprs([k.b], 'operand b (may use batch, k, j)', ext(k.k, k.j), none, buffers, limits);
  if (k.a.dtype !== k.b.dtype || (k.a.dtype !== 'f32' && k.a.dtype !== 'f64')) {
    throw new Error(`operands are ${k.a.dtype} and ${k.b.dtype}; a contraction takes two f32 or two f64 operands`);
  }
  if (!(k.accType === k.a.dtype || (k.accType === 'f64' && k.a.dtype === 'f32'))) {
    throw new Error(`accumulator type ${String(k.accType)} for ${k.a.dtype} operands; use ${k.a.dtype === 'f64' ? 'f64' : 'f32 (or f64, wider)'}`);
  }
  if (k.stores.length === 0) throw new Error('a matmul kernel needs at least one store');
  const where = 'epilogue (may use batch, i, j, acc)';
  const epilogue = checkExprs(k.stores.map((s) => s.value), where, ext(k.i, k.j), new Map([[k.acc, k.accType]]), buffers, limits);
  for (const s of k.stores) checkStoreType(s, buffers, where);
  const operandLoads = [...aNodes, ...bNodes].filter((e) => e.kind === 'load');
  const epilogueLoads = epilogue.filter((e) => e.kind === 'load');
  for (const s of k.stores) {
    checkAccess('store', s.buffer, s.index, where, ext(k.i, k.j), buffers);
    if (operandLoads.some((e) => e.kind === 'load' && e.buffer === s.buffer)) {
      throw new Error(`buffer ${s.buffer} is both an operand and an output of the matmul; give the output its own buffer`);
    }
    for (const e of epilogueLoads) {
      if (e.kind === 'load' && e.buffer === s.buffer && !affineEqual(e.index, s.index)) {
        throw new Error(`buffer ${s.buffer} is written by the epilogue and read at another index; give the output its own buffer`);
      }
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
