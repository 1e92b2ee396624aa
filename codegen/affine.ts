/** Affine indices: offset + Σ stride·var, kept canonical (terms sorted by var, no zero strides). */
import type { Affine, AffineTerm, Loop, VarId } from './ir.js';

/** Builds a canonical affine index; repeated vars are merged, zero strides dropped. */
export function affine(offset: number, terms: Iterable<readonly [VarId, number]> = []): Affine {
  const byVar = new Map<VarId, number>();
  for (const [v, stride] of terms) {
    if (!Number.isInteger(stride) || !Number.isInteger(v)) {
      throw new Error(`affine index: strides and vars must be integers, got var ${v} stride ${stride}`);
    }
    byVar.set(v, (byVar.get(v) ?? 0) + stride);
  }
  if (!Number.isInteger(offset)) throw new Error(`affine index: offset must be an integer, got ${offset}`);
  const out: AffineTerm[] = [];
  for (const v of [...byVar.keys()].sort((a, b) => a - b)) {
    const stride = byVar.get(v)!;
    if (stride !== 0) out.push({ v, stride });
  }
  return { offset, terms: out };
}

/** Row-major strides of a shape (elements), e.g. [2,3,4] → [12,4,1]. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** Affine index of a strided view: offset + Σ strides[d]·vars[d]. */
export function stridedIndex(offset: number, vars: readonly VarId[], strides: readonly number[]): Affine {
  if (vars.length !== strides.length) {
    throw new Error(`strided index: ${vars.length} vars but ${strides.length} strides`);
  }
  return affine(offset, vars.map((v, d) => [v, strides[d]!] as const));
}

export function affineKey(a: Affine): string {
  let key = String(a.offset);
  for (const t of a.terms) key += `,${t.v}:${t.stride}`;
  return key;
}

export function affineEqual(a: Affine, b: Affine): boolean {
  return affineKey(a) === affineKey(b);
}

export function strideOf(a: Affine, v: VarId): number {
  for (const t of a.terms) if (t.v === v) return t.stride;
  return 0;
}

/**
 * Smallest and largest index reached when each var runs over [0, extent). Vars not in `loops`
 * are an error (the caller checks scoping first).
 */
export function affineRange(a: Affine, extents: ReadonlyMap<VarId, number>): [number, number] {
  let lo = a.offset;
  let hi = a.offset;
  for (const t of a.terms) {
    const e = extents.get(t.v);
    if (e === undefined) throw new Error(`affine index uses var ${t.v} outside its loop`);
    const span = t.stride * (e - 1);
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

export function loopExtents(loops: Iterable<Loop>): Map<VarId, number> {
  const m = new Map<VarId, number>();
  for (const l of loops) m.set(l.v, l.extent);
  return m;
}
