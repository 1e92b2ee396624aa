/**
 * Data on the host: a flat array in row-major order with its shape. Float32Array, or a
 * Uint8Array of bytes (0..255, MNIST's pixels as stored): a model fed bytes keeps them as bytes.
 */
export interface TensorData<D extends Float32Array | Uint8Array = Float32Array> {
  readonly shape: readonly number[];
  readonly data: D;
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
