/**
 * The `gradc` command line. Every failure prints one line, `gradc: <what went wrong>`, and
 * exits with status 1 (set GRADC_DEBUG=1 to also see the stack).
 */
import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import { ACTIVATIONS } from '../nn/activations.js';
import { OPTIMIZERS } from '../nn/optimizers.js';
import { defaultBackend } from '../compile/compile.js';
import { BACKENDS } from '../nn/program.js';
import { hiddenSizes, positiveInt, positiveNumber, seedValue } from './options.js';
import { SEED_DEFAULTS, type RecipeOptions } from './seed-model.js';
import { train } from './train-command.js';
import { inspect } from './inspect-command.js';
import { seedDerivation } from './explain.js';
import { exitQuietlyOnClosedPipe } from './output-paths.js';
import { installSaveFiles } from '../nn/save-files.js';
import { saveModel } from '../nn/serialize.js';

installSaveFiles(saveModel); // `gradc train --out` saves the model: Node's files

function fail(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`gradc: ${msg.split('\n')[0]}\n`);
  if (process.env['GRADC_DEBUG'] && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  process.exit(1);
}

type RecipeFlags = RecipeOptions & { batchSize: number };

function recipeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--batch-size <n>', 'examples per training step').argParser(positiveInt).default(SEED_DEFAULTS.batchSize))
    .addOption(new Option('--hidden <sizes>', 'hidden layer sizes, e.g. 32 or 64,32').argParser(hiddenSizes).default([...SEED_DEFAULTS.hidden], '32'))
    .addOption(new Option('--activation <name>', 'hidden layer activation').choices(ACTIVATIONS.filter((a) => a !== 'softmax')).default(SEED_DEFAULTS.activation))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default(SEED_DEFAULTS.optimizer))
    .addOption(new Option('--lr <rate>', "learning rate (default: the optimizer's Keras default)").argParser(positiveNumber))
    .addOption(new Option('--backend <name>', 'where the compiled step runs').choices(BACKENDS).default(defaultBackend(), `${defaultBackend()}: WebAssembly SIMD where available, else js`))
    .addOption(new Option('--seed <n>', 'seed for weights and shuffling (same seed, same run)').argParser(seedValue).default(SEED_DEFAULTS.seed));
}

export function buildCli(): Command {
  // The package by its own name: the same from the sources, tsc's output and the bundle.
  const pkg = createRequire(import.meta.url)('gradc/package.json') as { version: string };
  const program = new Command('gradc')
    .description('gradc: symbolic autograd compiled to fused kernels. Train the seed MLP on MNIST, inspect its compiled step, explain its gradient.')
    .version(pkg.version);
  program.configureOutput({ outputError: (str, write) => write(`gradc: ${str.replace(/^error: /, '')}`) });

  recipeOptions(
    program
      .command('train')
      .description('train the seed MLP (784→32 relu→10 softmax, adam, batch 32, 10 epochs) on MNIST; report test accuracy; save the model and training-curve.svg'),
  )
    .addOption(new Option('--epochs <n>', 'passes over the training set').argParser(positiveInt).default(SEED_DEFAULTS.epochs))
    .addOption(new Option('--out <dir>', 'where to write the model').default('gradc-model'))
    .addOption(new Option('--curve <file>', 'where to write the training curve').default('training-curve.svg'))
    .addOption(new Option('--train-size <n>', 'train on the first n training images only (default: all 60,000)').argParser(positiveInt))
    .addOption(new Option('--test-size <n>', 'test on the first n test images only (default: all 10,000)').argParser(positiveInt))
    .action(async (o: RecipeFlags & { epochs: number; out: string; curve: string; trainSize?: number; testSize?: number }) => {
      try {
        await train(o);
      } catch (e) {
        fail(e);
      }
    });

  recipeOptions(program.command('inspect').description("show the seed model's fused kernels and the generated code of its training step"))
    .option('--kernels-only', 'list the kernels without the generated code')
    .action((o: RecipeFlags & { kernelsOnly?: boolean }) => {
      try {
        inspect(o);
      } catch (e) {
        fail(e);
      }
    });

  // `gradc explain`: the derivation of the seed's gradients (src/cli/explain.ts, the simplification issue).
  program
    .command('explain')
    .description("derive the seed MLP's gradients and simplify them to the textbook formula, listing every rule that fired")
    .addOption(new Option('--batch-size <n>', 'rows per batch (n in the formulas)').argParser(positiveInt).default(32))
    .option('--no-one-hot', 'do not declare the targets one-hot (the result then stays exact: (y·Σt − t)/n)')
    .action((o: { batchSize: number; oneHot: boolean }) => {
      try {
        process.stdout.write(seedDerivation({ batch: o.batchSize, oneHot: o.oneHot }) + '\n');
      } catch (e) {
        fail(e);
      }
    });
  // `gradc export`: --format ts, a standalone TypeScript module (src/cli/export-command.ts), or
  // --format onnx, an ONNX graph (src/cli/export-onnx.ts). Both are imported when run, so that the
  // other commands do not load the ONNX schema or the exporter.
  const recipeFlags = ['hidden', 'activation', 'optimizer', 'lr', 'seed'];
  const exportCmd = recipeOptions(program.command('export').description(
    'export the seed MLP (or a saved model): --format ts writes one standalone TypeScript module (training step and predict, WebAssembly with JS as fallback, importing nothing); ' +
    '--format onnx writes an ONNX file of its forward graph or of one training step'))
    .addOption(new Option('--format <format>', 'what to write').choices(['ts', 'onnx']).default('ts'))
    .option('--out <path>', 'where to write: ts, a directory for model.ts or a .ts file (default gradc-export); onnx, a file (default model.onnx)')
    .option('--model <dir>', 'a model directory written by gradc train --out (default: the seed recipe, untrained)')
    .addOption(new Option('--features <kind>', 'how the input is fed: uint8 (MNIST bytes as they are) or float32 (default: uint8 for ts, float32 for onnx)').choices(['uint8', 'float32']))
    .option('--bytes', 'the same as --features uint8')
    .addOption(new Option('--step <kind>', 'onnx: the forward graph, or one whole training step (params and optimizer slots in, their new values out)').choices(['predict', 'train']).default('predict'));
  exportCmd.action(async (o: RecipeFlags & { format: 'ts' | 'onnx'; out?: string; model?: string; step: 'predict' | 'train'; bytes?: boolean; features?: 'uint8' | 'float32'; batchSize: number }) => {
    try {
      if (o.model !== undefined) {
        const given = recipeFlags.filter((k) => exportCmd.getOptionValueSource(k) === 'cli');
        if (given.length > 0) throw new Error(`--${given[0]} does not apply with --model: the saved model's own layers and optimizer are exported`);
      }
      if (o.bytes === true && o.features === 'float32') throw new Error('--bytes and --features float32 disagree; pass one of them');
      const features = o.bytes === true ? 'uint8' : o.features;
      if (o.format === 'ts') {
        if (exportCmd.getOptionValueSource('step') === 'cli') throw new Error('--step is for --format onnx; a TypeScript export holds both the training step and predict');
        const { exportCommand } = await import('./export-command.js');
        await exportCommand({ ...o, out: o.out ?? 'gradc-export', features: features ?? 'uint8' });
      } else {
        const { exportOnnxCommand } = await import('./export-onnx.js');
        exportOnnxCommand({ ...o, out: o.out ?? 'model.onnx', bytes: features === 'uint8' });
      }
    } catch (e) {
      fail(e);
    }
  });
  return program;
}

exitQuietlyOnClosedPipe();
buildCli()
  .parseAsync(process.argv)
  .catch(fail);
