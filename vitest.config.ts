import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests import the package by name, as users do; here the name points at the sources.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^gradc\/cli$/, replacement: fileURLToPath(new URL('./src/cli/index.ts', import.meta.url)) },
      { find: /^gradc\/browser$/, replacement: fileURLToPath(new URL('./src/browser.ts', import.meta.url)) },
      { find: /^gradc\/onnx$/, replacement: fileURLToPath(new URL('./src/onnx/index.ts', import.meta.url)) },
      { find: /^gradc\/internals$/, replacement: fileURLToPath(new URL('./src/internals.ts', import.meta.url)) },
      { find: /^gradc\/codegen$/, replacement: fileURLToPath(new URL('./codegen/index.ts', import.meta.url)) },
      { find: /^gradc$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
