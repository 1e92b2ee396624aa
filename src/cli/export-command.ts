/**
 * `gradc export`: the seed recipe's model (or a saved one, `--model <dir>` as `gradc train --out`
 * writes it) as one standalone TypeScript module of its training step and prediction
 * (src/export). `--format onnx` is the ONNX export's (src/cli/export-onnx.ts); src/cli/main.ts
 * dispatches on the format.
 */
import { join } from 'node:path';
import { exportModule } from '../export/export-module.js';
import { loadModel } from '../nn/load.js';
import type { Model } from '../nn/model.js';
import { checkOutDir, checkOutFile } from './output-paths.js';
import { describeRecipe, seedModel, type RecipeOptions } from './seed-model.js';

export interface ExportCommandOptions extends Omit<RecipeOptions, 'backend'> {
  out: string;
  model?: string;
  batchSize: number;
  features: 'uint8' | 'float32';
}

export async function exportCommand(o: ExportCommandOptions, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<{ file: string }> {
  // The output path first: a bad one costs nothing.
  const file = o.out.endsWith('.ts') ? checkOutFile(o.out, '--out') : join(checkOutDir(o.out), 'model.ts');
  if (o.model !== undefined && o.model.trim() === '') throw new Error('--model is empty; pass the directory gradc train --out wrote, e.g. --model gradc-model');
  let model: Model;
  let what: string;
  if (o.model !== undefined) {
    model = await loadModel(o.model);
    what = `the model in ${o.model} (step ${model.step})`;
  } else {
    model = seedModel({ ...o, backend: 'js' });
    what = `the seed recipe ${describeRecipe({ ...o, backend: 'js' })} (untrained, seed ${o.seed})`;
  }
  const r = await exportModule(model, { path: file, batchSize: o.batchSize, features: o.features });
  print(`gradc export: ${what}, batches of ${o.batchSize}, features as ${o.features}`);
  print(`wrote ${file} (${Math.round(r.bytes / 1024)} KiB): createTrainer() with step, predict, getParams/setParams; ` +
    `${r.kernels} fused kernels in the training step, WebAssembly with JavaScript as fallback; imports nothing`);
  print(`compiled for both backends in ${Math.round(r.compileMs)} ms, printed with ts-morph in ${Math.round(r.printMs)} ms`);
  return { file };
}
