/**
 * The kernel IR: loops, affine indices and scalar expressions over buffers in one arena.
 *
 * It knows nothing of tensors, graphs or autodiff, and nothing of JavaScript: the same IR feeds
 * the JS emitter and the WebAssembly emitter. All indices are in elements of the buffer's dtype;
 * buffer offsets are in bytes from the start of the arena.
 */

export type DType = 'f32' | 'f64';

/** Bytes per element. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { f32: 4, f64: 8 };

export type BufferId = number;
export type VarId = number;
export type AccId = number;

/** A region of the arena: `length` elements of `dtype` starting at byte `offset`. */
export interface BufferDecl {
  readonly id: BufferId;
  readonly offset: number;
  readonly length: number;
  readonly dtype: DType;
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

export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'square'
  /** x > 0 ? x : 0 (NaN gives 0, like the graph's reference evaluator) */
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'softplus'
  /** Round to the nearest float32 (what a store into an f32 buffer does). */
  | 'fround'
  /** Largest integer ≤ x (checks that labels are whole numbers). */
  | 'floor';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

/** Comparisons evaluate to 1 when true and 0 when false. */
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'relu', 'sigmoid', 'tanh', 'softplus', 'fround', 'floor',
];
export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
export const COMPARE_OPS: readonly CompareOp[] = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];

export type Expr = ConstExpr | VarExpr | LoadExpr | AccExpr | UnaryExpr | BinaryExpr | CompareExpr | SelectExpr;

interface ExprBase {
  /** Creation order in its pool: children always have smaller ids than their parents. */
  readonly id: number;
}
export interface ConstExpr extends ExprBase { readonly kind: 'const'; readonly value: number }
/** The value of a loop variable, as a number (for iota-like expressions such as one-hot). */
export interface VarExpr extends ExprBase { readonly kind: 'var'; readonly v: VarId }
export interface LoadExpr extends ExprBase { readonly kind: 'load'; readonly buffer: BufferId; readonly index: Affine }
/** The final value of an accumulator (a reduction pass or a contraction), after its loop ends. */
export interface AccExpr extends ExprBase { readonly kind: 'acc'; readonly acc: AccId }
export interface UnaryExpr extends ExprBase { readonly kind: 'unary'; readonly op: UnaryOp; readonly a: Expr }
export interface BinaryExpr extends ExprBase { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
export interface CompareExpr extends ExprBase { readonly kind: 'compare'; readonly op: CompareOp; readonly a: Expr; readonly b: Expr }
/** cond ≠ 0 ? a : b (NaN counts as ≠ 0). */
export interface SelectExpr extends ExprBase { readonly kind: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr }

// ---- statements and kernels ----

export interface Loop {
  readonly v: VarId;
  readonly extent: number;
}

/** buffer[index] = value */
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
 * other strides) optionally wrapped in a prologue expression.
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
