// What every peer of bench/train-step.js shares: the data and initial weights, the timed round,
// and the line protocol a peer in a child process answers (bench/train-step-jaxjs.js,
// bench/train-step-torch.py): it prints "ready <name>", then answers, one line each,
//   first      -> "loss <the first step's loss>"     (batch 0, from the shared initial weights)
//   round <n>  -> "ms <ms per step over n steps>"    (after a full GC and 20 warm-up steps)
// or "skip <reason>" instead of "ready" (then exits) when its library is not installed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const BATCH = 32;
export const NB = 8; // distinct batches, cycled

// Deterministic data and initial weights (glorot uniform); bench/train-step-torch.py ports this
// generator (mulberry32, seed 42) and draws the same numbers.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
export const X = Array.from({ length: NB }, () => Float32Array.from({ length: BATCH * 784 }, rand));
export const T = Array.from({ length: NB }, () => {
  const t = new Float32Array(BATCH * 10);
  for (let i = 0; i < BATCH; i++) t[i * 10 + Math.floor(rand() * 10)] = 1;
  return t;
});
const glorot = (fanIn, fanOut) => {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * lim);
};
export const init = { W1: glorot(784, 32), b1: new Float32Array(32), W2: glorot(32, 10), b2: new Float32Array(10) };
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

// Child side: answer the protocol on stdin/stdout for `peer` = { name, step(b) → loss }.
export async function serve(peer) {
  console.log(`ready ${peer.name}`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'first') console.log(`loss ${peer.step(0)}`);
    else if (cmd === 'round' && Number(arg) > 0) console.log(`ms ${timedRound(peer.step, Number(arg))}`);
    else console.log(`error unknown command ${JSON.stringify(line)}`);
  }
}

// Parent side: start `command args` and wrap it as a peer { name, label, first(), round(n), close() },
// or resolve to { skip: reason } if it cannot start or reports its library missing.
export async function spawnPeer(label, command, args) {
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
  return {
    name: hello.slice(6),
    label,
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
