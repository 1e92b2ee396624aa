/**
 * Checks a program before anything is emitted: buffers inside the arena, every var used inside
 * its loop, accumulators read only after their pass, every load and store in bounds, and no
 * read-after-write hazard the emitters could not honour. Errors name the kernel and the fix.
 */
import { affineEqual, affineKey, affineRange, loopExtents } from './affine.js';
import { child, childCount, reachable } from './expr.js';
import type {
  AccId, Affine, BufferDecl, Expr, Kernel, Loop, LoopKernel, MatmulKernel, Program, VarId,
} from './ir.js';
import { DTYPE_BYTES, KERNEL_NAME } from './ir.js';

/** Emitters recurse over expressions: a fused chain deeper than this must be split by the scheduler. */
export const MAX_EXPR_HEIGHT = 256;

export function validateProgram(p: Program): void {
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
      checkKernel(k, p.buffers);
    } catch (e) {
      throw new Error(`kernel ${i} (${String(k.name)}): ${(e as Error).message}`);
    }
  });
}

function checkBuffer(b: BufferDecl, i: number, arenaBytes: number): void {
  if (b.id !== i) throw new Error(`program: buffer at position ${i} has id ${b.id}; ids must be 0..n-1 in order`);
  if (b.dtype !== 'f32' && b.dtype !== 'f64') throw new Error(`buffer ${i}: dtype must be 'f32' or 'f64', got ${String(b.dtype)}`);
  const bytes = DTYPE_BYTES[b.dtype];
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

/** Checks vars, accumulators and bounds of every node reachable from `roots`; returns those nodes. */
function checkExprs(
  roots: readonly Expr[], where: string, extents: ReadonlyMap<VarId, number>,
  readableAccs: ReadonlySet<AccId>, buffers: readonly BufferDecl[],
): Expr[] {
  const height = new Map<number, number>();
  const nodes = reachable(roots);
  for (let n = 0; n < nodes.length; n++) {
    const e = nodes[n]!;
    let h = 1;
    for (let i = 0, k = childCount(e); i < k; i++) h = Math.max(h, 1 + height.get(child(e, i).id)!);
    height.set(e.id, h);
    if (h > MAX_EXPR_HEIGHT) {
      throw new Error(`${where}: an expression is ${h} operations deep (at most ${MAX_EXPR_HEIGHT}); split the fused chain into more kernels`);
    }
    if (e.kind === 'var' && !extents.has(e.v)) throw new Error(`${where} uses var ${e.v} outside its loop`);
    if (e.kind === 'acc' && !readableAccs.has(e.acc)) {
      throw new Error(`${where} reads accumulator ${e.acc} before (or without) the pass that computes it`);
    }
    if (e.kind === 'load') checkAccess('load', e.buffer, e.index, where, extents, buffers);
  }
  return nodes;
}

function checkAccess(
  what: string, buffer: number, index: Affine, where: string,
  extents: ReadonlyMap<VarId, number>, buffers: readonly BufferDecl[],
): void {
  const b = buffers[buffer];
  if (b === undefined) throw new Error(`${where}: ${what} from buffer ${buffer}, which does not exist`);
  for (const t of index.terms) {
    if (!extents.has(t.v)) throw new Error(`${where}: ${what} of buffer ${buffer} uses var ${t.v} outside its loop`);
  }
  const [lo, hi] = affineRange(index, extents);
  if (lo < 0 || hi >= b.length) {
    throw new Error(`${where}: ${what} of buffer ${buffer} reaches indices [${lo}, ${hi}] but its length is ${b.length}`);
  }
}

function checkKernel(k: Kernel, buffers: readonly BufferDecl[]): void {
  if (typeof k.name !== 'string' || !KERNEL_NAME.test(k.name)) {
    throw new Error(`kernel names must match ${KERNEL_NAME} (our op vocabulary plus indices), got ${JSON.stringify(k.name)}`);
  }
  if (k.kind === 'loops') checkLoopKernel(k, buffers);
  else if (k.kind === 'matmul') checkMatmulKernel(k, buffers);
  else throw new Error(`unknown kernel kind ${String((k as { kind: unknown }).kind)}`);
}

function checkLoopKernel(k: LoopKernel, buffers: readonly BufferDecl[]): void {
  const seen = new Set<VarId>();
  checkLoops(k.outer, seen);
  const outer = loopExtents(k.outer);
  const ready = new Set<AccId>();
  const defined = new Set<AccId>();
  // Which passes load and store each buffer, for the hazard check.
  const stores = new Map<number, { pass: number; index: Affine }[]>();
  const loads = new Map<number, { pass: number; index: Affine }[]>();
  if (k.passes.length === 0) throw new Error('a loop kernel needs at least one pass');
  k.passes.forEach((pass, p) => {
    const where = `pass ${p}`;
    let nodes: Expr[] = [];
    checkLoops(pass.loops, seen);
    const extents = new Map([...outer, ...loopExtents(pass.loops)]);
    if (pass.kind === 'reduce') {
      if (pass.accs.length === 0) throw new Error(`${where}: a reduce pass needs at least one accumulator`);
      if (pass.loops.length === 0) throw new Error(`${where}: a reduce pass needs at least one loop`);
      for (const a of pass.accs) {
        if (defined.has(a.acc)) throw new Error(`${where}: accumulator ${a.acc} is computed twice`);
        if (a.op !== 'sum' && a.op !== 'max' && a.op !== 'min') throw new Error(`${where}: unknown reduction ${String(a.op)}`);
        defined.add(a.acc);
      }
      nodes = checkExprs(pass.accs.map((a) => a.value), where, extents, ready, buffers);
      for (const a of pass.accs) ready.add(a.acc);
    } else if (pass.kind === 'map') {
      if (pass.stores.length === 0) throw new Error(`${where}: a map pass needs at least one store`);
      nodes = checkExprs(pass.stores.map((s) => s.value), where, extents, ready, buffers);
      for (const s of pass.stores) {
        checkAccess('store', s.buffer, s.index, where, extents, buffers);
        push(stores, s.buffer, { pass: p, index: s.index });
      }
    } else {
      throw new Error(`${where}: unknown pass kind ${String((pass as { kind: unknown }).kind)}`);
    }
    for (const e of nodes) if (e.kind === 'load') push(loads, e.buffer, { pass: p, index: e.index });
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

function checkMatmulKernel(k: MatmulKernel, buffers: readonly BufferDecl[]): void {
  const seen = new Set<VarId>();
  checkLoops([...k.batch, k.i, k.j, k.k], seen);
  const batch = loopExtents(k.batch);
  const none = new Set<AccId>();
  const ext = (...ls: Loop[]) => new Map([...batch, ...loopExtents(ls)]);
  const aNodes = checkExprs([k.a], 'operand a (may use batch, i, k)', ext(k.i, k.k), none, buffers);
  const bNodes = checkExprs([k.b], 'operand b (may use batch, k, j)', ext(k.k, k.j), none, buffers);
  if (k.stores.length === 0) throw new Error('a matmul kernel needs at least one store');
  const where = 'epilogue (may use batch, i, j, acc)';
  const epilogue = checkExprs(k.stores.map((s) => s.value), where, ext(k.i, k.j), new Set([k.acc]), buffers);
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
