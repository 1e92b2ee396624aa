/**
 * Allocation-free: 10,000 runs of the compiled seed MLP training step (forward, gradient, Adam,
 * batch 32) trigger no garbage collection and do not grow the heap.
 */
import { expect, test } from 'vitest';
import { compile } from 'gradc';
import { oneHotRows, seedMlp, uniform } from './compile-helpers.js';
import { watchAllocation } from './helpers/allocation.js';
import { BACKENDS_UNDER_TEST } from './helpers/backends.js';

test.each(BACKENDS_UNDER_TEST)('%s: 10,000 training steps: no gc performance entries, no heap growth', async (backend) => {
  const m = seedMlp();
  const exe = compile({ inputs: [m.x, m.t, m.lrT], outputs: { loss: m.loss, y: m.y }, updates: m.updates }, { backend });
  m.params.forEach((p, i) => exe.setParam(p, uniform(p.size, i, -0.05, 0.05)));
  const feeds = { x: uniform(32 * 784, 1, 0, 1), t: oneHotRows(32, 10, 2), lr_t: Float32Array.of(1e-4) };
  // 10 chunks of 1,000 runs after 500 to warm up. On a loaded machine V8's background compiler can
  // still be finishing the step's code during the first measurement (a one-time allocation of
  // code that may start a GC): then it is measured once more. An allocation per run shows in both.
  let { gcEntries, growth } = await watchAllocation(() => exe.run(feeds), { warmup: 500 });
  if (gcEntries.length > 0) ({ gcEntries, growth } = await watchAllocation(() => exe.run(feeds), { warmup: 500 }));
  expect(gcEntries).toEqual([]);
  const last = growth.slice(5).reduce((a, b) => a + b, 0);
  expect({ growth, lastHalfBytes: last < 8 * 1024, totalBytes: growth.reduce((a, b) => a + b, 0) < 512 * 1024 })
    .toEqual({ growth, lastHalfBytes: true, totalBytes: true });
  expect(Number.isFinite(exe.run(feeds).loss![0]!)).toBe(true);
}, 120_000);
