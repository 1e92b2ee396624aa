/**
 * Whether a loop kernel's innermost loops run `lanes` at a time. A pass vectorizes over its
 * innermost loop var when every load and store in it moves by 0 or 1 element along that var
 * (broadcast or contiguous), the var is not read as a value, and its extent is at least the
 * lanes; the last extent mod lanes iterations run as scalar tails.
 */
import { strideOf } from '../affine.js';
import { reachable } from '../expr.js';
import type { LoopKernel, Pass } from '../ir.js';
import type { Target } from '../target.js';
import { rootsOf } from './placement.js';

export interface LoopVectorPlan {
  readonly lanes: number;
  /** Per pass: vectorized over its innermost loop, or scalar. */
  readonly passes: readonly boolean[];
  /** When the kernel has one map pass without loops: vectorized over the innermost outer loop. */
  readonly outer: boolean;
}

function vectorizable(k: LoopKernel, p: Pass, v: number, extent: number, lanes: number): boolean {
  if (extent < lanes) return false;
  const nodes = reachable(rootsOf(p));
  for (const e of nodes) {
    if (e.kind === 'var' && e.v === v) return false;
    if (e.kind === 'load') {
      const s = strideOf(e.index, v);
      if (s !== 0 && s !== 1) return false;
      // Only f32 values vectorize (f32x4); i32 and bool intermediates too, f64 not.
    }
    if (e.dtype === 'f64') return false;
  }
  if (p.kind === 'map') for (const st of p.stores) if (strideOf(st.index, v) !== 1) return false;
  if (p.kind === 'reduce') for (const a of p.accs) if (a.value.dtype !== 'f32') return false;
  void k;
  return true;
}

export function planLoopVector(k: LoopKernel, target: Target): LoopVectorPlan {
  const lanes = target.lanes;
  if (lanes <= 1) return { lanes: 1, passes: k.passes.map(() => false), outer: false };
  const passes = k.passes.map((p) => {
    const l = p.loops[p.loops.length - 1];
    return l !== undefined && vectorizable(k, p, l.v, l.extent, lanes);
  });
  const last = k.outer[k.outer.length - 1];
  const outer = k.passes.length === 1 && k.passes[0]!.loops.length === 0 && last !== undefined
    && vectorizable(k, k.passes[0]!, last.v, last.extent, lanes);
  return { lanes, passes, outer };
}

export function describeLoopPlan(k: LoopKernel, v: LoopVectorPlan): string {
  const outer = k.outer.map((l) => l.extent).join('×') || 'scalar';
  const passes = k.passes.map((p, i) => `${p.kind}[${p.loops.map((l) => l.extent).join('×')}]${v.passes[i] ? ` ×${v.lanes}` : ''}`).join(', ');
  return `loops ${outer}${v.outer ? ` ×${v.lanes}` : ''} | ${passes}`;
}
