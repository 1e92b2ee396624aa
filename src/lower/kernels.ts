/**
 * One kernel group as one kernel of the kernel IR. Every value is computed by walking the graph
 * from the stored node down to loads and the kernel's own anchors (see schedule/walk.ts).
 */
import { valueType } from '../../codegen/index.js';
import type { AccId, DType, Expr, ExprPool, Kernel, Loop, Pass, ReduceOp, Storage, Store } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Group, Stage } from '../schedule/group.js';
import { FINAL, passesOf, PLAIN, rowsStage, storeStageOf } from '../schedule/group.js';
import type { Ix } from '../schedule/index-map.js';
import { stridesOf } from '../graph/shape.js';
import { addAff, broadcastIx, constAff, flatIndex, loopAff } from '../schedule/index-map.js';
import type { GroupOf } from '../schedule/walk.js';
import { Walker } from '../schedule/walk.js';
import type { ValueHooks } from './values.js';
import { irType, valueVisitor } from './values.js';

export interface KernelContext {
  readonly e: ExprPool;
  readonly groupOf: GroupOf;
  /** Whether these oneHot labels are an input whose feed `run` checks. */
  labelsChecked(labels: Tensor): boolean;
  /** Buffers a node's value is written to (its own and/or params updated in place). */
  dests(t: Tensor): readonly number[];
  buffer(t: Tensor): number;
  saw(t: Tensor): void;
  storageOf(buffer: number): Storage;
  /** The accumulator dtype the target gives a contraction over operands of `dtype`. */
  matmulAccumulator(dtype: DType): DType;
}

/** The kernel for `g`, or undefined when it stores nothing (all its values were fused away). */
export function lowerGroup(g: Group, name: string, cx: KernelContext): Kernel | undefined {
  switch (g.kind) {
    case 'elementwise': return lowerElementwise(g, name, cx);
    case 'rows': return lowerRows(g, name, cx);
    case 'matmul': return lowerMatmul(g, name, cx);
    case 'assemble': return lowerAssemble(g, name, cx);
  }
}

function walker(cx: KernelContext, g: Group, stage: Stage, local: (t: Tensor, ix: Ix, w: Walker<Expr>) => Expr): Walker<Expr> {
  const hooks: ValueHooks = {
    buffer: (t) => cx.buffer(t), saw: (t) => cx.saw(t), local: (t, ix) => local(t, ix, w),
    labelsChecked: (t) => cx.labelsChecked(t),
  };
  const w: Walker<Expr> = new Walker(valueVisitor(cx.e, hooks), g, cx.groupOf, stage);
  return w;
}

const noLocal = (t: Tensor): Expr => {
  throw new Error(`internal: ${t} read where it is not available`);
};

function must(w: Walker<Expr>, t: Tensor, ix: Ix): Expr {
  const v = w.at(t, ix);
  if (v === undefined) throw new Error(`internal: cannot compute ${t} in its kernel`);
  return v;
}

function storesOf(cx: KernelContext, t: Tensor, value: Expr, ix: Ix): Store[] {
  const index = flatIndex(ix, stridesOf(t.shape));
  // Each destination holds its own dtype (a float32 param may take a float64 update).
  return cx.dests(t).map((buffer) => ({ buffer, index, value: cx.e.cast(value, valueType(cx.storageOf(buffer))) }));
}

function loopsOver(cx: KernelContext, shape: readonly number[]): { loops: Loop[]; ix: Ix } {
  const loops = shape.map((extent) => ({ v: cx.e.newVar(), extent }));
  return { loops, ix: loops.map((l) => loopAff(l.v, l.extent)) };
}

function lowerElementwise(g: Group, name: string, cx: KernelContext): Kernel | undefined {
  const { loops, ix } = loopsOver(cx, g.shape);
  const w = walker(cx, g, PLAIN, noLocal);
  const stores = g.values.flatMap((t) => (cx.dests(t).length ? storesOf(cx, t, must(w, t, ix), ix) : []));
  if (stores.length === 0) return undefined;
  return { kind: 'loops', name, outer: loops, passes: [{ kind: 'map', loops: [], stores }] };
}

/** m, or 0 when m is ±∞ or NaN (a row of −∞ must not produce ∞ − ∞): as the reference does. */
function finiteShift(e: ExprPool, m: Expr): Expr {
  return e.select(e.lt(e.abs(m), Infinity), m, 0);
}

function lowerRows(g: Group, name: string, cx: KernelContext): Kernel | undefined {
  const e = cx.e;
  const outerLoops: Loop[] = [];
  const outer: Ix = g.shape.map((extent, d) => {
    if (g.axes.includes(d)) return constAff(0);
    const v = e.newVar();
    outerLoops.push({ v, extent });
    return loopAff(v, extent);
  });
  const passLoops = () => {
    const loops: Loop[] = [];
    const ix: Ix = g.shape.map((extent, d) => {
      if (!g.axes.includes(d)) return constAff(0);
      const v = e.newVar();
      loops.push({ v, extent });
      return loopAff(v, extent);
    });
    return { loops, ix };
  };

  // Accumulators, shared when two anchors need the same one (softmax and logSoftmax of z).
  const accs = new Map<Tensor, { m?: AccId; s: AccId }>();
  const byKey = new Map<string, AccId>();
  const nPasses = Math.max(...g.anchors.map((a) => g.pass.get(a)! + passesOf(a)));
  const passes: { loops: Loop[]; accs: { acc: AccId; op: ReduceOp; value: Expr }[] }[] = [];
  const shift = (t: Tensor) => finiteShift(e, e.acc(accs.get(t)!.m!));
  const local = (t: Tensor, ix: Ix, w: Walker<Expr>): Expr => {
    const a = accs.get(t)!;
    switch (t.op) {
      case 'sum': case 'max': return e.acc(a.s);
      case 'logSumExp': return e.add(shift(t), e.log(e.acc(a.s)));
      case 'softmax': return e.div(e.exp(e.sub(e.cast(must(w, t.inputs[0]!, ix), irType(t)), shift(t))), e.acc(a.s));
      case 'logSoftmax': return e.sub(e.sub(e.cast(must(w, t.inputs[0]!, ix), irType(t)), shift(t)), e.log(e.acc(a.s)));
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
  const stageIx: Ix[] = [];
  for (let p = 0; p < nPasses; p++) {
    const { loops, ix } = passLoops();
    passes.push({ loops, accs: [] });
    stageIx.push(ix);
  }
  // Anchors in pass order (an anchor only reads anchors of earlier passes).
  const anchors = [...g.anchors].sort((a, b) => g.pass.get(a)! - g.pass.get(b)!);
  for (const t of anchors) {
    const p = g.pass.get(t)!;
    const x = t.inputs[0]!;
    const at = (q: number) => {
      const stage = rowsStage(g, outer, stageIx[q], q);
      return e.cast(must(walker(cx, g, stage, local), x, (stage as { full: Ix }).full), irType(t));
    };
    cx.saw(t);
    if (t.op === 'sum' || t.op === 'max') {
      accs.set(t, { s: accFor(p, t.op, at(p)) });
    } else {
      // m = max x, then s = Σ exp(x − m): two passes
      const m = accFor(p, 'max', at(p));
      const s = accFor(p + 1, 'sum', e.exp(e.sub(at(p + 1), finiteShift(e, e.acc(m)))));
      accs.set(t, { m, s });
    }
  }

  const members = [...g.anchors, ...g.values].filter((t) => cx.dests(t).length > 0);
  const all: Pass[] = passes.map((p) => ({ kind: 'reduce', loops: p.loops, accs: p.accs }));
  const full = members.filter((t) => storeStageOf(g, t) === 'full');
  if (full.length > 0) {
    const { loops, ix } = passLoops();
    const stage = rowsStage(g, outer, ix, FINAL);
    const w = walker(cx, g, stage, local);
    const fullIx = (stage as { full: Ix }).full;
    all.push({ kind: 'map', loops, stores: full.flatMap((t) => storesOf(cx, t, must(w, t, fullIx), fullIx)) });
  }
  const reduced = members.filter((t) => storeStageOf(g, t) !== 'full');
  if (reduced.length > 0) {
    const stage = rowsStage(g, outer, undefined, FINAL) as Stage & { keep: Ix; drop: Ix };
    const w = walker(cx, g, stage, local);
    const stores = reduced.flatMap((t) => {
      const ix = storeStageOf(g, t) === 'keep' ? stage.keep : stage.drop;
      return storesOf(cx, t, must(w, t, ix), ix);
    });
    all.push({ kind: 'map', loops: [], stores });
  }
  if (members.length === 0) return undefined;
  return { kind: 'loops', name, outer: outerLoops, passes: all };
}

function lowerMatmul(g: Group, name: string, cx: KernelContext): Kernel | undefined {
  const e = cx.e;
  const mm = g.anchors[0]!;
  const [a, b] = mm.inputs as [Tensor, Tensor];
  const outBatch = mm.shape.slice(0, -2);
  const batch = outBatch.map((extent) => ({ v: e.newVar(), extent }));
  const bIx = batch.map((l) => loopAff(l.v, l.extent));
  const [M, N] = mm.shape.slice(-2) as [number, number];
  const K = a.shape[a.rank - 1]!;
  const i = { v: e.newVar(), extent: M };
  const j = { v: e.newVar(), extent: N };
  const k = { v: e.newVar(), extent: K };
  const operandType = irType(mm);
  const accType = cx.matmulAccumulator(operandType);
  const acc = e.newAcc(accType);
  const ops = walker(cx, g, PLAIN, noLocal);
  const [ia, ja, ka] = [loopAff(i.v, M), loopAff(j.v, N), loopAff(k.v, K)];
  const av = e.cast(must(ops, a, [...broadcastIx(bIx, outBatch, a.shape.slice(0, -2)), ia, ka]), operandType);
  const bv = e.cast(must(ops, b, [...broadcastIx(bIx, outBatch, b.shape.slice(0, -2)), ka, ja]), operandType);
  const out: Ix = [...bIx, ia, ja];
  cx.saw(mm);
  // The sum as the epilogue reads it: rounded to the operands' dtype where it ran wider.
  const epi = walker(cx, g, { kind: 'epilogue', group: g, out }, () => e.cast(e.acc(acc), operandType));
  const stores = [mm, ...g.values].flatMap((t) => (cx.dests(t).length ? storesOf(cx, t, must(epi, t, out), out) : []));
  if (stores.length === 0) return undefined;
  return { kind: 'matmul', name, batch, i, j, k, a: av, b: bv, acc, accType, stores };
}

function lowerAssemble(g: Group, name: string, cx: KernelContext): Kernel | undefined {
  const t = g.anchors[0]!;
  const dests = cx.dests(t);
  if (dests.length === 0) return undefined;
  cx.saw(t);
  const strides = stridesOf(t.shape);
  const passes: Pass[] = [];
  const w = walker(cx, g, PLAIN, noLocal);
  const copy = (x: Tensor, offset: readonly number[]) => {
    const { loops, ix } = loopsOver(cx, x.shape);
    const value = cx.e.cast(must(w, x, ix), irType(t));
    const index = flatIndex(ix.map((a, d) => addAff(a, constAff(offset[d]!))), strides);
    passes.push({ kind: 'map', loops, stores: dests.map((buffer) => ({ buffer, index, value: cx.e.cast(value, valueType(cx.storageOf(buffer))) })) });
  };
  if (t.op === 'pad') {
    const { loops, ix } = loopsOver(cx, t.shape);
    const index = flatIndex(ix, strides);
    passes.push({ kind: 'map', loops, stores: dests.map((buffer) => ({ buffer, index, value: cx.e.c(0, irType(t)) })) });
    copy(t.inputs[0]!, (t as Tensor<'pad'>).attrs.before);
  } else {
    const axis = (t as Tensor<'concat'>).attrs.axis;
    let at = 0;
    for (const x of t.inputs) {
      copy(x, t.shape.map((_, d) => (d === axis ? at : 0)));
      at += x.shape[axis]!;
    }
  }
  return { kind: 'loops', name, outer: [], passes };
}
