#!/usr/bin/env node
// Where Chromium is: $GRADC_CHROMIUM (or $CHROMIUM_PATH) if set, else Debian's headless shell
// (`apt-get install chromium-headless-shell`), else Debian's full Chromium (`apt-get install chromium`).
// Run directly, it prints the path, or says why there is none and exits 1 (.ci/run asks it).
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KNOWN_PATHS = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium-headless-shell',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
];

const runnable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** { path } of a runnable Chromium, or { missing: why }. */
export function findChromium(env = process.env) {
  for (const name of ['GRADC_CHROMIUM', 'CHROMIUM_PATH']) {
    const p = env[name];
    if (p) return runnable(p) ? { path: p } : { missing: `${name}=${p} is not an executable file` };
  }
  const hit = KNOWN_PATHS.find(runnable);
  return hit ? { path: hit } : { missing: `no Chromium in ${KNOWN_PATHS.join(', ')}; apt-get install chromium-headless-shell, or set GRADC_CHROMIUM` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = findChromium();
  if (found.path) console.log(found.path);
  else {
    console.log(found.missing);
    process.exit(1);
  }
}
