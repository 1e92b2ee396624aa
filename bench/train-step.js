// The race: the seed MLP training step (784 → 32 relu → 10 softmax, cross-entropy, Adam, batch 32),
// one run, every peer on the same data and initial weights (bench/train-step-protocol.js), each in
// a child process of its own: gradc (wasm and js backends), the hand-written JS loop, tfjs-cpu and
// tfjs-wasm (bench/train-step-peer.js), jax-js (jit, wasm; bench/train-step-jaxjs.js) and PyTorch
// (CPU, eager, pinned to 1 and 2 threads; bench/train-step-torch.py). A peer that is not installed
// is skipped with a note.
//
// Per peer: samples/s (rounds alternate the peers so a busy machine hurts them alike; the median
// round is reported, with ratios against gradc wasm, the first peer), first-step ms (build or
// compile + the first step, cold: the peers are started one at a time, each in a fresh process,
// after its imports; "ready" is spawn → first step done, imports and process start included) and
// peak RSS of its process after all rounds.
//   npm run build && node bench/train-step.js [--rounds 7] [--steps 200] [--torch-threads 1,2]
//                                             [--python /usr/bin/python3] [--only a,b] [--verbose]
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BATCH, spawnPeer } from './train-step-protocol.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('rounds', 7));
const steps = Number(opt('steps', 200));
const torchThreads = opt('torch-threads', '1,2').split(',').filter(Boolean).map(Number);
const python = opt('python', '/usr/bin/python3');
const only = opt('only', '').split(',').filter(Boolean);

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const node = (label, system) => [label, process.execPath, [here('./train-step-peer.js'), system, '--serve']];
const plan = [
  node('gradc-wasm', 'gradc-wasm'),
  node('gradc-js', 'gradc-js'),
  node('hand', 'hand'),
  node('tfjs-wasm', 'tfjs-wasm'),
  node('tfjs-cpu', 'tfjs-cpu'),
  ['jax-js', process.execPath, [here('./train-step-jaxjs.js'), '--serve']],
  ...torchThreads.map((k) => [`torch/${k}t`, python, [here('./train-step-torch.py'), '--serve', '--threads', String(k)]]),
].filter(([label]) => only.length === 0 || only.includes(label));

// One at a time, so that each cold start has the machine to itself (as far as this script goes).
const load0 = loadavg()[0];
const candidates = [];
for (const [label, command, argv] of plan) candidates.push(await spawnPeer(label, command, argv));
const libs = candidates.filter((p) => !p.skip);
for (const p of candidates) if (p.skip) console.log(`skipped ${p.skip}`);

// Same start, same batch: the first step's losses must agree (all peers train the same model).
const first = [];
for (const lib of libs) first.push(await lib.first());
const spread = Math.max(...first) - Math.min(...first);
console.log(`first-step loss: ${libs.map((l, i) => `${l.label} ${first[i].toFixed(5)}`).join(', ')} (spread ${spread.toExponential(1)})`);
if (!(spread < 1e-3)) throw new Error('the peers disagree on the first-step loss: not the same model');

// Round −1 is a warm-up round (JIT tiers, jax-js's Wasm tier-up, allocator pools), not recorded.
const perLib = libs.map(() => []);
for (let r = -1; r < rounds; r++) {
  for (let j = 0; j < libs.length; j++) {
    const i = (j + r + libs.length) % libs.length;
    const ms = await libs[i].round(steps);
    if (r >= 0) perLib[i].push(ms);
  }
}
const stats = [];
for (const lib of libs) stats.push(await lib.stats());
const load1 = loadavg()[0];
for (const lib of libs) lib.close?.();
if (args.includes('--verbose')) libs.forEach((l, i) => console.log(`  ${l.label}: ${perLib[i].map((t) => t.toFixed(3)).join(' ')} ms/step, round by round`));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = perLib.map(median);
// The peer's speed relative to gradc wasm (> 1: faster than gradc wasm): medians, and the median of
// the per-round ratios.
const rel = (x) => `${x.toFixed(2)}×`;
console.log(`seed MLP training step, batch ${BATCH}, node ${process.version}, ${rounds} rounds × ${steps} steps, median round; ` +
  `load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
console.log('');
console.log('| system | samples/s | ms/step | vs gradc wasm (medians) | (per-round median) | first step ms | spawn → ready ms | peak RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
libs.forEach((lib, i) => {
  const perRound = median(perLib[i].map((t, r) => perLib[0][r] / t));
  const s = stats[i];
  console.log(`| ${lib.name} | ${Math.round((BATCH / ms[i]) * 1000).toLocaleString('en-US')} | ${ms[i].toFixed(3)} | ` +
    `${rel(ms[0] / ms[i])} | ${rel(perRound)} | ${s.firstMs.toFixed(1)} | ${lib.readyMs.toFixed(0)} | ${(s.rssBytes / 2 ** 20).toFixed(0)} |`);
});
