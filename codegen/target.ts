/**
 * What a backend can do, as data: the plan reads it to decide placement, vectorization, matmul
 * tiles and which transcendentals to decompose; the scheduler reads its limits for fusion.
 */
import type { DType } from './ir.js';
import type { ScalarOp, Transcendental } from './ops.js';

/** How a target computes a transcendental of one dtype: a native/library call, or the IR decomposition. */
export type MathChoice = 'native' | 'decompose';

export interface Target {
  readonly name: 'js' | 'wasm';
  /** f32 lanes of one vector instruction (1: scalar only). */
  readonly lanes: number;
  /** Per transcendental, for f32 and for f64 values. */
  readonly math: { readonly [T in Transcendental]: { readonly f32: MathChoice; readonly f64: MathChoice } };
  /** Deepest expression (in IR ops, after decomposition) the backend prints; fusion splits chains before it. */
  readonly maxExprHeight: number;
  /** Deepest chain of fused graph ops (each transcendental counts as its decomposition's height). */
  readonly maxFusedHeight: number;
  /** Threads a kernel may use (1: this one). */
  readonly threads: number;
  /** Accumulator dtype of a contraction over operands of each float dtype. */
  readonly matmulAccumulator: { readonly f32: DType; readonly f64: DType };
  /** Register tile (rows × columns of sums) of the matmul micro-kernel. */
  readonly matmulTile: { readonly rows: number; readonly cols: number };
  /** Ops whose spelling names their operand twice (placement gives such an operand a temp). */
  readonly repeatsOperand: readonly ScalarOp[];
}

const nativeAll = { f32: 'native', f64: 'native' } as const;
const decomposeF32 = { f32: 'decompose', f64: 'native' } as const;

/**
 * JavaScript: numbers are float64, so f32 arithmetic rounds after each op (`Math.fround`), and
 * `Math.exp` & co. rounded to f32 are nearly always correctly rounded: kept native. Products of
 * f32 values are exact in float64, so contractions accumulate in f64 (exact products, one
 * rounding per add in a 53-bit sum): faster in JS and more accurate.
 */
export const JS_TARGET: Target = {
  name: 'js',
  lanes: 1,
  math: { exp: nativeAll, log: nativeAll, tanh: nativeAll, sigmoid: nativeAll, softplus: nativeAll, pow: nativeAll },
  maxExprHeight: 256,
  maxFusedHeight: 48,
  threads: 1,
  matmulAccumulator: { f32: 'f64', f64: 'f64' },
  matmulTile: { rows: 4, cols: 4 },
  repeatsOperand: ['relu', 'softplus'],
};

/**
 * WebAssembly SIMD: f32x4. No instruction computes exp or log, so f32 transcendentals are
 * decomposed into range reduction and polynomials (they vectorize); f64 ones call the host's
 * Math (scalar). Contractions accumulate in f32 lanes.
 */
export const WASM_TARGET: Target = {
  name: 'wasm',
  lanes: 4,
  math: { exp: decomposeF32, log: decomposeF32, tanh: decomposeF32, sigmoid: decomposeF32, softplus: decomposeF32, pow: decomposeF32 },
  maxExprHeight: 512,
  maxFusedHeight: 48,
  threads: 1,
  matmulAccumulator: { f32: 'f32', f64: 'f64' },
  matmulTile: { rows: 4, cols: 8 },
  repeatsOperand: [],
};

export const TARGETS: { readonly [N in Target['name']]: Target } = { js: JS_TARGET, wasm: WASM_TARGET };
