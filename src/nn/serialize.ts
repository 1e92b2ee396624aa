/**
 * Save and load. A model directory holds `model.json` (topology, training config, optimizer
 * step, generator state, weights manifest) and `weights-<sha256 prefix>.bin` (float32,
 * little-endian: weights then optimizer slots). Saving writes the new weights file, then
 * model.json (the commit point), each through a temporary file + fsync + rename, then removes
 * stale weights files: a crash at any moment leaves the old model or the new one, whole.
 * Loading checks everything it reads and builds a fresh model only when all checks pass.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../data/atomic-file.js';
import { Rng, type RngState } from '../data/rng.js';
import { dense, type DenseSpec } from './layers.js';
import { planOptimizer, type OptimizerConfig } from './optimizers.js';
import { Sequential } from './sequential.js';
import type { Backend } from './program.js';
import type { Tensor } from '../graph/tensor.js';

const FORMAT = 'gradc-model';
const FORMAT_VERSION = 1;
const WEIGHTS_FILE = /^weights-[0-9a-f]{16}\.bin$/;

interface TensorEntry { name: string; shape: number[]; offset: number }

/** The optimizer slot params of a compiled model (zero-size grads: only names and shapes matter). */
function slotParams(model: Sequential, opt: OptimizerConfig): Tensor<'param'>[] {
  return planOptimizer(opt, model.params, model.params).slots;
}

export function saveModel(model: Sequential, dir: string): void {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error('model.save: pass a directory path');
  model.pull();
  const layers = model.layers;
  const cfg = model.config;
  const tensors: Tensor<'param'>[] = [...model.params, ...(cfg ? slotParams(model, cfg.optimizer) : [])];
  const entries: TensorEntry[] = [];
  let bytes = 0;
  for (const t of tensors) {
    entries.push({ name: t.attrs.name, shape: [...t.shape], offset: bytes });
    bytes += t.size * 4;
  }
  const bin = new Uint8Array(bytes);
  const view = new DataView(bin.buffer);
  tensors.forEach((t, i) => {
    const v = model.values.get(t.attrs.name) ?? new Float32Array(t.size); // a slot never stepped is zero
    const base = entries[i]!.offset;
    for (let k = 0; k < v.length; k++) view.setFloat32(base + 4 * k, v[k]!, true);
  });
  const sha256 = createHash('sha256').update(bin).digest('hex');
  const file = `weights-${sha256.slice(0, 16)}.bin`;
  const json = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    name: model.name,
    seed: model.seed,
    layers: layers.map((l) => ({
      type: 'dense',
      name: l.name,
      units: l.spec.units,
      inputDim: l.inputDim,
      activation: l.spec.activation,
      useBias: l.spec.useBias,
      kernelInitializer: l.spec.kernelInitializer,
      biasInitializer: l.spec.biasInitializer,
    })),
    training: cfg
      ? { loss: cfg.loss, optimizer: { ...cfg.optimizer }, metrics: cfg.metrics, backend: cfg.backend }
      : null,
    state: { step: model.step, epochsTrained: model.epochsTrained, rng: model.rng.state() },
    weights: { file, bytes, sha256, tensors: entries },
  };
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, file), bin);
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json, null, 2) + '\n');
  for (const f of readdirSync(dir)) {
    if (WEIGHTS_FILE.test(f) && f !== file) {
      try { unlinkSync(join(dir, f)); } catch { /* already gone */ }
    }
  }
}

// ---- loading: every value read is checked; nothing from the file is spread or assigned wholesale ----

type Json = unknown;

function bad(path: string, msg: string): never {
  throw new Error(`loadModel: ${path}: ${msg}`);
}

function obj(v: Json, path: string): Record<string, Json> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(path, `expected an object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v as Record<string, Json>;
}

/** An own property only: `__proto__` and inherited names read as missing. */
function get(o: Record<string, Json>, key: string): Json {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function int(v: Json, path: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(path, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') bad(path, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) bad(path, `expected an array, got ${JSON.stringify(v)}`);
  return v;
}

function readLayer(v: Json, i: number): DenseSpec {
  const path = `model.json layers[${i}]`;
  const o = obj(v, path);
  if (get(o, 'type') !== 'dense') bad(path, `unknown layer type ${JSON.stringify(get(o, 'type'))} (known: "dense")`);
  try {
    return dense({
      units: get(o, 'units') as number,
      inputDim: get(o, 'inputDim') as number,
      activation: get(o, 'activation') as never,
      useBias: get(o, 'useBias') as boolean,
      kernelInitializer: get(o, 'kernelInitializer') as never,
      biasInitializer: get(o, 'biasInitializer') as never,
      name: get(o, 'name') as string,
    });
  } catch (e) {
    bad(path, (e as Error).message);
  }
}

export async function loadModel(dir: string): Promise<Sequential> {
  return loadModelSync(dir);
}

export function loadModelSync(dir: string): Sequential {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error('loadModel: pass the directory a model was saved to');
  let text: string;
  try {
    text = readFileSync(join(dir, 'model.json'), 'utf8');
  } catch (e) {
    throw new Error(`loadModel: cannot read ${join(dir, 'model.json')} (${(e as NodeJS.ErrnoException).code ?? String(e)}); is it a directory written by model.save?`);
  }
  let root: Json;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new Error(`loadModel: ${join(dir, 'model.json')} is not valid JSON (${(e as Error).message}); the file is damaged`);
  }
  const o = obj(root, 'model.json');
  if (get(o, 'format') !== FORMAT) bad('model.json', `not a gradc model (format ${JSON.stringify(get(o, 'format'))}, expected "${FORMAT}")`);
  if (get(o, 'formatVersion') !== FORMAT_VERSION) bad('model.json', `format version ${JSON.stringify(get(o, 'formatVersion'))} is not supported (this gradc reads version ${FORMAT_VERSION})`);
  const seed = int(get(o, 'seed'), 'model.json seed');
  if (seed > 0xffffffff) bad('model.json seed', `must be below 2^32, got ${seed}`);
  const name = str(get(o, 'name'), 'model.json name');
  const specs = arr(get(o, 'layers'), 'model.json layers').map(readLayer);
  if (specs.length === 0) bad('model.json layers', 'no layers');

  // Build the model in isolation; the caller sees it only if everything checks out.
  let model: Sequential;
  try {
    model = new Sequential({ seed, name });
    for (const s of specs) model.add(s);
    void model.layers;
  } catch (e) {
    bad('model.json layers', (e as Error).message);
  }

  const training = get(o, 'training');
  if (training !== null && training !== undefined) {
    const t = obj(training, 'model.json training');
    const opt = obj(get(t, 'optimizer'), 'model.json training.optimizer');
    const optSpec: Record<string, unknown> = { name: get(opt, 'name') };
    for (const k of ['learningRate', 'momentum', 'beta1', 'beta2', 'epsilon']) if (get(opt, k) !== undefined) optSpec[k] = get(opt, k);
    try {
      model.compile({
        loss: get(t, 'loss') as string,
        optimizer: optSpec as { name: string },
        metrics: arr(get(t, 'metrics'), 'model.json training.metrics') as string[],
        backend: get(t, 'backend') as Backend,
      });
    } catch (e) {
      bad('model.json training', (e as Error).message);
    }
  }
  const st = obj(get(o, 'state'), 'model.json state');
  const step = int(get(st, 'step'), 'model.json state.step');
  const epochsTrained = int(get(st, 'epochsTrained'), 'model.json state.epochsTrained');
  const r = obj(get(st, 'rng'), 'model.json state.rng');
  const rngState: RngState = { s: arr(get(r, 's'), 'model.json state.rng.s') as never, spare: (get(r, 'spare') ?? null) as number | null };
  let rng: Rng;
  try {
    rng = Rng.fromState(rngState);
  } catch (e) {
    bad('model.json state.rng', (e as Error).message);
  }

  const values = readWeights(dir, obj(get(o, 'weights'), 'model.json weights'), model);
  // Everything checked: install.
  for (const [k, v] of values) model.values.set(k, v);
  model.step = step;
  model.epochsTrained = epochsTrained;
  model.rng = rng;
  return model;
}

function readWeights(dir: string, w: Record<string, Json>, model: Sequential): Map<string, Float32Array> {
  const file = str(get(w, 'file'), 'model.json weights.file');
  if (!WEIGHTS_FILE.test(file)) bad('model.json weights.file', `${JSON.stringify(file)} is not a weights file name (weights-<16 hex>.bin)`);
  const bytes = int(get(w, 'bytes'), 'model.json weights.bytes');
  const sha256 = str(get(w, 'sha256'), 'model.json weights.sha256');
  const cfg = model.config;
  const expected = [...model.params, ...(cfg ? slotParams(model, cfg.optimizer) : [])];
  const list = arr(get(w, 'tensors'), 'model.json weights.tensors');
  if (list.length !== expected.length) {
    bad('model.json weights.tensors', `lists ${list.length} tensors, the model has ${expected.length} (${expected.map((t) => t.attrs.name).join(', ')})`);
  }
  let offset = 0;
  const entries = list.map((v, i) => {
    const path = `model.json weights.tensors[${i}]`;
    const e = obj(v, path);
    const want = expected[i]!;
    const n = str(get(e, 'name'), `${path}.name`);
    if (n !== want.attrs.name) bad(`${path}.name`, `is ${JSON.stringify(n)}, expected "${want.attrs.name}"`);
    const shape = arr(get(e, 'shape'), `${path}.shape`).map((d, k) => int(d, `${path}.shape[${k}]`));
    if (shape.length !== want.shape.length || shape.some((d, k) => d !== want.shape[k])) {
      bad(`${path}.shape`, `is [${shape.join(', ')}] but the topology gives '${want.attrs.name}' shape [${want.shape.join(', ')}]`);
    }
    if (int(get(e, 'offset'), `${path}.offset`) !== offset) bad(`${path}.offset`, `expected ${offset} (tensors are stored back to back)`);
    offset += want.size * 4;
    return want;
  });
  if (bytes !== offset) bad('model.json weights.bytes', `is ${bytes}, the tensors need ${offset}`);
  const path = join(dir, file);
  let bin: Buffer;
  try {
    bin = readFileSync(path);
  } catch (e) {
    throw new Error(`loadModel: cannot read the weights file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (bin.length !== bytes) throw new Error(`loadModel: weights file ${file} is ${bin.length} bytes, model.json says ${bytes}: the file is truncated or altered`);
  const actual = createHash('sha256').update(bin).digest('hex');
  if (actual !== sha256) throw new Error(`loadModel: weights file ${file} does not match its checksum in model.json (sha256 ${actual.slice(0, 16)}…, expected ${sha256.slice(0, 16)}…): the file is corrupted or altered`);
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Map<string, Float32Array>();
  let at = 0;
  for (const t of entries) {
    const v = new Float32Array(t.size);
    for (let k = 0; k < v.length; k++) {
      v[k] = view.getFloat32(at + 4 * k, true);
      if (!Number.isFinite(v[k]!)) throw new Error(`loadModel: weights file ${file}: '${t.attrs.name}'[${k}] is ${v[k]}`);
    }
    at += t.size * 4;
    out.set(t.attrs.name, v);
  }
  return out;
}
