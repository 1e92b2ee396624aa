// gradc/onnx in a page: ONNX export (opset 17) for onnxruntime and other engines, without files.
// A subpath of its own, like torch.onnx: the ONNX schema (onnx-proto, with protobufjs) costs
// ~45 ms to import and ~250 KB in a bundle, which a program that never exports should not pay.
export { toOnnx, exportOnnx, type OnnxGraph, type OnnxValueInfo, type OnnxDType, type OnnxGraphOptions, type OnnxModelOptions, type OnnxSource } from './export.js';
