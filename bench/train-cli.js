// `gradc train` end to end, several times: the training time it prints (wall and CPU seconds of
// the 10 epochs, progress lines included), the test accuracy, and the whole command's wall time.
//   npm run build && node bench/train-cli.js [--runs 5] [-- extra gradc train flags]
// Each run is a fresh process (cold JIT, data loaded and the step compiled each time), one after
// another; medians and the range are reported. Outputs go to a temporary directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const extra = dash >= 0 ? args.slice(dash + 1) : [];
const own = dash >= 0 ? args.slice(0, dash) : args;
const i = own.indexOf('--runs');
const runs = i >= 0 ? Number(own[i + 1]) : 5;
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'gradc.js');
const dir = mkdtempSync(join(tmpdir(), 'gradc-train-bench-'));

const res = [];
try {
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [bin, 'train', '--out', join(dir, 'model'), '--curve', join(dir, 'curve.svg'), ...extra], { encoding: 'utf8' });
    const total = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`gradc train failed (status ${p.status}):\n${p.stdout}${p.stderr}`);
    const m = /trained (\d+) epochs in ([\d.]+) s \(([\d,]+) samples\/s; ([\d.]+) s of CPU\)/.exec(p.stdout);
    const a = /test accuracy: ([\d.]+)%/.exec(p.stdout);
    if (!m || !a) throw new Error(`unexpected gradc train output:\n${p.stdout}`);
    res.push({ wall: Number(m[2]), cpu: Number(m[4]), acc: Number(a[1]), total });
    console.log(`run ${r + 1}: training ${m[2]} s wall, ${m[4]} s CPU; test accuracy ${a[1]}%; whole command ${total.toFixed(2)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
const show = (k, unit, d = 2) => {
  const v = res.map((r) => r[k]);
  return `${median(v).toFixed(d)}${unit} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`;
};
console.log(`gradc train ${extra.join(' ')}, ${runs} runs (node ${process.version}): median (range)`);
console.log(`  training, wall:  ${show('wall', ' s')}`);
console.log(`  training, CPU:   ${show('cpu', ' s')}`);
console.log(`  test accuracy:   ${show('acc', '%')}`);
console.log(`  whole command:   ${show('total', ' s')}`);
