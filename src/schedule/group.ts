/** Kernel groups: what one kernel computes, and the iteration stages values are read in. */
import type { Tensor } from '../graph/tensor.js';
import { reducedShape } from '../graph/shape.js';
import type { Ix } from './index-map.js';
import { constAff, ixEqual } from './index-map.js';

/**
 * elementwise: one loop nest over `shape`, storing values pointwise.
 * rows: outer loops over the axes not in `axes`, then passes over `axes`: reductions (and
 *   softmax-like anchors) over the same rows share the kernel; values of the full `shape` are
 *   stored in a final pass, values of the reduced shape after it.
 * matmul: one contraction; values of its output shape are stored by the epilogue.
 * assemble: pad or concat, which write blocks of their output.
 */
export type GroupKind = 'elementwise' | 'rows' | 'matmul' | 'assemble';

export interface Group {
  readonly id: number;
  readonly kind: GroupKind;
  readonly shape: readonly number[];
  readonly axes: readonly number[];
  /** Reductions, softmaxes, the matmul, the pad/concat this group is built around. */
  readonly anchors: Tensor[];
  /** Non-anchor values this group stores (outputs, updates, values other kernels read). */
  readonly values: Tensor[];
  /** rows: the pass each anchor starts in, and the first pass that may read its value. */
  readonly pass: Map<Tensor, number>;
  readonly avail: Map<Tensor, number>;
  /** rows: the stage each stored value is written in (full shape, or reduced with / without size-1 axes). */
  readonly storeAt: Map<Tensor, StoreStage>;
}

export type StoreStage = 'full' | 'keep' | 'drop';

export function newGroup(id: number, kind: GroupKind, shape: readonly number[], axes: readonly number[] = []): Group {
  return { id, kind, shape, axes, anchors: [], values: [], pass: new Map(), avail: new Map(), storeAt: new Map() };
}

/** Passes a rows anchor occupies: one for sum/max, two (max, then Σ exp) for the others. */
export function passesOf(t: Tensor): number {
  return t.op === 'sum' || t.op === 'max' ? 1 : 2;
}

/**
 * Where in a kernel a value is being computed, and the index of each local anchor there.
 * full: index of an element of the rows' full shape in this pass (absent outside passes);
 * keep / drop: the current row's index in the reduced shape with / without size-1 axes.
 */
export type Stage =
  | { readonly kind: 'plain' }
  | { readonly kind: 'rows'; readonly group: Group; readonly pass: number; readonly full?: Ix; readonly keep: Ix; readonly drop: Ix }
  | { readonly kind: 'epilogue'; readonly group: Group; readonly out: Ix };

export const PLAIN: Stage = { kind: 'plain' };

/** Sentinel pass number for the final stages of a rows kernel (after every reduce pass). */
export const FINAL = Number.MAX_SAFE_INTEGER;

/** The stage of a rows group for given outer vars (index over the non-reduced axes) and pass vars. */
export function rowsStage(group: Group, outer: Ix, passVars: Ix | undefined, pass: number): Stage {
  const keep: Ix[number][] = [];
  const drop: Ix[number][] = [];
  const full: Ix[number][] | undefined = passVars && [];
  for (let d = 0; d < group.shape.length; d++) {
    const reduced = group.axes.includes(d);
    keep.push(reduced ? constAff(0) : outer[d]!);
    if (!reduced) drop.push(outer[d]!);
    if (full) full.push(reduced ? passVars![d]! : outer[d]!);
  }
  return full ? { kind: 'rows', group, pass, full, keep, drop } : { kind: 'rows', group, pass, keep, drop };
}

/** Whether local anchor `t` can be read at `ix` in `stage` (its value is there, at that index). */
export function readableHere(stage: Stage, t: Tensor, ix: Ix): boolean {
  if (stage.kind === 'epilogue') return stage.group.anchors[0] === t && ixEqual(ix, stage.out);
  if (stage.kind !== 'rows') return false;
  const avail = stage.group.avail.get(t);
  if (avail === undefined || stage.pass < avail) return false;
  if (t.op === 'softmax' || t.op === 'logSoftmax') return stage.full !== undefined && ixEqual(ix, stage.full);
  const keepDims = (t as Tensor<'sum'>).attrs.keepDims;
  return ixEqual(ix, keepDims ? stage.keep : stage.drop);
}

/** Stages of a rows group that can store a value of `shape`: the final pass (full shape), or after it. */
export function rowsStoreStages(group: Group, shape: readonly number[]): StoreStage[] {
  const out: StoreStage[] = [];
  if (sameShape(group.shape, shape)) out.push('full');
  if (sameShape(reducedShape(group.shape, group.axes, true), shape)) out.push('keep');
  if (sameShape(reducedShape(group.shape, group.axes, false), shape)) out.push('drop');
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where a rows group stores `t`: anchors by their kind, values where the scheduler placed them. */
export function storeStageOf(group: Group, t: Tensor): StoreStage {
  if (t.op === 'softmax' || t.op === 'logSoftmax') return 'full';
  if (group.anchors.includes(t)) return (t as Tensor<'sum'>).attrs.keepDims ? 'keep' : 'drop';
  const s = group.storeAt.get(t);
  if (s === undefined) throw new Error(`internal: ${t} has no store stage`);
  return s;
}
