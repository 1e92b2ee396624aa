// `gradc export --format onnx` as a user runs it: a subprocess of bin/gradc.js (dist/ rebuilt if
// any source is newer). The files are decoded with onnx-proto; with onnxruntime installed, the
// export of a saved model is run and compared with the model's own predictions.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, loadModel, sequential } from 'gradc';
import { ort } from './helpers/onnxruntime.js';
import { session, worst } from './helpers/onnx-run.js';
import { decodeOnnx, dimsOf, type DecodedValue } from './helpers/onnx-decode.js';
import { ensureBuiltCli, GRADC_BIN, ROOT } from './helpers/built-cli.js';

const root = ROOT;
const bin = GRADC_BIN;

beforeAll(ensureBuiltCli, 120_000);

function gradc(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GRADC_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const graphOf = (file: string) => decodeOnnx(new Uint8Array(readFileSync(file))).graph;
const sig = (vs: DecodedValue[]) => vs.map((v) => `${v.name} [${dimsOf(v).join(',')}] ${v.type.tensorType.elemType}`);

describe('gradc export --format onnx (subprocess)', () => {
  it('writes the seed recipe\'s forward graph by default: x [32,784] → y [32,10]', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-export-'));
    const r = gradc(['export', '--format', 'onnx', '--out', 'seed.onnx'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('gradc export: the seed recipe 784→32 relu→10 softmax (seed 42, untrained), the forward graph (predict) for batches of 32, ONNX opset 17');
    expect(r.out).toContain('inputs:  x [32,784] float32');
    expect(r.out).toContain('outputs: y [32,10] float32');
    const g = graphOf(join(cwd, 'seed.onnx'));
    expect(sig(g.input)).toEqual(['x [32,784] 1']);
    expect(sig(g.output)).toEqual(['y [32,10] 1']);
  });

  it('--step train --bytes: a whole sgd step with byte input, lr, params in, new params out', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-export-'));
    const r = gradc(['export', '--format', 'onnx', '--step', 'train', '--bytes', '--optimizer', 'sgd', '--batch-size', '16', '--hidden', '8', '--out', 'out/step.onnx'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const g = graphOf(join(cwd, 'out', 'step.onnx'));
    expect(sig(g.input)).toEqual(['x [16,784] 2', 'target [16,10] 1', 'sgd/lr [] 1', 'dense_1/kernel [784,8] 1', 'dense_1/bias [8] 1', 'dense_2/kernel [8,10] 1', 'dense_2/bias [10] 1']);
    expect(g.output.map((o) => o.name)).toEqual(['loss', 'y', 'new/dense_1/kernel', 'new/dense_1/bias', 'new/dense_2/kernel', 'new/dense_2/bias']);
    expect(r.out).toContain('state: 4 values (params and optimizer slots): feed each new/<name> output back as <name> at the next step');
  });

  it('one-line errors, before any work: --format ts, a directory as --out, a missing --model, recipe flags with --model', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-export-'));
    mkdirSync(join(cwd, 'adir'));
    const cases: [string[], string][] = [
      [['export', '--format', 'ts', '--step', 'train'], 'gradc: --step is for --format onnx; a TypeScript export holds both the training step and predict\n'],
      [['export', '--format', 'onnx', '--out', 'adir'], `gradc: --out adir: ${join(cwd, 'adir')} is a directory; pass a file name, e.g. adir/model.onnx\n`],
      [['export', '--format', 'onnx', '--model', 'nope'], `gradc: --model nope: ${join(cwd, 'nope')} does not exist; pass a directory written by gradc train --out\n`],
      [['export', '--format', 'onnx', '--model', 'adir'], `gradc: --model adir: ${join(cwd, 'adir')} has no model.json; pass a directory written by gradc train --out\n`],
      [['export', '--format', 'onnx', '--model', 'adir', '--hidden', '64'], 'gradc: --hidden does not apply with --model: the saved model\'s own layers and optimizer are exported\n'],
      [['export', '--format', 'xml'], "gradc: option '--format <format>' argument 'xml' is invalid. Allowed choices are ts, onnx.\n"],
    ];
    for (const [args, err] of cases) {
      const r = gradc(args, cwd);
      expect(r.err, args.join(' ')).toBe(err);
      expect(r.code).toBe(1);
    }
    expect(readdirSync(cwd)).toEqual(['adir']);
    expect(readdirSync(join(cwd, 'adir'))).toEqual([]);
  });

  it('--model: a saved model\'s forward graph, which onnxruntime runs to the model\'s own predictions', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-export-'));
    const m = sequential({ seed: 7 });
    m.add(layers.dense({ units: 5, inputDim: 6, activation: 'tanh' }));
    m.add(layers.dense({ units: 2, activation: 'softmax' }));
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'rmsprop' });
    await m.save(join(cwd, 'saved'));
    const r = gradc(['export', '--format', 'onnx', '--model', 'saved', '--batch-size', '4', '--out', 'saved.onnx'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('gradc export: the model in saved, the forward graph (predict) for batches of 4');
    expect(gradc(['export', '--format', 'onnx', '--model', 'saved', '--step', 'train', '--out', 'train.onnx'], cwd).code).toBe(0);
    if (ort === null) return; // the file's structure is checked above; running it needs onnxruntime
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const loaded = await loadModel(join(cwd, 'saved'));
    const want = loaded.predict({ shape: [4, 6], data: x }).data;
    const s = await session(ort, new Uint8Array(readFileSync(join(cwd, 'saved.onnx'))));
    const got = (await s.run({ x }, { x: [4, 6] }))['y']!;
    expect(worst(got, want).err).toBeLessThanOrEqual(1e-5);
  });
});
