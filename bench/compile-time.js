// Compile time of MLP training steps: build the graph, grad, Adam as updates, and everything
// `compile` does (check, simplify, schedule, lower, emit and build the JavaScript or the Wasm
// module), per backend. Each compile uses fresh names, so no node is shared with an earlier one
// through hash-consing.
//
// Depths: the seed MLP (depth 2: 784 → 32 relu → 10 softmax, cross-entropy, Adam) and deeper ones
// with hidden layers 32 → 32 (depth 8 and 32 dense layers by default), to show how compile time
// grows with depth (ms per layer, and the marginal ms per added layer).
//
// COLD: the first compile in a fresh Node process, when V8 has not compiled or optimized any of
// gradc's compiler code yet (what a user's first `compile` costs). One process gives one cold
// sample, so the script starts `--processes` fresh processes per depth and backend (default 7) and
// reports their median and worst. Each cold process also sets the params and runs the first step
// (on the data of bench/train-step-protocol.js): "compile + first step", the figure for the
// issue's target (≤ 30 ms, seed step). Each cold process also times its `import('gradc')`, so the
// table shows what a program waits for from its first line to its first loss. WARM is the median of `--runs` further compiles in one
// process (every compile after the first, e.g. the evaluation step a model builds next to its
// training step).
//   npm run build && node bench/compile-time.js [--processes 7] [--runs 15] [--depths 2,8,32]
//                                               [--backends wasm,js]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { init, lrAt, T, X } from './train-step-protocol.js';

// gradc's import, timed: in a child it is the process's first (cold), as a user's program's is.
const importStart = performance.now();
const { compile, crossEntropy, grad, input, param } = await import('gradc');
const importMs = performance.now() - importStart;

const TARGET_MS = 30; // compile + first step, cold, seed step
const args = process.argv.slice(2);
const list = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback).split(',').filter(Boolean);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${args[i + 1]}`);
  return v;
};

// An MLP of `depth` dense layers 784 → 32 → … → 32 → 10 (relu between, softmax out), cross-entropy,
// Adam: the seed step at depth 2. Compiled with `backend`; returns its times.
function compileStep(n, depth, backend) {
  const t0 = performance.now();
  const x = input(`x${n}`, [32, 784]);
  const t = input(`t${n}`, [32, 10], { oneHot: true });
  const lrT = input(`lr_t${n}`, []);
  const widths = [784, ...Array(depth - 1).fill(32), 10];
  const ps = [];
  let h = x;
  for (let l = 0; l < depth; l++) {
    const W = param(`W${l + 1}_${n}`, [widths[l], widths[l + 1]]);
    const b = param(`b${l + 1}_${n}`, [widths[l + 1]]);
    ps.push(W, b);
    h = h.matmul(W).add(b);
    h = l < depth - 1 ? h.relu() : h.softmax();
  }
  const y = h;
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
  const exe = compile({ inputs: [x, t, lrT], outputs: { loss, y }, updates }, { backend });
  return { exe, ps, total: performance.now() - t0, t0, kernels: exe.kernels.length, phases: exe.phaseMs };
}

if (args.includes('--child')) {
  // One fresh process: its first compile is a cold sample; then the params are set and the first
  // step runs (the seed's initial weights for the seed step, glorot-like values otherwise).
  const depth = option('--depth', 2);
  const backend = list('--backends', 'wasm')[0];
  const { exe, ps, total, t0, kernels, phases } = compileStep(0, depth, backend);
  for (const p of ps) {
    const name = p.attrs.name.replace(/_0$/, '');
    if (depth === 2 && init[name]) exe.setParam(p, init[name]);
    else exe.setParam(p, (i) => (name.startsWith('b') ? 0 : Math.sin(i) / Math.sqrt(p.shape[0])));
    exe.setParam(`${p.attrs.name}/m`, 0);
    exe.setParam(`${p.attrs.name}/v`, 0);
  }
  const loss = exe.run({ x0: X[0], t0: T[0], lr_t0: [lrAt(1)] }).loss[0];
  const firstStep = performance.now() - t0;
  if (!Number.isFinite(loss)) throw new Error(`depth ${depth}, ${backend}: first-step loss ${loss}`);
  process.stdout.write(JSON.stringify({ total, firstStep, importMs, loss, kernels, phases, backend: exe.backend }));
  process.exit(0);
}

const processes = option('--processes', 7);
const runs = option('--runs', 15);
const depths = list('--depths', '2,8,32').map(Number);
const backends = list('--backends', 'wasm,js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const phases = (rs) => Object.keys(rs[0].phases).map((k) => `${k} ${median(rs.map((r) => r.phases[k])).toFixed(1)}`).join(', ');
const load0 = loadavg()[0];

const rows = [];
for (const backend of backends) {
  for (const depth of depths) {
    const cold = [];
    let failure = null;
    for (let i = 0; i < processes && !failure; i++) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--depth', String(depth), '--backends', backend], { encoding: 'utf8' });
      if (child.status === 0) cold.push(JSON.parse(child.stdout));
      else failure = child.stderr.split('\n').find((l) => /^\w*Error/.test(l)) ?? child.stderr.trim().split('\n').pop();
    }
    if (failure) {
      // A compile that fails is a finding, not the end of the run: note it and go on.
      rows.push({ backend, depth, failure });
      console.log(`${backend}, depth ${depth}: compile FAILS in a fresh process: ${failure}`);
      continue;
    }
    compileStep(0, depth, backend); // this process's first compile of this size: not a warm sample
    const warm = [];
    for (let n = 1; n <= runs; n++) warm.push(compileStep(n, depth, backend));
    const row = {
      backend, depth, kernels: cold[0].kernels,
      cold: median(cold.map((r) => r.total)), coldWorst: Math.max(...cold.map((r) => r.total)),
      first: median(cold.map((r) => r.firstStep)), firstWorst: Math.max(...cold.map((r) => r.firstStep)),
      importMs: median(cold.map((r) => r.importMs)), withImport: median(cold.map((r) => r.importMs + r.firstStep)),
      warm: median(warm.map((r) => r.total)), coldPhases: phases(cold), warmPhases: phases(warm),
    };
    rows.push(row);
    console.log(`${backend}, depth ${depth} (${row.kernels} kernels): cold ${row.cold.toFixed(1)} ms (worst ${row.coldWorst.toFixed(1)}; ${row.coldPhases}), ` +
      `cold compile + first step ${row.first.toFixed(1)} ms (worst ${row.firstWorst.toFixed(1)}), warm ${row.warm.toFixed(1)} ms (${row.warmPhases})`);
  }
}
const load1 = loadavg()[0];

console.log(`\ncompile time, MLP training steps (hidden 32, Adam), graph + grad + compile; node ${process.version}; ` +
  `cold: median of ${processes} fresh processes; warm: median of ${runs}; load average ${load0.toFixed(2)} → ${load1.toFixed(2)}\n`);
console.log('| backend | depth | kernels | cold ms (worst) | cold ms/layer | cold compile + first step ms (worst) | cold import ms | import + compile + first step ms | warm ms | warm ms/layer | marginal warm ms/layer |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  if (r.failure) {
    console.log(`| ${r.backend} | ${r.depth} | — | fails: ${r.failure} | | | | | | | |`);
    continue;
  }
  const prev = rows.filter((q) => q.backend === r.backend && q.depth < r.depth && !q.failure).pop();
  const marginal = prev ? ((r.warm - prev.warm) / (r.depth - prev.depth)).toFixed(2) : '—';
  console.log(`| ${r.backend} | ${r.depth} | ${r.kernels} | ${r.cold.toFixed(1)} (${r.coldWorst.toFixed(1)}) | ${(r.cold / r.depth).toFixed(1)} | ` +
    `${r.first.toFixed(1)} (${r.firstWorst.toFixed(1)}) | ${r.importMs.toFixed(1)} | ${r.withImport.toFixed(1)} | ${r.warm.toFixed(1)} | ${(r.warm / r.depth).toFixed(2)} | ${marginal} |`);
}
for (const r of rows.filter((q) => q.depth === 2)) {
  console.log(`target, ${r.backend}: seed step cold compile + first step ≤ ${TARGET_MS} ms: ${r.first <= TARGET_MS ? 'met' : 'NOT met'} (median ${r.first.toFixed(1)} ms, worst ${r.firstWorst.toFixed(1)})`);
}
