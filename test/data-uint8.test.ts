// Data at its real size: inputs fed as bytes ({ feed: 'uint8' }), MNIST kept as a Uint8Array,
// models that rescale it in their first kernel.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, datasets, evaluate, input, layers, loadModel, model, param, sequential, softmax } from 'gradc';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1) / 4);

describe('an input fed as bytes', () => {
  const x = input('x', [4, 6], { feed: 'uint8' });
  const W = param('W', [6, 3]);
  const y = softmax(x.mul(1 / 255).matmul(W).add(0.5));
  const xs = bytes(24), w = floats(18);

  it('computes the same in the reference evaluator, compiled js and compiled wasm', () => {
    const [ref] = evaluate([y], { x: xs, W: w });
    for (const backend of ['js', 'wasm'] as const) {
      const exe = compile({ inputs: [x], outputs: { y } }, { backend });
      exe.setParam(W, w);
      const out = exe.run({ x: xs }).y;
      for (let i = 0; i < out.length; i++) expect(Math.abs(out[i]! - ref!.data[i]!)).toBeLessThan(1e-6);
      // one byte per element in the arena; the scale is fused (no kernel of its own)
      expect(exe.memory.buffers.find((b) => b.name === 'x')!.bytes).toBe(24);
      expect(exe.kernels).toHaveLength(2);
      expect(exe.kernels[0]!.ops).toContain('matmul');
    }
  });

  it('refuses feeds that are not bytes of the right length, naming the input and the fix', () => {
    const exe = compile({ inputs: [x], outputs: { y } }, { backend: 'js' });
    exe.setParam(W, w);
    expect(() => exe.run({ x: new Float32Array(24) })).toThrow(
      "run: feed 'x' is Float32Array, but input 'x' [4,6] is declared { feed: 'uint8' } (fed as bytes); pass a Uint8Array of 24 values (0..255), or declare the input without feed: 'uint8' to feed floats");
    expect(() => exe.run({ x: Array.from(xs) })).toThrow(/feed 'x' is a number array, but input 'x' \[4,6\] is declared \{ feed: 'uint8' \}/);
    expect(() => exe.run({ x: new Uint8Array(23) })).toThrow("run: feed 'x' has 23 values but input 'x' [4,6] has 24");
    const p = input('p', [5]);
    const e2 = compile({ inputs: [p], outputs: { q: p.mul(2) } }, { backend: 'js' });
    expect(() => e2.run({ p: new Uint8Array(5) })).toThrow("run: feed 'p' is Uint8Array; pass a Float32Array of 5 values (shape [5]) (or declare input 'p' { feed: 'uint8' } to feed bytes)");
    expect(() => input('z', [2], { feed: 'int8' as 'uint8' })).toThrow(`input: 'z': feed must be 'uint8' (fed as bytes, a Uint8Array) or omitted (floats), got "int8"`);
  });
});

describe('MNIST as bytes', () => {
  it('loads pixels as a Uint8Array, or as floats in [0, 1] on request', () => {
    const b = datasets.mnist({ trainSize: 20, testSize: 5 });
    const f = datasets.mnist({ trainSize: 20, testSize: 5, pixels: 'float32' });
    expect(b.xTrain.data).toBeInstanceOf(Uint8Array);
    expect(b.xTrain.data).toHaveLength(20 * 784);
    expect(f.xTrain.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f.xTrain.data)).toEqual(Array.from(b.xTrain.data, (v) => Math.fround(v / 255)));
    expect(() => datasets.mnist({ trainSize: 1, pixels: 'f16' as 'uint8' })).toThrow(`mnist: pixels must be 'uint8' or 'float32', got "f16"`);
  });

  it('a short fit on a byte slice learns, as the same model fed floats does; the model saves and loads', async () => {
    const { xTrain, yTrain, xTest, yTest } = datasets.mnist({ trainSize: 1024, testSize: 500 });
    const build = () => {
      const m = sequential({ seed: 7 });
      m.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
      m.add(layers.dense({ units: 16, activation: 'relu' }));
      m.add(layers.dense({ units: 10, activation: 'softmax' }));
      m.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'adam', learningRate: 3e-3 }, metrics: ['accuracy'] });
      return m;
    };
    const m = build();
    expect(m.layers.map((l) => l.name)).toEqual(['rescaling_1', 'dense_1', 'dense_2']);
    expect(m.summary(null)).toContain('rescaling_1 (Rescaling, ×0.00392157)');
    const h = await m.fit(xTrain, yTrain, { epochs: 3, batchSize: 32, verbose: 0 });
    expect(h.history.loss[2]!).toBeLessThan(h.history.loss[0]! * 0.6);
    const acc = m.evaluate(xTest, yTest).acc!;
    expect(acc).toBeGreaterThan(0.75);
    // the same model fed floats 0..255 trains alike (the bytes are their values)
    const asFloats = { shape: xTrain.shape, data: Float32Array.from(xTrain.data) };
    const hf = await build().fit(asFloats, yTrain, { epochs: 3, batchSize: 32, verbose: 0 });
    expect(Math.abs(hf.history.loss[2]! - h.history.loss[2]!)).toBeLessThan(1e-3);
    const dir = mkdtempSync(join(tmpdir(), 'gradc-uint8-'));
    await m.save(dir);
    const back = await loadModel(dir);
    expect(back.layers[0]!.spec).toMatchObject({ type: 'rescaling', scale: 1 / 255, offset: 0 });
    expect(back.evaluate(xTest, yTest).acc).toBe(acc);
  });

  it('a graph declared to take bytes refuses floats, and a float graph takes bytes (converted)', async () => {
    const x = input('x', [8, 784], { feed: 'uint8' });
    const V = param('V', [784, 10]);
    const g = model({ inputs: x, outputs: x.mul(1 / 255).matmul(V).softmax() });
    g.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd' });
    const { xTrain, yTrain } = datasets.mnist({ trainSize: 16, testSize: 1 });
    await g.fit(xTrain, yTrain, { epochs: 1, verbose: 0 });
    await expect(g.fit({ shape: [16, 784], data: Float32Array.from(xTrain.data) }, yTrain, { epochs: 1, verbose: 0 })).rejects.toThrow(
      "fit: x holds floats, but the model's input 'x' is declared { feed: 'uint8' } (bytes); pass x as { shape, data: Uint8Array } of bytes 0..255, or declare the input without feed: 'uint8'");
    const f = input('x', [8, 784]);
    const gf = model({ inputs: f, outputs: f.mul(1 / 255).matmul(param('V2', [784, 10])).softmax() });
    gf.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd' });
    expect(gf.predict(xTrain).shape).toEqual([16, 10]);
  });
});
