// Kernel micro-benchmarks (benny): the matmul kernels of the seed MLP's training step and two of
// its other kernels, each compiled by gradc from a small graph with the wasm and the js backend,
// against the same operation in @tensorflow/tfjs (cpu backend), in one suite per kernel. For the
// matmuls it reports GFLOP/s (2·M·N·K per call) besides ops/s:
//   gradc <backend>, run   exe.run(feeds): the public path, checking and copying the feeds in
//   gradc <backend>, kernel  the kernels alone, feeds already in place (the Executable's internal
//                          LoadedProgram, `exe.loaded.run()`: not a public API, used only here)
// The forward product is fused with its bias + relu epilogue as in the step; the backward products
// are bare (in the step, xᵀ·∂z1 also carries W1's Adam update as its epilogue).
//   npm run build && node bench/kernels.js [--backends wasm,js] [--max-time 1.5]
import b from 'benny';
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { compile, input, param, softmax } from 'gradc';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const backends = opt('backends', 'wasm,js').split(',');
await tf.setBackend('cpu');
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296 - 0.5;
};
const data = (n) => Float32Array.from({ length: n }, rand);
const opts = { minSamples: 20, maxTime: Number(opt('max-time', 1.5)) };
const table = [];
const load0 = loadavg()[0];

async function suite(name, flops, cases) {
  await b.suite(name, ...cases.map(([label, fn]) => b.add(label, fn, opts)), b.cycle(), b.complete((summary) => {
    for (const r of summary.results) {
      const gf = flops ? ` = ${((r.ops * flops) / 1e9).toFixed(2)} GFLOP/s` : '';
      console.log(`  ${r.name}: ${Math.round(r.ops).toLocaleString('en-US')} ops/s${gf}`);
      table.push({ suite: name, name: r.name, ops: r.ops, gflops: flops ? (r.ops * flops) / 1e9 : undefined });
    }
  }));
}

// gradc cases for one graph: per backend, the public run and the kernels alone.
function gradcCases(build, feeds, params = {}) {
  const cases = [];
  for (const backend of backends) {
    const { inputs, outputs } = build();
    const exe = compile({ inputs, outputs }, { backend });
    for (const [k, v] of Object.entries(params)) exe.setParam(k, v);
    exe.run(feeds);
    const kernels = exe.loaded; // the internal LoadedProgram: runs the kernels on the arena as it is
    const plan = exe.kernels.map((k) => k.plan).join('; ');
    cases.push([`gradc ${backend}, run (${plan})`, () => exe.run(feeds)]);
    cases.push([`gradc ${backend}, kernel`, () => kernels.run()]);
  }
  return cases;
}

// 1. The forward layer: relu(x·W1 + b1), [32×784]·[784×32], one fused kernel.
{
  const xv = data(32 * 784), Wv = data(784 * 32), bv = data(32);
  const build = () => {
    const x = input('x', [32, 784]);
    const W = param('W', [784, 32]);
    const bias = param('b', [32]);
    return { inputs: [x], outputs: { h: x.matmul(W).add(bias).relu() } };
  };
  const [tx, tW, tb] = [tf.tensor2d(xv, [32, 784]), tf.tensor2d(Wv, [784, 32]), tf.tensor1d(bv)];
  const out = new Float32Array(32 * 32);
  await suite('forward relu(x·W1 + b1), 32×784·784×32', 2 * 32 * 784 * 32, [
    ...gradcCases(build, { x: xv }, { W: Wv, b: bv }),
    ['tfjs-cpu', () => tf.tidy(() => tf.relu(tf.add(tf.matMul(tx, tW), tb)).dataSync())],
    ['naive JS i-j-k loop', () => {
      for (let i = 0; i < 32; i++) {
        for (let j = 0; j < 32; j++) {
          let s = bv[j];
          for (let k = 0; k < 784; k++) s += xv[i * 784 + k] * Wv[k * 32 + j];
          out[i * 32 + j] = s > 0 ? s : 0;
        }
      }
    }],
  ]);
}

// 2. The weight gradient xᵀ·∂z1, [784×32]·[32×32], x read transposed in place.
{
  const feeds = { x: data(32 * 784), g: data(32 * 32) };
  const build = () => {
    const x = input('x', [32, 784]);
    const g = input('g', [32, 32]);
    return { inputs: [x, g], outputs: { dW: x.transpose().matmul(g) } };
  };
  const [tx, tg] = [tf.tensor2d(feeds.x, [32, 784]), tf.tensor2d(feeds.g, [32, 32])];
  await suite('weight gradient xᵀ·∂z1, 784×32·32×32', 2 * 784 * 32 * 32, [
    ...gradcCases(build, feeds),
    ['tfjs-cpu', () => tf.tidy(() => tf.matMul(tx, tg, true, false).dataSync())],
  ]);
}

// 3–5. The small products of the second layer: h·W2 (32×32·32×10), ∂z2·W2ᵀ (32×10·10×32), hᵀ·∂z2 (32×32·32×10).
{
  const feeds = { h: data(32 * 32), d: data(32 * 10) };
  const Wv = data(32 * 10);
  const small = [
    ['forward h·W2, 32×32·32×10', ['h'], (h, d, W) => h.matmul(W), (th, td, tW) => tf.matMul(th, tW)],
    ['input gradient ∂z2·W2ᵀ, 32×10·10×32', ['d'], (h, d, W) => d.matmul(W.transpose()), (th, td, tW) => tf.matMul(td, tW, false, true)],
    ['weight gradient hᵀ·∂z2, 32×32·32×10', ['h', 'd'], (h, d) => h.transpose().matmul(d), (th, td) => tf.matMul(th, td, true, false)],
  ];
  const [th, td, tW] = [tf.tensor2d(feeds.h, [32, 32]), tf.tensor2d(feeds.d, [32, 10]), tf.tensor2d(Wv, [32, 10])];
  for (const [name, used, graph, tfOp] of small) {
    const build = () => {
      const h = input('h', [32, 32]);
      const d = input('d', [32, 10]);
      const W = param('W', [32, 10]);
      return { inputs: used.map((n) => ({ h, d })[n]), outputs: { y: graph(h, d, W) } };
    };
    const own = Object.fromEntries(used.map((n) => [n, feeds[n]]));
    await suite(name, 2 * 32 * 32 * 10, [...gradcCases(build, own, used.length === 1 ? { W: Wv } : {}),
      ['tfjs-cpu', () => tf.tidy(() => tfOp(th, td, tW).dataSync())]]);
  }
}

// 6. Softmax over rows, 32×10 (one row-wise kernel: max pass, Σexp pass, write pass).
{
  const feeds = { z: data(320) };
  const build = () => {
    const z = input('z', [32, 10]);
    return { inputs: [z], outputs: { y: softmax(z) } };
  };
  const tz = tf.tensor2d(feeds.z, [32, 10]);
  await suite('softmax rows, 32×10', 0, [...gradcCases(build, feeds), ['tfjs-cpu', () => tf.tidy(() => tf.softmax(tz).dataSync())]]);
}

// 7. Adam's update of a 784×32 weight matrix, in place (one elementwise loop).
{
  const feeds = { g: data(784 * 32) };
  const cases = [];
  for (const backend of backends) {
    const W = param('W', [784, 32]);
    const m = param('m', [784, 32]);
    const v = param('v', [784, 32]);
    const g = input('g', [784, 32]);
    const m1 = m.mul(0.9).add(g.mul(0.1));
    const v1 = v.mul(0.999).add(g.square().mul(0.001));
    const exe = compile({ inputs: [g], outputs: {}, updates: [[m, m1], [v, v1], [W, W.sub(m1.mul(1e-3).div(v1.sqrt().add(1e-7)))]] }, { backend });
    exe.setParam('W', data(784 * 32));
    exe.setParam('m', 0);
    exe.setParam('v', 0);
    cases.push([`gradc ${backend}, run (${exe.kernels.map((k) => k.plan).join('; ')})`, () => exe.run(feeds)]);
  }
  const tW = tf.variable(tf.tensor2d(data(784 * 32), [784, 32]));
  const tg = tf.tensor2d(feeds.g, [784, 32]);
  const adam = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  await suite('Adam update of a 784×32 weight', 0, [...cases, ['tfjs-cpu (optimizer.applyGradients)', () => adam.applyGradients({ [tW.name]: tg })]]);
}

const load1 = loadavg()[0];
console.log(`\nkernels, node ${process.version}, benny (min 20 samples, ${opts.maxTime} s a case); load average ${load0.toFixed(2)} → ${load1.toFixed(2)}\n`);
console.log('| kernel | case | ops/s | GFLOP/s |');
console.log('| --- | --- | ---: | ---: |');
for (const r of table) {
  console.log(`| ${r.suite} | ${r.name.replaceAll("|", "\\|")} | ${Math.round(r.ops).toLocaleString('en-US')} | ${r.gflops === undefined ? '—' : r.gflops.toFixed(2)} |`);
}
