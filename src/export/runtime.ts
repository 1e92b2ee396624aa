/**
 * The fixed part of every exported module: decoding the embedded bytes, choosing and starting a
 * backend over one memory, and the feed checks (with the JIT's messages). Written as data (name,
 * parameters, body) that module-text.ts turns into ts-morph structures; it is type-checked as
 * part of each exported file (test/export.test.ts runs `tsc --strict` on one).
 */

export interface FunctionText {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly (readonly [string, string])[];
  readonly returns: string;
  readonly body: string;
  readonly async?: boolean;
}

export interface TypeText {
  readonly name: string;
  readonly doc: string;
  readonly type: string;
  readonly exported?: boolean;
}

export const RUNTIME_TYPES: readonly TypeText[] = [
  { name: 'Backend', doc: "Where the kernels run: WebAssembly SIMD, or plain JavaScript (the same numbers as gradc's js backend).", type: "'wasm' | 'js'", exported: true },
  { name: 'Floats', doc: 'Float values: float32 or float64 arrays, or numbers (rounded to float32 as they are copied in).', type: 'Float32Array | Float64Array | readonly number[]', exported: true },
  { name: 'Storage', doc: 'How a buffer stores its values.', type: "'f32' | 'f64' | 'i32' | 'u8'" },
  { name: 'View', doc: 'A typed view of one buffer of the memory.', type: 'Float32Array | Float64Array | Int32Array | Uint8Array' },
  { name: 'Kernels', doc: 'A program started over a memory: `run` calls its kernels in order.', type: '{ readonly run: () => void; readonly kernels: readonly (() => void)[] }' },
  { name: 'Memory', doc: 'The one memory every program of this module runs in (a WebAssembly.Memory for wasm).', type: '{ readonly arena: ArrayBuffer; readonly wasm: object | undefined }' },
  { name: 'Place', doc: 'Where a buffer lives: byte offset, length, storage.', type: 'readonly [offset: number, length: number, storage: Storage]' },
  { name: 'Layout', doc: "A compiled program's feeds and outputs (in order) and its constants, for one backend.", type:
    '{ readonly inputs: readonly Place[]; readonly outputs: readonly Place[]; readonly constants: readonly (readonly [offset: number, storage: Storage, base64: string])[] }' },
  { name: 'ProgramSource', doc: 'A compiled program for each backend: its JS kernels, and its Wasm module (base64) with the host functions it imports.', type:
    '{ readonly js: Layout & { readonly kernels: (arena: ArrayBuffer) => Kernels }; readonly wasm: Layout & { readonly module: string; readonly math: Readonly<Record<string, (...args: number[]) => number>> } }' },
  { name: 'Running', doc: 'A started program: views of its feeds and outputs, and its constants (written again whenever another program of the memory ran).', type: '{ readonly run: () => void; readonly inputs: readonly View[]; readonly outputs: readonly View[]; readonly constants: readonly (readonly [View, View])[] }' },
  { name: 'WasmApi', doc: "The part of the engine's WebAssembly this module uses (declared here: the module needs no DOM or Node types).", type:
    '{ validate(bytes: Uint8Array): boolean; readonly Memory: new (d: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer }; instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> }' },
];

export const RUNTIME_FUNCTIONS: readonly FunctionText[] = [
  {
    name: 'wasmApi', doc: "The engine's WebAssembly, if it has one.", params: [], returns: 'WasmApi | undefined',
    body: 'return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;',
  },
  {
    name: 'bytesOf', doc: 'Decodes base64 (no atob, no Buffer: this runs anywhere).', params: [['text', 'string']], returns: 'Uint8Array',
    body: `const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const value = new Uint8Array(128);
for (let i = 0; i < 64; i++) value[digits.charCodeAt(i)] = i;
const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
const out = new Uint8Array((text.length / 4) * 3 - pad);
for (let i = 0, o = 0; i < text.length; i += 4) {
  const n = (value[text.charCodeAt(i)]! << 18) | (value[text.charCodeAt(i + 1)]! << 12) | (value[text.charCodeAt(i + 2)]! << 6) | value[text.charCodeAt(i + 3)]!;
  if (o < out.length) out[o++] = n >> 16;
  if (o < out.length) out[o++] = (n >> 8) & 255;
  if (o < out.length) out[o++] = n & 255;
}
return out;`,
  },
  {
    name: 'simdAvailable', doc: 'True when the engine validates a WebAssembly SIMD module (the probe gradc uses).', params: [], returns: 'boolean',
    body: `const wasm = wasmApi();
if (wasm === undefined) return false;
try {
  return wasm.validate(bytesOf(SIMD_PROBE));
} catch {
  return false;
}`,
  },
  {
    name: 'chooseBackend', doc: "The backend asked for (checked), else 'wasm' where SIMD is available, else 'js'.", params: [['asked', 'Backend | undefined']], returns: 'Backend',
    body: `if (asked === undefined) return simdAvailable() ? 'wasm' : 'js';
if (asked !== 'wasm' && asked !== 'js') throw new Error(\`backend must be 'wasm' or 'js', got \${String(asked)}\`);
if (asked === 'wasm' && !simdAvailable()) throw new Error("backend 'wasm': this engine has no WebAssembly SIMD; use backend 'js'");
return asked;`,
  },
  {
    name: 'makeMemory', doc: 'One memory of `bytes` (whole 64 KiB pages for wasm; never grown).', params: [['backend', 'Backend'], ['bytes', 'number']], returns: 'Memory',
    body: `if (backend === 'js') return { arena: new ArrayBuffer(Math.ceil(bytes / 16) * 16), wasm: undefined };
const pages = Math.max(1, Math.ceil(bytes / 65536));
const wasm = new (wasmApi()!.Memory)({ initial: pages, maximum: pages });
return { arena: wasm.buffer, wasm };`,
  },
  {
    name: 'viewOf', doc: 'A typed view of `length` values at byte `offset`.', params: [['arena', 'ArrayBuffer'], ['storage', 'Storage'], ['offset', 'number'], ['length', 'number']], returns: 'View',
    body: `switch (storage) {
  case 'f32': return new Float32Array(arena, offset, length);
  case 'f64': return new Float64Array(arena, offset, length);
  case 'i32': return new Int32Array(arena, offset, length);
  case 'u8': return new Uint8Array(arena, offset, length);
}`,
  },
  {
    name: 'start', async: true, doc: "Starts a program over the memory: its Wasm module instantiated (asynchronously: browsers refuse to compile large modules synchronously on the main thread), or its JS kernels.",
    params: [['source', 'ProgramSource'], ['backend', 'Backend'], ['memory', 'Memory']], returns: 'Promise<Running>',
    body: `const layout: Layout = source[backend];
const place = ([offset, length, storage]: Place): View => viewOf(memory.arena, storage, offset, length);
const constants = layout.constants.map(([offset, storage, base64]): readonly [View, View] => {
  const bytes = bytesOf(base64);
  const data = viewOf(bytes.buffer as ArrayBuffer, storage, 0, bytes.length / (storage === 'f64' ? 8 : storage === 'u8' ? 1 : 4));
  return [viewOf(memory.arena, storage, offset, data.length), data];
});
const views = { inputs: layout.inputs.map(place), outputs: layout.outputs.map(place), constants };
if (backend === 'js') return { run: source.js.kernels(memory.arena).run, ...views };
const { instance } = await wasmApi()!.instantiate(bytesOf(source.wasm.module), { env: { memory: memory.wasm }, math: source.wasm.math });
return { run: instance.exports['run'] as () => void, ...views };`,
  },
  {
    name: 'enter', doc: "Gets `program` ready to run: its constants written again (the programs of one memory share the space past the weights).", params: [['program', 'Running']], returns: 'void',
    body: 'for (const [view, data] of program.constants) view.set(data);',
  },
  {
    name: 'what', doc: "A value's kind, for errors.", params: [['v', 'unknown']], returns: 'string',
    body: `if (v === null) return 'null';
if (Array.isArray(v)) return 'a number array';
return typeof v === 'object' ? ((v as object).constructor?.name ?? 'an object') : typeof v;`,
  },
  {
    name: 'checkFloats', doc: 'A float feed of the input\'s size (as the JIT checks it).', params: [['where', 'string'], ['name', 'string'], ['v', 'unknown'], ['length', 'number'], ['shape', 'string']], returns: 'void',
    body: `if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v))) {
  throw new Error(\`\${where}: feed '\${name}' is \${what(v)}\${v instanceof Uint8Array ? ' (bytes)' : ''}; pass a Float32Array of \${length} values (shape \${shape})\`);
}
const a = v as ArrayLike<unknown>;
if (a.length !== length) throw new Error(\`\${where}: feed '\${name}' has \${a.length} values but input '\${name}' \${shape} has \${length}\`);
if (Array.isArray(v)) {
  for (let i = 0; i < length; i++) if (typeof a[i] !== 'number') throw new Error(\`\${where}: feed '\${name}' has a \${Array.isArray(a[i]) ? 'nested array' : typeof a[i]} at index \${i}; pass \${length} numbers, flat\`);
}`,
  },
  {
    name: 'checkBytes', doc: 'A feed of bytes (an input declared { feed: \'uint8\' }) of the input\'s size.', params: [['where', 'string'], ['name', 'string'], ['v', 'unknown'], ['length', 'number'], ['shape', 'string']], returns: 'void',
    body: `if (!(v instanceof Uint8Array || v instanceof Uint8ClampedArray)) {
  throw new Error(\`\${where}: feed '\${name}' is \${what(v)}, but input '\${name}' \${shape} is fed as bytes; pass a Uint8Array of \${length} values (0..255)\`);
}
if (v.length !== length) throw new Error(\`\${where}: feed '\${name}' has \${v.length} values but input '\${name}' \${shape} has \${length}\`);`,
  },
  {
    name: 'checkFinite', doc: 'No NaN or ±Infinity in training or prediction data (as fit and predict refuse them).', params: [['where', 'string'], ['name', 'string'], ['v', 'ArrayLike<number>']], returns: 'void',
    body: `for (let i = 0; i < v.length; i++) {
  const x = v[i]!;
  if (!(x - x === 0)) throw new Error(\`\${where}: \${name} contains \${x} at index \${i}; clean the data (NaN and ±Infinity cannot be trained on)\`);
}`,
  },
  {
    name: 'checkOneHot', doc: 'Rows of one 1 and zeros, for an input declared { oneHot: true } (the simplified gradient relies on it).', params: [['where', 'string'], ['name', 'string'], ['v', 'ArrayLike<number>'], ['row', 'number'], ['f32', 'boolean']], returns: 'void',
    body: `for (let r = 0, at = 0; at < v.length; r++, at += row) {
  let ones = 0;
  for (let j = 0; j < row; j++) {
    const x = f32 ? Math.fround(v[at + j]!) : v[at + j]!;
    if (x === 1) ones++;
    else if (x !== 0) ones = -Infinity;
  }
  if (ones !== 1) throw new Error(\`\${where}: feed '\${name}' row \${r} is not one-hot; input '\${name}' is declared { oneHot: true }, so every row must hold a single 1 and zeros\`);
}`,
  },
  {
    name: 'checkLabels', doc: 'Class indices in [0, depth) for an input a oneHot reads.', params: [['where', 'string'], ['name', 'string'], ['v', 'ArrayLike<number>'], ['depth', 'number'], ['f32', 'boolean']], returns: 'void',
    body: `for (let i = 0; i < v.length; i++) {
  const x = f32 ? Math.fround(v[i]!) : v[i]!;
  if (!(Number.isInteger(x) && x >= 0 && x < depth)) {
    throw new Error(\`\${where}: feed '\${name}' has \${v[i]} at index \${i}, but input '\${name}' holds oneHot labels, which must be integers in [0, \${depth})\`);
  }
}`,
  },
  {
    name: 'checkParam', doc: 'A param value: a Float32Array (or numbers) of its size, finite.', params: [['name', 'string'], ['v', 'unknown'], ['length', 'number']], returns: 'void',
    body: `if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v))) throw new Error(\`setParams: '\${name}' must be a Float32Array of \${length} values, got \${what(v)}\`);
const a = v as ArrayLike<unknown>;
if (a.length !== length) throw new Error(\`setParams: '\${name}' needs \${length} values, got \${a.length}\`);
for (let i = 0; i < length; i++) {
  const x = a[i];
  if (typeof x !== 'number' || !(x - x === 0)) throw new Error(\`setParams: '\${name}' has \${String(x)} at index \${i}; params must be finite numbers\`);
}`,
  },
];
