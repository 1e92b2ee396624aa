/** `gradc inspect`: the fused kernels and the generated training-step code of the seed model. */
import { describeRecipe, seedModel, type RecipeOptions } from './seed-model.js';

export function inspect(o: RecipeOptions & { batchSize: number; kernelsOnly?: boolean }, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): void {
  const model = seedModel(o);
  const started = Date.now();
  const step = model.trainStep(o.batchSize, true, true); // as gradc train runs it: fed MNIST's bytes
  const ms = Date.now() - started;
  const opt = model.config!.optimizer;
  print(`training step of ${describeRecipe(o)} · ${opt.name} · batch ${o.batchSize} · backend ${o.backend} (compiled in ${ms} ms)`);
  print('');
  print(`${step.kernels.length} kernels:`);
  for (const k of step.kernels) print(`  ${k}`);
  if (o.kernelsOnly) return;
  print('');
  print('generated code:');
  print(step.source);
}
