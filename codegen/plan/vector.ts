/**
 * Whether a loop kernel's innermost loops run `lanes` at a time. A pass vectorizes over its
 * innermost loop var when every load and store in it moves by 0 or 1 element along that var
 * (broadcast or contiguous), the var is not read as a value, and its extent is at least the
 * lanes; the last extent mod lanes iterations run as scalar tails.
 */
import { strideOf } from '../affine.js';
import { child, childCount, reachable } from '../expr.js';
import type { LoopKernel, Pass, Storage } from '../ir.js';
import type { Target } from '../target.js';
import { rootsOf } from './placement.js';

export interface LoopVectorPlan {
  readonly lanes: number;
  /** Per pass: vectorized over its innermost loop, or scalar. */
  readonly passes: readonly boolean[];
  /** When the kernel has one map pass without loops: vectorized over the innermost outer loop. */
  readonly outer: boolean;
}

/** Buffers whose elements are 4 bytes wide (a v128 load or store moves 4 of them). */
const LANE_STORAGE: ReadonlySet<Storage> = new Set(['f32', 'i32']);

function vectorizable(p: Pass, v: number, extent: number, lanes: number, storageOf: StorageOf): boolean {
  if (extent < lanes) return false;
  const nodes = reachable(rootsOf(p));
  const varies = new Map<number, boolean>();
  for (const e of nodes) {
    let d = e.kind === 'var' ? e.v === v : e.kind === 'load' ? strideOf(e.index, v) !== 0 : false;
    for (let i = 0, n = childCount(e); i < n; i++) d ||= varies.get(child(e, i).id)!;
    varies.set(e.id, d);
    if (e.kind === 'var' && e.v === v) return false;
    // f32, i32 and bool lanes only (f32x4, i32x4, masks); f64 stays scalar.
    if (e.dtype === 'f64') return false;
    if (e.kind === 'load' && varies.get(e.id)) {
      if (strideOf(e.index, v) !== 1 || !LANE_STORAGE.has(storageOf(e.buffer))) return false;
    }
    // i32x4 shifts take one count for all lanes.
    if (e.kind === 'binary' && (e.op === 'shl' || e.op === 'shrS' || e.op === 'shrU') && varies.get(e.b.id)) return false;
  }
  if (p.kind === 'map') {
    for (const st of p.stores) if (strideOf(st.index, v) !== 1 || !LANE_STORAGE.has(storageOf(st.buffer))) return false;
  }
  if (p.kind === 'reduce') for (const a of p.accs) if (a.value.dtype !== 'f32') return false;
  return true;
}

export type StorageOf = (buffer: number) => Storage;

export function planLoopVector(k: LoopKernel, target: Target, storageOf: StorageOf): LoopVectorPlan {
  const lanes = target.lanes;
  if (lanes <= 1) return { lanes: 1, passes: k.passes.map(() => false), outer: false };
  const passes = k.passes.map((p) => {
    const l = p.loops[p.loops.length - 1];
    return l !== undefined && vectorizable(p, l.v, l.extent, lanes, storageOf);
  });
  const last = k.outer[k.outer.length - 1];
  const outer = k.passes.length === 1 && k.passes[0]!.loops.length === 0 && last !== undefined
    && vectorizable(k.passes[0]!, last.v, last.extent, lanes, storageOf);
  return { lanes, passes, outer };
}

export function describeLoopPlan(k: LoopKernel, v: LoopVectorPlan): string {
  const outer = k.outer.map((l) => l.extent).join('×') || 'scalar';
  const passes = k.passes.map((p, i) => `${p.kind}[${p.loops.map((l) => l.extent).join('×')}]${v.passes[i] ? ` ×${v.lanes}` : ''}`).join(', ');
  return `loops ${outer}${v.outer ? ` ×${v.lanes}` : ''} | ${passes}`;
}
