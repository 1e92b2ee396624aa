// The seed MLP training step in @jax-js/jax (optional devDependency): forward, valueAndGrad and
// the Adam update (Keras' form, as gradc's) in one jitted function, on jax-js's default `wasm`
// device (single-threaded on Node 20: it only spawns Web Workers, and Node has no global Worker).
// It runs in a process of its own, driven by bench/train-step.js (--serve, see
// bench/train-step-protocol.js): growing its Wasm memory detaches an ArrayBuffer, and from then on
// V8 guards every typed-array access in the process, which slows the JavaScript peers.
//   node bench/train-step-jaxjs.js [--rounds 7] [--steps 200]     # alone
import { readFileSync } from 'node:fs';
import { BATCH, init, lrAt, serve, T, timedRound, X } from './train-step-protocol.js';

let jax;
try {
  jax = await import('@jax-js/jax');
} catch (e) {
  jax = { skip: `@jax-js/jax not installed (${e.code ?? e.message})` };
}

async function jaxjsStep() {
  if (jax.skip) return jax;
  const { jit, nn, numpy: np, tree, valueAndGrad, defaultDevice } = jax;
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@jax-js/jax')), 'utf8'));

  // Arrays are reference-counted: every call consumes its arguments, `.ref` keeps one alive.
  const lossOf = (p, x, t) => {
    const h = nn.relu(np.dot(x, p.W1).add(p.b1));
    const z = np.dot(h, p.W2).add(p.b2);
    return nn.logSoftmax(z).mul(t).sum().mul(-1 / BATCH); // mean over the batch of −Σ t·log softmax
  };
  const trainStep = jit((p, m, v, x, t, lr) => {
    const [loss, g] = valueAndGrad(lossOf)(tree.ref(p), x, t);
    const m1 = tree.map((mi, gi) => mi.mul(0.9).add(gi.mul(0.1)), m, tree.ref(g));
    const v1 = tree.map((vi, gi) => vi.mul(0.999).add(gi.ref.mul(gi).mul(0.001)), v, g);
    const p1 = tree.map((pi, mi, vi) => pi.sub(mi.mul(lr.ref).div(np.sqrt(vi).add(1e-7))), p, tree.ref(m1), tree.ref(v1));
    lr.dispose();
    return [loss, p1, m1, v1];
  });

  const xs = X.map((x) => np.array(x).reshape([BATCH, 784]));
  const ts = T.map((t) => np.array(t).reshape([BATCH, 10]));
  let p = {
    W1: np.array(init.W1).reshape([784, 32]),
    b1: np.array(init.b1),
    W2: np.array(init.W2).reshape([32, 10]),
    b2: np.array(init.b2),
  };
  let m = tree.map((a) => np.zeros(a.shape), tree.ref(p));
  let v = tree.map((a) => np.zeros(a.shape), tree.ref(p));
  let n = 0;
  return {
    name: `jax-js ${version} (jit, ${defaultDevice()})`,
    // The loss is read every step (as gradc's step does): jax-js is lazy and only submits queued
    // work when something is read; its README asks iterative code to sync regularly, and leaving
    // 200 steps queued measured ~20× slower per step than reading each one here.
    step(b) {
      let loss;
      [loss, p, m, v] = trainStep(p, m, v, xs[b].ref, ts[b].ref, np.array(lrAt(++n)));
      return loss.dataSync()[0];
    },
  };
}

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
if (args.includes('--serve')) await serve(jaxjsStep);
else {
  const t0 = performance.now();
  const peer = await jaxjsStep();
  if (peer.skip) {
    console.log(`skip ${peer.skip}`);
    process.exit(3);
  }
  console.log(`first-step loss ${peer.step(0).toFixed(5)} (jit + first step ${(performance.now() - t0).toFixed(1)} ms)`);
  const ms = Array.from({ length: opt('rounds', 7) }, () => timedRound(peer.step, opt('steps', 200))).sort((a, b) => a - b);
  const med = ms[Math.floor(ms.length / 2)];
  console.log(`${peer.name}, batch ${BATCH}, median round: ${Math.round((BATCH / med) * 1000).toLocaleString('en-US')} samples/s   ${med.toFixed(3)} ms/step`);
}
