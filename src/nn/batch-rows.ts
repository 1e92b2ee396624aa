/**
 * Filling a step's feed buffers with a batch's rows: copied from the data (rows in the data's
 * order, or in a shuffled order) straight into the program's own input buffers, and one-hot
 * target rows written from each row's class. Nothing here allocates but the row views `set` copies from.
 */
import type { Labels } from './data-input.js';

/**
 * Copies rows `order[from..from+rows)` (or from..from+rows when `order` is null) of src into dst
 * (bytes into floats convert exactly). Wide rows (784 pixels) a row at a time with
 * `TypedArray.set`, a memcpy, 4× faster than a loop; narrow rows (10 targets) by a loop, which
 * beats making a subarray view per row.
 */
export function gatherRows(src: Float32Array | Uint8Array, width: number, dst: Float32Array | Uint8Array, order: Int32Array | null, from: number, rows: number): void {
  if (order === null) {
    dst.set(src.subarray(from * width, (from + rows) * width));
  } else if (width >= 64) {
    for (let i = 0; i < rows; i++) {
      const s = order[from + i]! * width;
      dst.set(src.subarray(s, s + width), i * width);
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const s = order[from + i]! * width;
      const d = i * width;
      for (let k = 0; k < width; k++) dst[d + k] = src[s + k]!;
    }
  }
}

/** `out[i] = labels[order[i]]`: the epoch's classes in its shuffled order, read forward batch by batch. */
export function orderLabels(labels: Labels, order: Int32Array, out: Labels): void {
  for (let i = 0; i < order.length; i++) out[i] = labels[order[i]!]!;
}

/**
 * Writes one-hot target rows from classes `labels[from..from+rows)`: the same values as copying
 * the one-hot rows, from a byte per row instead of `units` shuffled floats.
 */
export function writeOneHotRows(labels: Labels, units: number, dst: Float32Array, from: number, rows: number): void {
  dst.fill(0, 0, rows * units);
  for (let i = 0; i < rows; i++) dst[i * units + labels[from + i]!] = 1;
}
