import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layers, loadModel, Rng, sequential, toOneHot } from 'gradc';

vi.mock('node:fs', async (orig) => {
  const real = await orig<typeof import('node:fs')>();
  return { ...real, renameSync: vi.fn(real.renameSync) };
});

function data(n: number, seed: number) {
  const r = new Rng(seed);
  const x = Float32Array.from({ length: n * 6 }, () => r.normal());
  const labels = Array.from({ length: n }, (_, i) => (x[i * 6]! + x[i * 6 + 1]! > 0 ? (x[i * 6 + 2]! > 0 ? 2 : 1) : 0));
  return { x: { shape: [n, 6], data: x }, y: toOneHot(labels, 3) };
}

function model(seed = 7) {
  const m = sequential({ seed });
  m.add(layers.dense({ units: 5, inputDim: 6, activation: 'tanh' }));
  m.add(layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}

const dirOf = () => join(mkdtempSync(join(tmpdir(), 'gradc-save-')), 'model');

describe('save and load', () => {
  it('save → load → predict gives identical outputs', async () => {
    const { x, y } = data(40, 1);
    const m = model();
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const dir = dirOf();
    await m.save(dir);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^model\.json$/), expect.stringMatching(/^weights-[0-9a-f]{16}\.bin$/)].sort());
    const back = await loadModel(dir);
    expect(back.predict(x).data).toEqual(m.predict(x).data);
    expect(back.getWeights()).toEqual(m.getWeights());
    expect(back.summary(null)).toBe(m.summary(null));
    expect(back.epochsTrained).toBe(2);
    expect(back.step).toBe(10);
  });

  it('checkpoint and resume: the same losses, bit for bit, as an uninterrupted run', async () => {
    const { x, y } = data(40, 2);
    const straight = model(9);
    const all = (await straight.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 })).history.loss;
    const first = model(9);
    const dir = dirOf();
    const h1 = await first.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0, callbacks: { onEpochEnd: async (e) => { if (e === 1) await first.save(dir); } } });
    expect(h1.history.loss).toEqual(all);
    const resumed = await loadModel(dir); // state after epoch 2 of 4
    expect(resumed.epochsTrained).toBe(2);
    const h2 = await resumed.fit(x, y, { epochs: 4, initialEpoch: resumed.epochsTrained, batchSize: 16, verbose: 0 });
    expect(h2.epoch).toEqual([2, 3]);
    expect(h2.history.loss).toEqual(all.slice(2));
    expect(resumed.getWeights()).toEqual(straight.getWeights());
  });

  it('rejects a corrupted or truncated weights file clearly, and an interrupted save keeps the previous model whole', async () => {
    const { x, y } = data(30, 3);
    const m = model();
    const dir = dirOf();
    await m.save(dir);
    const before = m.predict(x).data;
    const wfile = readdirSync(dir).find((f) => f.startsWith('weights-'))!;
    const original = readFileSync(join(dir, wfile));
    const flipped = Buffer.from(original);
    flipped[100] ^= 0x40;
    writeFileSync(join(dir, wfile), flipped);
    await expect(loadModel(dir)).rejects.toThrow(/weights file weights-[0-9a-f]{16}\.bin does not match its checksum in model\.json .* the file is corrupted or altered/);
    writeFileSync(join(dir, wfile), original.subarray(0, original.length - 8));
    await expect(loadModel(dir)).rejects.toThrow(/is \d+ bytes, model.json says \d+: the file is truncated or altered/);
    writeFileSync(join(dir, wfile), original);

    // a save that dies before model.json is committed: the directory still holds the old model
    await m.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0 });
    const rename = vi.mocked(fs.renameSync);
    const realRename = rename.getMockImplementation()!;
    rename.mockImplementationOnce(realRename); // the weights file lands…
    rename.mockImplementationOnce(() => { throw new Error('power cut (simulated)'); }); // …model.json does not
    await expect(m.save(dir)).rejects.toThrow(/power cut/);
    const old = await loadModel(dir);
    expect(old.predict(x).data).toEqual(before);
    expect(old.step).toBe(0);
    // and the next save succeeds and cleans up
    await m.save(dir);
    expect((await loadModel(dir)).predict(x).data).toEqual(m.predict(x).data);
    expect(readdirSync(dir).filter((f) => f.startsWith('weights-'))).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
  });

  it('checks model.json: damaged JSON, wrong format, bad topology, path tricks; __proto__ keys are inert', async () => {
    const m = model();
    const dir = dirOf();
    await m.save(dir);
    const path = join(dir, 'model.json');
    const good = readFileSync(path, 'utf8');
    const edit = async (f: (j: any) => void) => {
      const j = JSON.parse(good);
      f(j);
      writeFileSync(path, JSON.stringify(j));
      return loadModel(dir);
    };
    writeFileSync(path, good.slice(0, 200));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json is not valid JSON .*the file is damaged/);
    await expect(edit((j) => { j.format = 'keras'; })).rejects.toThrow(/not a gradc model \(format "keras"/);
    await expect(edit((j) => { j.layers[1].units = 4; })).rejects.toThrow(/weights.tensors\[2\].shape: is \[5, 3\] but the topology gives 'dense_2\/kernel' shape \[5, 4\]/);
    await expect(edit((j) => { j.layers[0].units = 6; })).rejects.toThrow(/layers: model.add: layer 2 declares inputDim 5 but the previous layer has 6 units/);
    await expect(edit((j) => { j.layers[1].activation = 'swish'; })).rejects.toThrow(/layers\[1\]: unknown activation "swish"/);
    await expect(edit((j) => { j.weights.file = '../../etc/passwd'; })).rejects.toThrow(/is not a weights file name/);
    await expect(edit((j) => { j.state.rng.s = [0, 0, 0, 0]; })).rejects.toThrow(/state.rng: rng: an all-zero state is invalid/);
    await expect(edit((j) => { j.weights.tensors[1].name = '__proto__'; })).rejects.toThrow(/tensors\[1\]\.name: is "__proto__", expected "dense_1\/bias"/);
    await expect(loadModel(join(dir, 'nope'))).rejects.toThrow(/cannot read .*model\.json \(ENOENT\); is it a directory written by model.save\?/);
    // __proto__ keys anywhere are plain data: no prototype changes, same model
    const text = good.replace('"format"', '"__proto__": { "polluted": true, "layers": [] }, "format"')
      .replace('"type": "dense"', '"__proto__": { "units": 1000 }, "type": "dense"');
    writeFileSync(path, text);
    const back = await loadModel(dir);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(back.layers[0]!.spec).toMatchObject({ type: 'dense', units: 5 });
    expect(back.getWeights()).toEqual(m.getWeights());
  });

  it('a model saved before compiling loads, compiles and trains like the original', async () => {
    const m = sequential({ seed: 3 });
    m.add(layers.dense({ units: 3, inputDim: 6, activation: 'softmax' }));
    void m.getWeights();
    const dir = dirOf();
    await m.save(dir);
    const back = await loadModel(dir);
    expect(back.config).toBeNull();
    const { x, y } = data(20, 5);
    for (const mm of [m, back]) mm.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', backend: 'reference' });
    const a = await m.fit(x, y, { epochs: 2, verbose: 0 });
    const b = await back.fit(x, y, { epochs: 2, verbose: 0 });
    expect(b.history.loss).toEqual(a.history.loss);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
  });
});
