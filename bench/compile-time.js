// Compile time of the seed MLP training step: build the graph, grad, simplify, schedule, lower,
// emit and build the JavaScript (everything `compile` does, plus `grad`). Each compile uses
// fresh names, so no node is shared with an earlier one through hash-consing.
//
// The figure compared with the target (< 50 ms) is the COLD one: the first compile in a
// fresh Node process, when V8 has not compiled or optimized any of gradc's compiler code yet
// (what a user's first `compile` costs). One process gives one cold sample, so the script starts
// `--processes` fresh processes (default 11) and reports their median and worst. WARM is the median
// of `--runs` further compiles in one process (every compile after the first, e.g. the evaluation
// step a model builds next to its training step).
//   npm run build && node bench/compile-time.js [--processes 11] [--runs 30]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compile, crossEntropy, grad, input, param } from 'gradc';

const TARGET_MS = 50;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${args[i + 1]}`);
  return v;
};

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
  const exe = compile({ inputs: [x, t, lrT], outputs: { loss, y }, updates });
  return { total: performance.now() - t0, kernels: exe.kernels.length, phases: exe.phaseMs };
}

if (args.includes('--child')) {
  // One fresh process: its first compile is a cold sample.
  process.stdout.write(JSON.stringify(compileStep(0)));
  process.exit(0);
}

const processes = option('--processes', 11);
const runs = option('--runs', 30);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const phases = (rs) => Object.keys(rs[0].phases).map((k) => `${k} ${median(rs.map((r) => r.phases[k])).toFixed(1)}`).join(', ');
const load = loadavg()[0];

const cold = [];
for (let i = 0; i < processes; i++) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold run ${i} failed:\n${child.stderr}`);
  cold.push(JSON.parse(child.stdout));
}
compileStep(0); // this process's own first compile: not a warm sample
const warm = [];
for (let n = 1; n <= runs; n++) warm.push(compileStep(n));

const coldMedian = median(cold.map((r) => r.total));
const coldWorst = Math.max(...cold.map((r) => r.total));
console.log(`compile time of the seed MLP training step (${cold[0].kernels} kernels): graph + grad + compile, node ${process.version}, load average ${load.toFixed(2)}`);
console.log(`  cold (first compile in a fresh process; ${processes} processes): median ${fmt(coldMedian)}, worst ${fmt(coldWorst)}  (compile: ${phases(cold)})`);
console.log(`  warm (median of ${runs} in one process):                  ${fmt(median(warm.map((r) => r.total)))}  (compile: ${phases(warm)})`);
console.log(`target: cold median < ${TARGET_MS} ms: ${coldMedian < TARGET_MS ? 'met' : 'NOT met'} (${fmt(coldMedian)}; worst of ${processes}: ${fmt(coldWorst)})`);
