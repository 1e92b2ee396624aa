// The package as it is installed: dist/bundle/ (tools/bundle.mjs: esbuild, code splitting, and
// eager compile hints on the compile path). The hints rewrite the sources' text, so here: the
// rewrite itself (lines kept, hoisting kept where the module's initialisation needs it, arrows
// only where `this` is not theirs), every entry importing in a fresh process, one module instance
// shared by the entries, and the bundle computing exactly what the sources compute.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, crossEntropy, grad, input, param } from 'gradc';
// @ts-expect-error: a build tool in plain JavaScript, without declarations
import { withEagerHints } from '../tools/eager-compile-hints.mjs';
import { ensureBuiltCli, ROOT } from './helpers/built-cli.js';

const hint = withEagerHints as (text: string, fileName: string) => string | null;

/** Runs a module's text (TypeScript) as CommonJS and returns its exports. */
function load(ts: string): Record<string, unknown> {
  const js = transformSync(ts, { loader: 'ts', format: 'cjs' }).code;
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', js)(module, module.exports);
  return module.exports;
}

describe('eager compile hints (tools/eager-compile-hints.mjs)', () => {
  const source = [
    "import { a } from './a.js';",
    'export const TABLE = build(3);',
    'function build(n: number): number[] { return [helper(n), n]; }',
    'function helper(n: number): number { return n * 2; }',
    'export function later(x: number): number { return x + 1; }',
    'function over(a: string): string;',
    'function over(a: number): number;',
    'function over(a: unknown) { return a; }',
    'export async function wait() { return 1; }',
    'export function* gen() { yield 1; }',
    'export const rule = (f: (x: number) => number) => f;',
    'export const twice = rule((x,',
    '  y = 1): number => x * 2 * y);',
    'export const obj = (x: number) => ({ x });',
    'export const self = function (this: unknown) { return this; };',
    'export const keepsThis = () => this;',
    'export function outer() { const inner = (z: number) => z; return inner(1) + later(0); }',
    'export function nested() { const a = early(); function early() { return 1; } function late() { return 2; } return a + late(); }',
  ].join('\n');
  const out = hint(source, 'm.ts')!;

  it('wraps top-level functions and arrows in parentheses, line for line', () => {
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    expect(out).toContain('export const later = (function later(x: number): number { return x + 1; });');
    expect(out).toContain('export function outer()'.replace('function outer', 'const outer = (function outer'));
    expect(out).toContain('export const twice = rule((function (x,\n  y = 1): number { return (x * 2 * y); }));');
    expect(out).toContain('export const obj = (function (x: number) { return (({ x })); });');
    expect(out).toContain('const inner = (function (z: number) { return (z); });');
    expect(out).toContain('function early() { return 1; }');
    expect(out).toContain('const late = (function late() { return 2; });');
    // every word of each line is still on that line (so source maps still point at the right lines)
    source.split('\n').forEach((line, i) => {
      for (const w of line.match(/\w+/g) ?? []) expect(out.split('\n')[i], `line ${i + 1}`).toMatch(new RegExp(`\\b${w}\\b`));
    });
  });

  it('keeps as declarations what runs at initialisation, overloads, async functions, generators and arrows that use this', () => {
    for (const kept of ['function build(', 'function helper(', 'function over(a: unknown)', 'export async function wait()', 'export function* gen()', 'export const keepsThis = () => this;',
      'export const self = function (this: unknown)']) {
      expect(out).toContain(kept);
    }
    expect(hint('const x = 1;\n', 'n.ts')).toBeNull();
  });

  it('computes what the original computes', () => {
    const [a, b] = [load(source.replace("import { a } from './a.js';", '')), load(out.replace("import { a } from './a.js';", ''))];
    expect(b.TABLE).toEqual([6, 3]);
    expect(b.TABLE).toEqual(a.TABLE);
    for (const k of ['later', 'twice', 'obj', 'outer', 'nested']) expect((b[k] as (x: number) => unknown)(5)).toEqual((a[k] as (x: number) => unknown)(5));
  });
});

describe('the bundle (dist/bundle)', () => {
  beforeAll(ensureBuiltCli, 120_000);

  const node = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });

  it('has a file for every export of package.json, and every entry imports in a fresh process', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
    const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    for (const k of entries) {
      for (const target of Object.values(pkg.exports[k] as Record<string, string>)) expect(existsSync(join(ROOT, target)), `${k}: ${target}`).toBe(true);
    }
    const names = entries.map((k) => `gradc${k.slice(1)}`).filter((n) => n !== 'gradc/cli-main');
    const r = node(`for (const n of ${JSON.stringify(names)}) { const m = await import(n); if (Object.keys(m).length === 0) throw new Error(n + ' exports nothing'); } console.log('ok');`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  it('shares one copy of each module between entries (one Tensor class, one node table)', () => {
    const r = node(`
      import { Tensor, input } from 'gradc';
      import * as browser from 'gradc/browser';
      import { make } from 'gradc/internals';
      const x = input('x', [2]);
      console.log(JSON.stringify([browser.Tensor === Tensor, make('neg', [x], {}) instanceof Tensor, make('neg', [x], {}) === x.neg()]));`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, true, true]);
  });

  it('marks the compile path for eager compilation', () => {
    const code = readdirSync(join(ROOT, 'dist', 'bundle')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(ROOT, 'dist', 'bundle', f), 'utf8')).join('\n');
    for (const f of ['simplifyRoots', 'schedule', 'lower', 'planProgram', 'postOrder']) expect(code, f).toMatch(new RegExp(`= \\(function ${f}\\d*\\(`));
  });

  it('computes what the sources compute: three seed-like steps, bit for bit, on wasm and js', () => {
    // 6 → 4 relu → 3 softmax, cross-entropy, plain gradient steps; the same program in both
    const program = (backend: string, gradc: { compile: typeof compile; crossEntropy: typeof crossEntropy; grad: typeof grad; input: typeof input; param: typeof param }) => {
      const x = gradc.input('x', [5, 6]);
      const t = gradc.input('t', [5, 3], { oneHot: true });
      const W1 = gradc.param('W1', [6, 4]);
      const W2 = gradc.param('W2', [4, 3]);
      const loss = gradc.crossEntropy(x.matmul(W1).relu().matmul(W2).softmax(), t);
      const gs = gradc.grad(loss, [W1, W2]);
      const exe = gradc.compile({ inputs: [x, t], outputs: { loss }, updates: [[W1, W1.sub(gs[0]!.mul(0.5))], [W2, W2.sub(gs[1]!.mul(0.5))]] }, { backend: backend as 'js' });
      exe.setParam(W1, (i) => Math.sin(i + 1) / 2);
      exe.setParam(W2, (i) => Math.cos(i + 1) / 2);
      const xs = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i * 0.7));
      const ts = new Float32Array(15);
      for (let r = 0; r < 5; r++) ts[r * 3 + (r % 3)] = 1;
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) losses.push((exe.run({ x: xs, t: ts }).loss as Float32Array)[0]!);
      return losses;
    };
    // vitest runs this file as JavaScript, so the function's text is JavaScript
    const text = `const program = ${program.toString()};
      const gradc = await import('gradc');
      console.log(JSON.stringify(['wasm', 'js'].map((b) => program(b, gradc))));`;
    const r = node(text);
    expect(r.stderr).toBe('');
    const bundled = JSON.parse(r.stdout) as number[][];
    const sources = ['wasm', 'js'].map((b) => program(b, { compile, crossEntropy, grad, input, param }));
    expect(bundled).toEqual(sources);
    expect(sources[0]![2]!).toBeLessThan(sources[0]![0]!);
  });
});
