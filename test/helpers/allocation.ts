/**
 * Watches `step` for allocation: after `warmup` calls and a full GC, runs `chunks` × `perChunk`
 * calls, recording every gc that starts while they run and the heap growth of each chunk. V8 may
 * still finish optimizing in the first chunks (a one-time allocation of code); an allocation per
 * call shows in every chunk. A gc that starts once the loop has yielded is not the step's: after
 * ~8 s of running, V8's memory reducer queues a major gc that runs as soon as the event loop does.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export async function watchAllocation(step: () => void, { warmup = 500, chunks = 10, perChunk = 1_000 } = {}): Promise<{ gcEntries: string[]; growth: number[] }> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The loop lives in its own function and keeps no numbers, so only `step` is measured.
  const steps = (n: number): void => {
    for (let i = 0; i < n; i++) step();
  };
  steps(warmup); // let V8 optimize (until then it may box numbers)
  gc();
  const gcEntries: string[] = [];
  let windowEnd = Infinity;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime < windowEnd) gcEntries.push(`${e.name} ${e.duration.toFixed(2)} ms at ${e.startTime.toFixed(1)} ms`);
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10)); // deliver anything pending before we start
  gcEntries.length = 0;
  const growth: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const before = getHeapStatistics().used_heap_size;
    steps(perChunk);
    growth.push(getHeapStatistics().used_heap_size - before);
  }
  windowEnd = performance.now();
  await new Promise((r) => setTimeout(r, 10)); // gc entries are delivered asynchronously
  obs.disconnect();
  return { gcEntries, growth };
}
