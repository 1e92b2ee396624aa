/**
 * One kernel of the schedule as one kernel of the kernel IR: its loops declared with vars of the
 * pool, its terms turned into scalar expressions (values.ts), accumulators (of the target's
 * contraction dtype) and epilogues. Reads only the schedule's data (schedule/schedule.ts).
 */
import { accIn, binaryIn, castIn, compareIn, constIn, newAccIn, selectIn, unaryIn, valueType } from '../../codegen/index.js';
import type { AccId, DType, Expr, ExprPool, Kernel, Pass, ReduceOp, Store } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type {
  AssembleSchedule, ElementwiseSchedule, KernelSchedule, MatmulSchedule, RowsSchedule, StoreSpec, Term,
} from '../schedule/schedule.js';
import type { KernelBuild, LowerState } from './state.js';
import { declareLoop, declareLoops, dests, matmulAccumulator, newBuild, poolAffine, saw } from './state.js';
import { asType, irType, leafValue, opValue } from './values.js';

/** The kernel for `k`, or undefined when it stores nothing (all its values were fused away). */
export function lowerKernel(k: KernelSchedule, name: string, st: LowerState): Kernel | undefined {
  switch (k.kind) {
    case 'elementwise': return lowerElementwise(k, name, st);
    case 'rows': return lowerRows(k, name, st);
    case 'matmul': return lowerMatmul(k, name, st);
    case 'assemble': return lowerAssemble(k, name, st);
  }
}

/** The expression of term `t`, built once per stage of the kernel. */
function expr(b: KernelBuild, t: Term): Expr {
  const hit = b.memo.get(t);
  if (hit !== undefined) return hit;
  let v: Expr;
  if (t.kind === 'op') {
    const args = t.args;
    const x = expr(b, args[0]!);
    const y = args.length > 1 ? expr(b, args[1]!) : undefined;
    const z = args.length > 2 ? expr(b, args[2]!) : undefined;
    v = opValue(b, t, x, y, z);
  } else if (t.kind === 'anchor') {
    saw(b.st, t.node);
    v = anchorValue(b, t.node, t.input && expr(b, t.input));
  } else {
    v = leafValue(b, t);
  }
  b.memo.set(t, v);
  return v;
}

/** This kernel's own anchor `t` where it is available (`x`: a softmax's input at that element). */
function anchorValue(b: KernelBuild, t: Tensor, x: Expr | undefined): Expr {
  const e = b.e;
  const reads = b.anchors;
  if (reads === undefined) throw new Error(`internal: ${t} read where it is not available`);
  // The sum as the epilogue reads it: rounded to the operands' dtype where it ran wider.
  if (reads.kind === 'sum') return castIn(e, accIn(e, reads.acc), reads.dtype);
  const a = reads.accs.get(t)!;
  switch (t.op) {
    case 'sum': case 'max': return accIn(e, a.s);
    case 'logSumExp': return binaryIn(e, 'add', finiteShift(e, accIn(e, a.m!)), unaryIn(e, 'log', accIn(e, a.s)));
    case 'softmax': {
      const shifted = binaryIn(e, 'sub', castIn(e, x!, irType(t)), finiteShift(e, accIn(e, a.m!)));
      return binaryIn(e, 'div', unaryIn(e, 'exp', shifted), accIn(e, a.s));
    }
    case 'logSoftmax': {
      const shifted = binaryIn(e, 'sub', castIn(e, x!, irType(t)), finiteShift(e, accIn(e, a.m!)));
      return binaryIn(e, 'sub', shifted, unaryIn(e, 'log', accIn(e, a.s)));
    }
    default: throw new Error(`internal: ${t.op} is not a rows anchor`);
  }
}

/**
 * The stores of `specs`, appended to `out`: each one's destinations are asked for before its
 * value is built (a node's own buffer is numbered when first asked for, so buffers are numbered
 * in store order).
 */
function storesOf(b: KernelBuild, specs: readonly StoreSpec[], out: Store[] = []): Store[] {
  for (const s of specs) {
    const to = dests(b.st, s.node);
    const value = expr(b, s.value);
    const index = poolAffine(b, s.index);
    // Each destination holds its own dtype (a float32 param may take a float64 update).
    for (const buffer of to) out.push({ buffer, index, value: asType(b.e, value, valueType(b.st.buffers[buffer]!.dtype)) });
  }
  return out;
}

function lowerElementwise(k: ElementwiseSchedule, name: string, st: LowerState): Kernel | undefined {
  const b = newBuild(st);
  const loops = declareLoops(b, k.loops);
  const stores = storesOf(b, k.stores);
  if (stores.length === 0) return undefined;
  return { kind: 'loops', name, outer: loops, passes: [{ kind: 'map', loops: [], stores }] };
}

/** m, or 0 when m is ±∞ or NaN (a row of −∞ must not produce ∞ − ∞): as the reference does. */
function finiteShift(e: ExprPool, m: Expr): Expr {
  return selectIn(e, compareIn(e, 'lt', unaryIn(e, 'abs', m), Infinity), m, 0);
}

interface ReducePass { readonly loops: Pass['loops']; readonly accs: { acc: AccId; op: ReduceOp; value: Expr }[] }

/** The accumulator of `op` over `value` in pass `p`, shared when two anchors need the same one (softmax and logSoftmax of z). */
function accFor(e: ExprPool, passes: readonly ReducePass[], byKey: Map<string, AccId>, p: number, op: ReduceOp, value: Expr): AccId {
  const key = `${p}:${op}:${value.id}`;
  const hit = byKey.get(key);
  if (hit !== undefined) return hit;
  const acc = newAccIn(e, value.dtype);
  byKey.set(key, acc);
  passes[p]!.accs.push({ acc, op, value });
  return acc;
}

function lowerRows(k: RowsSchedule, name: string, st: LowerState): Kernel | undefined {
  const e = st.e;
  const b = newBuild(st);
  const outer = declareLoops(b, k.outer);
  const passes: ReducePass[] = [];
  for (const loops of k.passes) passes.push({ loops: declareLoops(b, loops), accs: [] });

  const accs = new Map<Tensor, { m?: AccId; s: AccId }>();
  b.anchors = { kind: 'rows', accs };
  const byKey = new Map<string, AccId>();
  for (const { node: t, pass: p, inputs } of k.anchors) {
    saw(st, t);
    if (t.op === 'sum' || t.op === 'max') {
      accs.set(t, { s: accFor(e, passes, byKey, p, t.op, asType(e, expr(b, inputs[0]!), irType(t))) });
    } else {
      // m = max x, then s = Σ exp(x − m): two passes
      const m = accFor(e, passes, byKey, p, 'max', asType(e, expr(b, inputs[0]!), irType(t)));
      const s = accFor(e, passes, byKey, p + 1, 'sum', unaryIn(e, 'exp', binaryIn(e, 'sub', asType(e, expr(b, inputs[1]!), irType(t)), finiteShift(e, accIn(e, m)))));
      accs.set(t, { m, s });
    }
  }

  // Every member's destinations, in member order (numbering the buffers of those stored).
  for (const t of k.members) dests(st, t);
  const all: Pass[] = [];
  for (const p of passes) all.push({ kind: 'reduce', loops: p.loops, accs: p.accs });
  if (k.full) {
    const loops = declareLoops(b, k.full.loops);
    all.push({ kind: 'map', loops, stores: storesOf(b, k.full.stores) });
  }
  if (k.reduced.length > 0) all.push({ kind: 'map', loops: [], stores: storesOf(b, k.reduced) });
  if (!k.full && k.reduced.length === 0) return undefined;
  return { kind: 'loops', name, outer, passes: all };
}

function lowerMatmul(k: MatmulSchedule, name: string, st: LowerState): Kernel | undefined {
  const e = st.e;
  const b = newBuild(st);
  const batch = declareLoops(b, k.batch);
  const i = declareLoop(b, k.i);
  const j = declareLoop(b, k.j);
  const kk = declareLoop(b, k.k);
  const operandType = irType(k.node);
  const accType: DType = matmulAccumulator(st, operandType);
  const acc = newAccIn(e, accType);
  const av = asType(e, expr(b, k.a), operandType);
  const bv = asType(e, expr(b, k.b), operandType);
  saw(st, k.node);
  // The epilogue: its own terms, reading the sum as the matmul's anchor.
  b.memo = new Map();
  b.anchors = { kind: 'sum', acc, dtype: operandType };
  const stores = storesOf(b, k.stores);
  if (stores.length === 0) return undefined;
  return { kind: 'matmul', name, batch, i, j, k: kk, a: av, b: bv, acc, accType, stores };
}

function lowerAssemble(k: AssembleSchedule, name: string, st: LowerState): Kernel | undefined {
  const t = k.node;
  const to = dests(st, t);
  if (to.length === 0) return undefined;
  saw(st, t);
  const e = st.e;
  const b = newBuild(st);
  const passes: Pass[] = [];
  if (k.fill) {
    const loops = declareLoops(b, k.fill.loops);
    const index = poolAffine(b, k.fill.index);
    const stores: Store[] = [];
    for (const buffer of to) stores.push({ buffer, index, value: constIn(e, 0, irType(t)) });
    passes.push({ kind: 'map', loops, stores });
  }
  for (const c of k.copies) {
    const loops = declareLoops(b, c.loops);
    const value = asType(e, expr(b, c.value), irType(t));
    const index = poolAffine(b, c.index);
    const stores: Store[] = [];
    for (const buffer of to) stores.push({ buffer, index, value: asType(e, value, valueType(st.buffers[buffer]!.dtype)) });
    passes.push({ kind: 'map', loops, stores });
  }
  return { kind: 'loops', name, outer: [], passes };
}
