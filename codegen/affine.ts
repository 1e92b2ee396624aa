/** Affine indices: offset + Σ stride·var, kept canonical (terms sorted by var, no zero strides). */
import type { Affine, AffineTerm, Loop, VarId } from './ir.js';

/** Builds a canonical affine index; repeated vars are merged, zero strides dropped. */
export function affine(offset: number, terms: Iterable<readonly [VarId, number]> = []): Affine {
  const list = Array.isArray(terms) ? (terms as readonly (readonly [VarId, number])[]) : [...terms];
  if (isCanonical(list) && Number.isInteger(offset)) {
    const out = new Array<AffineTerm>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = { v: list[i]![0], stride: list[i]![1] };
    return { offset, terms: out };
  }
  // Vars kept sorted as they come (an index has a handful of terms), equal vars merged.
  const vars: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const raw = list[i]![0];
    const stride = list[i]![1];
    if (!Number.isInteger(stride) || !Number.isInteger(raw)) {
      throw new Error(`affine index: strides and vars must be integers, got var ${raw} stride ${stride}`);
    }
    const v = raw === 0 ? 0 : raw; // −0 is var 0
    let k = vars.length;
    while (k > 0 && vars[k - 1]! > v) k--;
    if (k > 0 && vars[k - 1] === v) {
      strides[k - 1] += stride;
      continue;
    }
    // Insert at k, shifting the larger vars up.
    vars.push(v);
    strides.push(stride);
    for (let j = vars.length - 1; j > k; j--) {
      vars[j] = vars[j - 1]!;
      strides[j] = strides[j - 1]!;
    }
    vars[k] = v;
    strides[k] = stride;
  }
  if (!Number.isInteger(offset)) throw new Error(`affine index: offset must be an integer, got ${offset}`);
  const out: AffineTerm[] = [];
  for (let k = 0; k < vars.length; k++) if (strides[k] !== 0) out.push({ v: vars[k]!, stride: strides[k]! });
  return { offset, terms: out };
}

/** Whether `a` is as `affine` builds it: integer offset, integer nonzero strides, variables ascending (no −0). */
function isCanonicalAffine(a: Affine): boolean {
  if (!Number.isInteger(a.offset)) return false;
  const terms = a.terms;
  let prev = -Infinity;
  for (let i = 0; i < terms.length; i++) {
    const { v, stride } = terms[i]!;
    if (!(v > prev) || stride === 0 || !Number.isInteger(v) || !Number.isInteger(stride) || Object.is(v, -0)) return false;
    prev = v;
  }
  return true;
}

const rebuilt = (a: Affine): Affine => affine(a.offset, a.terms.map((t) => [t.v, t.stride] as const));

/** A copy of `a` (new terms), canonicalized as `affine` does. */
export function affineCopy(a: Affine): Affine {
  if (!isCanonicalAffine(a)) return rebuilt(a);
  const terms = a.terms;
  const out = new Array<AffineTerm>(terms.length);
  for (let i = 0; i < terms.length; i++) out[i] = { v: terms[i]!.v, stride: terms[i]!.stride };
  return { offset: a.offset, terms: out };
}

/** `a` itself when it is canonical, else its canonical form (as `affine` builds it). */
export function canonicalAffine(a: Affine): Affine {
  return isCanonicalAffine(a) ? a : rebuilt(a);
}

/** Integer vars strictly ascending with nonzero integer strides: already an index's terms. */
function isCanonical(list: readonly (readonly [VarId, number])[]): boolean {
  let prev = -Infinity;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]![0];
    const stride = list[i]![1];
    if (!(v > prev) || stride === 0 || !Number.isInteger(v) || !Number.isInteger(stride) || Object.is(v, -0)) return false;
    prev = v;
  }
  return true;
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
  for (let i = 0; i < a.terms.length; i++) key += `,${a.terms[i]!.v}:${a.terms[i]!.stride}`;
  return key;
}

/** affineKey(a) === affineKey(b), without building the keys. */
export function affineEqual(a: Affine, b: Affine): boolean {
  if (a.offset !== b.offset || a.terms.length !== b.terms.length) return false;
  for (let i = 0; i < a.terms.length; i++) {
    if (a.terms[i]!.v !== b.terms[i]!.v || a.terms[i]!.stride !== b.terms[i]!.stride) return false;
  }
  return true;
}

export function strideOf(a: Affine, v: VarId): number {
  for (let i = 0; i < a.terms.length; i++) if (a.terms[i]!.v === v) return a.terms[i]!.stride;
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
