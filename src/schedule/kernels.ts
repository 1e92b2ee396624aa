/**
 * Each fused group as the kernel lowering builds (see schedule.ts): its loops, the stage each
 * value is read in, and every value as a term, found by walking the graph once here (walk.ts).
 */
import type { Loop } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Group, Stage } from './group.js';
import { FINAL, passesOf, PLAIN, rowsStage, storeStageOf } from './group.js';
import type { Ix } from './index-map.js';
import { addAff, broadcastIx, constAff, flatIndex, loopAff } from './index-map.js';
import { isInlineConstant } from './kinds.js';
import type { KernelSchedule, RowAnchor, StoreSpec, Term } from './schedule.js';
import type { GroupOf, Visitor, Walk } from './walk.js';
import { flatOf, newWalk, walkAt } from './walk.js';

/** `stored`: the nodes whose values are written to memory (outputs, updates, values another kernel reads). */
export function kernelSchedule(g: Group, groupOf: GroupOf, stored: ReadonlySet<Tensor>): KernelSchedule {
  const vars: Vars = { next: 0 };
  switch (g.kind) {
    case 'elementwise': return elementwise(g, groupOf, stored, vars);
    case 'rows': return rows(g, groupOf, stored, vars);
    case 'matmul': return matmul(g, groupOf, stored, vars);
    case 'assemble': return assemble(g, groupOf, vars);
  }
}

/** The kernel's loop vars, numbered in the order they are declared. */
interface Vars { next: number }

function newLoop(vars: Vars, extent: number): Loop {
  return { v: vars.next++, extent };
}

/** One loop per axis of `shape`, and the index they make. */
function loopsOver(vars: Vars, shape: readonly number[]): { loops: Loop[]; ix: Ix } {
  const loops: Loop[] = [];
  const ix: Ix[number][] = [];
  for (let d = 0; d < shape.length; d++) {
    const l = newLoop(vars, shape[d]!);
    loops.push(l);
    ix.push(loopAff(l.v, l.extent));
  }
  return { loops, ix };
}

/** Loops over the axes of a rows group that are (`reduced`) or are not reduced; 0 at the others. */
function rowLoops(vars: Vars, g: Group, reduced: boolean): { loops: Loop[]; ix: Ix } {
  const loops: Loop[] = [];
  const ix: Ix[number][] = [];
  for (let d = 0; d < g.shape.length; d++) {
    if (g.axes.includes(d) !== reduced) {
      ix.push(constAff(0));
      continue;
    }
    const l = newLoop(vars, g.shape[d]!);
    loops.push(l);
    ix.push(loopAff(l.v, l.extent));
  }
  return { loops, ix };
}

/** A walk building terms; a softmax read where available brings its input's term at that element. */
const TERMS: Visitor<Term, null> = {
  leaf: (_w, t, ix, via) => (isInlineConstant(t) ? { kind: 'constant', node: t as Tensor<'constant'> } : { kind: 'leaf', node: t, flat: flatOf(ix, via) }),
  stored: (_w, t, ix, via) => ({ kind: 'stored', node: t, flat: flatOf(ix, via) }),
  local: (w, t, ix) => (t.op === 'softmax' || t.op === 'logSoftmax' ? { kind: 'anchor', node: t, input: termAt(w, t.inputs[0]!, ix) } : { kind: 'anchor', node: t }),
  op: (_w, t, args, ix) => ({ kind: 'op', node: t, args: args!, ix }),
  collects: true,
};

type TermWalk = Walk<Term, null>;

const termWalk = (g: Group, groupOf: GroupOf, stage: Stage): TermWalk => newWalk(TERMS, null, g, groupOf, stage);

/** The term of `t` at `ix`: the scheduler placed `t` where it can be computed. */
function termAt(w: TermWalk, t: Tensor, ix: Ix): Term {
  const v = walkAt(w, t, ix);
  if (v === undefined) throw new Error(`internal: cannot compute ${t} in its kernel`);
  return v;
}

const storeOf = (w: TermWalk, t: Tensor, ix: Ix): StoreSpec => ({ node: t, index: flatIndex(ix, t.shape), value: termAt(w, t, ix) });

/** The stores at `ix` of those of `members` that are stored; with `fullOf`, only those that rows group stores at full shape. */
function storesAt(w: TermWalk, members: readonly Tensor[], stored: ReadonlySet<Tensor>, ix: Ix, fullOf?: Group): StoreSpec[] {
  const out: StoreSpec[] = [];
  for (const t of members) {
    if (!stored.has(t)) continue;
    if (fullOf !== undefined && storeStageOf(fullOf, t) !== 'full') continue;
    out.push(storeOf(w, t, ix));
  }
  return out;
}

function elementwise(g: Group, groupOf: GroupOf, stored: ReadonlySet<Tensor>, vars: Vars): KernelSchedule {
  const { loops, ix } = loopsOver(vars, g.shape);
  const stores = storesAt(termWalk(g, groupOf, PLAIN), g.values, stored, ix);
  return { kind: 'elementwise', members: g.values, loops, stores };
}

function rows(g: Group, groupOf: GroupOf, stored: ReadonlySet<Tensor>, vars: Vars): KernelSchedule {
  const { loops: outer, ix: outerIx } = rowLoops(vars, g, false);
  let nPasses = -Infinity;
  for (const a of g.anchors) nPasses = Math.max(nPasses, g.pass.get(a)! + passesOf(a));
  const passes: Loop[][] = [];
  const passIx: Ix[] = [];
  for (let p = 0; p < nPasses; p++) {
    const { loops, ix } = rowLoops(vars, g, true);
    passes.push(loops);
    passIx.push(ix);
  }
  // Anchors in pass order (an anchor only reads anchors of earlier passes); a stable insertion sort.
  const sorted: Tensor[] = [];
  for (const t of g.anchors) {
    let k = sorted.length;
    while (k > 0 && g.pass.get(sorted[k - 1]!)! > g.pass.get(t)!) k--;
    sorted.splice(k, 0, t);
  }
  const anchors: RowAnchor[] = [];
  for (const t of sorted) {
    const pass = g.pass.get(t)!;
    const inputs = [anchorInput(g, groupOf, t, outerIx, passIx, pass)];
    if (passesOf(t) === 2) inputs.push(anchorInput(g, groupOf, t, outerIx, passIx, pass + 1));
    anchors.push({ node: t as RowAnchor['node'], pass, inputs });
  }

  const members = [...g.anchors, ...g.values];
  let full: { loops: Loop[]; stores: StoreSpec[] } | undefined;
  if (members.some((t) => stored.has(t) && storeStageOf(g, t) === 'full')) {
    const { loops, ix } = rowLoops(vars, g, true);
    const stage = rowsStage(g, outerIx, ix, FINAL) as Stage & { full: Ix };
    full = { loops, stores: storesAt(termWalk(g, groupOf, stage), members, stored, stage.full, g) };
  }
  const reduced: StoreSpec[] = [];
  if (members.some((t) => stored.has(t) && storeStageOf(g, t) !== 'full')) {
    const stage = rowsStage(g, outerIx, undefined, FINAL) as Stage & { keep: Ix; drop: Ix };
    const w = termWalk(g, groupOf, stage);
    for (const t of members) {
      if (!stored.has(t) || storeStageOf(g, t) === 'full') continue;
      reduced.push(storeOf(w, t, storeStageOf(g, t) === 'keep' ? stage.keep : stage.drop));
    }
  }
  return full ? { kind: 'rows', members, outer, passes, anchors, full, reduced } : { kind: 'rows', members, outer, passes, anchors, reduced };
}

/** The term of a rows anchor's input in pass `q`. */
function anchorInput(g: Group, groupOf: GroupOf, t: Tensor, outerIx: Ix, passIx: readonly Ix[], q: number): Term {
  const stage = rowsStage(g, outerIx, passIx[q], q) as Stage & { full: Ix };
  return termAt(termWalk(g, groupOf, stage), t.inputs[0]!, stage.full);
}

function matmul(g: Group, groupOf: GroupOf, stored: ReadonlySet<Tensor>, vars: Vars): KernelSchedule {
  const mm = g.anchors[0]! as Tensor<'matmul'>;
  const [a, b] = mm.inputs as [Tensor, Tensor];
  const outBatch = mm.shape.slice(0, -2);
  const { loops: batch, ix: bIx } = loopsOver(vars, outBatch);
  const M = mm.shape[mm.rank - 2]!, N = mm.shape[mm.rank - 1]!;
  const K = a.shape[a.rank - 1]!;
  const i = newLoop(vars, M);
  const j = newLoop(vars, N);
  const k = newLoop(vars, K);
  const ia = loopAff(i.v, M), ja = loopAff(j.v, N), ka = loopAff(k.v, K);
  const operands = termWalk(g, groupOf, PLAIN);
  const av = termAt(operands, a, [...broadcastIx(bIx, outBatch, a.shape.slice(0, -2)), ia, ka]);
  const bv = termAt(operands, b, [...broadcastIx(bIx, outBatch, b.shape.slice(0, -2)), ka, ja]);
  const out: Ix = [...bIx, ia, ja];
  const members = [mm, ...g.values];
  const stores = storesAt(termWalk(g, groupOf, { kind: 'epilogue', group: g, out }), members, stored, out);
  return { kind: 'matmul', members, node: mm, batch, i, j, k, a: av, b: bv, stores };
}

function assemble(g: Group, groupOf: GroupOf, vars: Vars): KernelSchedule {
  const t = g.anchors[0]! as Tensor<'pad' | 'concat'>;
  const w = termWalk(g, groupOf, PLAIN);
  const copy = (x: Tensor, offset: readonly number[]) => {
    const { loops, ix } = loopsOver(vars, x.shape);
    return { loops, value: termAt(w, x, ix), index: flatIndex(ix.map((a, d) => addAff(a, constAff(offset[d]!))), t.shape) };
  };
  if (t.op === 'pad') {
    const { loops, ix } = loopsOver(vars, t.shape);
    const fill = { loops, index: flatIndex(ix, t.shape) };
    return { kind: 'assemble', members: [t], node: t, fill, copies: [copy(t.inputs[0]!, (t as Tensor<'pad'>).attrs.before)] };
  }
  const axis = (t as Tensor<'concat'>).attrs.axis;
  let offset = 0;
  const copies = t.inputs.map((x) => {
    const c = copy(x, t.shape.map((_, d) => (d === axis ? offset : 0)));
    offset += x.shape[axis]!;
    return c;
  });
  return { kind: 'assemble', members: [t], node: t, copies };
}
