// Compile time of the seed MLP training step: build the graph, grad, simplify, schedule, lower,
// emit and build the JavaScript (everything `compile` does, plus `grad`). Each compile uses
// fresh names, so no node is shared with an earlier one through hash-consing.
// The first compile in a fresh process (cold: our own compiler code is not optimized by V8 yet)
// and the median of the next ones (warm) are reported.
//   npm run build && node bench/compile-time.js [--runs 30]
import { compile, crossEntropy, grad, input, param } from 'gradc';

const args = process.argv.slice(2);
const i = args.indexOf('--runs');
const runs = Math.max(1, i >= 0 ? Number(args[i + 1]) : 30);

function compileStep(n) {
  const t0 = performance.now();
  const x = input(`x${n}`, [32, 784]);
  const t = input(`t${n}`, [32, 10], { oneHot: true });
  const lrT = input(`lr_t${n}`, []);
  const ps = [param(`W1_${n}`, [784, 32]), param(`b1_${n}`, [32]), param(`W2_${n}`, [32, 10]), param(`b2_${n}`, [10])];
  const [W1, b1, W2, b2] = ps;
  const y = x.matmul(W1).add(b1).relu().matmul(W2).add(b2).softmax();
  const loss = crossEntropy(y, t);
  const updates = [];
  grad(loss, ps).forEach((g, k) => {
    const p = ps[k];
    const m = param(`${p.attrs.name}/m`, p.shape);
    const v = param(`${p.attrs.name}/v`, p.shape);
    const m1 = m.mul(0.9).add(g.mul(0.1));
    const v1 = v.mul(0.999).add(g.square().mul(0.001));
    updates.push([m, m1], [v, v1], [p, p.sub(m1.mul(lrT).div(v1.sqrt().add(1e-7)))]);
  });
  const tGraph = performance.now();
  const exe = compile({ inputs: [x, t, lrT], outputs: { loss, y }, updates });
  const t1 = performance.now();
  return { total: t1 - t0, compile: t1 - tGraph, kernels: exe.kernels.length, phases: exe.phaseMs };
}

const cold = compileStep(0);
const warm = [];
for (let n = 1; n <= runs; n++) warm.push(compileStep(n));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const phases = (rs) => Object.keys(rs[0].phases).map((k) => `${k} ${median(rs.map((r) => r.phases[k])).toFixed(1)}`).join(', ');
console.log(`compile time of the seed MLP training step (${cold.kernels} kernels), node ${process.version}`);
console.log(`  cold (first in process): graph + grad + compile ${fmt(cold.total)}  (compile: ${phases([cold])})`);
console.log(`  warm (median of ${runs}):      graph + grad + compile ${fmt(median(warm.map((r) => r.total)))}  (compile: ${phases(warm)})`);
