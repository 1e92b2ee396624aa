// Why bench/train-step.js runs jax-js in a process of its own: once any ArrayBuffer in the process
// has been detached (here: a WebAssembly.Memory grows, as jax-js's does when it allocates), V8's
// optimised code must guard typed-array accesses against detached buffers, and hot typed-array
// loops slow down for the rest of the process. This times the compiled gradc training step (plain
// SGD here) and the hand-written loop before, again (a control), and after detaching one small,
// unrelated buffer.
//   npm run build && node bench/detached-buffer.js [--rounds 5] [--steps 400]
import { compile, crossEntropy, grad, input, param } from 'gradc';
import { handwrittenMlp } from './mlp-handwritten.js';
import { BATCH, init, lrAt, T, timedRound, X } from './train-step-protocol.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const rounds = opt('rounds', 5);
const steps = opt('steps', 400);

const hand = handwrittenMlp(BATCH);
for (const [k, v] of Object.entries(init)) hand.params[k].set(v);

const x = input('x', [BATCH, 784]);
const t = input('t', [BATCH, 10], { oneHot: true });
const ps = [param('W1', [784, 32]), param('b1', [32]), param('W2', [32, 10]), param('b2', [10])];
const [W1, b1, W2, b2] = ps;
const loss = crossEntropy(x.matmul(W1).add(b1).relu().matmul(W2).add(b2).softmax(), t);
const exe = compile({ inputs: [x, t], outputs: { loss }, updates: grad(loss, ps).map((g, i) => [ps[i], ps[i].sub(g.mul(1e-3))]) });
for (const [k, v] of Object.entries(init)) exe.setParam(k, v);
const feeds = { x: X[0], t: T[0] };

const peers = {
  'gradc (compiled, SGD)': (b) => {
    feeds.x = X[b];
    feeds.t = T[b];
    return exe.run(feeds).loss[0];
  },
  'hand-written JS loop (Adam)': (b) => hand.step(X[b], T[b], lrAt(1)),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const measure = () => Object.fromEntries(Object.entries(peers).map(([n, step]) => [n, median(Array.from({ length: rounds }, () => timedRound(step, steps)))]));

const before = measure();
const control = measure(); // the same again, nothing detached: the drift to expect without the effect
const memory = new WebAssembly.Memory({ initial: 1 });
const old = memory.buffer;
memory.grow(1); // detaches `old`
if (old.byteLength !== 0) throw new Error('growing the Wasm memory did not detach its old ArrayBuffer');
const after = measure();
const pct = (a, b) => {
  const p = Math.round((b / a - 1) * 100);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p)}%`;
};
console.log(`ms/step, median of ${rounds} rounds × ${steps} steps, node ${process.version}: before, again (control), after one ArrayBuffer is detached`);
for (const n of Object.keys(peers)) {
  console.log(`  ${n.padEnd(28)} ${before[n].toFixed(3)}  ${control[n].toFixed(3)} (${pct(before[n], control[n])})  ${after[n].toFixed(3)} (${pct(control[n], after[n])} vs control)`);
}
