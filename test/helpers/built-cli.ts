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

/** The bundle bin/gradc.js runs (tools/bundle.mjs writes it). */
export const BUILT_CLI = join(ROOT, 'dist', 'bundle', 'cli-main.js');

/** Builds dist/ when it is missing or stale; throws when the CLI is still not there. Call in beforeAll (≤ 120 s). */
export function ensureBuiltCli(): void {
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'codegen')), newest(join(ROOT, 'tools')));
  if (!existsSync(BUILT_CLI) || statSync(BUILT_CLI).mtimeMs < sources) {
    // npm run build's two steps; tsc emits even when it reports type errors elsewhere, and the
    // bundle does not need its declarations
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    spawnSync(process.execPath, [join(ROOT, 'tools', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  }
  if (!existsSync(BUILT_CLI)) throw new Error('dist/bundle/cli-main.js is missing: run npm run build');
}
