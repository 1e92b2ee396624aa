// The browser entry (gradc/browser) imports no Node built-in and no package, so a bundler takes it
// as it is: checked from the imports, then by bundling it for the browser with esbuild and running
// the bundle where there is no Node (a vm context with only what a Web Worker has).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as node from 'gradc';
import * as browser from 'gradc/browser';
import { decodeOnnx, dimsOf, floatsOf } from './helpers/onnx-decode.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every file the entry reaches through relative imports, and every other specifier it imports. */
function reach(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) {
        external.add(`${file} → ${fileName}`);
        continue;
      }
      const base = relative(root, resolve(root, dirname(file), fileName)).split('\\').join('/').replace(/\.js$/, '');
      todo.push(`${base}.ts`);
    }
  }
  return { files: [...files].sort(), external: [...external].sort() };
}

describe('the browser entry', () => {
  it('reaches no Node built-in and no package through its imports; gradc/onnx in a page reaches only onnx-proto', () => {
    const { files, external } = reach('src/browser.ts');
    expect(external).toEqual([]);
    expect(reach('src/onnx/browser.ts').external).toEqual(['src/onnx/proto.ts → onnx-proto']);
    // the check sees the core: the compiler, both backends and the models are under it
    for (const f of ['src/compile/compile.ts', 'codegen/wasm/encode.ts', 'codegen/js/emit.ts', 'src/nn/fit.ts']) expect(files).toContain(f);
    for (const f of ['src/nn/serialize.ts', 'src/data/idx-file.ts', 'src/data/mnist.ts']) expect(files).not.toContain(f);
  });

  it('the Node entry is the browser entry plus the file-backed API', () => {
    const extra = Object.keys(node).filter((k) => !(k in browser)).sort();
    expect(extra).toEqual(['MNIST_FILES', 'datasets', 'exportModule', 'loadModel', 'mnist', 'mnistDataDir', 'readIdx']);
    for (const k of Object.keys(browser)) expect((node as Record<string, unknown>)[k]).toBe((browser as Record<string, unknown>)[k]);
  });

  it('bundles for the browser and trains where there is no Node (process, require, Buffer undefined)', async () => {
    // gradc/browser and gradc/onnx's page entry, as a page that exports its model would bundle them
    const out = await build({
      stdin: { contents: "export * from './src/browser.ts'; export * from './src/onnx/browser.ts';", resolveDir: root, loader: 'ts' },
      bundle: true, platform: 'browser', format: 'iife',
      globalName: 'gradc', write: false, logLevel: 'silent', target: 'es2022',
    });
    const code = out.outputFiles[0]!.text;
    // What a Web Worker has, and nothing of Node's.
    const printed: string[] = [];
    const quiet = { log: (l: string) => printed.push(`log ${l}`), info: (l: string) => printed.push(`info ${l}`), warn: (l: string) => printed.push(`warn ${l}`), error: (l: string) => printed.push(`error ${l}`) };
    const worker = { WebAssembly, console: quiet, crypto: globalThis.crypto, performance, TextEncoder, TextDecoder };
    const result = runInNewContext(`${code}
      ;(() => {
        const noNode = [typeof process, typeof require, typeof Buffer];
        // XOR of two bits, learned by a 2 → 8 tanh → 1 sigmoid model (a check that training runs, not of accuracy)
        const m = gradc.sequential({ seed: 7 });
        m.add(gradc.layers.dense({ units: 8, activation: 'tanh', inputDim: 2 }));
        m.add(gradc.layers.dense({ units: 1, activation: 'sigmoid' }));
        m.compile({ loss: 'binaryCrossentropy', optimizer: { name: 'adam', learningRate: 0.05 } });
        const x = { shape: [4, 2], data: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]) };
        const y = { shape: [4, 1], data: new Float32Array([0, 1, 1, 0]) };
        const before = m.evaluate(x, y).loss;
        // a compile with its debug summary, and a run that warns (its param never set): printed on the console
        const W = gradc.param('W', [2, 2]);
        const exe = gradc.compile({ inputs: [], outputs: { s: gradc.sum(W) } }, { debug: 1 });
        exe.run({});
        return m.fit(x, y, { epochs: 150, batchSize: 4, verbose: 0 }).then(() => {
          const after = m.evaluate(x, y).loss;
          return m.save('somewhere').then(() => 'saved', (e) => e.message).then((saveError) => ({
            noNode, backend: m.config.backend, before, after, saveError,
            source: m.trainStepSource(4).slice(0, 7), seeded: gradc.sequential().seed,
            onnx: Array.from(gradc.toOnnx(m, { batchSize: 4 })), weights: m.getWeights(),
          }));
        });
      })()`, worker) as Promise<{ noNode: string[]; backend: string; before: number; after: number; saveError: string; source: string; seeded: number; onnx: number[]; weights: Map<string, Float32Array> }>;
    const r = await result;
    expect(r.noNode).toEqual(['undefined', 'undefined', 'undefined']);
    expect(r.backend).toBe('wasm');
    expect(r.source).toBe('(module');
    expect(r.after).toBeLessThan(r.before / 4);
    expect(r.saveError).toMatch(/no file system.*getWeights/);
    expect(Number.isInteger(r.seeded) && r.seeded >= 0 && r.seeded < 2 ** 32).toBe(true);
    // toOnnx in the bundle: the trained model's forward graph, its weights inside
    const g = decodeOnnx(Uint8Array.from(r.onnx)).graph;
    expect(g.input.map((i) => [i.name, dimsOf(i)])).toEqual([['x', [4, 2]]]);
    expect(g.output.map((o) => o.name)).toEqual(['y']);
    for (const [name, w] of r.weights) {
      expect(floatsOf(g.initializer.find((t) => t.name === name)!), name).toEqual(Float32Array.from(w));
    }
    expect(printed.filter((l) => /^info gradc compile \(wasm\)/.test(l))).toHaveLength(1);
    expect(printed.filter((l) => /^warn GradcWarning: run: param 'W' never set/.test(l))).toHaveLength(1);
  });
});
