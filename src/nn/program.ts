/**
 * One compiled step (training, evaluation or prediction) behind a small interface, so the model
 * code does not care which backend runs it: 'js' is the kernel compiler's fused, allocation-free
 * JavaScript; 'reference' interprets the graph with the reference evaluator (slow, for checking).
 */
import { compile, runPrechecked } from '../compile/compile.js';
import type { SharedWeights } from '../compile/weights.js';
import { evaluate } from '../eval/evaluate.js';
import type { Tensor } from '../graph/tensor.js';
import { checkName } from './checks.js';

export type Backend = 'wasm' | 'js' | 'reference';
export const BACKENDS: readonly Backend[] = ['wasm', 'js', 'reference'];

export interface ProgramSpec {
  readonly inputs: readonly Tensor<'input'>[];
  readonly outputs: Readonly<Record<string, Tensor>>;
  readonly updates: readonly (readonly [Tensor<'param'>, Tensor])[];
}

export interface StepProgram {
  /** Whether its weights live in a region the model's other programs share. */
  readonly shared: boolean;
  /** A shared-region program the region outgrew: build it again. */
  readonly stale: boolean;
  /** Runs once. Feeds are keyed by input name; outputs are valid until the next run. */
  run(feeds: Readonly<Record<string, Float32Array | Uint8Array>>): Readonly<Record<string, ArrayLike<number>>>;
  /** `run` past the feed checks: for batches gathered from data checked once, up front (fit, evaluate, predict). */
  runPrechecked(feeds: Readonly<Record<string, Float32Array | Uint8Array>>): Readonly<Record<string, ArrayLike<number>>>;
  setParam(p: Tensor<'param'>, data: Float32Array): void;
  /** Copies the param's current value into `into`. */
  readParam(p: Tensor<'param'>, into: Float32Array): void;
  /** The buffer `run` reads this input from, when the program has one of its own (filled in place, not copied); else null. */
  feedBuffer(t: Tensor<'input'>): Float32Array | Uint8Array | null;
  /** The generated code, to read. */
  readonly source: string;
  /** The kernels, one line each (name, loop shape, ops fused). */
  readonly kernels: readonly string[];
}

export function checkBackend(b: unknown): Backend {
  return checkName('backend', b, BACKENDS);
}

/** The reference backend: the graph interpreted node by node; updates applied after the outputs. */
class ReferenceProgram implements StepProgram {
  readonly shared = false;
  readonly stale = false;
  private readonly values = new Map<Tensor<'param'>, Float32Array>();
  private readonly names: string[];
  private readonly outTensors: Tensor[];
  readonly source: string;
  readonly kernels: readonly string[];

  constructor(private readonly spec: ProgramSpec) {
    this.names = Object.keys(spec.outputs);
    this.outTensors = this.names.map((k) => spec.outputs[k]!);
    this.source = `// reference backend: the graph is interpreted by evaluate(); no code is generated\n`;
    this.kernels = [];
    for (const [p] of spec.updates) this.values.set(p, new Float32Array(p.size));
  }

  feedBuffer(): null {
    return null;
  }

  private params(): Tensor<'param'>[] {
    return [...this.values.keys()];
  }

  runPrechecked(feeds: Readonly<Record<string, Float32Array | Uint8Array>>): Readonly<Record<string, ArrayLike<number>>> {
    return this.run(feeds);
  }

  run(feeds: Readonly<Record<string, Float32Array | Uint8Array>>): Readonly<Record<string, ArrayLike<number>>> {
    const all: Record<string, Float32Array | Uint8Array> = Object.create(null) as Record<string, Float32Array | Uint8Array>;
    for (const t of this.spec.inputs) all[t.attrs.name] = feeds[t.attrs.name]!;
    for (const p of this.params()) all[p.attrs.name] = this.values.get(p)!;
    const targets = [...this.outTensors, ...this.spec.updates.map(([, v]) => v)];
    const res = evaluate(targets, all);
    const out: Record<string, ArrayLike<number>> = {};
    this.names.forEach((k, i) => (out[k] = res[i]!.data));
    this.spec.updates.forEach(([p], i) => this.values.get(p)!.set(res[this.names.length + i]!.data));
    return out;
  }

  setParam(p: Tensor<'param'>, data: Float32Array): void {
    let v = this.values.get(p);
    if (v === undefined) this.values.set(p, (v = new Float32Array(p.size)));
    v.set(data);
  }

  readParam(p: Tensor<'param'>, into: Float32Array): void {
    const v = this.values.get(p);
    if (v === undefined) throw new Error(`program: no param '${p.attrs.name}'`);
    into.set(v);
  }
}

/**
 * The step program for `backend`; with `weights`, its params live in that region of one memory
 * the model's other programs share (switching programs copies no weight).
 */
export function buildStepProgram(spec: ProgramSpec, backend: Backend, weights?: SharedWeights): StepProgram {
  if (backend === 'reference') return new ReferenceProgram(spec);
  return compiled(spec, backend, weights);
}

/** The kernel compiler's executable: simplified, fused, allocation-free; outputs are arena views. */
function compiled(spec: ProgramSpec, backend: 'js' | 'wasm', weights?: SharedWeights): StepProgram {
  const exe = compile({ inputs: spec.inputs, outputs: spec.outputs, updates: spec.updates }, { backend, ...(weights ? { weights } : {}) });
  return {
    shared: weights !== undefined,
    get stale() { return exe.stale; },
    run: (feeds) => exe.run(feeds),
    runPrechecked: (feeds) => exe[runPrechecked](feeds),
    feedBuffer: (t) => {
      // With shared weights the memory may be replaced by a larger one: the model binds again then.
      const v = exe.feedView(t.attrs.name);
      return v instanceof Float64Array ? null : v;
    },
    setParam: (p, data) => exe.setParam(p, data),
    readParam: (p, into) => {
      exe.getParam(p, into);
    },
    source: exe.source,
    kernels: exe.kernels.map((k) => `${k.name}: ${k.plan}; fuses ${k.ops.join(' ') || '(copies)'}`),
  };
}
