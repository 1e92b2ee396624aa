/**
 * compile({ inputs, outputs, updates }) → an Executable: the graph (simplified) is scheduled
 * into fused kernels, lowered to the kernel IR, emitted as JavaScript once, and run over one
 * arena. run(feeds) checks every feed first, then runs the kernels without allocating.
 */
import { BACKENDS, LoadedProgram, STORAGE_BYTES, TARGETS, wasmSimdAvailable } from '../../codegen/index.js';
import type { Backend } from '../../codegen/index.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { topoSort } from '../graph/topo.js';
import { checkOneHotRows, didYouMean } from '../eval/feeds.js';
import { labelDepths } from '../lower/labels.js';
import { lower } from '../lower/lower.js';
import { schedule } from '../schedule/fusion.js';
import type { BufferRole } from '../lower/memory.js';
import { debugLevel, defaultLog } from './debug.js';
import { warn } from './warn.js';
import type { SharedWeights } from './weights.js';
import { checkSpec } from './spec.js';
import type { CompileSpec } from './spec.js';
import { simplifyRoots } from './simplify.js';
import { recordParts } from './parts.js';

export type { CompileSpec } from './spec.js';

export interface CompileOptions {
  /** 'js' (readable, portable) or 'wasm' (WebAssembly SIMD); default: see `defaultBackend`. */
  readonly backend?: Backend;
  /** 0–4 (1 summary, 2 fused kernels, 3 rewrites fired, 4 generated code); default GRADC_DEBUG. */
  readonly debug?: number | boolean;
  /** Simplify the graph first (src/rewrite; default true). */
  readonly simplify?: boolean;
  /** Where debug lines go (default stderr). */
  readonly log?: (line: string) => void;
  /**
   * A weight region shared with other programs (`new SharedWeights(backend)`): params of the same
   * name live in one place of one memory, so programs switch without copying weights.
   */
  readonly weights?: SharedWeights;
}

export interface KernelReport {
  readonly index: number;
  readonly name: string;
  /** The graph ops this kernel computes, one per graph node. */
  readonly ops: readonly string[];
  /** Its loop shape, e.g. `32×10 | reduce[10], reduce[10], map[10]` or `matmul 32×784·784×32`. */
  readonly loops: string;
  /** Its plan for the backend, e.g. `matmul 32×784·784×32: order dot, tile 4×8, vector j (4 lanes), acc f32`. */
  readonly plan: string;
}

export interface BufferReport {
  readonly role: BufferRole;
  /** The input's or param's name; absent for temporaries and outputs (see `outputs`). */
  readonly name?: string;
  readonly outputs?: readonly string[];
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'float64';
  readonly offset: number;
  readonly bytes: number;
}

export interface MemoryReport {
  readonly arenaBytes: number;
  /** Temporaries: bytes if each had its own space, and bytes once lifetimes share it. */
  readonly tempBytesUnshared: number;
  readonly tempBytesShared: number;
  readonly buffers: readonly BufferReport[];
}

/** A graph buffer: float32 or float64 values (an input fed as bytes is a Uint8Array: see feedView). */
type View = Float32Array | Float64Array;
type Outputs = Readonly<Record<string, View>>;
/** A feed: floats, or bytes (Uint8Array) for an input declared `{ feed: 'uint8' }`. */
type FeedValue = Float32Array | Float64Array | Uint8Array | Uint8ClampedArray | readonly number[];

let warnedEnv = false;

/**
 * The backend `compile` uses when none is asked for: 'wasm' where WebAssembly SIMD is
 * available (probed once with `WebAssembly.validate`), else 'js'. GRADC_BACKEND=js|wasm
 * overrides it (an unknown value is warned about once and ignored).
 */
export function defaultBackend(): Backend {
  const env = typeof process !== 'undefined' ? process.env['GRADC_BACKEND'] : undefined;
  if (env !== undefined && env !== '') {
    if ((BACKENDS as readonly string[]).includes(env)) return env as Backend;
    if (!warnedEnv) {
      warnedEnv = true;
      warn(`GRADC_BACKEND=${JSON.stringify(env)} is not a backend (${BACKENDS.join(', ')}); ignoring it`);
    }
  }
  return wasmSimdAvailable() ? 'wasm' : 'js';
}

/** The key of `Executable`'s unchecked run, for src/nn's batch loops (their data is checked once, up front). */
export const runPrechecked: unique symbol = Symbol('runPrechecked');

export class Executable {
  readonly backend: Backend;
  readonly kernels: readonly KernelReport[];
  readonly memory: MemoryReport;
  /** Input names in slot order. */
  readonly inputNames: readonly string[];
  readonly paramNames: readonly string[];
  /** Milliseconds spent in compile, in total and per phase. */
  readonly compileMs: number;
  readonly phaseMs: Readonly<Record<'check' | 'simplify' | 'schedule' | 'lower' | 'emit', number>>;
  private inputViews: readonly View[];
  private readonly inputShapes: readonly (readonly number[])[];
  /** Per input slot: the oneHot depth its values must lie below as labels, or 0 when they are not labels. */
  private readonly labelDepth: readonly number[];
  /** Per input slot: the row length of an input declared { oneHot: true }, or 0. */
  private readonly oneHotRow: readonly number[];
  private readonly inputF32: readonly boolean[];
  /** Per input slot: fed as bytes (`{ feed: 'uint8' }`, a Uint8Array into a u8 buffer). */
  private readonly inputBytes: readonly boolean[];
  private params: ReadonlyMap<string, { readonly view: View; readonly node: Tensor }>;
  private out: Outputs;
  /** With shared weights: the region, its generation when compiled, and constants to rewrite per run. */
  private readonly shared: { weights: SharedWeights; generation: number; constants: readonly (readonly [View, Float64Array])[] } | undefined;
  /** Params no setParam has written yet. */
  private readonly unset: Set<string>;
  private warnedUnset = false;

  /** Use `compile`. */
  constructor(private readonly loaded: LoadedProgram, parts: {
    kernels: KernelReport[]; memory: MemoryReport; inputs: readonly Tensor<'input'>[];
    views: (exe: LoadedProgram) => { params: Map<string, { view: View; node: Tensor }>; outputs: Outputs; constants: (readonly [View, Float64Array])[] };
    compileMs: number; phaseMs: Executable['phaseMs']; labelDepths: ReadonlyMap<Tensor, number>;
    weights: SharedWeights | undefined;
  }) {
    const views = parts.views(loaded);
    this.views = parts.views;
    this.backend = loaded.backend;
    this.kernels = parts.kernels;
    this.memory = parts.memory;
    this.inputNames = parts.inputs.map((t) => t.attrs.name);
    this.inputShapes = parts.inputs.map((t) => t.shape);
    this.labelDepth = parts.inputs.map((t) => parts.labelDepths.get(t) ?? 0);
    this.oneHotRow = parts.inputs.map((t) => (t.attrs.facts.oneHot ? t.shape[t.rank - 1]! : 0));
    this.inputF32 = parts.inputs.map((t) => t.dtype === 'float32');
    this.inputBytes = parts.inputs.map((t) => t.attrs.facts.feed === 'uint8');
    this.inputViews = loaded.inputs as readonly View[];
    this.params = views.params;
    this.paramNames = [...views.params.keys()];
    // Shared weights are set through whichever program of the region: no per-program warning.
    this.unset = new Set(parts.weights ? [] : this.paramNames);
    this.out = views.outputs;
    this.compileMs = parts.compileMs;
    this.phaseMs = parts.phaseMs;
    this.shared = parts.weights ? { weights: parts.weights, generation: parts.weights.generation, constants: views.constants } : undefined;
    parts.weights?.attach(this);
  }

  /** True when this program's shared weights gained params after it was compiled (compile it again). */
  get stale(): boolean {
    return this.shared !== undefined && this.shared.generation !== this.shared.weights.generation;
  }

  private readonly views: (exe: LoadedProgram) => { params: Map<string, { view: View; node: Tensor }>; outputs: Outputs; constants: (readonly [View, Float64Array])[] };

  /**
   * Moves this program to another memory holding its weight region (SharedWeights does this when
   * a larger program joins): outputs and params are views of the new memory afterwards.
   */
  rebind(memory: ArrayBuffer | WebAssembly.Memory): void {
    this.loaded.rebind(memory);
    const views = this.views(this.loaded);
    this.inputViews = this.loaded.inputs as readonly View[];
    this.params = views.params;
    this.out = views.outputs;
  }

  /** What runs, to read: JavaScript source, or the WebAssembly module as WAT text. */
  get source(): string {
    return this.loaded.source;
  }

  /**
   * Copies the feeds into the arena (all checked first), runs every kernel, applies the updates.
   * Returns the outputs as views into the arena: valid until the next run. Allocation-free.
   */
  run(feeds: Readonly<Record<string, FeedValue>> = {}): Outputs {
    if (feeds === null || typeof feeds !== 'object') {
      throw new GraphError('run', `feeds must be an object keyed by input name (${this.inputNames.join(', ')}), got ${feeds === null ? 'null' : typeof feeds}`);
    }
    const n = this.inputNames.length;
    for (let s = 0; s < n; s++) this.checkFeed(feeds, s);
    let count = 0;
    for (const _ in feeds) count++;
    if (count !== n) this.unknownFeed(feeds);
    if (this.unset.size > 0 && !this.warnedUnset) this.warnUnset();
    return this[runPrechecked](feeds);
  }

  /**
   * `run` past the feed checks: for a caller that checked the data its feeds are drawn from
   * (fit checks x and y once, then gathers every batch from them). Not in the public API.
   */
  [runPrechecked](feeds: Readonly<Record<string, FeedValue>>): Outputs {
    const n = this.inputNames.length;
    const shared = this.shared;
    if (shared !== undefined) {
      if (shared.generation !== shared.weights.generation) {
        throw new GraphError('run', 'the shared weights gained params after this program was compiled, so its buffers overlap them now; compile it again with the same weights');
      }
      // Programs of one region share the memory past it: constants are written again.
      for (let i = 0; i < shared.constants.length; i++) shared.constants[i]![0].set(shared.constants[i]![1]);
    }
    for (let s = 0; s < n; s++) {
      const v = this.inputViews[s]!, f = feeds[this.inputNames[s]!]!;
      if (f !== v) v.set(f);
    }
    this.loaded.run();
    return this.out;
  }

  /**
   * The arena's own buffer of an input: write a feed into it and pass it to `run` (checked as any
   * feed, not copied). A data loader fills it in place; valid for the executable's life.
   */
  feedView(name: string): Float32Array | Float64Array | Uint8Array {
    const s = this.inputNames.indexOf(name);
    if (s < 0) throw new GraphError('feedView', `'${name}' is not an input of this program; its inputs are ${this.inputNames.map((n) => `'${n}'`).join(', ') || 'none'}`);
    return this.inputViews[s]! as Float32Array | Float64Array | Uint8Array;
  }

  /**
   * Sets a param's value: data of its size, one number for every element (`setParam(m, 0)`, as
   * torch's `fill_`), or an initializer called with each flat index.
   */
  setParam(p: Tensor | string, data: number | ArrayLike<number> | ((index: number) => number)): void {
    const { view, node } = this.param(p, 'setParam');
    if (typeof data === 'number') {
      if (data - data !== 0) throw new GraphError('setParam', `cannot fill '${this.nameOf(node)}' with ${data}; params must be finite numbers`);
      view.fill(data);
      this.unset.delete(this.nameOf(node));
      return;
    }
    if (typeof data === 'function') {
      // One call per index, written as checked; a bad value puts the old contents back (never half-written).
      const before = view.slice();
      for (let i = 0, n = view.length; i < n; i++) {
        const v = data(i);
        // v − v is 0 exactly for finite numbers (NaN for NaN and ±Infinity): no call per value.
        if (typeof v !== 'number' || v - v !== 0) {
          view.set(before);
          if (typeof v !== 'number') throw new GraphError('setParam', `the initializer for '${this.nameOf(node)}' returned ${typeof v} at index ${i}; return numbers`);
          throw new GraphError('setParam', `the initializer for '${this.nameOf(node)}' returned ${v} at index ${i}; params must be finite numbers`);
        }
        view[i] = v;
      }
      this.unset.delete(this.nameOf(node));
      return;
    }
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
      throw new GraphError('setParam', `data for '${this.nameOf(node)}' must be a Float32Array or number array of ${view.length} values, one number to fill with, or a function of the index`);
    }
    if (data.length !== view.length) {
      throw new GraphError('setParam', `param '${this.nameOf(node)}' ${fmtShape(node.shape)} needs ${view.length} values, got ${data.length}`);
    }
    // A float array holds numbers only: three native scans show it finite; anything else is searched element by element.
    const finiteFloats = (data instanceof Float32Array || data instanceof Float64Array)
      && !data.includes(NaN) && !data.includes(Infinity) && !data.includes(-Infinity);
    const bad = finiteFloats ? -1 : firstNonFinite(data);
    if (bad >= 0) {
      const v = data[bad];
      if (typeof v !== 'number') throw new GraphError('setParam', `data for '${this.nameOf(node)}' has ${Array.isArray(v) ? 'a nested array' : `a ${typeof v}`} at index ${bad}; pass ${view.length} numbers, flat`);
      throw new GraphError('setParam', `data for '${this.nameOf(node)}' has ${v} at index ${bad}; params must be finite numbers (a diverged or uninitialised source?)`);
    }
    view.set(data);
    this.unset.delete(this.nameOf(node));
  }

  /** A copy of a param's current value (or copied into `into`, allocation-free). */
  getParam(p: Tensor | string, into?: Float32Array | Float64Array): Float32Array | Float64Array {
    const { view, node } = this.param(p, 'getParam');
    if (into === undefined) return view.slice();
    if (into.length !== view.length) throw new GraphError('getParam', `param '${this.nameOf(node)}' has ${view.length} values, into has ${into.length}`);
    into.set(view);
    return into;
  }

  /**
   * A param never set holds zeros. tfjs and PyTorch always initialise their variables, so a run
   * on params nobody set is most likely a forgotten setParam: warn once (zeros may be meant, e.g.
   * optimizer slots: `exe.setParam(p, 0)` says so and silences this).
   */
  private warnUnset(): void {
    this.warnedUnset = true;
    const names = [...this.unset].map((s) => `'${s}'`);
    warn(`run: param${names.length > 1 ? 's' : ''} ${names.slice(0, 6).join(', ')}${names.length > 6 ? `, … (${names.length} in all)` : ''} ` +
      `never set, so ${names.length > 1 ? 'they hold' : 'it holds'} zeros; call exe.setParam(name, values) first (exe.setParam(name, 0) if zeros are meant)`);
  }

  private nameOf(t: Tensor): string {
    return (t as Tensor<'param'>).attrs.name;
  }

  private param(p: Tensor | string, op: string): { view: View; node: Tensor } {
    const name = p instanceof Tensor ? (p.op === 'param' ? (p as Tensor<'param'>).attrs.name : undefined) : p;
    const hit = typeof name === 'string' ? this.params.get(name) : undefined;
    if (hit === undefined || (p instanceof Tensor && hit.node !== p)) {
      const what = p instanceof Tensor ? String(p) : `'${String(p)}'`;
      throw new GraphError(op, `${what} is not a param of this program; its params are ${this.paramNames.map((s) => `'${s}'`).join(', ') || 'none'}`);
    }
    return hit;
  }

  /**
   * Throws unless feed `s` is present, of a float array type, and of the input's size, and, for
   * oneHot labels, holds integers in [0, depth). Allocation-free when fine.
   */
  private checkFeed(feeds: Readonly<Record<string, unknown>>, s: number): void {
    const name = this.inputNames[s]!;
    const size = this.inputViews[s]!.length;
    if (!Object.prototype.hasOwnProperty.call(feeds, name)) this.badFeed(s, `missing feed for input '${name}'`);
    const v = feeds[name];
    if (this.inputBytes[s]) {
      if (!(v instanceof Uint8Array || v instanceof Uint8ClampedArray)) {
        throw new GraphError('run', `feed '${name}' is ${what(v)}, but input '${name}' ${fmtShape(this.inputShapes[s]!)} is declared { feed: 'uint8' } (fed as bytes); ` +
          `pass a Uint8Array of ${size} values (0..255), or declare the input without feed: 'uint8' to feed floats`);
      }
      if (v.length !== size) {
        throw new GraphError('run', `feed '${name}' has ${v.length} values but input '${name}' ${fmtShape(this.inputShapes[s]!)} has ${size}`);
      }
      if (this.labelDepth[s]! > 0) this.checkLabels(v, s);
      checkOneHotRows('run', name, v, this.oneHotRow[s]!, true);
      return;
    }
    if (v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v)) {
      if (Array.isArray(v) && Array.isArray(v[0])) {
        this.badFeed(s, `feed '${name}' is a nested array (${v.length} rows); run takes flat data`, ` (e.g. Float32Array.from(rows.flat()))`);
      }
      if (v.length !== size) {
        throw new GraphError('run', `feed '${name}' has ${v.length} values but input '${name}' ${fmtShape(this.inputShapes[s]!)} has ${size}`);
      }
      if (Array.isArray(v)) {
        for (let i = 0; i < size; i++) {
          if (typeof v[i] !== 'number') this.badFeed(s, `feed '${name}' has a ${Array.isArray(v[i]) ? 'nested array' : typeof v[i]} at index ${i}`, ' (flat)');
        }
      }
      if (this.labelDepth[s]! > 0) this.checkLabels(v as ArrayLike<number>, s);
      checkOneHotRows('run', name, v as ArrayLike<number>, this.oneHotRow[s]!, this.inputF32[s]!);
      return;
    }
    const bytesHint = v instanceof Uint8Array ? ` (or declare input '${name}' { feed: 'uint8' } to feed bytes)` : '';
    this.badFeed(s, `feed '${name}' is ${what(v)}`, bytesHint);
  }

  /** Labels as the reference evaluator reads them (rounded to the input's dtype) must be integers in [0, depth). */
  private checkLabels(v: ArrayLike<number>, s: number): void {
    const depth = this.labelDepth[s]!;
    const f32 = this.inputF32[s]!;
    for (let i = 0; i < v.length; i++) {
      const x = f32 ? Math.fround(v[i]!) : v[i]!;
      if (!(Number.isInteger(x) && x >= 0 && x < depth)) {
        const name = this.inputNames[s]!;
        throw new GraphError('run', `feed '${name}' has ${v[i]} at index ${i}, but input '${name}' holds oneHot labels, ` +
          `which must be integers in [0, ${depth}) (class indices 0..${depth - 1}); fix the label, or give oneHot a larger depth`);
      }
    }
  }

  private badFeed(s: number, problem: string, suffix = ''): never {
    const want = `a Float32Array of ${this.inputViews[s]!.length} values (shape ${fmtShape(this.inputShapes[s]!)})`;
    throw new GraphError('run', `${problem}; pass ${want}${suffix}`);
  }

  private unknownFeed(feeds: Readonly<Record<string, unknown>>): never {
    const extra = Object.keys(feeds).filter((k) => !this.inputNames.includes(k));
    throw new GraphError('run', `feed '${extra[0]}' is not an input of this program${didYouMean(extra[0]!, [...this.inputNames, ...this.paramNames])}; its inputs are ${this.inputNames.map((s) => `'${s}'`).join(', ') || 'none'} (set params with setParam)`);
  }
}

/** The index of the first element that is not a finite number, or −1. */
function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0, n = data.length; i < n; i++) {
    const v = data[i];
    if (typeof v !== 'number' || v - v !== 0) return i; // v − v is 0 exactly for finite numbers
  }
  return -1;
}

/** A feed's kind, for errors: 'Float32Array', 'a number array', 'null', … */
function what(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a number array';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : typeof v;
}

export function compile(spec: CompileSpec, options: CompileOptions = {}): Executable {
  const t0 = performance.now();
  const level = debugLevel(options.debug);
  const log = options.log ?? defaultLog;
  const backend = options.backend ?? defaultBackend();
  if (!BACKENDS.includes(backend)) {
    throw new GraphError('compile', `unknown backend ${JSON.stringify(backend)}; available: ${BACKENDS.map((b) => `'${b}'`).join(', ')}`);
  }
  const target = TARGETS[backend];
  const shared = options.weights;
  if (shared !== undefined && shared.backend !== backend) {
    throw new GraphError('compile', `the shared weights are for the ${shared.backend} backend, this program for ${backend}; use one SharedWeights per backend`);
  }
  const checked = checkSpec(spec);
  const t1 = performance.now();
  const nOut = checked.outputNodes.length;
  const given = [...checked.outputNodes, ...checked.updates.map(([, v]) => v)];
  const simplify = options.simplify ?? true;
  if (typeof simplify !== 'boolean') throw new GraphError('compile', `simplify must be true or false, got ${String(simplify)}`);
  const simplified = simplify ? simplifyRoots(given, level >= 3) : { roots: given, fired: [] };
  const t2 = performance.now();
  const outputNodes = simplified.roots.slice(0, nOut);
  const updates = checked.updates.map(([p], i) => [p, simplified.roots[nOut + i]!] as const);
  const distinctOutputs = [...new Set(outputNodes)];
  const order = topoSort([...distinctOutputs, ...updates.flatMap(([p, v]) => [p, v])]);

  const sched = schedule({ order, roots: new Set([...distinctOutputs, ...updates.map(([, v]) => v)]), updates, target });
  const t3 = performance.now();
  // oneHot labels fed through inputs, in the graph as given (as the reference evaluator checks them) and as simplified.
  const labels = labelDepths(checked.order, order);
  const low = lower({ schedule: sched, inputs: checked.inputs, params: checked.params, outputs: distinctOutputs, updates, checkedLabels: new Set(labels.keys()), target,
    ...(shared ? { region: regionOf(shared, checked.params) } : {}) });
  const t4 = performance.now();
  const exe = new LoadedProgram(low.program, { backend, checked: level >= 1, ...(shared ? { memory: (bytes: number) => shared.memoryFor(bytes) } : {}) });

  // Views of params, outputs and constants (made again when shared weights move memory).
  const views = (x: LoadedProgram) => {
    const constants: (readonly [View, Float64Array])[] = [];
    for (const b of low.buffers) {
      if (b.role !== 'constant') continue;
      const v = x.view(b.id) as View;
      const data = (b.node as Tensor<'constant'>).attrs.values;
      v.set(data);
      constants.push([v, data]);
    }
    const params = new Map<string, { view: View; node: Tensor }>();
    for (const p of checked.params) params.set(p.attrs.name, { view: x.view(low.leafBuffer.get(p)!) as View, node: p });
    const outputs: Record<string, View> = {};
    checked.outputNames.forEach((name, i) => {
      Object.defineProperty(outputs, name, { value: x.view(low.outputBuffer.get(outputNodes[i]!)!) as View, enumerable: true });
    });
    return { params, outputs: Object.freeze(outputs), constants };
  };

  const kernels: KernelReport[] = low.kernels.map((k, index) => ({ index, name: k.kernel.name, ops: k.ops, loops: exe.kernels[index]!.loops, plan: exe.kernels[index]!.plan }));
  const outputNamesOf = new Map<Tensor, string[]>();
  checked.outputNames.forEach((name, i) => {
    const l = outputNamesOf.get(outputNodes[i]!);
    if (l) l.push(name); else outputNamesOf.set(outputNodes[i]!, [name]);
  });
  const memory: MemoryReport = {
    arenaBytes: low.memory.arenaBytes,
    tempBytesUnshared: low.memory.tempBytesUnshared,
    tempBytesShared: low.memory.tempBytesShared,
    buffers: low.buffers.map((b) => {
      const leafName = b.role === 'input' || b.role === 'param' ? (b.node as Tensor<'input'>).attrs.name : undefined;
      return {
        role: b.role,
        ...(leafName !== undefined ? { name: leafName } : {}),
        ...(b.role === 'output' ? { outputs: outputNamesOf.get(b.node) ?? [] } : {}),
        shape: b.node.shape,
        dtype: b.node.dtype,
        offset: low.program.buffers[b.id]!.offset,
        bytes: b.length * STORAGE_BYTES[b.dtype],
      };
    }),
  };
  const t5 = performance.now();
  const compileMs = t5 - t0;
  const phaseMs = { check: t1 - t0, simplify: t2 - t1, schedule: t3 - t2, lower: t4 - t3, emit: t5 - t4 };
  const result = new Executable(exe, { kernels, memory, inputs: checked.inputs, views, compileMs, phaseMs, labelDepths: labels, weights: shared });
  recordParts(result, {
    kernels: exe, reports: kernels, buffers: low.buffers,
    inputs: checked.inputs.map((node) => ({ node, buffer: low.leafBuffer.get(node)!, labelDepth: labels.get(node) ?? 0 })),
    params: checked.params.map((node) => ({ node, buffer: low.leafBuffer.get(node)! })),
    outputs: checked.outputNames.map((name, i) => ({ name, node: outputNodes[i]!, buffer: low.outputBuffer.get(outputNodes[i]!)! })),
    updates, regionBytes: shared?.regionBytes ?? 0,
  });
  if (level >= 1) {
    log(`gradc compile (${backend}): ${order.length} graph nodes -> ${kernels.length} kernels; arena ${memory.arenaBytes} bytes ` +
      `(temporaries ${memory.tempBytesShared} bytes shared, ${memory.tempBytesUnshared} unshared); ${compileMs.toFixed(1)} ms ` +
      `(${Object.entries(phaseMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')})`);
  }
  if (level >= 2) {
    for (const k of kernels) log(`  k${k.index} ${k.name}: ${k.plan}; fuses ${k.ops.join(' ') || '(copies)'}`);
    if (low.committed.length > 0) log(`  updates committed after the last reader: ${low.committed.map((p) => (p as Tensor<'param'>).attrs.name).join(', ')}`);
  }
  if (level >= 3) log(simplify ? `  rewrites fired: ${simplified.fired.join(', ') || 'none'}` : '  rewrites: off (simplify: false)');
  if (level >= 4) log(exe.source);
  return result;
}

/** The params' places in the shared region (reserved on first sight), and where the region ends. */
function regionOf(shared: SharedWeights, params: readonly Tensor<'param'>[]): { offsetOf: (p: Tensor) => number | undefined; bytes: number } {
  const at = new Map<Tensor, number>();
  for (const p of params) at.set(p, shared.place(p));
  return { offsetOf: (p) => at.get(p), bytes: shared.regionBytes };
}
