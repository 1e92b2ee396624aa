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
import type { RngState } from '../data/rng.js';
import type { SaveState } from './trainable.js';

const FORMAT = 'gradc-model';
const FORMAT_VERSION = 1;
const WEIGHTS_FILE = /^weights-[0-9a-f]{16}\.bin$/;

interface TensorEntry { name: string; shape: number[]; offset: number }

/**
 * Writes a model. Refuses non-finite values before writing anything: loadModel refuses them
 * too, and a diverged model saved over a good checkpoint would lose it.
 */
export function saveModel(s: SaveState, dir: string): void {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`model.save: pass a directory path, got ${typeof dir === 'string' ? 'an empty string' : String(dir)}`);
  const entries: TensorEntry[] = [];
  let bytes = 0;
  for (const t of s.tensors) {
    for (let k = 0; k < t.value.length; k++) {
      if (!Number.isFinite(t.value[k]!)) {
        throw new Error(`model.save: '${t.name}'[${k}] is ${t.value[k]}: the model has diverged (its loss went to NaN or ∞), so nothing was written to ${dir}; ` +
          'retrain with a lower learning rate or gradient clipping (globalClipNorm), keep the last good weights with callbacks.modelCheckpoint, or stop early with callbacks.terminateOnNaN()');
      }
    }
    entries.push({ name: t.name, shape: [...t.shape], offset: bytes });
    bytes += t.value.length * 4;
  }
  const bin = new Uint8Array(bytes);
  const view = new DataView(bin.buffer);
  s.tensors.forEach((t, i) => {
    const base = entries[i]!.offset;
    for (let k = 0; k < t.value.length; k++) view.setFloat32(base + 4 * k, t.value[k]!, true);
  });
  const sha256 = createHash('sha256').update(bin).digest('hex');
  const file = `weights-${sha256.slice(0, 16)}.bin`;
  const json = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    ...(s.kind === 'functional' ? { kind: 'functional' } : {}),
    name: s.name,
    seed: s.seed,
    layers: s.topology,
    training: s.training,
    state: { step: s.step, epochsTrained: s.epochsTrained, rng: s.rng },
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

/** A saved model, read and checked as far as it can be without building the model. */
export interface Saved {
  readonly kind: 'sequential' | 'functional';
  readonly name: string;
  readonly seed: number;
  readonly layers: Json;
  readonly training: { loss: unknown; lossWeights: unknown; optimizer: Record<string, unknown>; metrics: string[]; backend: string } | null;
  readonly step: number;
  readonly epochsTrained: number;
  readonly rng: RngState;
  /** Reads the weights, checking them against the tensors (params, then slots) the built model expects. */
  readWeights(expected: readonly { name: string; shape: readonly number[]; size: number }[]): Map<string, Float32Array>;
}

export function readSaved(dir: string): Saved {
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
  const kind = get(o, 'kind') ?? 'sequential';
  if (kind !== 'sequential' && kind !== 'functional') bad('model.json kind', `unknown model kind ${JSON.stringify(kind)} (known: "sequential", "functional")`);
  const seed = int(get(o, 'seed'), 'model.json seed');
  if (seed > 0xffffffff) bad('model.json seed', `must be below 2^32, got ${seed}`);
  const name = str(get(o, 'name'), 'model.json name');
  const layers = get(o, 'layers');
  const tr = get(o, 'training');
  let training: Saved['training'] = null;
  if (tr !== null && tr !== undefined) {
    const t = obj(tr, 'model.json training');
    training = {
      loss: get(t, 'loss'), // checked by compile, as every field here
      lossWeights: get(t, 'lossWeights'),
      optimizer: { ...obj(get(t, 'optimizer'), 'model.json training.optimizer') },
      metrics: arr(get(t, 'metrics'), 'model.json training.metrics') as string[],
      backend: get(t, 'backend') as string,
    };
  }
  const st = obj(get(o, 'state'), 'model.json state');
  const step = int(get(st, 'step'), 'model.json state.step');
  const epochsTrained = int(get(st, 'epochsTrained'), 'model.json state.epochsTrained');
  const r = obj(get(st, 'rng'), 'model.json state.rng');
  const rng: RngState = { s: arr(get(r, 's'), 'model.json state.rng.s') as never, spare: (get(r, 'spare') ?? null) as number | null };
  const w = obj(get(o, 'weights'), 'model.json weights');
  return { kind, name, seed, layers, training, step, epochsTrained, rng, readWeights: (expected) => readWeights(dir, w, expected) };
}

/** One saved dense layer's config, checked by layers.dense itself (passed in, so this file builds no model). */
export function readLayerList<T>(v: Json, read: (o: Record<string, Json>, path: string) => T): T[] {
  const list = arr(v, 'model.json layers').map((l, i) => read(obj(l, `model.json layers[${i}]`), `model.json layers[${i}]`));
  if (list.length === 0) bad('model.json layers', 'no layers');
  return list;
}

export { bad as loadError, get as ownField };

function readWeights(dir: string, w: Record<string, Json>, expected: readonly { name: string; shape: readonly number[]; size: number }[]): Map<string, Float32Array> {
  const file = str(get(w, 'file'), 'model.json weights.file');
  if (!WEIGHTS_FILE.test(file)) bad('model.json weights.file', `${JSON.stringify(file)} is not a weights file name (weights-<16 hex>.bin)`);
  const bytes = int(get(w, 'bytes'), 'model.json weights.bytes');
  const sha256 = str(get(w, 'sha256'), 'model.json weights.sha256');
  const list = arr(get(w, 'tensors'), 'model.json weights.tensors');
  if (list.length !== expected.length) {
    bad('model.json weights.tensors', `lists ${list.length} tensors, the model has ${expected.length} (${expected.map((t) => t.name).join(', ')})`);
  }
  let offset = 0;
  const entries = list.map((v, i) => {
    const path = `model.json weights.tensors[${i}]`;
    const e = obj(v, path);
    const want = expected[i]!;
    const n = str(get(e, 'name'), `${path}.name`);
    if (n !== want.name) bad(`${path}.name`, `is ${JSON.stringify(n)}, expected "${want.name}"`);
    const shape = arr(get(e, 'shape'), `${path}.shape`).map((d, k) => int(d, `${path}.shape[${k}]`));
    if (shape.length !== want.shape.length || shape.some((d, k) => d !== want.shape[k])) {
      bad(`${path}.shape`, `is [${shape.join(', ')}] but the topology gives '${want.name}' shape [${want.shape.join(', ')}]`);
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
      if (!Number.isFinite(v[k]!)) throw new Error(`loadModel: weights file ${file}: '${t.name}'[${k}] is ${v[k]}; the model was saved diverged (this gradc refuses to save such a model); retrain it or load an earlier checkpoint`);
    }
    at += t.size * 4;
    out.set(t.name, v);
  }
  return out;
}
