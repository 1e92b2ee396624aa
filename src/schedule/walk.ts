/**
 * Computing a node's value at an index inside a kernel: through views (other indices), inline
 * elementwise ops (recursively), down to loads of buffers and the kernel's own anchors. The
 * scheduler walks with a visitor that only checks and records what is read; the lowering walks
 * with one that builds scalar expressions.
 *
 * Plain functions over a walk's state (no class, no closures per walk): a first compile runs
 * each function of this path once or a few times, so fewer functions is less to compile.
 */
import type { Affine } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Group, Stage } from './group.js';
import { readableHere } from './group.js';
import type { Ix } from './index-map.js';
import { flatIndex, inputIx, ixEqual } from './index-map.js';
import { kindOf } from './kinds.js';

/** What a walk makes of each thing it reaches; `S` is the state it records into (the walk's `state`). */
export interface Visitor<T, S> {
  /**
   * An input, param or constant, read at element `ix` of `via` in row-major order (`via` is `t`
   * itself, or a reshape merging its axes): flat index `flatOf(ix, via)`, built only by the walks that need it.
   */
  leaf(w: Walk<T, S>, t: Tensor, ix: Ix, via: Tensor): T;
  /** A value stored by another kernel, read as a leaf is. */
  stored(w: Walk<T, S>, t: Tensor, ix: Ix, via: Tensor): T;
  /** An anchor of this kernel, readable at `ix` in the current stage. */
  local(w: Walk<T, S>, t: Tensor, ix: Ix): T;
  /** An elementwise op (or oneHot) on its inputs' values at element `ix` (`args` only when `collects`). */
  op(w: Walk<T, S>, t: Tensor, args: readonly T[] | undefined, ix: Ix): T;
  /** Whether `op` is given its inputs' values (a walk that only checks needs none). */
  readonly collects: boolean;
}

/** Which group, if any, computes a node (anchors and stored values are placed). */
export type GroupOf = ReadonlyMap<Tensor, Group>;

/** One walk: a kernel (`group`, undefined for a probe outside any), a stage, and what was visited. */
export interface Walk<T, S> {
  readonly visitor: Visitor<T, S>;
  readonly state: S;
  readonly group: Group | undefined;
  readonly groupOf: GroupOf;
  readonly stage: Stage;
  /** Each node's values so far, at the indices walked (null: not computable there). */
  readonly memo: Map<Tensor, Memo<T>>;
  depth: number;
  /** The deepest chain of views and inline ops walked so far (bounds the emitted expressions). */
  maxDepth: number;
}

/** A node's value at one index, and at the other indices walked before. */
interface Memo<T> {
  readonly ix: Ix;
  readonly v: T | null;
  readonly next: Memo<T> | undefined;
}

export function newWalk<T, S>(visitor: Visitor<T, S>, state: S, group: Group | undefined, groupOf: GroupOf, stage: Stage): Walk<T, S> {
  return { visitor, state, group, groupOf, stage, memo: new Map(), depth: 0, maxDepth: 0 };
}

/** The value of `t` at `ix`, or undefined when this kernel cannot compute it here. */
export function walkAt<T, S>(w: Walk<T, S>, t: Tensor, ix: Ix): T | undefined {
  for (let m = w.memo.get(t); m !== undefined; m = m.next) if (ixEqual(m.ix, ix)) return m.v ?? undefined;
  w.depth++;
  if (w.depth > w.maxDepth) w.maxDepth = w.depth;
  const v = compute(w, t, ix);
  w.depth--;
  w.memo.set(t, { ix, v: v === undefined ? null : v, next: w.memo.get(t) });
  return v;
}

/** The flat row-major index of element `ix` of `via`. */
export function flatOf(ix: Ix, via: Tensor): Affine {
  return flatIndex(ix, via.shape);
}

function compute<T, S>(w: Walk<T, S>, t: Tensor, ix: Ix): T | undefined {
  const kind = kindOf(t);
  if (kind === 'leaf') return w.visitor.leaf(w, t, ix, t);
  const home = w.groupOf.get(t);
  if (home !== undefined && home !== w.group) return w.visitor.stored(w, t, ix, t);
  if (home !== undefined && home.anchors.includes(t)) {
    return readableHere(w.stage, t, ix) ? w.visitor.local(w, t, ix) : undefined;
  }
  if (kind === 'reshape') {
    // Merging axes: read the input's row-major data at this node's flat index.
    const x = t.inputs[0]!;
    if (kindOf(x) === 'leaf') return w.visitor.leaf(w, x, ix, t);
    const xHome = w.groupOf.get(x);
    return xHome !== undefined && xHome !== w.group ? w.visitor.stored(w, x, ix, t) : undefined;
  }
  if (kind === 'view') return walkAt(w, t.inputs[0]!, inputIx(t, 0, ix)!);
  if (kind !== 'elementwise') return undefined;
  const args: T[] | undefined = w.visitor.collects ? [] : undefined;
  for (let k = 0; k < t.inputs.length; k++) {
    const v = walkAt(w, t.inputs[k]!, inputIx(t, k, ix)!);
    if (v === undefined) return undefined;
    if (args !== undefined) args.push(v);
  }
  return w.visitor.op(w, t, args, ix);
}
