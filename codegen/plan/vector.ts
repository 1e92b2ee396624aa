/**
 * Whether a loop kernel's innermost loops run `lanes` at a time. A pass vectorizes over its
 * innermost loop var when every load and store in it moves by 0 or 1 element along that var
 * (broadcast or contiguous), the var is not read as a value, and its extent is at least the
 * lanes; the last extent mod lanes iterations run as scalar tails.
 */
import { strideOf } from '../affine.js';
import type { NodeIndex } from '../expr.js';
import { indexNodes, marksUnder } from '../expr.js';
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

function vectorizable(p: Pass, v: number, extent: number, lanes: number, storageOf: StorageOf, index: NodeIndex): boolean {
  if (extent < lanes) return false;
  // The pass's nodes, children first; `varies`: the node's value changes along v.
  const { nodes, counts, kids } = index;
  const mine = marksUnder(index, rootsOf(p));
  const varies = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    if (mine[i] === 0) continue;
    const e = nodes[i]!;
    if (e.kind === 'var' && e.v === v) return false;
    // f32, i32 and bool lanes only (f32x4, i32x4, masks); f64 stays scalar.
    if (e.dtype === 'f64') return false;
    let d = false;
    if (e.kind === 'load') {
      const s = strideOf(e.index, v);
      if (s !== 0 && (s !== 1 || !LANE_STORAGE.has(storageOf(e.buffer)))) return false;
      d = s !== 0;
    }
    for (let c = 0, nc = counts[i]!; c < nc; c++) d ||= varies[kids[3 * i + c]!] === 1;
    if (d) varies[i] = 1;
    // i32x4 shifts take one count for all lanes.
    if (e.kind === 'binary' && (e.op === 'shl' || e.op === 'shrS' || e.op === 'shrU') && varies[kids[3 * i + 1]!] === 1) return false;
  }
  if (p.kind === 'map') {
    for (const st of p.stores) if (strideOf(st.index, v) !== 1 || !LANE_STORAGE.has(storageOf(st.buffer))) return false;
  }
  if (p.kind === 'reduce') for (const a of p.accs) if (a.value.dtype !== 'f32') return false;
  return true;
}

export type StorageOf = (buffer: number) => Storage;

export function planLoopVector(
  k: LoopKernel, target: Target, storageOf: StorageOf, index = indexNodes(k.passes.flatMap(rootsOf)),
): LoopVectorPlan {
  const lanes = target.lanes;
  if (lanes <= 1) return { lanes: 1, passes: k.passes.map(() => false), outer: false };
  const passes = k.passes.map((p) => {
    const l = p.loops[p.loops.length - 1];
    return l !== undefined && vectorizable(p, l.v, l.extent, lanes, storageOf, index);
  });
  const last = k.outer[k.outer.length - 1];
  const outer = k.passes.length === 1 && k.passes[0]!.loops.length === 0 && last !== undefined
    && vectorizable(k.passes[0]!, last.v, last.extent, lanes, storageOf, index);
  return { lanes, passes, outer };
}

export function describeLoopPlan(k: LoopKernel, v: LoopVectorPlan): string {
  const outer = k.outer.map((l) => l.extent).join('×') || 'scalar';
  const passes = k.passes.map((p, i) => `${p.kind}[${p.loops.map((l) => l.extent).join('×')}]${v.passes[i] ? ` ×${v.lanes}` : ''}`).join(', ');
  return `loops ${outer}${v.outer ? ` ×${v.lanes}` : ''} | ${passes}`;
}
