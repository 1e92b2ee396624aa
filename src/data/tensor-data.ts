/** Data on the host: a flat Float32Array in row-major order with its shape. */
export interface TensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** Rows are one-hot (each row has a single 1, the rest 0): a fact the simplifier may use. */
  readonly oneHot?: boolean;
}

/** Labels 0..depth−1 → one-hot rows [n, depth]; every label is checked first. */
export function toOneHot(labels: ArrayLike<number>, depth: number, what = 'labels'): TensorData {
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`toOneHot: depth must be a positive integer, got ${depth}`);
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= depth) {
      throw new Error(`toOneHot: ${what}[${i}] = ${v} is not a class index in [0, ${depth - 1}]`);
    }
  }
  const data = new Float32Array(n * depth);
  for (let i = 0; i < n; i++) data[i * depth + labels[i]!] = 1;
  return { shape: [n, depth], data, oneHot: true };
}
