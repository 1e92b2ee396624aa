// gradc/onnx: ONNX export (opset 17) for onnxruntime and other engines; in Node also writeOnnx,
// which writes the file atomically. The page's entry is ./browser.ts (no files).
export * from './browser.js';
export { writeOnnx } from './write.js';
