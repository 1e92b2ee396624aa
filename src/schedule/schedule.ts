/**
 * The schedule as lowering reads it: plain data, computed once per kernel. Each kernel's loops,
 * the stages its values are read in, and every value it computes or stores as a term: graph nodes
 * read at index maps over the kernel's own loop vars. Lowering turns terms into scalar expressions
 * and never walks the graph or calls back into the scheduler.
 *
 * Loop vars are numbered per kernel (0, 1, …) in the order lowering declares its loops: the order
 * fields are listed in below. Lowering gives each a var of its own pool as it declares the loop.
 */
import type { Affine, Loop } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Ix } from './index-map.js';

/** A scalar value in a kernel, a DAG (shared subterms are one object). */
export type Term =
  /** An input, param or constant buffer, read at flat index `flat`. */
  | { readonly kind: 'leaf'; readonly node: Tensor; readonly flat: Affine }
  /** A scalar (or all-equal) constant, spelled inline. */
  | { readonly kind: 'constant'; readonly node: Tensor<'constant'> }
  /** A value another kernel stored, read at flat index `flat`. */
  | { readonly kind: 'stored'; readonly node: Tensor; readonly flat: Affine }
  /**
   * This kernel's own anchor where its value is available: a rows kernel's reduction or softmax
   * (with, for softmax and logSoftmax, their input at the same element), a matmul's sum.
   */
  | { readonly kind: 'anchor'; readonly node: Tensor; readonly input?: Term }
  /** An elementwise op (or oneHot) on its inputs' terms at element `ix` of the node. */
  | { readonly kind: 'op'; readonly node: Tensor; readonly args: readonly Term[]; readonly ix: Ix };

/** A node's value stored at flat index `index` of its buffers (row-major). */
export interface StoreSpec {
  readonly node: Tensor;
  readonly index: Affine;
  readonly value: Term;
}

/** An anchor of a rows kernel: the pass it starts in, its input's term in each pass it occupies. */
export interface RowAnchor {
  readonly node: Tensor<'sum' | 'max' | 'logSumExp' | 'softmax' | 'logSoftmax'>;
  readonly pass: number;
  /** sum, max: [x in pass `pass`]; the others: [x for the max pass, x for the Σ exp pass]. */
  readonly inputs: readonly Term[];
}

interface KernelBase {
  /** Anchors and values this kernel computes (a param updated by one of them may be updated in place). */
  readonly members: readonly Tensor[];
}

/** One loop nest over `loops`, storing values pointwise. */
export interface ElementwiseSchedule extends KernelBase {
  readonly kind: 'elementwise';
  readonly loops: readonly Loop[];
  readonly stores: readonly StoreSpec[];
}

/**
 * Outer loops over the kept axes; one pass over the reduced axes per entry of `passes` (loops
 * declared in this order: outer, each pass, then the final full pass); anchors in pass order;
 * stores of the full shape in a final pass over the reduced axes, then stores of the reduced shape.
 */
export interface RowsSchedule extends KernelBase {
  readonly kind: 'rows';
  readonly outer: readonly Loop[];
  readonly passes: readonly (readonly Loop[])[];
  readonly anchors: readonly RowAnchor[];
  readonly full?: { readonly loops: readonly Loop[]; readonly stores: readonly StoreSpec[] };
  readonly reduced: readonly StoreSpec[];
}

/**
 * One contraction: loops batch…, i, j, k (declared in that order); operands a(batch, i, k) and
 * b(batch, k, j) as terms (a strided leaf is a layout, anything else a fused prologue); the
 * epilogue's stores read the sum as the matmul's anchor term.
 */
export interface MatmulSchedule extends KernelBase {
  readonly kind: 'matmul';
  readonly node: Tensor<'matmul'>;
  readonly batch: readonly Loop[];
  readonly i: Loop;
  readonly j: Loop;
  readonly k: Loop;
  readonly a: Term;
  readonly b: Term;
  readonly stores: readonly StoreSpec[];
}

/** Pad or concat: zeros over the whole output first (pad), then one copy per input block. */
export interface AssembleSchedule extends KernelBase {
  readonly kind: 'assemble';
  readonly node: Tensor<'pad' | 'concat'>;
  readonly fill?: { readonly loops: readonly Loop[]; readonly index: Affine };
  /** Each block: its loops, the input's term there, and the flat index in the output it goes to. */
  readonly copies: readonly { readonly loops: readonly Loop[]; readonly value: Term; readonly index: Affine }[];
}

export type KernelSchedule = ElementwiseSchedule | RowsSchedule | MatmulSchedule | AssembleSchedule;

export interface Schedule {
  /** Kernels in run order. */
  readonly kernels: readonly KernelSchedule[];
  /** Anchors and values another kernel reads (these need a buffer of their own). */
  readonly readByOthers: ReadonlySet<Tensor>;
  /** Params whose new value is written in place by the kernel computing it. */
  readonly inPlace: ReadonlySet<Tensor>;
}
