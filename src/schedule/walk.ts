/**
 * Computing a node's value at an index inside a kernel: through views (other indices), inline
 * elementwise ops (recursively), down to loads of buffers and the kernel's own anchors. The
 * scheduler walks with a visitor that only checks and records what is read; the lowering walks
 * with one that builds scalar expressions.
 */
import type { Affine } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Group, Stage } from './group.js';
import { readableHere } from './group.js';
import type { Ix } from './index-map.js';
import { stridesOf } from '../graph/shape.js';
import { flatIndex, inputIx, ixKey } from './index-map.js';
import { isInlineConstant, kindOf } from './kinds.js';

export interface Visitor<T> {
  /** An input, param or constant, read at flat index `flat`. */
  leaf(t: Tensor, flat: Affine): T;
  /** A value stored by another kernel, read at flat index `flat`. */
  stored(t: Tensor, flat: Affine): T;
  /** An anchor of this kernel, readable at `ix` in the current stage. */
  local(t: Tensor, ix: Ix): T;
  /** An elementwise op (or oneHot) on its inputs' values at element `ix`. */
  op(t: Tensor, args: readonly T[], ix: Ix): T;
}

/** Which group, if any, computes a node (anchors and stored values are placed). */
export type GroupOf = (t: Tensor) => Group | undefined;

export class Walker<T> {
  private readonly memo = new Map<string, T | null>();
  private depth = 0;
  /** The deepest chain of views and inline ops walked so far (bounds the emitted expressions). */
  maxDepth = 0;

  constructor(
    private readonly visitor: Visitor<T>,
    private readonly group: Group | undefined,
    private readonly groupOf: GroupOf,
    private readonly stage: Stage,
  ) {}

  /** The value of `t` at `ix`, or undefined when this kernel cannot compute it here. */
  at(t: Tensor, ix: Ix): T | undefined {
    const key = `${t.id}:${ixKey(ix)}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    this.depth++;
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
    const v = this.compute(t, ix);
    this.depth--;
    this.memo.set(key, v === undefined ? null : v);
    return v;
  }

  private compute(t: Tensor, ix: Ix): T | undefined {
    const kind = kindOf(t);
    if (kind === 'leaf') return this.visitor.leaf(t, isInlineConstant(t) ? flatIndex([], []) : flatIndex(ix, stridesOf(t.shape)));
    const home = this.groupOf(t);
    if (home !== undefined && home !== this.group) return this.visitor.stored(t, flatIndex(ix, stridesOf(t.shape)));
    if (home !== undefined && home.anchors.includes(t)) {
      return readableHere(this.stage, t, ix) ? this.visitor.local(t, ix) : undefined;
    }
    if (kind === 'reshape') {
      // Merging axes: read the input's row-major data at this node's flat index.
      const x = t.inputs[0]!;
      const flat = flatIndex(ix, stridesOf(t.shape));
      if (kindOf(x) === 'leaf') return this.visitor.leaf(x, isInlineConstant(x) ? flatIndex([], []) : flat);
      const xHome = this.groupOf(x);
      return xHome !== undefined && xHome !== this.group ? this.visitor.stored(x, flat) : undefined;
    }
    if (kind === 'view') return this.at(t.inputs[0]!, inputIx(t, 0, ix)!);
    if (kind !== 'elementwise') return undefined;
    const args: T[] = [];
    for (let k = 0; k < t.inputs.length; k++) {
      const v = this.at(t.inputs[k]!, inputIx(t, k, ix)!);
      if (v === undefined) return undefined;
      args.push(v);
    }
    return this.visitor.op(t, args, ix);
  }
}
