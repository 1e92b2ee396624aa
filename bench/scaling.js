// Scaling: the seed step (784 → hidden relu → 10 softmax, cross-entropy, Adam) over a grid of
// hidden widths and batch sizes, for gradc wasm, gradc js and PyTorch on 1 thread, each in a child
// process of its own (bench/train-step-peer.js, bench/train-step-torch.py), on the same data and
// initial weights. Per cell: samples/s and the GFLOP/s the step's matmuls reach, counting 2·M·N·K
// for each product the step runs: x·W1 and h·W2 forward, ∂z2·W2ᵀ, hᵀ·∂z2 and xᵀ·∂z1 backward (no
// ∂x: x is an input), i.e. 2·batch·(2·784·h + 3·h·10) flops per step. Rounds alternate the three
// peers; the median round is reported. Steps per round are chosen to take ~0.2 s at 10 GFLOP/s.
//   npm run build && node bench/scaling.js [--hidden 32,128,512] [--batch 32,256] [--rounds 5]
//                                          [--python /usr/bin/python3]
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnPeer, stepFlops } from './train-step-protocol.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const hiddens = opt('hidden', '32,128,512').split(',').map(Number);
const batches = opt('batch', '32,256').split(',').map(Number);
const rounds = Number(opt('rounds', 5));
const python = opt('python', '/usr/bin/python3');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const load0 = loadavg()[0];
const rows = [];
for (const hidden of hiddens) {
  for (const batch of batches) {
    const size = ['--hidden', String(hidden), '--batch', String(batch)];
    const plan = [
      ['gradc-wasm', process.execPath, [here('./train-step-peer.js'), 'gradc-wasm', '--serve', ...size]],
      ['gradc-js', process.execPath, [here('./train-step-peer.js'), 'gradc-js', '--serve', ...size]],
      ['torch/1t', python, [here('./train-step-torch.py'), '--serve', '--threads', '1', ...size]],
    ];
    const peers = [];
    for (const [label, command, argv] of plan) {
      const p = await spawnPeer(label, command, argv);
      if (p.skip) console.log(`skipped ${p.skip}`);
      else peers.push(p);
    }
    const first = [];
    for (const p of peers) first.push(await p.first());
    const spread = Math.max(...first) - Math.min(...first);
    if (!(spread < 1e-3)) throw new Error(`hidden ${hidden}, batch ${batch}: the peers disagree on the first-step loss (${first.join(', ')})`);
    const flops = stepFlops(batch, hidden);
    const steps = Math.max(10, Math.min(400, Math.round(2e9 / flops)));
    const per = peers.map(() => []);
    for (let r = -1; r < rounds; r++) {
      for (let j = 0; j < peers.length; j++) {
        const i = (j + r + peers.length) % peers.length;
        const ms = await peers[i].round(steps);
        if (r >= 0) per[i].push(ms);
      }
    }
    for (const p of peers) p.close();
    const ms = per.map(median);
    const cells = Object.fromEntries(peers.map((p, i) => [p.label, { ms: ms[i], sps: (batch / ms[i]) * 1000, gflops: flops / ms[i] / 1e6 }]));
    rows.push({ hidden, batch, flops, steps, cells });
    const c = (l) => (cells[l] ? `${l} ${Math.round(cells[l].sps).toLocaleString('en-US')}/s ${cells[l].gflops.toFixed(1)} GF/s` : `${l} —`);
    console.log(`hidden ${hidden}, batch ${batch} (${(flops / 1e6).toFixed(2)} MFLOP/step, ${steps} steps/round, loss spread ${spread.toExponential(1)}): ` +
      `${c('gradc-wasm')}, ${c('gradc-js')}, ${c('torch/1t')}`);
  }
}
const load1 = loadavg()[0];

console.log(`\nscaling, node ${process.version}, ${rounds} rounds, median round; load average ${load0.toFixed(2)} → ${load1.toFixed(2)}\n`);
console.log('| hidden | batch | MFLOP/step | gradc wasm samples/s | GFLOP/s | gradc js samples/s | GFLOP/s | torch 1t samples/s | GFLOP/s | gradc wasm / torch |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { hidden, batch, flops, cells } of rows) {
  const f = (l) => (cells[l] ? `${Math.round(cells[l].sps).toLocaleString('en-US')} | ${cells[l].gflops.toFixed(1)}` : '— | —');
  const ratio = cells['gradc-wasm'] && cells['torch/1t'] ? `${(cells['torch/1t'].ms / cells['gradc-wasm'].ms).toFixed(2)}×` : '—';
  console.log(`| ${hidden} | ${batch} | ${(flops / 1e6).toFixed(2)} | ${f('gradc-wasm')} | ${f('gradc-js')} | ${f('torch/1t')} | ${ratio} |`);
}
