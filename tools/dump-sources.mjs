// Dumps every generated source (WAT and JS) of six MLP programs, plus the losses of 3 steps, to
// OUTDIR, so that a change meant to leave the generated code byte-identical can be checked with
// `diff -r` against the dump of the build before it.
//   npm run build && node tools/dump-sources.mjs OUTDIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const out = process.argv[2];
mkdirSync(out, { recursive: true });
const g = await import('gradc');
const { compile, crossEntropy, grad, input, param } = g;
let n = 0;
function mlp(depth, hidden, batch, backend, train) {
  n++;
  const x = input(`x${n}`, [batch, 784]);
  const t = input(`t${n}`, [batch, 10], { oneHot: true });
  const lrT = input(`lr${n}`, []);
  const widths = [784, ...Array(depth - 1).fill(hidden), 10];
  const ps = []; let h = x;
  for (let l = 0; l < depth; l++) {
    const W = param(`W${l}_${n}`, [widths[l], widths[l + 1]]);
    const b = param(`b${l}_${n}`, [widths[l + 1]]);
    ps.push(W, b);
    h = h.matmul(W).add(b);
    h = l < depth - 1 ? h.relu() : h.softmax();
  }
  const loss = crossEntropy(h, t);
  if (!train) return { exe: compile({ inputs: [x, t], outputs: { loss, y: h } }, { backend }), ps, x, t };
  const updates = [];
  const slots = [];
  grad(loss, ps).forEach((gr, k) => {
    const p = ps[k];
    const m = param(`${p.attrs.name}/m`, p.shape), v = param(`${p.attrs.name}/v`, p.shape);
    slots.push(m, v);
    const m1 = m.mul(0.9).add(gr.mul(0.1)), v1 = v.mul(0.999).add(gr.square().mul(0.001));
    updates.push([m, m1], [v, v1], [p, p.sub(m1.mul(lrT).div(v1.sqrt().add(1e-7)))]);
  });
  return { exe: compile({ inputs: [x, t, lrT], outputs: { loss, y: h }, updates }, { backend }), ps, slots, x, t, lrT };
}
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const cases = [
  ['seed', 2, 32, 32, true], ['eval', 2, 32, 32, false], ['depth3', 3, 32, 32, true],
  ['depth5', 5, 32, 32, true], ['h128b256', 2, 128, 256, true], ['odd', 3, 17, 7, true],
];
const summary = [];
for (const backend of ['wasm', 'js']) for (const [name, depth, hidden, batch, train] of cases) {
  s = 12345;
  const { exe, ps, slots = [] } = mlp(depth, hidden, batch, backend, train);
  writeFileSync(`${out}/${name}.${backend}.txt`, exe.source);
  for (const p of ps) { const v = new Float32Array(p.shape.reduce((a, b) => a * b, 1)); for (let i = 0; i < v.length; i++) v[i] = (rnd() - 0.5) * 0.1; exe.setParam(p, v); }
  for (const q of slots) exe.setParam(q, 0);
  const xv = new Float32Array(batch * 784); for (let i = 0; i < xv.length; i++) xv[i] = rnd();
  const tv = new Float32Array(batch * 10); for (let i = 0; i < batch; i++) tv[i * 10 + (i % 10)] = 1;
  const losses = [];
  for (let k = 0; k < 3; k++) {
    const feeds = { [`x${n}`]: xv, [`t${n}`]: tv, ...(train ? { [`lr${n}`]: [0.001] } : {}) };
    losses.push(String(exe.run(feeds).loss[0]));
  }
  summary.push(`${name}.${backend} ${createHash('sha256').update(exe.source).digest('hex').slice(0, 16)} ${exe.kernels.length} kernels losses ${losses.join(' ')}`);
}
writeFileSync(`${out}/summary.txt`, summary.join('\n') + '\n');
console.log(summary.join('\n'));
