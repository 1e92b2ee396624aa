// gradc/browser: the platform-neutral API: graphs, gradients, simplification, printing,
// compilation (WebAssembly SIMD or JavaScript), models and training. It imports no Node module, so
// a bundler (esbuild, Vite, webpack) takes it as it is; `model.save` and `loadModel`, which need
// files, and MNIST from disk are the Node entry's ('gradc'). The demo, docs/demo/, trains with it.
// test/browser-entry.test.ts checks that nothing under it imports a Node built-in or a package.
// ONNX export is its own subpath, 'gradc/onnx' (src/onnx/browser.ts in a page).

// Graph IR and ops
export { Tensor, type TensorLike } from './graph/tensor.js';
export type { DType, Facts, OpAttrs, OpName, ReduceAttrs } from './graph/attrs.js';
export { GraphError } from './graph/errors.js';
export {
  input, param, constant, scalar, fill, zeros, ones,
  neg, exp, log, sqrt, square, pow, abs, relu, sigmoid, tanh, softplus,
  add, sub, mul, div, maximum, minimum, greater, less, equal, where,
  sum, mean, max, logSumExp,
  reshape, transpose, transposeLast2, broadcastTo, slice, pad, concat, sumToShape,
  matmul, softmax, logSoftmax, oneHot,
} from './graph/functions.js';
export { crossEntropy, softmaxCrossEntropy, binaryCrossEntropy, meanSquaredError } from './graph/losses.js';
export { topoSort } from './graph/topo.js';

// Differentiation and the reference evaluator
export { grad, vjp } from './grad/grad.js';
export { checkGrad, describeGradCheck, type CheckGradOptions, type GradCheckResult, type PointValue } from './grad/check.js';
export { evaluate, type Evaluated, type EvaluateOptions } from './eval/evaluate.js';
export type { Feed, Feeds } from './eval/feeds.js';

// Simplification and printing
export { simplify, sameGraph, rewriteRules } from './rewrite/simplify.js';
export { explain, type Explanation, type ExplainTextOptions, type Step as RewriteStep } from './rewrite/explain.js';
export type { Rule, Rewrite, Because, Phase, RuleContext } from './rewrite/rule.js';
export { show, type ShowOptions } from './print/show.js';
export { debugPrint } from './print/debug.js';
export { toMermaid, toDot } from './print/diagram.js';

// The kernel compiler: compile a graph to fused, allocation-free kernels
export { compile, Executable, type CompileOptions, type CompileSpec, type KernelReport, type MemoryReport, type BufferReport } from './compile/compile.js';
export { SharedWeights } from './compile/weights.js';

// Models and training (Keras/tfjs style)
export { sequential, Sequential, type SequentialOptions, type CompileArgs } from './nn/sequential.js';
export { Model } from './nn/model.js';
export { model, FunctionalModel, type FunctionalOptions, type GraphOptions, type ApplyOptions, type NamedApplyOptions, type Outputs, type Prediction } from './nn/functional.js';
export type { LossSpec } from './nn/losses.js';
export { layers, type BuiltLayer, type DenseConfig, type DenseSpec, type LayerSpec, type RescalingConfig, type RescalingSpec } from './nn/layers.js';
export * as initializers from './nn/initializers.js';
export { optimizers, Optimizer, type OptimizerConfig, type OptimizerName, type OptimizerStep, type OptimizerPlan } from './nn/optimizers.js';
export { schedules, type Schedule, type LearningRate } from './nn/schedules.js';
export { callbacks, type EarlyStoppingOptions, type ModelCheckpointOptions } from './nn/callbacks.js';
export type { Metric, MetricSpec } from './nn/metrics.js';
export type { FitOptions, History, EpochLogs, BatchLogs, Callbacks } from './nn/fit.js';
export type { EvalResult } from './nn/inference.js';
export type { Trainable } from './nn/trainable.js';
export type { Backend, StepProgram } from './nn/program.js';

// Data
export { parseIdx, encodeIdx, type IdxType, type IdxArray, type IdxExpect } from './data/idx.js';
export { Rng, type RngState } from './data/rng.js';
export { toOneHot, type TensorData } from './data/tensor-data.js';

