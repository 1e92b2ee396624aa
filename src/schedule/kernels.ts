/**
 * Each fused group as the kernel lowering builds (see schedule.ts): its loops, the stage each
 * value is read in, and every value as a term, found by walking the graph once here (walk.ts).
 */
import type { Loop } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import { stridesOf } from '../graph/shape.js';
import type { Group, Stage } from './group.js';
import { FINAL, passesOf, PLAIN, rowsStage, storeStageOf } from './group.js';
import type { Ix } from './index-map.js';
import { addAff, broadcastIx, constAff, flatIndex, loopAff } from './index-map.js';
import { isInlineConstant } from './kinds.js';
import type { KernelSchedule, RowAnchor, StoreSpec, Term } from './schedule.js';
import type { GroupOf } from './walk.js';
import { Walker } from './walk.js';

/** `stored(t)`: whether `t`'s value is written to memory (an output, an update, read by another kernel). */
export function kernelSchedule(g: Group, groupOf: GroupOf, stored: (t: Tensor) => boolean): KernelSchedule {
  const vars = new Vars();
  switch (g.kind) {
    case 'elementwise': return elementwise(g, groupOf, stored, vars);
    case 'rows': return rows(g, groupOf, stored, vars);
    case 'matmul': return matmul(g, groupOf, stored, vars);
    case 'assemble': return assemble(g, groupOf, vars);
  }
}

/** The kernel's loop vars, numbered in the order they are declared. */
class Vars {
  private next = 0;
  loop(extent: number): Loop {
    return { v: this.next++, extent };
  }
  over(shape: readonly number[]): { loops: Loop[]; ix: Ix } {
    const loops = shape.map((extent) => this.loop(extent));
    return { loops, ix: loops.map((l) => loopAff(l.v, l.extent)) };
  }
}

/** A walker building terms; a softmax read where available brings its input's term at that element. */
function termWalker(g: Group, groupOf: GroupOf, stage: Stage): (t: Tensor, ix: Ix) => Term {
  const w: Walker<Term> = new Walker<Term>({
    leaf: (t, flat) => (isInlineConstant(t) ? { kind: 'constant', node: t as Tensor<'constant'> } : { kind: 'leaf', node: t, flat }),
    stored: (t, flat) => ({ kind: 'stored', node: t, flat }),
    local: (t, ix) => (t.op === 'softmax' || t.op === 'logSoftmax' ? { kind: 'anchor', node: t, input: must(t.inputs[0]!, ix) } : { kind: 'anchor', node: t }),
    op: (t, args, ix) => ({ kind: 'op', node: t, args, ix }),
  }, g, groupOf, stage);
  const must = (t: Tensor, ix: Ix): Term => {
    const v = w.at(t, ix);
    if (v === undefined) throw new Error(`internal: cannot compute ${t} in its kernel`);
    return v;
  };
  return must;
}

const storeOf = (t: Tensor, ix: Ix, value: Term): StoreSpec => ({ node: t, index: flatIndex(ix, stridesOf(t.shape)), value });

function elementwise(g: Group, groupOf: GroupOf, stored: (t: Tensor) => boolean, vars: Vars): KernelSchedule {
  const { loops, ix } = vars.over(g.shape);
  const at = termWalker(g, groupOf, PLAIN);
  const stores = g.values.filter(stored).map((t) => storeOf(t, ix, at(t, ix)));
  return { kind: 'elementwise', members: g.values, loops, stores };
}

function rows(g: Group, groupOf: GroupOf, stored: (t: Tensor) => boolean, vars: Vars): KernelSchedule {
  const outer: Loop[] = [];
  const outerIx: Ix = g.shape.map((extent, d) => {
    if (g.axes.includes(d)) return constAff(0);
    const l = vars.loop(extent);
    outer.push(l);
    return loopAff(l.v, extent);
  });
  const passLoops = () => {
    const loops: Loop[] = [];
    const ix: Ix = g.shape.map((extent, d) => {
      if (!g.axes.includes(d)) return constAff(0);
      const l = vars.loop(extent);
      loops.push(l);
      return loopAff(l.v, extent);
    });
    return { loops, ix };
  };
  const nPasses = Math.max(...g.anchors.map((a) => g.pass.get(a)! + passesOf(a)));
  const passes: Loop[][] = [];
  const passIx: Ix[] = [];
  for (let p = 0; p < nPasses; p++) {
    const { loops, ix } = passLoops();
    passes.push(loops);
    passIx.push(ix);
  }
  // Anchors in pass order (an anchor only reads anchors of earlier passes).
  const anchors: RowAnchor[] = [...g.anchors].sort((a, b) => g.pass.get(a)! - g.pass.get(b)!).map((t) => {
    const pass = g.pass.get(t)!;
    const input = (q: number) => {
      const stage = rowsStage(g, outerIx, passIx[q], q);
      return termWalker(g, groupOf, stage)(t.inputs[0]!, (stage as { full: Ix }).full);
    };
    const inputs = passesOf(t) === 1 ? [input(pass)] : [input(pass), input(pass + 1)];
    return { node: t as RowAnchor['node'], pass, inputs };
  });

  const members = [...g.anchors, ...g.values];
  const kept = members.filter(stored);
  const fullStores = kept.filter((t) => storeStageOf(g, t) === 'full');
  let full: { loops: Loop[]; stores: StoreSpec[] } | undefined;
  if (fullStores.length > 0) {
    const { loops, ix } = passLoops();
    const stage = rowsStage(g, outerIx, ix, FINAL);
    const at = termWalker(g, groupOf, stage);
    const fullIx = (stage as { full: Ix }).full;
    full = { loops, stores: fullStores.map((t) => storeOf(t, fullIx, at(t, fullIx))) };
  }
  const reducedStores = kept.filter((t) => storeStageOf(g, t) !== 'full');
  let reduced: StoreSpec[] = [];
  if (reducedStores.length > 0) {
    const stage = rowsStage(g, outerIx, undefined, FINAL) as Stage & { keep: Ix; drop: Ix };
    const at = termWalker(g, groupOf, stage);
    reduced = reducedStores.map((t) => {
      const ix = storeStageOf(g, t) === 'keep' ? stage.keep : stage.drop;
      return storeOf(t, ix, at(t, ix));
    });
  }
  return full ? { kind: 'rows', members, outer, passes, anchors, full, reduced } : { kind: 'rows', members, outer, passes, anchors, reduced };
}

function matmul(g: Group, groupOf: GroupOf, stored: (t: Tensor) => boolean, vars: Vars): KernelSchedule {
  const mm = g.anchors[0]! as Tensor<'matmul'>;
  const [a, b] = mm.inputs as [Tensor, Tensor];
  const outBatch = mm.shape.slice(0, -2);
  const { loops: batch, ix: bIx } = vars.over(outBatch);
  const [M, N] = mm.shape.slice(-2) as [number, number];
  const K = a.shape[a.rank - 1]!;
  const i = vars.loop(M);
  const j = vars.loop(N);
  const k = vars.loop(K);
  const [ia, ja, ka] = [loopAff(i.v, M), loopAff(j.v, N), loopAff(k.v, K)];
  const operands = termWalker(g, groupOf, PLAIN);
  const av = operands(a, [...broadcastIx(bIx, outBatch, a.shape.slice(0, -2)), ia, ka]);
  const bv = operands(b, [...broadcastIx(bIx, outBatch, b.shape.slice(0, -2)), ka, ja]);
  const out: Ix = [...bIx, ia, ja];
  const epilogue = termWalker(g, groupOf, { kind: 'epilogue', group: g, out });
  const members = [mm, ...g.values];
  const stores = members.filter(stored).map((t) => storeOf(t, out, epilogue(t, out)));
  return { kind: 'matmul', members, node: mm, batch, i, j, k, a: av, b: bv, stores };
}

function assemble(g: Group, groupOf: GroupOf, vars: Vars): KernelSchedule {
  const t = g.anchors[0]! as Tensor<'pad' | 'concat'>;
  const strides = stridesOf(t.shape);
  const at = termWalker(g, groupOf, PLAIN);
  const copy = (x: Tensor, offset: readonly number[]) => {
    const { loops, ix } = vars.over(x.shape);
    return { loops, value: at(x, ix), index: flatIndex(ix.map((a, d) => addAff(a, constAff(offset[d]!))), strides) };
  };
  if (t.op === 'pad') {
    const { loops, ix } = vars.over(t.shape);
    const fill = { loops, index: flatIndex(ix, strides) };
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
