// What every peer of bench/train-step.js (and bench/scaling.js) shares: the data and initial
// weights, the timed round, and the line protocol a peer in a child process answers
// (bench/train-step-peer.js, bench/train-step-jaxjs.js, bench/train-step-torch.py). The child builds
// its step and runs the first one (batch 0, from the shared initial weights) before it says ready,
// so that its cold "compile + first step" time is measured in a fresh process; then it prints
// "ready <name>" and answers, one line each,
//   first      -> "loss <the first step's loss>"     (the step run before "ready")
//   round <n>  -> "ms <ms per step over n steps>"    (after a full GC and 20 warm-up steps)
//   stats      -> "stats <json>"  { firstMs: build + first step, startMs: process start → build,
//                                   rssBytes: peak RSS of the process so far }
// or "skip <reason>" instead of "ready" (then exits) when its library is not installed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const BATCH = 32;
export const HIDDEN = 32;
export const NB = 8; // distinct batches, cycled

// Deterministic data and initial weights (glorot uniform); bench/train-step-torch.py ports this
// generator (mulberry32, seed 42) and draws the same numbers, in the same order, for any batch and
// hidden width: X (NB batches), T (NB batches), W1 [784, hidden], W2 [hidden, 10].
export function makeData(batch = BATCH, hidden = HIDDEN) {
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const X = Array.from({ length: NB }, () => Float32Array.from({ length: batch * 784 }, rand));
  const T = Array.from({ length: NB }, () => {
    const t = new Float32Array(batch * 10);
    for (let i = 0; i < batch; i++) t[i * 10 + Math.floor(rand() * 10)] = 1;
    return t;
  });
  const glorot = (fanIn, fanOut) => {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * lim);
  };
  const init = { W1: glorot(784, hidden), b1: new Float32Array(hidden), W2: glorot(hidden, 10), b2: new Float32Array(10) };
  return { batch, hidden, X, T, init };
}
export const { X, T, init } = makeData();

/** Multiply-adds ×2 of the step's matmuls: x·W1, h·W2 forward; ∂z2·W2ᵀ, hᵀ·∂z2, xᵀ·∂z1 backward (no ∂x). */
export const stepFlops = (batch, hidden) => 2 * batch * (2 * 784 * hidden + 3 * hidden * 10);

// Peak resident set of this process, bytes (Linux: VmHWM; maxRSS is in KiB).
export const peakRss = () => process.resourceUsage().maxRSS * 1024;

// Adam with Keras' bias correction folded into the step size: lr·√(1−β2ᵗ)/(1−β1ᵗ).
export const lrAt = (t) => (1e-3 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);

// A full GC first, so no peer pays for garbage a previous one left in the same heap.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
export function timedRound(step, n) {
  gc();
  for (let s = 0; s < 20; s++) step(s % NB); // warm
  const t0 = performance.now();
  for (let s = 0; s < n; s++) step(s % NB);
  return (performance.now() - t0) / n;
}

// Child side: `build()` → { name, step(b) → loss } (or { skip: reason }); build it, run the first
// step (timed: compile + first step, cold), then answer the protocol on stdin/stdout.
export async function serve(build) {
  const t0 = performance.now(); // ms since the process started: node, imports, data
  const peer = await build();
  if (peer.skip) {
    console.log(`skip ${peer.skip}`);
    process.exit(3);
  }
  const loss = peer.step(0);
  const firstMs = performance.now() - t0;
  console.log(`ready ${peer.name}`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'first') console.log(`loss ${loss}`);
    else if (cmd === 'round' && Number(arg) > 0) console.log(`ms ${timedRound(peer.step, Number(arg))}`);
    else if (cmd === 'stats') console.log(`stats ${JSON.stringify({ firstMs, startMs: t0, rssBytes: peakRss() })}`);
    else console.log(`error unknown command ${JSON.stringify(line)}`);
  }
}

// Parent side: start `command args` and wrap it as a peer { name, label, readyMs, first(), round(n),
// stats(), close() }, or resolve to { skip: reason } if it cannot start or reports its library
// missing. readyMs is wall time from spawn to "ready": process start, imports, compile, first step.
export async function spawnPeer(label, command, args) {
  const spawned = performance.now();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let spawnError = null;
  let stderr = '';
  child.on('error', (e) => { spawnError = e; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdin.on('error', () => {}); // a dead child is reported by the read side, below
  const closed = new Promise((resolve) => child.on('close', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();

  // One answer line; the child's "error …" and a dead child both become exceptions.
  const ask = async (cmd) => {
    if (cmd) child.stdin.write(`${cmd}\n`);
    const { value, done } = await lines.next();
    if (!done && value.startsWith('error ')) throw new Error(`${label}: ${value.slice(6)}`);
    if (!done) return value;
    await closed;
    throw new Error(spawnError ? `${command}: ${spawnError.code ?? spawnError.message}` : stderr.trim().split('\n').pop() || 'exited');
  };
  const number = (line, key) => {
    const [k, v] = line.split(' ');
    if (k !== key || !Number.isFinite(Number(v))) throw new Error(`${label} answered "${line}", expected "${key} <number>"`);
    return Number(v);
  };

  let hello;
  try {
    hello = await ask(null);
  } catch (e) {
    return { skip: `${label}: ${e.message}` };
  }
  if (!hello.startsWith('ready ')) return { skip: `${label}: ${hello.replace(/^skip /, '')}` };
  const readyMs = performance.now() - spawned;
  return {
    name: hello.slice(6),
    label,
    readyMs,
    stats: async () => {
      const line = await ask('stats');
      if (!line.startsWith('stats ')) throw new Error(`${label} answered "${line}", expected "stats <json>"`);
      return JSON.parse(line.slice(6));
    },
    first: async () => number(await ask('first'), 'loss'),
    async round(n) {
      const ms = number(await ask(`round ${n}`), 'ms');
      // Thread pools (OpenMP, BLAS) spin a while after work: let them sleep before the next peer.
      await new Promise((resolve) => setTimeout(resolve, 250));
      return ms;
    },
    close: () => child.stdin.end(),
  };
}
