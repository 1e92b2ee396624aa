/**
 * The matmul plan, as data: loop order, register tile, vector axis, packing, accumulator dtype,
 * scratch. Chosen from the operands' strides and the target; backends print it.
 *  - order `dot`: register tiles of rows × cols sums run down k together (each load of a shared
 *    by the tile's columns, each load of b by its rows). For b contiguous along k (transposed),
 *    or b small enough (k·n ≤ 64K elements) to stay in cache while read by columns.
 *  - order `ikj`: `rows` values of a are held while one row of b streams past, added into a
 *    panel of rows × n sums in scratch. For large row-contiguous b, read once per block.
 *  - vector `j`: lanes of adjacent output columns at once (broadcast a, vector loads of b);
 *    when b is not contiguous along j it is packed into scratch first (k × n, row-major).
 * Leftover rows (m mod rows) and columns (n mod cols) run the same code with smaller tiles.
 */
import { strideOf } from '../affine.js';
import { reachable } from '../expr.js';
import type { DType, Expr, MatmulKernel, Storage } from '../ir.js';
import { STORAGE_BYTES } from '../ir.js';
import type { Target } from '../target.js';

export type MatmulOrder = 'ikj' | 'dot';

export interface MatmulPlan {
  readonly order: MatmulOrder;
  /** Register tile: rows × cols sums (cols counts scalars: 2 vectors of 4 lanes are 8). */
  readonly tile: { readonly rows: number; readonly cols: number };
  /** Vectorized axis (`none`: scalar code). */
  readonly vector: 'j' | 'none';
  readonly lanes: number;
  /** b copied into scratch as k × n row-major before the products (vector j over a strided b). */
  readonly packB: boolean;
  /**
   * a is bytes cast to f32 (a uint8 input): its buffer is converted to f32 in scratch, four lanes
   * at a time, once per call, and the products read the copy (one splat load per row and k).
   */
  readonly convertA: { readonly buffer: number; readonly length: number; readonly offset: number } | undefined;
  /**
   * a with a prologue (not a plain load, f32, not depending on j): computed once per call into
   * scratch at this offset as M × K f32 (row-major), then read as a plain load: one splat load per
   * row and k, instead of the prologue per row, k and tile of columns.
   */
  readonly prologueA: { readonly offset: number } | undefined;
  readonly accType: DType;
  /** Sums of an `ikj` block kept in scratch: rows × n of accType. */
  readonly panelRows: number;
  /**
   * Vector plans with a small output (loopedEpilogue): after the products, a tile's R·C/4 sums are stored to
   * scratch at this offset (rows × cols f32, row-major) and one copy of the epilogue runs in a
   * loop over them, instead of R·C/4 copies (undefined: each sum's epilogue printed in place).
   */
  readonly sums: { readonly offset: number } | undefined;
  /** Scratch this kernel needs (bytes, 16-aligned parts): panel, or packed b, converted or computed a, then the tile's sums. */
  readonly scratchBytes: number;
  readonly panelBytes: number;
  /** Which tiles the outer loop walks: blocks of `rows` (b small enough to stay in cache), or column panels of b (a large b read once). */
  readonly outer: 'rows' | 'columns';
  /** Leftovers run with 1-row / narrower tiles. */
  readonly tails: { readonly rows: number; readonly cols: number };
}

/** Bytes of b that stay in cache while every row block reads all of it. */
const B_IN_CACHE = 256 * 1024;
/** b up to this many elements is read column-wise (dot order); beyond, row by row (ikj). */
const DOT_MAX_B = 65536;

const align16 = (n: number) => Math.ceil(n / 16) * 16;


export function planMatmul(
  k: MatmulKernel, target: Target, storageOf: (buffer: number) => Storage, bufferLength: (buffer: number) => number,
): MatmulPlan {
  const M = k.i.extent;
  const N = k.j.extent;
  const K = k.k.extent;
  const bNodes = reachable([k.b]);
  const bLoads = bNodes.filter((e) => e.kind === 'load');
  const accBytes = STORAGE_BYTES[k.accType === 'f64' ? 'f64' : 'f32'];
  if (target.lanes > 1 && k.accType === 'f32') {
    // Vector over j: b must be contiguous along j (else packed), and the operands loads only.
    // Contiguous: every load of b that moves along j does so by one f32 (u8 and f64 are packed).
    const contiguous = bLoads.length > 0 && bLoads.every((e) => {
      const s = strideOf((e as Expr & { kind: 'load' }).index, k.j.v);
      return s === 0 || (s === 1 && storageOf((e as Expr & { kind: 'load' }).buffer) === 'f32');
    }) && bLoads.some((e) => strideOf((e as Expr & { kind: 'load' }).index, k.j.v) === 1)
      && !bNodes.some((e) => e.kind === 'var' || e.dtype === 'f64');
    const packB = !contiguous && N >= target.lanes;
    const lanes = target.lanes;
    const cols = N >= target.matmulTile.cols ? target.matmulTile.cols : lanes;
    const rows = Math.min(target.matmulTile.rows, M);
    const packBytes = packB ? align16(K * N * 4) : 0;
    const a8 = k.a.kind === 'cast' && k.a.dtype === 'f32' && k.a.a.kind === 'load' && storageOf(k.a.a.buffer) === 'u8' ? k.a.a : undefined;
    const convertA = a8 ? { buffer: a8.buffer, length: bufferLength(a8.buffer), offset: packBytes } : undefined;
    const convertBytes = convertA ? align16(Math.ceil(convertA.length / 8) * 8 * 4) : 0;
    if (N >= lanes) {
      // b beyond the L2-friendly size is walked by column panels, each read once.
      const outer = K * N * 4 > B_IN_CACHE ? 'columns' : 'rows';
      const computeA = !convertA && k.a.kind !== 'load' && k.a.dtype === 'f32' && M * K * 4 <= B_IN_CACHE
        && !reachable([k.a]).some((e) => e.kind === 'var' && e.v === k.j.v);
      const prologueA = computeA ? { offset: packBytes + convertBytes } : undefined;
      const prologueBytes = computeA ? align16(M * K * 4) : 0;
      const sums = loopedEpilogue(k) ? { offset: packBytes + convertBytes + prologueBytes } : undefined;
      const sumsBytes = sums ? align16(rows * cols * 4) : 0;
      return {
        order: 'dot', tile: { rows, cols }, vector: 'j', lanes, packB, convertA, prologueA, accType: k.accType, panelRows: 0, outer,
        sums, scratchBytes: packBytes + convertBytes + prologueBytes + sumsBytes, panelBytes: 0, tails: { rows: M % rows, cols: N % cols },
      };
    }
  }
  if (target.lanes > 1) {
    // A vector target prints the contractions it cannot vectorize (f64, fewer columns than lanes)
    // one sum at a time, k innermost: no register tile, no panel.
    return {
      order: 'dot', tile: { rows: 1, cols: 1 }, vector: 'none', lanes: 1, packB: false, convertA: undefined, prologueA: undefined, accType: k.accType,
      sums: undefined, panelRows: 0, scratchBytes: 0, panelBytes: 0, outer: 'rows', tails: { rows: 0, cols: 0 },
    };
  }
  const kContiguous = bLoads.length > 0 && bLoads.every((e) =>
    e.kind === 'load' && strideOf(e.index, k.k.v) === 1 && strideOf(e.index, k.j.v) !== 1);
  const order: MatmulOrder = kContiguous || N === 1 || K * N <= DOT_MAX_B ? 'dot' : 'ikj';
  const rows = Math.min(target.matmulTile.rows, M);
  const cols = Math.min(target.matmulTile.cols, N);
  const panelRows = rows;
  // The epilogue of both orders reads the sums of a block of rows from a panel.
  const panelBytes = align16(panelRows * N * accBytes);
  return {
    order, tile: { rows, cols: order === 'ikj' ? N : cols }, vector: 'none', lanes: 1, packB: false, convertA: undefined, prologueA: undefined, accType: k.accType,
    sums: undefined, panelRows, scratchBytes: panelBytes, panelBytes, outer: 'rows', tails: { rows: M % rows, cols: order === 'ikj' ? 0 : N % cols },
  };
}

/**
 * Whether a tile's epilogue runs as one looped copy over its sums: when it is long (more than
 * EPILOGUE_IN_PLACE nodes besides the sum: an optimizer update, not a bias and relu) and the
 * output small (the loop's cost, a store and a load a sum and the loop's own, is paid at most
 * SMALL_OUTPUT times a call). Otherwise a copy per sum: the loop measured ~6% slower per training
 * step on the seed step's ∂W1 (784×32, Adam fused), and the kernel relu(x·W1 + b1) (32×32 out of
 * 32×784·784×32) ~3.5% slower with its bias and relu looped.
 */
function loopedEpilogue(k: MatmulKernel): boolean {
  const outputs = k.batch.reduce((n, l) => n * l.extent, k.i.extent * k.j.extent);
  return outputs <= SMALL_OUTPUT && reachable(k.stores.map((s) => s.value)).length - 1 > EPILOGUE_IN_PLACE;
}
const SMALL_OUTPUT = 4096;
const EPILOGUE_IN_PLACE = 4;

/** One line for reports: `matmul 32×784·784×32: order ikj, tile 4×32, vector none, acc f64, panel 4×32 (scratch)`. */
export function describeMatmulPlan(k: MatmulKernel, p: MatmulPlan): string {
  const batch = k.batch.map((l) => l.extent).join('×');
  const shape = `${batch ? `${batch} × ` : ''}${k.i.extent}×${k.k.extent}·${k.k.extent}×${k.j.extent}`;
  const parts = [`order ${p.order}`, `tile ${p.tile.rows}×${p.tile.cols}`, p.vector === 'none' ? 'scalar' : `vector ${p.vector} (${p.lanes} lanes)`, `acc ${p.accType}`];
  if (p.packB) parts.push('b packed');
  if (p.convertA) parts.push('a bytes to f32 in scratch');
  if (p.prologueA) parts.push('a computed into scratch');
  if (p.sums) parts.push('epilogue looped over the sums in scratch');
  if (p.outer === 'columns') parts.push('column panels outer');
  if (p.panelRows > 0) parts.push(`panel ${p.panelRows}×${k.j.extent} in scratch`);
  return `matmul ${shape}: ${parts.join(', ')}`;
}
