/**
 * The CLI as users run it (bin/gradc.js over dist/): tests that spawn it build dist/ first when
 * it is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const GRADC_BIN = join(ROOT, 'bin', 'gradc.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ when it is missing or stale; throws when the CLI is still not there. Call in beforeAll (≤ 120 s). */
export function ensureBuiltCli(): void {
  const built = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'codegen')))) {
    // tsc emits even when it reports type errors elsewhere; the CLI's own files are what must exist
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
  if (!existsSync(built)) throw new Error('dist/src/cli/main.js is missing: run npm run build');
}
