/**
 * One kernel of the schedule as one kernel of the kernel IR: its loops declared with vars of the
 * pool, its terms turned into scalar expressions (values.ts), accumulators (of the target's
 * contraction dtype) and epilogues. Reads only the schedule's data (schedule/schedule.ts).
 */
import { affine, valueType } from '../../codegen/index.js';
import type { AccId, Affine, DType, Expr, ExprPool, Kernel, Loop, Pass, ReduceOp, Storage, Store, VarId } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type {
  AssembleSchedule, ElementwiseSchedule, KernelSchedule, MatmulSchedule, RowsSchedule, StoreSpec, Term,
} from '../schedule/schedule.js';
import type { ValueHooks } from './values.js';
import { irType, valueOf } from './values.js';

export interface KernelContext {
  readonly e: ExprPool;
  /** Whether these oneHot labels are an input whose feed `run` checks. */
  labelsChecked(labels: Tensor): boolean;
  /** Buffers a node's value is written to (its own and/or params updated in place). */
  dests(t: Tensor): readonly number[];
  /** The buffer of a leaf (input, param, constant). */
  leafBuffer(t: Tensor): number;
  /** The buffer a placed node's value is stored in. */
  ownBuffer(t: Tensor): number;
  saw(t: Tensor): void;
  storageOf(buffer: number): Storage;
  /** The accumulator dtype the target gives a contraction over operands of `dtype`. */
  matmulAccumulator(dtype: DType): DType;
}

/** The kernel for `k`, or undefined when it stores nothing (all its values were fused away). */
export function lowerKernel(k: KernelSchedule, name: string, cx: KernelContext): Kernel | undefined {
  switch (k.kind) {
    case 'elementwise': return lowerElementwise(k, name, cx);
    case 'rows': return lowerRows(k, name, cx);
    case 'matmul': return lowerMatmul(k, name, cx);
    case 'assemble': return lowerAssemble(k, name, cx);
  }
}

/** The schedule's per-kernel loop vars as vars of the pool, declared in the schedule's order. */
class VarMap {
  private readonly to: VarId[] = [];
  constructor(private readonly e: ExprPool) {}
  loop(l: Loop): Loop {
    const v = this.e.newVar();
    this.to[l.v] = v;
    return { v, extent: l.extent };
  }
  loops(ls: readonly Loop[]): Loop[] {
    return ls.map((l) => this.loop(l));
  }
  affine(a: Affine): Affine {
    return a.terms.length === 0 ? a : affine(a.offset, a.terms.map((t) => [this.to[t.v]!, t.stride] as const));
  }
}

/** Terms as expressions, each built once per kernel; `anchor` gives this kernel's own anchors. */
function expressions(cx: KernelContext, vars: VarMap, anchor: (t: Tensor, input: Expr | undefined) => Expr): (t: Term) => Expr {
  const hooks: ValueHooks = {
    leafBuffer: (t) => cx.leafBuffer(t), ownBuffer: (t) => cx.ownBuffer(t), saw: (t) => cx.saw(t),
    labelsChecked: (t) => cx.labelsChecked(t), affine: (a) => vars.affine(a),
  };
  const memo = new Map<Term, Expr>();
  const expr = (t: Term): Expr => {
    const hit = memo.get(t);
    if (hit !== undefined) return hit;
    let v: Expr;
    if (t.kind === 'op') {
      const args = t.args.map(expr);
      v = valueOf(cx.e, hooks, t, args);
    } else if (t.kind === 'anchor') {
      cx.saw(t.node);
      v = anchor(t.node, t.input && expr(t.input));
    } else {
      v = valueOf(cx.e, hooks, t, []);
    }
    memo.set(t, v);
    return v;
  };
  return expr;
}

const noAnchor = (t: Tensor): Expr => {
  throw new Error(`internal: ${t} read where it is not available`);
};

/**
 * The stores of `s`: its destinations are asked for before its value is built (a node's own
 * buffer is numbered when first asked for, so buffers are numbered in store order).
 */
function storesOf(cx: KernelContext, vars: VarMap, s: StoreSpec, expr: (t: Term) => Expr): Store[] {
  const dests = cx.dests(s.node);
  const value = expr(s.value);
  const index = vars.affine(s.index);
  // Each destination holds its own dtype (a float32 param may take a float64 update).
  return dests.map((buffer) => ({ buffer, index, value: cx.e.cast(value, valueType(cx.storageOf(buffer))) }));
}

function lowerElementwise(k: ElementwiseSchedule, name: string, cx: KernelContext): Kernel | undefined {
  const vars = new VarMap(cx.e);
  const loops = vars.loops(k.loops);
  const expr = expressions(cx, vars, noAnchor);
  const stores = k.stores.flatMap((s) => storesOf(cx, vars, s, expr));
  if (stores.length === 0) return undefined;
  return { kind: 'loops', name, outer: loops, passes: [{ kind: 'map', loops: [], stores }] };
}

/** m, or 0 when m is ±∞ or NaN (a row of −∞ must not produce ∞ − ∞): as the reference does. */
function finiteShift(e: ExprPool, m: Expr): Expr {
  return e.select(e.lt(e.abs(m), Infinity), m, 0);
}

function lowerRows(k: RowsSchedule, name: string, cx: KernelContext): Kernel | undefined {
  const e = cx.e;
  const vars = new VarMap(e);
  const outer = vars.loops(k.outer);
  const passes = k.passes.map((loops) => ({ loops: vars.loops(loops), accs: [] as { acc: AccId; op: ReduceOp; value: Expr }[] }));

  // Accumulators, shared when two anchors need the same one (softmax and logSoftmax of z).
  const accs = new Map<Tensor, { m?: AccId; s: AccId }>();
  const byKey = new Map<string, AccId>();
  const shift = (t: Tensor) => finiteShift(e, e.acc(accs.get(t)!.m!));
  const anchor = (t: Tensor, x: Expr | undefined): Expr => {
    const a = accs.get(t)!;
    switch (t.op) {
      case 'sum': case 'max': return e.acc(a.s);
      case 'logSumExp': return e.add(shift(t), e.log(e.acc(a.s)));
      case 'softmax': return e.div(e.exp(e.sub(e.cast(x!, irType(t)), shift(t))), e.acc(a.s));
      case 'logSoftmax': return e.sub(e.sub(e.cast(x!, irType(t)), shift(t)), e.log(e.acc(a.s)));
      default: throw new Error(`internal: ${t.op} is not a rows anchor`);
    }
  };
  const accFor = (p: number, op: ReduceOp, value: Expr): AccId => {
    const key = `${p}:${op}:${value.id}`;
    const hit = byKey.get(key);
    if (hit !== undefined) return hit;
    const acc = e.newAcc(value.dtype);
    byKey.set(key, acc);
    passes[p]!.accs.push({ acc, op, value });
    return acc;
  };
  const expr = expressions(cx, vars, anchor);
  for (const { node: t, pass: p, inputs } of k.anchors) {
    const at = (q: number) => e.cast(expr(inputs[q]!), irType(t));
    cx.saw(t);
    if (t.op === 'sum' || t.op === 'max') {
      accs.set(t, { s: accFor(p, t.op, at(0)) });
    } else {
      // m = max x, then s = Σ exp(x − m): two passes
      const m = accFor(p, 'max', at(0));
      const s = accFor(p + 1, 'sum', e.exp(e.sub(at(1), finiteShift(e, e.acc(m)))));
      accs.set(t, { m, s });
    }
  }

  // Every member's destinations, in member order (numbering the buffers of those stored).
  for (const t of k.members) cx.dests(t);
  const all: Pass[] = passes.map((p) => ({ kind: 'reduce', loops: p.loops, accs: p.accs }));
  if (k.full) {
    const loops = vars.loops(k.full.loops);
    all.push({ kind: 'map', loops, stores: k.full.stores.flatMap((s) => storesOf(cx, vars, s, expr)) });
  }
  if (k.reduced.length > 0) {
    all.push({ kind: 'map', loops: [], stores: k.reduced.flatMap((s) => storesOf(cx, vars, s, expr)) });
  }
  if (!k.full && k.reduced.length === 0) return undefined;
  return { kind: 'loops', name, outer, passes: all };
}

function lowerMatmul(k: MatmulSchedule, name: string, cx: KernelContext): Kernel | undefined {
  const e = cx.e;
  const vars = new VarMap(e);
  const batch = vars.loops(k.batch);
  const [i, j, kk] = [vars.loop(k.i), vars.loop(k.j), vars.loop(k.k)];
  const operandType = irType(k.node);
  const accType = cx.matmulAccumulator(operandType);
  const acc = e.newAcc(accType);
  const operands = expressions(cx, vars, noAnchor);
  const av = e.cast(operands(k.a), operandType);
  const bv = e.cast(operands(k.b), operandType);
  cx.saw(k.node);
  // The sum as the epilogue reads it: rounded to the operands' dtype where it ran wider.
  const epilogue = expressions(cx, vars, () => e.cast(e.acc(acc), operandType));
  const stores = k.stores.flatMap((s) => storesOf(cx, vars, s, epilogue));
  if (stores.length === 0) return undefined;
  return { kind: 'matmul', name, batch, i, j, k: kk, a: av, b: bv, acc, accType, stores };
}

function lowerAssemble(k: AssembleSchedule, name: string, cx: KernelContext): Kernel | undefined {
  const t = k.node;
  const dests = cx.dests(t);
  if (dests.length === 0) return undefined;
  cx.saw(t);
  const vars = new VarMap(cx.e);
  const expr = expressions(cx, vars, noAnchor);
  const passes: Pass[] = [];
  if (k.fill) {
    const loops = vars.loops(k.fill.loops);
    const index = vars.affine(k.fill.index);
    passes.push({ kind: 'map', loops, stores: dests.map((buffer) => ({ buffer, index, value: cx.e.c(0, irType(t)) })) });
  }
  for (const c of k.copies) {
    const loops = vars.loops(c.loops);
    const value = cx.e.cast(expr(c.value), irType(t));
    const index = vars.affine(c.index);
    passes.push({ kind: 'map', loops, stores: dests.map((buffer) => ({ buffer, index, value: cx.e.cast(value, valueType(cx.storageOf(buffer))) })) });
  }
  return { kind: 'loops', name, outer: [], passes };
}
