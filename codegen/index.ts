/** gradc/codegen: the kernel compiler (loops and typed scalars; no tensors, no autodiff). */
export type {
  DType, Storage, BufferId, VarId, AccId, BufferDecl, Affine, AffineTerm, Expr,
  Loop, Store, ReduceOp, Accumulator, ReducePass, MapPass, Pass, LoopKernel, MatmulKernel, Kernel, Program,
} from './ir.js';
export { STORAGE_BYTES, STORAGES, KERNEL_NAME, valueType } from './ir.js';
export type { UnaryOp, BinaryOp, CompareOp, ScalarOp, OpInfo, Transcendental } from './ops.js';
export { SCALAR_OPS, UNARY_OPS, BINARY_OPS, COMPARE_OPS, TRANSCENDENTALS, evalOp, toDType } from './ops.js';
export { evalCast, evalBitcast } from './scalar.js';
export { affine, rowMajorStrides, stridedIndex, affineKey, affineEqual, strideOf } from './affine.js';
export {
  ExprPool, children, reachable, mapLoads, rebuild,
  constIn, varIn, loadIn, accIn, unaryIn, binaryIn, compareIn, selectIn, castIn, bitcastIn, newVarIn, newAccIn,
} from './expr.js';
export { coalesceLoops } from './optimize.js';
export { ProgramBuilder } from './builder.js';
export type { BufferOptions } from './builder.js';
export { validateProgram } from './validate.js';
export type { Target, MathChoice } from './target.js';
export { JS_TARGET, WASM_TARGET, TARGETS } from './target.js';
export { planProgram, planKernel } from './plan/program.js';
export type { ProgramPlan, KernelPlan } from './plan/program.js';
export { planMatmul, describeMatmulPlan } from './plan/matmul.js';
export type { MatmulPlan, MatmulOrder } from './plan/matmul.js';
export { emitJs, kernelFunctionName, isFreeJsName } from './js/emit.js';
export type { JsModule, JsEmitOptions } from './js/emit.js';
export { exactLiteral, shortestF32 } from './js/literals.js';
export { HOST_MATH } from './wasm/ops.js';
export { LoadedProgram, buildProgram, describeLoops, describePlan, BACKENDS, wasmPages } from './loaded-program.js';
export type { View, KernelInfo, BuildOptions, Backend } from './loaded-program.js';
export type { BuiltKernels } from './backend.js';
export { WasmModule, WasmFunc, WasmImport, WASM_OPCODES } from './wasm/module.js';
export type { ValType, WasmCallee, WasmOp, WasmOpInfo, WasmImmKind, Immediate, MemArg, V128Const } from './wasm/module.js';
export { wasmSimdAvailable, relaxedSimdAvailable, simdProbeBytes } from './wasm/probe.js';
export { DECOMPOSITIONS, f32Interpreter, log1p } from './decomp/index.js';
export type { ScalarMath, UnaryDecomposition, BinaryDecomposition } from './decomp/index.js';
