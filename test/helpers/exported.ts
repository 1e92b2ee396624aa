/**
 * Loading and checking an exported module (`exportModule`): strict type-check with no DOM or Node
 * types (it must need none), and import of its JavaScript (transpiled by typescript, as a bundler
 * or Deno would) from a temp file.
 */
import vm from 'node:vm';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const exportDir = (): string => mkdtempSync(join(tmpdir(), 'gradc-export-'));

/** Diagnostics of `file` under `strict`, lib ES2022 only, no @types. */
export function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** What the module imports or requires (it must be nothing). */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...info.importedFiles.map((f) => f.fileName), ...(/\brequire\s*\(/.test(text) ? ['require('] : [])];
}

/** Imports the module's JavaScript. */
export async function load<T>(file: string): Promise<T> {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const js = file.replace(/\.ts$/, '.mjs');
  writeFileSync(js, out.outputText);
  return (await import(/* @vite-ignore */ pathToFileURL(js).href)) as T;
}

/** The same bits (float32 values compared as their bytes, so −0 and NaN count too). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const x = Float32Array.from(a), y = Float32Array.from(b);
  return Buffer.from(x.buffer).equals(Buffer.from(y.buffer));
}

/**
 * Runs the module's JavaScript in a fresh V8 context with no Node globals (no process, Buffer,
 * require, module; not even atob or TextDecoder) and returns that context: what a browser or Deno
 * offers, and less. Values made for it must be made inside it (`vm.runInContext`), so that its
 * typed-array checks see its own constructors.
 */
export function loadIsolated(file: string): vm.Context {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const context = vm.createContext({ exports: {} });
  vm.runInContext(out.outputText, context, { filename: file });
  return context;
}
