// `gradc export`: the command's work (src/cli/export-command.ts), called as commander calls it, and
// one subprocess run for the one-line error.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layers, loadModel, sequential } from 'gradc';
import { exportCommand, type ExportCommandOptions } from '../src/cli/export-command.js';
import { exportDir, load, sameBits, typeErrors } from './helpers/exported.js';
import { ensureBuiltCli, GRADC_BIN } from './helpers/built-cli.js';

const base: ExportCommandOptions = {
  out: '', batchSize: 32, features: 'uint8', hidden: [32], activation: 'relu', optimizer: 'adam', seed: 42,
};
const quiet = (): void => {};

describe('gradc export', () => {
  it('writes the seed recipe to <out>/model.ts, a module that type-checks and trains', async () => {
    const dir = join(exportDir(), 'out');
    const lines: string[] = [];
    const { file } = await exportCommand({ ...base, out: dir }, (l) => lines.push(l));
    expect(file).toBe(join(dir, 'model.ts'));
    expect(lines[0]).toContain('the seed recipe 784→32 relu→10 softmax');
    expect(typeErrors(file)).toEqual([]);
    const mod = await load<{ createTrainer(o?: { backend?: 'js' }): Promise<{ step(x: Uint8Array, t: Float32Array): { loss: number } }> }>(file);
    const t = new Float32Array(320);
    for (let r = 0; r < 32; r++) t[r * 10 + (r % 10)] = 1;
    const { loss } = (await mod.createTrainer({ backend: 'js' })).step(new Uint8Array(32 * 784).fill(128), t);
    expect(loss).toBeGreaterThan(1); // ≈ ln 10 at the start
    expect(loss).toBeLessThan(4);
  });

  it('exports a saved model (--model) with its trained weights', async () => {
    const dir = exportDir();
    const m = sequential({ seed: 3 });
    m.add(layers.dense({ units: 8, inputDim: 6, activation: 'tanh' }));
    m.add(layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', backend: 'js' });
    const x = Float32Array.from({ length: 64 * 6 }, (_, i) => Math.cos(i));
    const y = new Float32Array(64 * 3);
    for (let r = 0; r < 64; r++) y[r * 3 + (r % 3)] = 1;
    await m.fit({ shape: [64, 6], data: x }, { shape: [64, 3], data: y }, { epochs: 2, batchSize: 16, verbose: 0 });
    await m.save(join(dir, 'saved'));
    const { file } = await exportCommand({ ...base, out: join(dir, 'small.ts'), model: join(dir, 'saved'), batchSize: 16, features: 'float32' }, quiet);
    const loaded = await loadModel(join(dir, 'saved'));
    const trainer = await (await load<{ createTrainer(o?: { backend?: 'js' }): Promise<{ steps: number; getParams(): Record<string, Float32Array>; predict(x: Float32Array): Float32Array }> }>(file)).createTrainer({ backend: 'js' });
    expect(trainer.steps).toBe(8);
    for (const [name, w] of loaded.getWeights()) expect(sameBits(trainer.getParams()[name.replace('/', '_')]!, w)).toBe(true);
    expect(sameBits(trainer.predict(x.subarray(0, 20 * 6)), loaded.predict({ shape: [20, 6], data: x.subarray(0, 20 * 6) }).data)).toBe(true);
  });

  it('refuses a bad --out or --model before any work', async () => {
    const dir = exportDir();
    writeFileSync(join(dir, 'a-file'), '');
    await expect(exportCommand({ ...base, out: join(dir, 'a-file') }, quiet)).rejects.toThrow(/is a file, not a directory/);
    await expect(exportCommand({ ...base, out: join(dir, 'new'), model: join(dir, 'missing') }, quiet)).rejects.toThrow(/cannot read/);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('fails in one line from the command line', () => {
    ensureBuiltCli();
    const bin = GRADC_BIN;
    const dir = exportDir();
    writeFileSync(join(dir, 'a-file'), '');
    const r = spawnSync(process.execPath, [bin, 'export', '--out', join(dir, 'a-file')], { encoding: 'utf8', env: { ...process.env, GRADC_DEBUG: '' } });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').length).toBe(2);
    expect(r.stderr).toMatch(/^gradc: --out .*a-file.* is a file, not a directory/);
  }, 120_000);
});
