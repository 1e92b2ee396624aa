/**
 * Plain multi-index arithmetic, written independently of src/eval, for checking the
 * reference evaluator against textbook loops: out[i] for every multi-index i.
 */
export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** All multi-indices of `shape` in row-major order. */
export function indices(shape: Shape): number[][] {
  const out: number[][] = [[]];
  for (const d of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let i = 0; i < d; i++) next.push([...prefix, i]);
    out.splice(0, out.length, ...next);
  }
  return out;
}

/** Flat row-major offset of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

/** The element of `data` (shape `shape`) that NumPy broadcasting reads at output index `idx`. */
export function readBroadcast(data: ArrayLike<number>, shape: Shape, idx: readonly number[]): number {
  const lead = idx.length - shape.length;
  return data[ravel(shape.map((d, i) => (d === 1 ? 0 : idx[lead + i])), shape)];
}

/** NumPy's broadcast result shape, or throws. */
export function broadcastShape(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw new Error('shapes do not broadcast');
      if (v !== 1) d = v;
    }
    return d;
  });
}
