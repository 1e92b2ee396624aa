/**
 * `gradc train` writes a model directory and a curve file at the end of a run that may take
 * minutes: every output path is checked before any data is loaded, so a bad one costs nothing.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The nearest existing ancestor of `p` (p itself if it exists). */
function existing(p: string): string {
  let cur = p;
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
  return cur;
}

function checkWritableBelow(target: string, flag: string, given: string): void {
  const base = existing(dirname(target));
  if (!statSync(base).isDirectory()) {
    throw new Error(`${flag} ${given}: ${base} is a file, so nothing can be created below it; choose a path in a directory`);
  }
  try {
    accessSync(base, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`${flag} ${given}: the directory ${base} is not writable; choose a path you can write to`);
  }
}

/** --out: a directory to create, or an existing model directory (or empty directory) to replace. */
export function checkOutDir(given: string): string {
  if (given.trim() === '') throw new Error("--out is empty; pass the directory to write the model to, e.g. --out gradc-model");
  const out = resolve(given);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new Error(`--out ${given}: ${out} is a file, not a directory; pass a new directory name, or remove the file`);
    try {
      accessSync(out, constants.W_OK | constants.X_OK);
    } catch {
      throw new Error(`--out ${given}: the directory ${out} is not writable; choose a directory you can write to`);
    }
    return out;
  }
  checkWritableBelow(out, '--out', given);
  return out;
}

/** --curve (or export's --out): a file to create or replace; `example` is the file name the hints suggest. */
export function checkOutFile(given: string, flag: string, example = 'training-curve.svg'): string {
  if (given.trim() === '') throw new Error(`${flag} is empty; pass a file name, e.g. ${flag} ${example}`);
  const file = resolve(given);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) throw new Error(`${flag} ${given}: ${file} is a directory; pass a file name, e.g. ${given.replace(/\/$/, '')}/${example}`);
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new Error(`${flag} ${given}: ${file} is not writable; choose another file`);
    }
  }
  checkWritableBelow(file, flag, given);
  return file;
}

/** A closed pipe (`gradc inspect | head`) ends the command quietly, as Unix tools do. */
export function exitQuietlyOnClosedPipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
}
