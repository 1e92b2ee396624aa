/** Three Gaussian blobs in 4-D: a small, learnable classification set for the model tests. */
import { Rng, toOneHot } from 'gradc';

export function blobs(n: number, seed: number) {
  const r = new Rng(seed);
  const centers = [[2, 0, 0, 1], [-2, 1, 0, -1], [0, -2, 2, 0]];
  const x = new Float32Array(n * 4);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = r.int(3);
    labels[i] = c;
    for (let k = 0; k < 4; k++) x[i * 4 + k] = centers[c]![k]! + 0.7 * r.normal();
  }
  return { x: { shape: [n, 4], data: x }, labels, y: toOneHot(labels, 3) };
}
