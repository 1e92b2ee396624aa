/**
 * The exported module, built with ts-morph from structures: the runtime's types and functions
 * (runtime.ts), each program's JS kernels (a factory whose doc comment lists its kernels) and
 * embedded Wasm, then the typed public part: `createTrainer()` for a model (step, predict,
 * getParams/setParams) or `createProgram()` for a compiled graph (run, getParams/setParams).
 * ts-morph arrives as an argument: only the export path loads it.
 */
import type * as TsMorph from 'ts-morph';
import { HOST_MATH } from '../../codegen/index.js';
import type { FeedSlot, ProgramText, Slot } from './program-text.js';
import { RUNTIME_FUNCTIONS, RUNTIME_TYPES } from './runtime.js';

export interface ProgramEntry {
  /** Identifiers: the ProgramSource constant (TRAIN) and its kernels' factory (trainKernels). */
  readonly constName: string;
  readonly fnName: string;
  readonly what: string;
  /** The program compiled for each backend (its buffers may differ: the targets fuse differently). */
  readonly js: ProgramText;
  readonly wasm: ProgramText;
}

export interface ParamEntry extends Slot {
  readonly doc: string;
}

interface Common {
  readonly title: readonly string[];
  readonly params: readonly ParamEntry[];
  /** Initial values at their offsets (params, then optimizer state). */
  readonly initial: readonly { readonly offset: number; readonly base64: string }[];
  readonly memoryBytes: { readonly js: number; readonly wasm: number };
  readonly simdProbe: string;
}

export interface TrainerModule extends Common {
  readonly kind: 'trainer';
  readonly train: ProgramEntry;
  readonly predict: ProgramEntry;
  /** A one-row predict for the rows past the last whole batch (absent when the graph's batch is fixed). */
  readonly predictRow: ProgramEntry | undefined;
  readonly batch: number;
  readonly width: number;
  readonly units: number;
  readonly slots: readonly ParamEntry[];
  readonly initialStep: number;
  readonly learningRate: number;
  readonly optimizerDoc: string;
  /** One expression of `lr` (the rate) and `t` (the step, from 1) per scalar input after x and t. */
  readonly scalarFill: readonly string[];
}

export interface ProgramModule extends Common {
  readonly kind: 'program';
  readonly program: ProgramEntry;
}

type Tsm = typeof TsMorph;
/** The module's statements, printed once at the end (each ts-morph `add…` would parse the file again). */
type Out = (string | TsMorph.StatementStructures)[];

const VIEW_TYPE = { f32: 'Float32Array', f64: 'Float64Array', i32: 'Int32Array', u8: 'Uint8Array' } as const;
const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
/** The host functions a Wasm module may import, as code (the JIT's HOST_MATH). */
const HOST_MATH_CODE: { readonly [K in keyof typeof HOST_MATH]: string } = {
  exp: 'Math.exp', log: 'Math.log', tanh: 'Math.tanh', pow: 'Math.pow',
  sigmoid: '(x: number) => 1 / (1 + Math.exp(-x))',
  softplus: '(x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))',
};

function feedCheck(where: string, s: FeedSlot, finite: boolean, v = s.id): string[] {
  const lines = [s.storage === 'u8'
    ? `checkBytes('${where}', '${s.id}', ${v}, ${s.length}, '${shapeText(s.shape)}');`
    : `checkFloats('${where}', '${s.id}', ${v}, ${s.length}, '${shapeText(s.shape)}');`];
  if (finite && s.storage !== 'u8') lines.push(`checkFinite('${where}', '${s.id}', ${v});`);
  if (s.oneHotRow > 0) lines.push(`checkOneHot('${where}', '${s.id}', ${v}, ${s.oneHotRow}, ${s.storage === 'f32'});`);
  if (s.labelDepth > 0) lines.push(`checkLabels('${where}', '${s.id}', ${v}, ${s.labelDepth}, ${s.storage === 'f32'});`);
  return lines;
}
const feedType = (s: Slot) => (s.storage === 'u8' ? 'Uint8Array' : 'Floats');
const feedDoc = (s: FeedSlot) => `${shapeText(s.shape)}${s.storage === 'u8' ? ', bytes (0..255)' : ''}${s.oneHotRow > 0 ? ', one-hot rows' : ''}${s.labelDepth > 0 ? `, class indices in [0, ${s.labelDepth})` : ''}.`;

const placeCode = (q: Slot) => `[${q.offset}, ${q.length}, '${q.storage}']`;
function layoutCode(t: ProgramText): string {
  return `inputs: [${t.inputs.map(placeCode).join(', ')}],\n    outputs: [${t.outputs.map(placeCode).join(', ')}],\n    constants: [${t.constants.map((c) => `[${c.offset}, '${c.storage}', '${c.base64}']`).join(', ')}],`;
}

function addProgram(out: Out, tsm: Tsm, p: ProgramEntry): void {
  out.push({ kind: tsm.StructureKind.Function,
    name: p.fnName, parameters: [{ name: 'arena', type: 'ArrayBuffer' }], returnType: 'Kernels',
    docs: [{ description: [`The ${p.what}: its kernels in JavaScript over the memory \`arena\` (the fallback where WebAssembly SIMD is missing).`, '', ...p.js.kernelLines.map((l, i) => `k${i} ${l}`)].join('\n') }],
    statements: p.js.jsBody,
  });
  const math = p.wasm.hostMath.map((op) => `${op}: ${HOST_MATH_CODE[op as keyof typeof HOST_MATH]}`).join(', ');
  out.push({ kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const,
    docs: [{ description: `The ${p.what} for each backend: the JS kernels above, or the WebAssembly module (${Math.round((p.wasm.wasmBase64.length * 3) / 4)} bytes, base64).` }],
    declarations: [{
      name: p.constName, type: 'ProgramSource',
      initializer: `{\n  js: {\n    kernels: ${p.fnName},\n    ${layoutCode(p.js)}\n  },\n  wasm: {\n    module: '${p.wasm.wasmBase64}',\n    math: { ${math} },\n    ${layoutCode(p.wasm)}\n  },\n}`,
    }],
  });
}

function paramTables(api: Out, out: Out, tsm: Tsm, name: string, doc: string, entries: readonly ParamEntry[], iface: string, ifaceDoc: string): void {
  api.push({ kind: tsm.StructureKind.Interface,
    name: iface, isExported: true, docs: [ifaceDoc],
    properties: entries.map((e) => ({ name: e.id, type: VIEW_TYPE[e.storage], docs: [`${shapeText(e.shape)}: ${e.doc}`] })),
  });
  out.push({ kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const, docs: [doc],
    declarations: [{ name, initializer: `{\n${entries.map((e) => `${e.id}: [${e.offset}, ${e.length}, '${e.storage}'],`).join('\n')}\n} as const satisfies Record<string, readonly [number, number, Storage]>` }],
  });
}

const READ_TABLE = (table: string, type: string) => `const out: Record<string, View> = {};
for (const [name, [offset, length, storage]] of Object.entries(${table})) out[name] = viewOf(memory.arena, storage, offset, length).slice();
return out as unknown as ${type};`;
const WRITE_TABLE = (table: string) => `const table: Readonly<Record<string, readonly [number, number, Storage]>> = ${table};
for (const name of Object.keys(values)) {
  const at = table[name];
  if (at === undefined || !Object.prototype.hasOwnProperty.call(table, name)) throw new Error(\`setParams: no param '\${name}'; the params are \${Object.keys(table).join(', ')}\`);
  checkParam(name, (values as Record<string, unknown>)[name], at[1]);
}
for (const name of Object.keys(values)) {
  const [offset, length, storage] = table[name]!;
  viewOf(memory.arena, storage, offset, length).set((values as Record<string, ArrayLike<number>>)[name]!);
}`;

export function buildModule(tsm: Tsm, spec: TrainerModule | ProgramModule): string {
  const project = new tsm.Project({
    useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true,
    manipulationSettings: { indentationText: tsm.IndentationText.TwoSpaces, quoteKind: tsm.QuoteKind.Single },
  });
  const header = ['/**', ...spec.title.map((l) => ` * ${l}`.trimEnd()), ' */'].join('\n');
  // The public part first (what a reader looks for), then the machinery and the kernels.
  const api: Out = [header];
  const out: Out = ['// ---- below: the runtime, the tables, and each program\'s kernels ----'];
  for (const t of RUNTIME_TYPES) (t.exported ? api : out).push({ kind: tsm.StructureKind.TypeAlias, name: t.name, type: t.type, isExported: t.exported ?? false, docs: [t.doc] });
  out.push({ kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const, docs: ['A tiny WebAssembly SIMD module: engines that validate it run the wasm backend.'],
    declarations: [{ name: 'SIMD_PROBE', initializer: `'${spec.simdProbe}'` }],
  });
  out.push({ kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const, docs: ['Bytes of the memory every program runs in (weights first, then each program\'s own buffers).'],
    declarations: [{ name: 'MEMORY_BYTES', initializer: `{ js: ${spec.memoryBytes.js}, wasm: ${spec.memoryBytes.wasm} }` }],
  });
  out.push({ kind: tsm.StructureKind.VariableStatement,
    declarationKind: tsm.VariableDeclarationKind.Const, docs: ['The weights (and optimizer state) at export: [byte offset, base64 bytes] (what is zero is left out: the memory starts zeroed).'],
    declarations: [{ name: 'INITIAL', type: 'readonly (readonly [number, string])[]', initializer: `[\n${spec.initial.map((i) => `[${i.offset}, '${i.base64}'],`).join('\n')}\n]` }],
  });
  paramTables(api, out, tsm, 'PARAMS', 'Where each param lives: [byte offset, length, storage].', spec.params, 'Params', 'The params, by name (copies: changing one changes nothing; use setParams).');
  if (spec.kind === 'trainer') {
    paramTables(api, out, tsm, 'SLOTS', "Where the optimizer's state lives.", spec.slots, 'OptimizerState', "The optimizer's state, by name (copies).");
  }
  for (const f of RUNTIME_FUNCTIONS) {
    out.push({ kind: tsm.StructureKind.Function, name: f.name, isAsync: f.async ?? false, docs: [f.doc], parameters: f.params.map(([name, type]) => ({ name, type })), returnType: f.returns, statements: f.body });
  }
  const programs = spec.kind === 'trainer' ? [spec.train, spec.predict, ...(spec.predictRow ? [spec.predictRow] : [])] : [spec.program];
  for (const p of programs) addProgram(out, tsm, p);
  if (spec.kind === 'trainer') addTrainer(api, tsm, spec);
  else addProgramApi(api, tsm, spec);
  return project.createSourceFile('gradc-export.ts', { statements: [...api, ...out] }).getFullText();
}

const startLines = (programs: readonly ProgramEntry[], names: readonly string[]) => [
  'const memory = makeMemory(backend, MEMORY_BYTES[backend]);',
  'for (const [offset, base64] of INITIAL) new Uint8Array(memory.arena).set(bytesOf(base64), offset);',
  ...programs.map((p, i) => `const ${names[i]} = await start(${p.constName}, backend, memory);`),
];

/** `ids[i]` as the view type of slot `q`: a started program's views are typed `View`. */
const viewAs = (expr: string, q: Slot) => `(${expr} as ${VIEW_TYPE[q.storage]})`;
const indent = (lines: readonly string[], n: number) => lines.map((l) => (l === '' ? l : ' '.repeat(n) + l)).join('\n');

function addTrainer(out: Out, tsm: Tsm, s: TrainerModule): void {
  const [x, t, ...scalars] = s.train.js.inputs;
  // The training step's outputs are { loss, y } (nn/train-step.ts), in that order.
  const lossAt = 0;
  const yAt = 1;
  const y = s.train.js.outputs[yAt]!;
  const py = s.predict.js.outputs[0]!;
  const xType = feedType(x!);
  const yType = VIEW_TYPE[py.storage];
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'StepResult', isExported: true, docs: ['What one training step gives (`y` is a view: valid until the next step or predict).'],
    properties: [
      { name: 'loss', type: 'number', isReadonly: true, docs: ['The batch loss before this update.'] },
      { name: 'y', type: VIEW_TYPE[y.storage], isReadonly: true, docs: [`${shapeText(y.shape)}: the model's output for the batch.`] },
    ],
  });
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'TrainerOptions', isExported: true, docs: ['Options of createTrainer.'],
    properties: [
      { name: 'backend', type: 'Backend', hasQuestionToken: true, isReadonly: true, docs: ["'wasm' where WebAssembly SIMD is available (default), or 'js'."] },
      { name: 'learningRate', type: 'number | ((step: number) => number)', hasQuestionToken: true, isReadonly: true, docs: [`The rate, or a function of the step (0 for the first update); default ${s.learningRate}.`] },
    ],
  });
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'Trainer', isExported: true, docs: [`A model in training: ${s.optimizerDoc}, batches of ${s.batch}.`],
    properties: [
      { name: 'backend', type: 'Backend', isReadonly: true, docs: ['Where the kernels run.'] },
      { name: 'batchSize', type: String(s.batch), isReadonly: true, docs: ['Rows per training step.'] },
      { name: 'steps', type: 'number', isReadonly: true, docs: ['Optimizer steps taken (counting those before the export).'] },
    ],
    methods: [
      { name: 'step', parameters: [{ name: 'x', type: xType }, { name: 't', type: feedType(t!) }], returnType: 'StepResult',
        docs: [`One optimizer step on a batch: x ${feedDoc(x!)} t ${feedDoc(t!)} Every feed is checked before any work.`] },
      { name: 'predict', parameters: [{ name: 'x', type: xType }], returnType: yType,
        docs: [`The output for n rows of ${s.width} features (${s.predictRow ? 'any n' : `a multiple of ${s.batch}`}): n × ${s.units} values.`] },
      { name: 'getParams', returnType: 'Params', docs: ['A copy of every param.'] },
      { name: 'setParams', parameters: [{ name: 'values', type: 'Partial<Params>' }], returnType: 'void', docs: ['Replaces params by name (all checked before any changes).'] },
      { name: 'getOptimizerState', returnType: 'OptimizerState', docs: ["A copy of the optimizer's state."] },
    ],
  });
  const chunk = (prog: string, rows: string) => [
    `enter(${prog});`,
    `${prog}.inputs[0]!.set(xs.subarray(from * ${s.width}, (from + ${rows}) * ${s.width}));`,
    `${prog}.run();`,
    `out.set(${viewAs(`${prog}.outputs[0]`, py)}.subarray(0, ${rows} * ${s.units}), from * ${s.units});`,
  ];
  const row = s.predictRow !== undefined;
  const xCheck = x!.storage === 'u8'
    ? `if (!(x instanceof Uint8Array)) throw new Error(\`predict: x is \${what(x)}; pass a Uint8Array of n × ${s.width} bytes\`);`
    : `if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) throw new Error(\`predict: x is \${what(x)}; pass a Float32Array of n × ${s.width} values\`);`;
  const step = [
    ...feedCheck('step', x!, true, 'x'), ...feedCheck('step', t!, true, 't'),
    'const lr = rateAt(steps);',
    'steps++;',
    'enter(train);',
    'train.inputs[0]!.set(x);',
    'train.inputs[1]!.set(t);',
    ...scalars.map((_, i) => `train.inputs[${i + 2}]![0] = ${s.scalarFill[i]!};`),
    'train.run();',
    `return { loss: train.outputs[${lossAt}]![0]!, y: ${viewAs(`train.outputs[${yAt}]`, y)} };`,
  ];
  const predict = [
    xCheck,
    `if (x.length === 0 || x.length % ${s.width} !== 0) throw new Error(\`predict: x has \${x.length} values, not a whole number of rows of ${s.width}\`);`,
    `const rows = x.length / ${s.width};`,
    ...(row ? [] : [`if (rows % ${s.batch} !== 0) throw new Error(\`predict: \${rows} rows are not a whole number of batches of ${s.batch} (the graph has a fixed batch)\`);`]),
    ...(x!.storage === 'u8' ? ['const xs = x;'] : ["checkFinite('predict', 'x', x);", 'const xs = x instanceof Float32Array ? x : Float32Array.from(x);']),
    `const out = new ${yType}(rows * ${s.units});`,
    'let from = 0;',
    `for (; from + ${s.batch} <= rows; from += ${s.batch}) {`, indent(chunk('predictBatch', String(s.batch)), 2), '}',
    ...(row ? ['for (; from < rows; from++) {', indent(chunk('predictRow', '1'), 2), '}'] : []),
    'return out;',
  ];
  const body = [
    'const backend = chooseBackend(options.backend);',
    ...startLines([s.train, s.predict, ...(s.predictRow ? [s.predictRow] : [])], ['train', 'predictBatch', ...(row ? ['predictRow'] : [])]),
    `let steps = ${s.initialStep};`,
    `const rate = options.learningRate ?? ${s.learningRate};`,
    `const rateAt = (step: number): number => {
  const r = typeof rate === 'function' ? rate(step) : rate;
  if (typeof r !== 'number' || !(r >= 0 && r < Infinity)) throw new Error(\`step: the learning rate at step \${step} is \${String(r)}; it must be a finite number ≥ 0\`);
  return r;
};`,
    'return {',
    '  backend,',
    `  batchSize: ${s.batch},`,
    '  get steps() { return steps; },',
    `  step(x: ${xType}, t: ${feedType(t!)}): StepResult {`, indent(step, 4), '  },',
    `  predict(x: ${xType}): ${yType} {`, indent(predict, 4), '  },',
    '  getParams(): Params {', indent(READ_TABLE('PARAMS', 'Params').split('\n'), 4), '  },',
    '  setParams(values: Partial<Params>): void {', indent(WRITE_TABLE('PARAMS').split('\n'), 4), '  },',
    '  getOptimizerState(): OptimizerState {', indent(READ_TABLE('SLOTS', 'OptimizerState').split('\n'), 4), '  },',
    '};',
  ].join('\n');
  out.push({ kind: tsm.StructureKind.Function,
    name: 'createTrainer', isExported: true, isAsync: true,
    parameters: [{ name: 'options', type: 'TrainerOptions', initializer: '{}' }], returnType: 'Promise<Trainer>',
    docs: ['A trainer starting from the weights and optimizer state at export (each call, a fresh copy).'],
    statements: body,
  });
}

function addProgramApi(out: Out, tsm: Tsm, s: ProgramModule): void {
  const p = s.program.js;
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'Feeds', isExported: true, docs: ['The inputs of one run, by name.'],
    properties: p.inputs.map((i) => ({ name: i.id, type: feedType(i), isReadonly: true, docs: [feedDoc(i)] })),
  });
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'Outputs', isExported: true, docs: ['The outputs of a run: views, valid until the next run.'],
    properties: p.outputs.map((o) => ({ name: o.id, type: VIEW_TYPE[o.storage], isReadonly: true, docs: [`${shapeText(o.shape)}.`] })),
  });
  out.push({ kind: tsm.StructureKind.Interface,
    name: 'Program', isExported: true, docs: ['The compiled program, started.'],
    properties: [{ name: 'backend', type: 'Backend', isReadonly: true, docs: ['Where the kernels run.'] }],
    methods: [
      { name: 'run', parameters: [{ name: 'feeds', type: 'Feeds' }], returnType: 'Outputs', docs: ['Checks every feed, copies them in, runs the kernels (and applies the updates).'] },
      { name: 'getParams', returnType: 'Params', docs: ['A copy of every param.'] },
      { name: 'setParams', parameters: [{ name: 'values', type: 'Partial<Params>' }], returnType: 'void', docs: ['Replaces params by name (all checked before any changes).'] },
    ],
  });
  const run = [
    "if (feeds === null || typeof feeds !== 'object') throw new Error(`run: feeds must be an object keyed by input name (${names.join(', ')})`);",
    "for (const name of Object.keys(feeds)) if (!names.includes(name)) throw new Error(`run: feed '${name}' is not an input of this program; its inputs are ${names.join(', ')}`);",
    "for (const name of names) if (!Object.prototype.hasOwnProperty.call(feeds, name)) throw new Error(`run: missing feed for input '${name}'`);",
    ...p.inputs.flatMap((q) => feedCheck('run', q, false, `feeds.${q.id}`)),
    'enter(program);',
    ...p.inputs.map((q, i) => `program.inputs[${i}]!.set(feeds.${q.id});`),
    'program.run();',
    'return outputs;',
  ];
  const body = [
    'const backend = chooseBackend(options.backend);',
    ...startLines([s.program], ['program']),
    `const outputs: Outputs = Object.freeze({ ${p.outputs.map((q, i) => `${q.id}: ${viewAs(`program.outputs[${i}]`, q)}`).join(', ')} });`,
    `const names: readonly string[] = [${p.inputs.map((q) => `'${q.id}'`).join(', ')}];`,
    'return {',
    '  backend,',
    '  run(feeds: Feeds): Outputs {', indent(run, 4), '  },',
    '  getParams(): Params {', indent(READ_TABLE('PARAMS', 'Params').split('\n'), 4), '  },',
    '  setParams(values: Partial<Params>): void {', indent(WRITE_TABLE('PARAMS').split('\n'), 4), '  },',
    '};',
  ].join('\n');
  out.push({ kind: tsm.StructureKind.Function,
    name: 'createProgram', isExported: true, isAsync: true,
    parameters: [{ name: 'options', type: '{ readonly backend?: Backend }', initializer: '{}' }], returnType: 'Promise<Program>',
    docs: ['The program, started with the params it had at export (each call, a fresh copy).'],
    statements: body,
  });
}
