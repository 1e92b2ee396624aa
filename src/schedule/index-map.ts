/**
 * Index vectors: one affine index (over loop vars) per axis of a tensor. Views (transpose,
 * broadcast, slice, reshapes that only split axes) and NumPy broadcasting map an index of a
 * node to an index of its input, so reading through them is free: no copy, other strides.
 */
import { affine, affineEqual } from '../../codegen/index.js';
import type { Affine, AffineTerm, VarId } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';

export type Ix = readonly Affine[];

const ZERO = affine(0);

export function constAff(c: number): Affine {
  return c === 0 ? ZERO : affine(c);
}

export function varAff(v: VarId): Affine {
  return { offset: 0, terms: [{ v, stride: 1 }] };
}

/** The index of a loop: its var, or 0 for a loop of extent 1 (so equal indices compare equal). */
export function loopAff(v: VarId, extent: number): Affine {
  return extent === 1 ? ZERO : varAff(v);
}

export function addAff(a: Affine, b: Affine): Affine {
  if (b.terms.length === 0) return b.offset === 0 ? a : { offset: a.offset + b.offset, terms: a.terms };
  if (a.terms.length === 0 && a.offset === 0) return b;
  return affine(a.offset + b.offset, [...a.terms, ...b.terms].map((t) => [t.v, t.stride] as const));
}

export function scaleAff(a: Affine, s: number): Affine {
  if (s === 1) return a;
  return affine(a.offset * s, a.terms.map((t) => [t.v, t.stride * s] as const));
}

/** Row-major strides of the shape being flattened (reused: flatIndex does not nest). */
const strides: number[] = [];

/** Σ ix[d]·stride[d] over the row-major strides of `shape`: the flat element index. */
export function flatIndex(ix: Ix, shape: readonly number[]): Affine {
  strides.length = shape.length;
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  let off = 0;
  const terms: AffineTerm[] = [];
  // Vars ascending and strides nonzero (as loop vars are numbered): already canonical.
  let canonical = true;
  let prev = -1;
  for (let d = 0; d < ix.length; d++) {
    const a = ix[d]!;
    const s = strides[d]!;
    off += a.offset * s;
    for (let i = 0; i < a.terms.length; i++) {
      const v = a.terms[i]!.v;
      const stride = a.terms[i]!.stride * s;
      if (v <= prev || stride === 0) canonical = false;
      prev = v;
      terms.push({ v, stride });
    }
  }
  if (canonical && Number.isInteger(off)) return { offset: off, terms };
  const list: [VarId, number][] = [];
  for (const t of terms) list.push([t.v, t.stride]);
  return affine(off, list);
}

export function ixEqual(a: Ix, b: Ix): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d] && !affineEqual(a[d]!, b[d]!)) return false;
  return true;
}

/** NumPy broadcasting: an index of `outShape` read from an operand of `inShape` (`ix` itself when that reads the same). */
export function broadcastIx(ix: Ix, outShape: readonly number[], inShape: readonly number[]): Ix {
  const lead = outShape.length - inShape.length;
  let same = lead === 0;
  for (let k = 0; same && k < inShape.length; k++) if (inShape[k] === 1 && ix[k] !== ZERO) same = false;
  if (same) return ix;
  const out: Affine[] = [];
  for (let k = 0; k < inShape.length; k++) out.push(inShape[k] === 1 ? ZERO : ix[k + lead]!);
  return out;
}

/**
 * For a reshape from `inShape` to `outShape` in which every input axis is a run of consecutive
 * output axes (splitting, adding or dropping size-1 axes), the input index is affine in the
 * output index: returns it. Merging axes needs division, so returns undefined.
 */
export function reshapeIx(ix: Ix, inShape: readonly number[], outShape: readonly number[]): Ix | undefined {
  const out: Affine[] = [];
  let o = 0;
  for (const d of inShape) {
    if (d === 1) {
      out.push(ZERO);
      continue;
    }
    // Collect output axes until their product is d.
    const run: number[] = [];
    let prod = 1;
    while (o < outShape.length && prod < d) {
      if (outShape[o] !== 1) {
        prod *= outShape[o]!;
        run.push(o);
      }
      o++;
    }
    if (prod !== d) return undefined;
    let acc = ZERO;
    let stride = 1;
    for (let r = run.length - 1; r >= 0; r--) {
      acc = addAff(acc, scaleAff(ix[run[r]!]!, stride));
      stride *= outShape[run[r]!]!;
    }
    out.push(acc);
  }
  for (; o < outShape.length; o++) if (outShape[o] !== 1) return undefined;
  return out;
}

/** True when the reshape is a view (see reshapeIx: each input axis a run of output axes). */
export function isSplitReshape(inShape: readonly number[], outShape: readonly number[]): boolean {
  let o = 0;
  for (const d of inShape) {
    if (d === 1) continue;
    let prod = 1;
    while (o < outShape.length && prod < d) {
      if (outShape[o] !== 1) prod *= outShape[o]!;
      o++;
    }
    if (prod !== d) return false;
  }
  for (; o < outShape.length; o++) if (outShape[o] !== 1) return false;
  return true;
}

/**
 * The index of input `k` that element `ix` of `node` reads, for views and elementwise ops.
 * Undefined for a reshape that merges axes (its input must be materialized).
 */
export function inputIx(node: Tensor, k: number, ix: Ix): Ix | undefined {
  const x = node.inputs[k]!;
  switch (node.op) {
    case 'transpose': {
      const perm = (node as Tensor<'transpose'>).attrs.perm;
      const out = new Array<Affine>(perm.length);
      for (let d = 0; d < perm.length; d++) out[perm[d]!] = ix[d]!;
      return out;
    }
    case 'broadcastTo':
      return broadcastIx(ix, node.shape, x.shape);
    case 'slice': {
      const begin = (node as Tensor<'slice'>).attrs.begin;
      const out = new Array<Affine>(ix.length);
      for (let d = 0; d < ix.length; d++) out[d] = begin[d] === 0 ? ix[d]! : addAff(ix[d]!, constAff(begin[d]!));
      return out;
    }
    case 'reshape':
      return reshapeIx(ix, x.shape, node.shape);
    case 'oneHot':
      return ix.slice(0, -1);
    default:
      return broadcastIx(ix, node.shape, x.shape);
  }
}
