/**
 * `gradc export --format onnx`: the seed recipe (or a model saved by `gradc train --out`) as an
 * ONNX file: its forward graph (`--step predict`, the default) or one whole training step
 * (`--step train`). The output path and the model directory are checked before any work.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadModelSync } from '../nn/load.js';
import type { Model } from '../nn/model.js';
import { writeOnnx } from '../onnx/write.js';
import { checkOutFile } from './output-paths.js';
import { describeRecipe, seedModel, type RecipeOptions } from './seed-model.js';

export interface ExportOnnxOptions extends RecipeOptions {
  out: string;
  /** A model directory written by `gradc train --out` (default: the seed recipe, freshly initialized). */
  model?: string;
  step: 'predict' | 'train';
  batchSize: number;
  /** The input as bytes (UINT8): MNIST pixels 0..255 as they are. */
  bytes?: boolean;
}

function checkModelDir(given: string): string {
  const dir = resolve(given);
  if (!existsSync(dir)) throw new Error(`--model ${given}: ${dir} does not exist; pass a directory written by gradc train --out`);
  if (!statSync(dir).isDirectory()) throw new Error(`--model ${given}: ${dir} is a file; pass the model directory (it holds model.json)`);
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`--model ${given}: ${dir} has no model.json; pass a directory written by gradc train --out`);
  return dir;
}

const fmtValue = (v: { name: string; shape: readonly number[]; dtype: string }): string => `${v.name} [${v.shape.join(',')}] ${v.dtype}`;

export function exportOnnxCommand(o: ExportOnnxOptions, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): void {
  const out = checkOutFile(o.out, '--out', 'model.onnx');
  const dir = o.model === undefined ? null : checkModelDir(o.model);
  const started = Date.now();
  const model: Model<unknown> = dir === null ? seedModel(o) : loadModelSync(dir);
  if (o.step === 'train' && model.config === null) throw new Error(`--step train: the model in ${o.model} was saved without training settings (loss, optimizer); export --step predict, or save it after compile`);
  mkdirSync(dirname(out), { recursive: true });
  const g = writeOnnx(out, model, { step: o.step, batchSize: o.batchSize, bytes: o.bytes ?? false });
  const what = dir === null ? `the seed recipe ${describeRecipe(o)} (seed ${o.seed}, untrained)` : `the model in ${o.model}`;
  print(`gradc export: ${what}, ${o.step === 'train' ? 'one training step' : 'the forward graph (predict)'} for batches of ${o.batchSize}, ONNX opset 17`);
  print(`inputs:  ${g.inputs.map(fmtValue).join(', ')}`);
  print(`outputs: ${g.outputs.map(fmtValue).join(', ')}`);
  if (g.state.length > 0) print(`state: ${g.state.length} values (params and optimizer slots): feed each new/<name> output back as <name> at the next step`);
  print(`wrote ${o.out} (${(g.bytes.length / 1024).toFixed(1)} KiB) in ${Date.now() - started} ms`);
}
