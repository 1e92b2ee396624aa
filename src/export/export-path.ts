/** The file an export writes: checked before any work (a bad path costs nothing). */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function checkExportPath(given: unknown, what: string): string {
  if (typeof given !== 'string' || given.trim() === '') throw new Error(`${what} must be a file name, e.g. 'model.ts', got ${typeof given === 'string' ? 'an empty string' : String(given)}`);
  const file = resolve(given);
  if (existsSync(file) && statSync(file).isDirectory()) throw new Error(`${what} ${given} is a directory; pass a file name, e.g. ${given.replace(/\/$/, '')}/model.ts`);
  let dir = dirname(file);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new Error(`${what} ${given}: ${dir} is a file, so nothing can be created below it`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`${what} ${given}: the directory ${dir} is not writable`);
  }
  return file;
}
