import { GraphError, fmtShape } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(op: string, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new GraphError(op, `shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new GraphError(op, `shape ${fmtShape(shape)} has a dimension ${d}; dimensions must be non-negative integers`);
    }
  }
  return [...shape];
}

/** NumPy broadcasting: align right; each pair of sizes must match or one must be 1. */
export function broadcastShapes(op: string, shapes: readonly Shape[]): number[] {
  // The common case, equal shapes (and so nothing to check), without the general loop.
  const first = shapes[0];
  let equal = first !== undefined;
  for (let k = 1; k < shapes.length && equal; k++) equal = sameShape(shapes[k]!, first!);
  if (equal) return first!.slice();
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array(rank).fill(1);
  for (let i = 1; i <= rank; i++) {
    for (const s of shapes) {
      const d = s.length - i >= 0 ? s[s.length - i] : 1;
      const cur = out[rank - i];
      if (d === cur || d === 1) continue;
      if (cur === 1) out[rank - i] = d;
      else {
        throw new GraphError(
          op,
          `shapes ${shapes.map(fmtShape).join(' and ')} do not broadcast: size ${cur} vs ${d} at axis -${i}; ` +
            `sizes must match or one of them must be 1 (reshape or broadcastTo first)`,
        );
      }
    }
  }
  return out;
}

/** Normalise one axis (negative counts from the end) and check its range. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (rank === 0) throw new GraphError(op, `axis ${axis} is out of range: the operand is a scalar and has no axes`);
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new GraphError(
      op,
      `axis ${axis} is out of range for rank ${rank}; use an axis in [${-rank}, ${rank - 1}]`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Axes for a reduction: undefined means all; sorted, deduplicated, non-negative. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const norm = list.map((a) => normAxis(op, a, rank));
  if (new Set(norm).size !== norm.length) {
    throw new GraphError(op, `axes [${list.join(',')}] name the same axis twice; list each axis once`);
  }
  return norm.sort((a, b) => a - b);
}

/** The shape after reducing `axes`: kept as 1 with keepDims, dropped without. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function isPermutation(perm: readonly number[], rank: number): boolean {
  return perm.length === rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
}

export function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}
