/** gradc/codegen: the kernel compiler (loops and scalars; no tensors, no autodiff). */
export type {
  DType, BufferId, VarId, AccId, BufferDecl, Affine, AffineTerm, UnaryOp, BinaryOp, CompareOp, Expr,
  Loop, Store, ReduceOp, Accumulator, ReducePass, MapPass, Pass, LoopKernel, MatmulKernel, Kernel, Program,
} from './ir.js';
export { DTYPE_BYTES, KERNEL_NAME, UNARY_OPS, BINARY_OPS, COMPARE_OPS } from './ir.js';
export { affine, rowMajorStrides, stridedIndex, affineKey, affineEqual, strideOf } from './affine.js';
export { ExprPool, children, reachable, mapLoads } from './expr.js';
export { coalesceLoops } from './optimize.js';
export { evalUnary, evalBinary, evalCompare } from './scalar.js';
export { ProgramBuilder } from './builder.js';
export type { BufferOptions } from './builder.js';
export { validateProgram } from './validate.js';
export { emitJs, kernelFunctionName } from './js/emit.js';
export type { JsModule } from './js/emit.js';
export { matmulOrder } from './js/matmul.js';
export type { MatmulOrder } from './js/matmul.js';
export { Executable, buildProgram, describeLoops } from './executable.js';
export type { View, KernelInfo, BuildOptions } from './executable.js';
export { DECOMPOSITIONS, f32Interpreter, log1p } from './decomp/index.js';
export type { ScalarMath, UnaryDecomposition, BinaryDecomposition } from './decomp/index.js';
