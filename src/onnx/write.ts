/** writeOnnx: export and write the file (Node: files), atomically. */
import type { CompileSpec } from '../compile/spec.js';
import { writeFileAtomic } from '../data/atomic-file.js';
import type { Model } from '../nn/model.js';
import type { OnnxGraph } from './builder.js';
import { exportOnnxWith, type OnnxGraphOptions, type OnnxModelOptions, type OnnxSource } from './export.js';
import { onnxRules } from './rules.js';

/** Exports and writes the file atomically (readers see the old file or the whole new one); returns the signature. */
export function writeOnnx(path: string, model: Model<unknown>, options?: OnnxModelOptions): OnnxGraph;
export function writeOnnx(path: string, graph: CompileSpec, options?: OnnxGraphOptions): OnnxGraph;
export function writeOnnx(path: string, source: OnnxSource, options: OnnxGraphOptions | OnnxModelOptions = {}): OnnxGraph {
  const g = exportOnnxWith(source, options, onnxRules);
  writeFileAtomic(path, g.bytes);
  return g;
}
