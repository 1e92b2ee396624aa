/**
 * The kernel IR: loops, affine indices and typed scalar expressions over buffers in one arena.
 *
 * It knows nothing of tensors, graphs or autodiff, and nothing of any backend: the IR defines the
 * numbers (every expression has a dtype; float32 arithmetic is IEEE float32, rounded after each
 * op), a plan (`codegen/plan/`) decides how to run it on a target, and backends print the plan.
 * All indices are in elements of the buffer's storage type; buffer offsets are in bytes.
 */
import type { ScalarOp, UnaryOp, BinaryOp, CompareOp } from './ops.js';

export type { ScalarOp, UnaryOp, BinaryOp, CompareOp } from './ops.js';

export type { DType, Storage } from './dtypes.js';
export { STORAGE_BYTES, STORAGES, valueType } from './dtypes.js';
import type { DType, Storage } from './dtypes.js';

export type BufferId = number;
export type VarId = number;
export type AccId = number;

/** A region of the arena: `length` elements of `dtype` starting at byte `offset`. */
export interface BufferDecl {
  readonly id: BufferId;
  readonly offset: number;
  readonly length: number;
  readonly dtype: Storage;
}

/** index = offset + Σ stride·var. Terms are sorted by var and have non-zero strides. */
export interface Affine {
  readonly offset: number;
  readonly terms: readonly AffineTerm[];
}

export interface AffineTerm {
  readonly v: VarId;
  readonly stride: number;
}

// ---- scalar expressions (hash-consed: structurally equal nodes are the same object) ----

export type Expr =
  | ConstExpr | VarExpr | LoadExpr | AccExpr | UnaryExpr | BinaryExpr | CompareExpr | SelectExpr | CastExpr | BitcastExpr;

interface ExprBase {
  /** Creation order in its pool: children always have smaller ids than their parents. */
  readonly id: number;
  readonly dtype: DType;
}
/** A constant, exactly representable in its dtype (bool: 0 or 1). */
export interface ConstExpr extends ExprBase { readonly kind: 'const'; readonly value: number }
/** The value of a loop variable (i32), for iota-like expressions such as one-hot. */
export interface VarExpr extends ExprBase { readonly kind: 'var'; readonly v: VarId }
export interface LoadExpr extends ExprBase { readonly kind: 'load'; readonly buffer: BufferId; readonly index: Affine }
/** The final value of an accumulator (a reduction pass or a contraction), after its loop ends. */
export interface AccExpr extends ExprBase { readonly kind: 'acc'; readonly acc: AccId }
export interface UnaryExpr extends ExprBase { readonly kind: 'unary'; readonly op: UnaryOp; readonly a: Expr }
export interface BinaryExpr extends ExprBase { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
/** A comparison of two values of one dtype; its dtype is bool. */
export interface CompareExpr extends ExprBase { readonly kind: 'compare'; readonly op: CompareOp; readonly a: Expr; readonly b: Expr }
/** cond ? a : b, cond a bool. */
export interface SelectExpr extends ExprBase { readonly kind: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
/**
 * A value conversion: f32 ↔ f64 (round to nearest even), int → float (nearest), float → i32
 * (truncate toward zero, saturating, NaN → 0), bool → number (0 or 1).
 */
export interface CastExpr extends ExprBase { readonly kind: 'cast'; readonly a: Expr }
/** The same 32 bits read as another type: f32 ↔ i32. */
export interface BitcastExpr extends ExprBase { readonly kind: 'bitcast'; readonly a: Expr }

// ---- statements and kernels ----

export interface Loop {
  readonly v: VarId;
  readonly extent: number;
}

/** buffer[index] = value (the value's dtype is the buffer's value type). */
export interface Store {
  readonly buffer: BufferId;
  readonly index: Affine;
  readonly value: Expr;
}

/** sum starts at 0, max at −∞, min at +∞. max and min propagate NaN. */
export type ReduceOp = 'sum' | 'max' | 'min';

export interface Accumulator {
  readonly acc: AccId;
  readonly op: ReduceOp;
  /** Folded in the accumulator's dtype (the AccExpr's), which must be the value's. */
  readonly value: Expr;
}

/** Runs `loops` (outer to inner) folding each value into its accumulator. */
export interface ReducePass {
  readonly kind: 'reduce';
  readonly loops: readonly Loop[];
  readonly accs: readonly Accumulator[];
}

/** Runs `loops` (possibly none) performing the stores. */
export interface MapPass {
  readonly kind: 'map';
  readonly loops: readonly Loop[];
  readonly stores: readonly Store[];
}

export type Pass = ReducePass | MapPass;

/**
 * A loop nest `outer` whose body runs `passes` in order. Covers elementwise kernels (one map
 * pass without loops), reductions with an epilogue (reduce pass, then a map pass without loops)
 * and row-wise kernels (softmax: max pass, sum-exp pass, write pass). An accumulator may be read
 * by passes after the one that computes it, within the same outer iteration.
 */
export interface LoopKernel {
  readonly kind: 'loops';
  readonly name: string;
  readonly outer: readonly Loop[];
  readonly passes: readonly Pass[];
}

/**
 * Contraction: for every batch index and (i, j), acc = Σ_k a·b, then the stores run (the
 * epilogue: they may read `acc`, and loads indexed by batch, i, j). `a` may depend on batch, i, k
 * only and `b` on batch, k, j only; each is usually a strided load (a transposed operand is just
 * other strides) optionally wrapped in a prologue expression. The sum runs in `accType`: f32
 * operands accumulated in f64 are exact products summed in f64, and the epilogue casts `acc`
 * back where it needs f32.
 */
export interface MatmulKernel {
  readonly kind: 'matmul';
  readonly name: string;
  readonly batch: readonly Loop[];
  readonly i: Loop;
  readonly j: Loop;
  readonly k: Loop;
  readonly a: Expr;
  readonly b: Expr;
  readonly acc: AccId;
  /** The dtype the sum runs in (the plan's choice, stated here so every backend follows it). */
  readonly accType: DType;
  readonly stores: readonly Store[];
}

export type Kernel = LoopKernel | MatmulKernel;

/** Buffers, kernels run in order, and the input/output slots (buffer ids by slot index). */
export interface Program {
  readonly buffers: readonly BufferDecl[];
  readonly kernels: readonly Kernel[];
  readonly arenaBytes: number;
  readonly inputs: readonly BufferId[];
  readonly outputs: readonly BufferId[];
}

/** Kernel names come from our op vocabulary plus indices, never from users: checked against this. */
export const KERNEL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
