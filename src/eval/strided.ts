// Index arithmetic for the reference evaluator: dense row-major arrays, broadcasting by zero strides.
import { stridesOf, type Shape } from '../graph/shape.js';

/** Strides of `inShape` read as if broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const own = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, i) => (i < lead || inShape[i - lead] === 1 ? 0 : own[i - lead]));
}

/**
 * Calls `visit(outIndex, inOffsets)` for every element of `outShape` in row-major
 * order, where inOffsets[k] is the flat offset into input k under `strides[k]`.
 */
export function forEachStrided(outShape: Shape, strides: readonly (readonly number[])[], visit: (out: number, offsets: readonly number[]) => void): void {
  const rank = outShape.length;
  const n = outShape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const idx = new Array<number>(rank).fill(0);
  const offs = strides.map(() => 0);
  for (let out = 0; out < n; out++) {
    visit(out, offs);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      for (let k = 0; k < offs.length; k++) offs[k] += strides[k][ax];
      if (idx[ax] < outShape[ax]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
}

/** out[i] = f(a[i], b[i], …) with broadcasting. */
export function mapBroadcast(outShape: Shape, args: readonly { data: Float64Array; shape: Shape }[], f: (...xs: number[]) => number): Float64Array {
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const strides = args.map((a) => broadcastStrides(a.shape, outShape));
  const xs = new Array<number>(args.length);
  forEachStrided(outShape, strides, (o, offs) => {
    for (let k = 0; k < args.length; k++) xs[k] = args[k].data[offs[k]];
    out[o] = f(...xs);
  });
  return out;
}

/**
 * Splits `shape` around one `axis` into (outer, n, inner) so that element
 * (o, j, i) sits at o·n·inner + j·inner + i: the layout of row-wise ops.
 */
export function aroundAxis(shape: Shape, axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  shape.forEach((d, i) => {
    if (i < axis) outer *= d;
    else if (i > axis) inner *= d;
  });
  return { outer, n: shape[axis], inner };
}
