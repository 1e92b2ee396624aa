/**
 * exportModule(model | exe, { path }): one standalone TypeScript module of a model's training
 * step and prediction (or of one compiled program), written crash-safely. Each program is
 * compiled for both backends over one weight region, so the params sit at the same place in
 * either; the module embeds the Wasm bytes and the JS kernels and imports nothing. ts-morph is
 * loaded here, on first use, and nowhere on the path of compile or fit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { simdProbeBytes } from '../../codegen/index.js';
import { compile, Executable } from '../compile/compile.js';
import { partsOf } from '../compile/parts.js';
import { SharedWeights } from '../compile/weights.js';
import { writeFileAtomic } from '../data/atomic-file.js';
import type { Tensor } from '../graph/tensor.js';
import { Model } from '../nn/model.js';
import type { OptimizerName } from '../nn/optimizers.js';
import type { ProgramSpec } from '../nn/program.js';
import { checkExportPath } from './export-path.js';
import { buildModule, type ParamEntry, type ProgramEntry } from './module-text.js';
import { Namer } from './names.js';
import { base64, programText, type ProgramText } from './program-text.js';

export interface ExportOptions {
  /** The file to write (e.g. `model.ts`); its directory is created. */
  readonly path: string;
  /** Rows per training step (a model; default 32, or the graph's fixed batch). */
  readonly batchSize?: number;
  /** How a model's features are fed: 'float32' (default) or 'uint8' (bytes, as `gradc train` feeds MNIST). */
  readonly features?: 'float32' | 'uint8';
  /** The trainer's default learning rate (required when the model's is a schedule: the module holds no user code). */
  readonly learningRate?: number;
}

export interface ExportResult {
  readonly path: string;
  readonly bytes: number;
  /** Kernels of the training step (or of the program). */
  readonly kernels: number;
  /** ms spent: compiling for both backends, and printing the module with ts-morph. */
  readonly compileMs: number;
  readonly printMs: number;
}

const BACKENDS = ['js', 'wasm'] as const;

/** The trainer's scalar feeds after x and t, per optimizer: expressions of `lr` and `steps` (the JIT's `plan.fill`). */
const SCALAR_FILL: { readonly [N in OptimizerName]: (h: Readonly<Record<string, number>>) => string[] } = {
  sgd: () => ['lr'],
  momentum: (h) => ['lr', `${h['momentum']}`],
  rmsprop: () => ['lr'],
  adagrad: () => ['lr'],
  // lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)
  adam: (h) => [`(lr * Math.sqrt(1 - ${h['beta2']} ** steps)) / (1 - ${h['beta1']} ** steps)`],
  adamw: (h) => [`(lr * Math.sqrt(1 - ${h['beta2']} ** steps)) / (1 - ${h['beta1']} ** steps)`, `1 - lr * ${h['weightDecay']}`],
};

/** Identifiers shared by a module's programs: params, inputs and outputs by their graph names. */
function idTables(): { param(n: string): string; input(n: string): string; output(n: string): string } {
  const namer = new Namer();
  const tables = { param: new Map<string, string>(), input: new Map<string, string>(), output: new Map<string, string>() };
  const get = (kind: keyof typeof tables, fallback: string) => (n: string) => {
    let id = tables[kind].get(n);
    if (id === undefined) tables[kind].set(n, (id = namer.name(n, fallback)));
    return id;
  };
  return { param: get('param', 'param'), input: get('input', 'input'), output: get('output', 'output') };
}

function checkSameParams(a: ProgramText, b: ProgramText): void {
  for (const [name, s] of a.params) {
    const o = b.params.get(name);
    if (o === undefined || o.offset !== s.offset) throw new Error('export: internal: the backends placed a param differently');
  }
}

/** Compiles `specs` for both backends, each backend's programs over one weight region. */
function compileBoth(specs: readonly ProgramSpec[]): { js: Executable[]; wasm: Executable[] } {
  const out = { js: [] as Executable[], wasm: [] as Executable[] };
  for (const backend of BACKENDS) {
    const weights = new SharedWeights(backend);
    for (const s of specs) out[backend].push(compile({ inputs: s.inputs, outputs: s.outputs, updates: s.updates }, { backend, weights }));
  }
  return out;
}

const ENTRY = [['TRAIN', 'trainKernels', 'training step'], ['PREDICT', 'predictKernels', 'prediction of a batch'], ['PREDICT_ROW', 'predictRowKernels', 'prediction of one row']] as const;

export async function exportModule(what: Model | Executable, options: ExportOptions): Promise<ExportResult> {
  if (options === null || typeof options !== 'object') throw new Error("exportModule: pass { path }, e.g. exportModule(model, { path: 'model.ts' })");
  const path = checkExportPath(options.path, 'exportModule: path');
  const t0 = performance.now();
  const ids = idTables();
  let spec: Parameters<typeof buildModule>[1];
  let kernels: number;
  const probe = base64(simdProbeBytes());
  if (what instanceof Model) {
    const m = what;
    const cfg = m.requireConfig('export');
    if (options.features !== undefined && options.features !== 'float32' && options.features !== 'uint8') {
      throw new Error(`exportModule: features must be 'float32' or 'uint8', got ${String(options.features)}`);
    }
    const bytes = options.features === 'uint8';
    const batch = m.fixedBatch ?? options.batchSize ?? 32;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`exportModule: batchSize must be a positive integer, got ${String(options.batchSize)}`);
    if (m.fixedBatch !== null && options.batchSize !== undefined && options.batchSize !== m.fixedBatch) {
      throw new Error(`exportModule: batchSize is ${options.batchSize}, but the model's graph is built for batches of ${m.fixedBatch}; omit batchSize`);
    }
    const opt = cfg.optimizer;
    let lr = options.learningRate;
    if (lr === undefined) {
      if (typeof opt.learningRate !== 'number') throw new Error('exportModule: the model\'s learning rate is a schedule, and the module holds no user code; pass { learningRate: <number> } (createTrainer({ learningRate }) takes a function too)');
      lr = opt.learningRate;
    }
    if (typeof lr !== 'number' || !(lr > 0 && lr < Infinity)) throw new Error(`exportModule: learningRate must be a positive finite number, got ${String(lr)}`);
    const train = m.stepGraph('train', batch, { bytes });
    const nInputs = m.inputInfo.length, nTargets = cfg.heads.length;
    if (nInputs !== 1 || nTargets !== 1 || Object.keys(train.spec.outputs).length !== 2) {
      throw new Error(`exportModule: the trainer takes one input and one output with a loss; this model has ${nInputs} inputs and ${nTargets} outputs with a loss (export a compiled program with exportModule(compile(…)) instead)`);
    }
    const specs = [train.spec, m.stepGraph('predict', batch, { bytes }).spec];
    const row = m.fixedBatch === null && batch > 1;
    if (row) specs.push(m.stepGraph('predict', 1, { bytes }).spec);
    const exes = compileBoth(specs);
    const texts = (i: number) => ({ js: programText(partsOf(exes.js[i]!), ids), wasm: programText(partsOf(exes.wasm[i]!), ids) });
    const entries: ProgramEntry[] = specs.map((_, i) => ({ constName: ENTRY[i]![0], fnName: ENTRY[i]![1], what: ENTRY[i]![2], ...texts(i) }));
    for (const e of entries) checkSameParams(e.js, e.wasm);
    const state = m.saveState();
    const values = new Map(state.tensors.map((t) => [t.name, t.value]));
    const plan = train.train!.plan;
    const trainText = entries[0]!.js;
    const entry = (p: Tensor<'param'>, doc: string): ParamEntry => ({ ...trainText.params.get(p.attrs.name)!, doc });
    const params = m.params.map((p) => entry(p, 'weights'));
    const slots = plan.slots.map((s) => entry(s, `optimizer state of ${trainText.params.get(s.attrs.name.slice(0, s.attrs.name.lastIndexOf('/')))?.id ?? 'a param'}`));
    const initial = [...m.params, ...plan.slots].map((p) => ({
      offset: trainText.params.get(p.attrs.name)!.offset,
      value: values.get(p.attrs.name) ?? new Float32Array(p.size).fill(plan.slotInit.get(p.attrs.name) ?? 0),
    })).filter((i) => i.value.some((v) => !Object.is(v, 0))).map((i) => ({ offset: i.offset, base64: base64(new Uint8Array(i.value.buffer, i.value.byteOffset, i.value.byteLength)) }));
    const h = opt.hyper;
    const hyper = Object.entries(h).map(([k, v]) => `${k} ${v}`).join(', ');
    kernels = exes.js[0]!.kernels.length;
    spec = {
      kind: 'trainer',
      title: [
        `gradc export: the training step and prediction of a model of ${params.length} params (${params.reduce((n, p) => n + p.length, 0)} weights),`,
        `${m.inputWidth} features → ${m.outputUnits} outputs, loss ${cfg.loss}, optimizer ${opt.name}${hyper ? ` (${hyper})` : ''}, batches of ${batch}.`,
        '',
        'Generated by gradc; it imports nothing, so it runs in Node, Deno, bundlers and browsers:',
        "  const trainer = await createTrainer();        // 'wasm' where WebAssembly SIMD validates, else 'js'",
        '  const { loss } = trainer.step(x, t);          // one optimizer step; every feed checked first',
        '  const probabilities = trainer.predict(rows);',
        'Each program is here twice, with the same numbers as gradc\'s JIT on that backend: JavaScript',
        'kernels to read (each with the maths it computes) and the WebAssembly module that runs by default.',
        '',
        'Params:',
        ...params.map((p) => `  ${p.id} [${p.shape.join(', ')}]`),
      ],
      params, slots, initial, initialStep: m.step, learningRate: lr,
      memoryBytes: { js: Math.max(...exes.js.map((e) => partsOf(e).kernels.plan.memoryBytes)), wasm: Math.max(...exes.wasm.map((e) => partsOf(e).kernels.plan.memoryBytes)) },
      simdProbe: probe,
      train: entries[0]!, predict: entries[1]!, predictRow: entries[2],
      batch, width: m.inputWidth, units: m.outputUnits,
      optimizerDoc: `${opt.name}${hyper ? ` (${hyper})` : ''}`,
      scalarFill: SCALAR_FILL[opt.name](h),
    };
  } else if (what instanceof Executable) {
    const parts = partsOf(what);
    const exes = compileBoth([{
      inputs: parts.inputs.map((i) => i.node),
      outputs: Object.fromEntries(parts.outputs.map((o) => [o.name, o.node])),
      updates: parts.updates,
    }]);
    const entry: ProgramEntry = { constName: 'PROGRAM', fnName: 'programKernels', what: 'program', js: programText(partsOf(exes.js[0]!), ids), wasm: programText(partsOf(exes.wasm[0]!), ids) };
    checkSameParams(entry.js, entry.wasm);
    const params = parts.params.map((p) => ({ ...entry.js.params.get(p.node.attrs.name)!, doc: 'param' }));
    kernels = exes.js[0]!.kernels.length;
    spec = {
      kind: 'program',
      title: [
        `gradc export: a compiled program of ${parts.inputs.length} inputs, ${parts.outputs.length} outputs, ${parts.params.length} params and ${parts.updates.length} updates.`,
        '',
        'Generated by gradc; it imports nothing, so it runs in Node, Deno, bundlers and browsers:',
        '  const program = await createProgram();   // then program.run({ … }) with every feed checked',
      ],
      params,
      initial: parts.params.map((p) => {
        const v = what.getParam(p.node.attrs.name);
        return { offset: entry.js.params.get(p.node.attrs.name)!.offset, base64: base64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      }),
      memoryBytes: { js: partsOf(exes.js[0]!).kernels.plan.memoryBytes, wasm: partsOf(exes.wasm[0]!).kernels.plan.memoryBytes },
      simdProbe: probe,
      program: entry,
    };
  } else {
    throw new Error('exportModule: pass a compiled model (sequential(), model()) or an executable from compile()');
  }
  const t1 = performance.now();
  const tsm = await import('ts-morph');
  const text = buildModule(tsm, spec);
  const t2 = performance.now();
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
  return { path, bytes: Buffer.byteLength(text), kernels, compileMs: t1 - t0, printMs: t2 - t1 };
}
