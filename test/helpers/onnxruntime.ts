// onnxruntime-node for the ONNX tests, installed outside the package (it is ~290 MB and its install
// script downloads more): .ci/run puts it in .cache/onnxruntime/ (or $GRADC_ONNXRUNTIME_DIR) with
//   npm install --prefix .cache/onnxruntime --no-save --ignore-scripts onnxruntime-node@1.30.0
// When it is absent the runtime tests are skipped and say why.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of onnxruntime-node's API the tests use. */
export interface OrtTensor { readonly data: ArrayLike<number>; readonly dims: readonly number[] }
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
export interface Ort {
  readonly Tensor: new (type: string, data: Float32Array | Float64Array | Uint8Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: { create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  readonly env: { readonly versions?: Record<string, string> };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ORT_DIR = process.env['GRADC_ONNXRUNTIME_DIR'] ?? join(root, '.cache', 'onnxruntime');

function load(): { ort: Ort | null; reason: string } {
  const pkg = join(ORT_DIR, 'node_modules', 'onnxruntime-node', 'package.json');
  if (!existsSync(pkg)) return { ort: null, reason: `onnxruntime-node is not installed in ${ORT_DIR} (.ci/run installs it: npm install --prefix ${ORT_DIR} --no-save --ignore-scripts onnxruntime-node@1.30.0)` };
  try {
    const ort = createRequire(pkg)('onnxruntime-node') as Ort;
    return { ort, reason: '' };
  } catch (e) {
    return { ort: null, reason: `onnxruntime-node in ${ORT_DIR} does not load: ${(e as Error).message.split('\n')[0]}` };
  }
}

export const { ort, reason: ortMissing } = load();
if (ort === null) process.stdout.write(`onnx runtime tests skipped: ${ortMissing}\n`);
