/**
 * Allocation-free: 10,000 runs of the compiled seed MLP training step (forward, gradient, Adam,
 * batch 32) trigger no garbage collection and do not grow the heap.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { compile } from 'gradc';
import { oneHotRows, seedMlp, uniform } from './compile-helpers.js';

test('10,000 training steps: no gc performance entries, no heap growth', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const m = seedMlp();
  const exe = compile({ inputs: [m.x, m.t, m.lrT], outputs: { loss: m.loss, y: m.y }, updates: m.updates });
  m.params.forEach((p, i) => exe.setParam(p, uniform(p.size, i, -0.05, 0.05)));
  const feeds = { x: uniform(32 * 784, 1, 0, 1), t: oneHotRows(32, 10, 2), lr_t: Float32Array.of(1e-4) };
  // The loop lives in its own function and keeps no numbers, so only `run` is measured.
  const steps = (n: number) => {
    for (let i = 0; i < n; i++) exe.run(feeds);
  };
  // Warm up: let V8 optimize the kernels (until then it may box numbers).
  steps(500);
  gc();
  const entries: string[] = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) entries.push(`${e.name} ${e.duration.toFixed(2)} ms`); });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10)); // deliver anything pending before we start
  entries.length = 0;
  // 10 chunks of 1,000 runs. V8 may still finish optimizing a kernel in the first chunks (a
  // one-time allocation of code); an allocation per run would show in every chunk.
  const growth: number[] = [];
  for (let c = 0; c < 10; c++) {
    const before = getHeapStatistics().used_heap_size;
    steps(1_000);
    growth.push(getHeapStatistics().used_heap_size - before);
  }
  await new Promise((r) => setTimeout(r, 10)); // gc entries are delivered asynchronously
  obs.disconnect();
  expect(entries).toEqual([]);
  const last = growth.slice(5).reduce((a, b) => a + b, 0);
  expect({ growth, lastHalfBytes: last < 8 * 1024, totalBytes: growth.reduce((a, b) => a + b, 0) < 512 * 1024 })
    .toEqual({ growth, lastHalfBytes: true, totalBytes: true });
  expect(Number.isFinite(exe.run(feeds).loss![0]!)).toBe(true);
}, 120_000);
