// The package's JavaScript: every entry bundled by esbuild from the TypeScript sources into
// dist/bundle/, with code splitting, so the entries share one copy of each module (one Tensor
// class, one hash-consing table) and a module only one entry needs stays out of the others.
// Declarations come from tsc (tsconfig.build.json: dist/**/*.d.ts).
//
// Why a bundle: importing gradc as ~180 separate ES modules cost ~90 ms (Node resolves, reads
// and links each); as a few chunks, ~25 ms (import('gradc') ~45 ms in all, with onnx-proto moved out: docs/benchmarks.md). The compile path's modules also get eager
// compile hints (tools/eager-compile-hints.mjs), so a first `compile` does not stop to compile
// gradc's own functions.
//   node tools/bundle.mjs        (npm run build runs tsc, then this)
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { withEagerHints } from './eager-compile-hints.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry name (dist/bundle/<name>.js) → source; package.json's exports point at these. */
export const ENTRIES = {
  index: 'src/index.ts',
  browser: 'src/browser.ts',
  onnx: 'src/onnx/index.ts',
  'onnx-browser': 'src/onnx/browser.ts',
  cli: 'src/cli/index.ts',
  'cli-main': 'src/cli/main.ts',
  internals: 'src/internals.ts',
  codegen: 'codegen/index.ts',
};

/** Folders whose modules a cold compile + first step runs: they get eager compile hints. */
export const EAGER_DIRS = ['codegen', 'src/graph', 'src/grad', 'src/rewrite', 'src/schedule', 'src/lower', 'src/compile', 'src/eval'];

const eagerHints = {
  name: 'eager-compile-hints',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const rel = relative(root, args.path).split(sep).join('/');
      if (!EAGER_DIRS.some((d) => rel.startsWith(`${d}/`))) return undefined;
      const text = readFileSync(args.path, 'utf8');
      return { contents: withEagerHints(text, args.path) ?? text, loader: 'ts' };
    });
  },
};

const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(root, v)])),
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  packages: 'external',
  sourcemap: 'linked',
  sourcesContent: false,
  chunkNames: 'chunk-[hash]',
  plugins: [eagerHints],
  metafile: true,
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const bytes = files.reduce((s, f) => s + result.metafile.outputs[f].bytes, 0);
console.log(`bundle: ${Object.keys(ENTRIES).length} entries, ${files.length} files, ${Math.round(bytes / 1024)} KiB in ${relative(root, out)}/`);
