// gradc export: the exported module type-checks strictly with no DOM or Node types, imports
// nothing, reads well (named buffers, exact constants, the maths per kernel), checks its feeds as
// the JIT does, and trains bit for bit as the JIT does on the same backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, exportModule, input, layers, param, Rng, sequential, softmax, crossEntropy, grad, type Backend } from 'gradc';
import vm from 'node:vm';
import { exportDir, importsOf, load, loadIsolated, sameBits, typeErrors } from './helpers/exported.js';

type Floats = Float32Array | Float64Array | readonly number[];
interface Trainer {
  readonly backend: Backend;
  readonly steps: number;
  step(x: Uint8Array, t: Floats): { loss: number; y: Float32Array };
  predict(x: Uint8Array): Float32Array;
  getParams(): Record<string, Float32Array>;
  setParams(p: Record<string, unknown>): void;
  getOptimizerState(): Record<string, Float32Array>;
}
interface TrainerModule { createTrainer(o?: { backend?: 'js' | 'wasm'; learningRate?: number }): Promise<Trainer> }

const STEPS = 100, BATCH = 32;

function seedModel(backend: 'js' | 'wasm') {
  const model = sequential({ seed: 42 });
  model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
  model.add(layers.dense({ units: 32, activation: 'relu' }));
  model.add(layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'], backend });
  return model;
}

/** Bytes and one-hot labels from a seeded generator (the labels follow a pixel, so there is something to learn). */
function data(rows: number) {
  const rng = new Rng(7);
  const x = new Uint8Array(rows * 784);
  for (let i = 0; i < x.length; i++) x[i] = Math.floor(rng.next() * 256);
  const y = new Float32Array(rows * 10);
  for (let r = 0; r < rows; r++) y[r * 10 + (x[r * 784 + 400]! % 10)] = 1;
  return { x, y };
}

describe.each(['js', 'wasm'] as const)('exported trainer on %s', (backend) => {
  it(`type-checks, imports nothing, and trains ${STEPS} steps bit for bit as the JIT does`, async () => {
    const dir = exportDir();
    const model = seedModel(backend);
    const file = join(dir, 'model.ts');
    const result = await exportModule(model, { path: file, features: 'uint8' });
    expect(result.kernels).toBeGreaterThan(3);
    const text = readFileSync(file, 'utf8');
    expect(typeErrors(file)).toEqual([]);
    expect(importsOf(text)).toEqual([]);

    const { x, y } = data(STEPS * BATCH);
    const mod = await load<TrainerModule>(file);
    const trainer = await mod.createTrainer({ backend });
    expect(trainer.backend).toBe(backend);
    const exported: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      exported.push(trainer.step(x.subarray(s * BATCH * 784, (s + 1) * BATCH * 784), y.subarray(s * BATCH * 10, (s + 1) * BATCH * 10)).loss);
    }
    const jit: number[] = [];
    await model.fit({ shape: [STEPS * BATCH, 784], data: x }, { shape: [STEPS * BATCH, 10], data: y }, {
      epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: { onBatchEnd: (_b, logs) => { jit.push(logs.loss); } },
    });
    expect(jit).toHaveLength(STEPS);
    expect(exported[STEPS - 1]!).toBeLessThan(exported[0]!); // it learns
    expect(sameBits(exported, jit)).toBe(true);
    expect(trainer.steps).toBe(model.step);
    const params = trainer.getParams();
    expect(Object.keys(params)).toEqual(['dense_1_kernel', 'dense_1_bias', 'dense_2_kernel', 'dense_2_bias']);
    for (const [name, w] of model.getWeights()) expect(sameBits(params[name.replace('/', '_')]!, w), name).toBe(true);
    // predict: a whole batch and 5 rows more (the one-row program), as model.predict gives
    const rows = x.subarray(0, 37 * 784);
    const jitY = model.predict({ shape: [37, 784], data: rows });
    expect(sameBits(trainer.predict(rows), jitY.data)).toBe(true);
  });
});

describe.each(['js', 'wasm'] as const)('exported trainer on %s, with no Node globals', (backend) => {
  it('runs in a bare V8 context (no process, Buffer, require, atob) and gives the same losses', async () => {
    const file = join(exportDir(), 'model.ts');
    await exportModule(seedModel(backend), { path: file, features: 'uint8' });
    const steps = 5;
    const { x, y } = data(steps * BATCH);
    const trainer = await (await load<TrainerModule>(file)).createTrainer({ backend });
    const here: number[] = [];
    for (let s = 0; s < steps; s++) here.push(trainer.step(x.subarray(s * BATCH * 784, (s + 1) * BATCH * 784), y.subarray(s * BATCH * 10, (s + 1) * BATCH * 10)).loss);

    const context = loadIsolated(file);
    expect(vm.runInContext('[typeof process, typeof Buffer, typeof require, typeof atob].join()', context)).toBe('undefined,undefined,undefined,undefined');
    context.input = { x: Array.from(x), y: Array.from(y), backend, steps, batch: BATCH };
    const there = (await vm.runInContext(`(async () => {
      const { x, y, backend, steps, batch } = input;
      const xs = Uint8Array.from(x), ys = Float32Array.from(y);
      const trainer = await exports.createTrainer({ backend });
      const losses = [];
      for (let s = 0; s < steps; s++) losses.push(trainer.step(xs.subarray(s * batch * 784, (s + 1) * batch * 784), ys.subarray(s * batch * 10, (s + 1) * batch * 10)).loss);
      return { backend: trainer.backend, losses };
    })()`, context)) as { backend: string; losses: number[] };
    expect(there.backend).toBe(backend);
    expect(sameBits(there.losses, here)).toBe(true);
  });
});

describe('exported trainer, every optimizer', () => {
  // Each fills its scalar feeds (lr, Adam's lr_t, momentum's μ, AdamW's keep) as fit does.
  it.each(['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const)('%s: 20 steps bit for bit as the JIT (js)', async (name) => {
    const m = sequential({ seed: 5 });
    m.add(layers.dense({ units: 8, inputDim: 6, activation: 'tanh' }));
    m.add(layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ loss: 'categoricalCrossentropy', optimizer: { name, learningRate: 0.05 }, backend: 'js' });
    const file = join(exportDir(), 'small.ts');
    await exportModule(m, { path: file, batchSize: 8 });
    const trainer = await (await load<{ createTrainer(o?: { backend?: 'js' }): Promise<{ step(x: Floats, t: Floats): { loss: number }; getParams(): Record<string, Float32Array> }> }>(file)).createTrainer({ backend: 'js' });
    const x = Float32Array.from({ length: 160 * 6 }, (_, i) => Math.sin(i * 0.7));
    const y = new Float32Array(160 * 3);
    for (let r = 0; r < 160; r++) y[r * 3 + (x[r * 6]! > 0 ? 1 : r % 3)] = 1;
    const ours: number[] = [];
    for (let s = 0; s < 20; s++) ours.push(trainer.step(x.subarray(s * 48, (s + 1) * 48), y.subarray(s * 24, (s + 1) * 24)).loss);
    const jit: number[] = [];
    await m.fit({ shape: [160, 6], data: x }, { shape: [160, 3], data: y }, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0, callbacks: { onBatchEnd: (_b, l) => { jit.push(l.loss); } } });
    expect(sameBits(ours, jit)).toBe(true);
    for (const [k, w] of m.getWeights()) expect(sameBits(trainer.getParams()[k.replace('/', '_')]!, w), k).toBe(true);
  });
});

describe('exported module, readable', () => {
  it('names buffers, prints exact constants, documents each kernel, and drops loops of one step', async () => {
    const file = join(exportDir(), 'model.ts');
    await exportModule(seedModel('js'), { path: file, features: 'uint8' });
    const text = readFileSync(file, 'utf8');
    const kernels = text.slice(text.indexOf('function trainKernels'), text.indexOf('const TRAIN'));
    expect(kernels).toContain('const dense_1_kernel = new Float32Array(arena, ');
    expect(kernels).toMatch(/dense_1_kernel\[k \* 32 \+ j\]/);
    expect(kernels).not.toMatch(/\bb\d+\b/); // no b3
    expect(kernels).toContain('1 / 32'); // the mean over the batch
    expect(kernels).toContain('f(1 / 255)'); // the rescaling, as float32
    expect(kernels).not.toMatch(/0\.0312|0\.00392/);
    expect(kernels).not.toMatch(/for \((let \w+ = 0)?; \w+ < 1; /);
    const row = text.slice(text.indexOf('function predictRowKernels'), text.indexOf('const PREDICT_ROW'));
    expect(row).not.toMatch(/for \((let \w+ = 0)?; \w+ < 1; /); // one row: no loop over rows
    expect(row).toContain('const x0 = f(x[k]);');
    expect(kernels).toContain('relu = relu(matmul / 255 + dense_1_bias)'); // the maths of k0
    expect(kernels).toMatch(/dense_1_kernel ← /);
  });
});

describe('exported module, checks', () => {
  it('checks every feed as the JIT does, before any work', async () => {
    const file = join(exportDir(), 'model.ts');
    await exportModule(seedModel('js'), { path: file, features: 'uint8' });
    const trainer = await (await load<TrainerModule>(file)).createTrainer({ backend: 'js' });
    const before = trainer.getParams();
    const x = new Uint8Array(BATCH * 784);
    const t = new Float32Array(BATCH * 10);
    for (let r = 0; r < BATCH; r++) t[r * 10 + (r % 10)] = 1;
    expect(() => trainer.step(new Uint8Array(10), t)).toThrow("step: feed 'x' has 10 values but input 'x' [32, 784] has 25088");
    expect(() => trainer.step(new Float32Array(BATCH * 784) as unknown as Uint8Array, t)).toThrow(/feed 'x' is Float32Array, but input 'x' \[32, 784\] is fed as bytes/);
    const nan = t.slice(); nan[3] = NaN;
    expect(() => trainer.step(x, nan)).toThrow(/contains NaN at index 3/);
    const two = t.slice(); two[1] = 1;
    expect(() => trainer.step(x, two)).toThrow(/row 0 is not one-hot/);
    expect(() => trainer.setParams({ dense_1_bias: new Float32Array(3) })).toThrow("setParams: 'dense_1_bias' needs 32 values, got 3");
    expect(() => trainer.setParams({ nope: new Float32Array(3) })).toThrow(/no param 'nope'/);
    expect(trainer.steps).toBe(0);
    for (const [k, v] of Object.entries(trainer.getParams())) expect(sameBits(v, before[k]!)).toBe(true);
    expect(() => trainer.step(x, t)).not.toThrow();
    expect(trainer.steps).toBe(1);
  });

  it('keeps a hostile param name out of the code, and runs a compiled program as the JIT does', async () => {
    const evil = '*/ x"; globalThis.pwned = 1; //\n`${1}`';
    const x = input(`in'put\n*/`, [4, 3]);
    const t = input('t', [4, 2], { oneHot: true });
    const W = param(evil, [3, 2]);
    const V = param('a/b', [2]);
    const V2 = param('a_b', [2]);
    const loss = crossEntropy(softmax(x.matmul(W).add(V).add(V2)), t);
    const [dW] = grad(loss, [W]);
    const exe = compile({ inputs: [x, t], outputs: { loss }, updates: [[W, W.sub(dW!.mul(0.5))]] }, { backend: 'js' });
    exe.setParam(W, (i) => (i % 5) / 7 - 0.3); exe.setParam(V, () => 0.25); exe.setParam(V2, () => -0.125);
    const file = join(exportDir(), 'program.ts');
    await exportModule(exe, { path: file });
    const text = readFileSync(file, 'utf8');
    // Sanitized to identifiers (x_globalThis_pwned_1_1): nothing of the raw strings' syntax survives.
    for (const bad of [evil, 'globalThis.pwned', '"; ', "in'put", '*/ x', '`${1}`']) expect(text).not.toContain(bad);
    expect(text).toContain('x_globalThis_pwned_1_1: Float32Array;');
    expect(text).toMatch(/\bx_: Floats|\bin_put: Floats/);
    expect(text).toContain('a_b_2');
    expect(typeErrors(file)).toEqual([]);
    const mod = await load<{ createProgram(o?: { backend?: 'js' | 'wasm' }): Promise<{ run(f: Record<string, Floats>): Record<string, Float32Array>; getParams(): Record<string, Float32Array> }> }>(file);
    const program = await mod.createProgram({ backend: 'js' });
    const ids = Object.keys(program.getParams());
    expect(ids).toHaveLength(3);
    const feedX = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const feedT = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    const inputId = text.match(/export interface Feeds \{[^}]*?(\w+): Floats/)![1]!;
    for (let s = 0; s < 3; s++) {
      const ours = program.run({ [inputId]: feedX, t: feedT }).loss![0]!;
      expect(Object.is(ours, exe.run({ [`in'put\n*/`]: feedX, t: feedT }).loss![0]!)).toBe(true);
    }
    expect(sameBits(program.getParams()[ids.find((i) => i !== 'a_b' && i !== 'a_b_2')!]!, exe.getParam(W))).toBe(true);
    expect(() => program.run({ [inputId]: feedX, t: Float32Array.from([1, 1, 0, 1, 1, 0, 0, 1]) })).toThrow(/row 0 is not one-hot/);
  });

  it('refuses a bad path before any work, and a schedule it cannot carry', async () => {
    const dir = exportDir();
    await expect(exportModule(seedModel('js'), { path: dir })).rejects.toThrow(/is a directory; pass a file name/);
    await expect(exportModule(seedModel('js'), { path: '' })).rejects.toThrow(/must be a file name/);
  });
});
