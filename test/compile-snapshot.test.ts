/**
 * What compile makes of a small graph, asserted structurally on every backend: the kernels
 * fusion forms and their plans, the numbers against the reference evaluator and finite
 * differences, and no allocation while running. The source itself is pinned only in the small
 * per-backend snapshots of codegen-snapshot.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { compile, evaluate, input, param } from 'gradc';
import { relErr, uniform } from './compile-helpers.js';
import { watchAllocation } from './helpers/allocation.js';
import { BACKEND_ROWS } from './helpers/backends.js';

/** A dense layer with softmax, its loss, and an SGD update of the bias. */
function denseSoftmax() {
  const x = input('x', [3, 2]);
  const t = input('t', [3, 4], { oneHot: true });
  const W = param('W', [2, 4]);
  const b = param('b', [4]);
  const y = x.matmul(W).add(b).softmax();
  const loss = y.log().mul(t).sum().neg();
  const newB = b.sub(y.sub(t).sum(0).mul(0.1));
  return { x, t, W, b, y, loss, newB };
}

const feeds = () => ({ x: uniform(6, 1), t: Float32Array.from([1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]) });

describe.each(BACKEND_ROWS)('%s backend', (backend, tol) => {
  test('four kernels: matmul, one row-wise softmax+log, the loss reduction, the bias update', () => {
    const g = denseSoftmax();
    const exe = compile({ inputs: [g.x, g.t], outputs: { y: g.y, loss: g.loss }, updates: [[g.b, g.newB]] }, { backend });
    expect(exe.backend).toBe(backend);
    expect(exe.kernels.map((k) => `${k.name}: ${k.loops}`)).toEqual([
      'matmul: matmul 3×2·2×4',
      'softmax_log_softmax_add: 3 | reduce[4], reduce[4], map[4]',
      'sum_mul_neg: scalar | reduce[12], map[]',
      'sum_sub_div_neg: 4 | reduce[3], map[]',
    ]);
    if (backend === 'js') {
      expect(exe.kernels.map((k) => k.plan)).toEqual([
        'matmul 3×2·2×4: order dot, tile 3×4, scalar, acc f64, panel 3×4 in scratch',
        'loops 3 | reduce[4], reduce[4], map[4]',
        'loops scalar | reduce[12], map[]',
        'loops 4 | reduce[3], map[]',
      ]);
    } else {
      exe.kernels.forEach((k) => expect(k.plan.startsWith(k.loops.startsWith('matmul') ? `${k.loops}: order ` : 'loops ')).toBe(true));
    }
  });

  test('outputs match the reference evaluator; the bias update matches the gradient by finite differences', () => {
    const g = denseSoftmax();
    const exe = compile({ inputs: [g.x, g.t], outputs: { y: g.y, loss: g.loss }, updates: [[g.b, g.newB]] }, { backend });
    const Wv = uniform(8, 2), bv = uniform(4, 3);
    exe.setParam('W', Wv);
    exe.setParam('b', bv);
    const f = feeds();
    const out = exe.run(f);
    const env = { ...f, W: Wv, b: bv };
    expect(relErr(out.y!, evaluate(g.y, env).data)).toBeLessThan(tol.graph.rtol * 10);
    expect(relErr(out.loss!, evaluate(g.loss, env).data)).toBeLessThan(tol.graph.rtol * 10);
    // the update is b − 0.1·Σ_rows(y − t), and Σ_rows(y − t) is ∂loss/∂b: check it by central differences
    const newB = Array.from(exe.getParam('b'));
    const lossAt = (b: Float32Array) => evaluate(g.loss, { ...env, b }).data[0]!;
    const h = 1e-3;
    const fd = Array.from(bv, (_, c) => {
      const up = Float32Array.from(bv), dn = Float32Array.from(bv);
      up[c]! += h; dn[c]! -= h;
      return (lossAt(up) - lossAt(dn)) / (2 * h);
    });
    const step = newB.map((v, c) => (bv[c]! - v) / 0.1);
    expect(relErr(step, fd, 1e-3)).toBeLessThan(2e-2);
  });

  test('running the step allocates nothing', async () => {
    const g = denseSoftmax();
    const exe = compile({ inputs: [g.x, g.t], outputs: { y: g.y, loss: g.loss }, updates: [[g.b, g.newB]] }, { backend });
    const f = feeds();
    const { gcEntries, growth } = await watchAllocation(() => exe.run(f), { warmup: 2_000, chunks: 5, perChunk: 20_000 });
    const median = [...growth].sort((a, b) => a - b)[2]!;
    expect({ gcEntries: gcEntries.length <= 1, median: median < 16 * 1024 }).toEqual({ gcEntries: true, median: true });
  });
});

test('js: each kernel reads and writes the buffers its fusion says, and nothing allocates inside a kernel', () => {
  const g = denseSoftmax();
  const exe = compile({ inputs: [g.x, g.t], outputs: { y: g.y, loss: g.loss }, updates: [[g.b, g.newB]] }, { backend: 'js' });
  const src = exe.source;
  const body = src.slice(src.indexOf('function ')).split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
  expect(body).not.toMatch(/\bnew\b|\[\]|Array\(/);
  const fn = (name: string) => {
    const start = src.indexOf(`function ${name}()`);
    const end = src.indexOf('\nfunction ', start + 1);
    return src.slice(start, end);
  };
  const names = exe.kernels.map((k) => `k${k.index}_${k.name}`);
  expect(names).toEqual(['k0_matmul', 'k1_softmax_log_softmax_add', 'k2_sum_mul_neg', 'k3_sum_sub_div_neg']);
  const stores = names.map((n) => fn(n).match(/b\d+\[[^\]]*\] = /g)?.length ?? 0);
  // the epilogue of the matmul writes z; softmax writes y and log y; the loss one scalar; the update b
  expect(stores).toEqual([expect.any(Number), 2, 1, 1]);
  expect(stores[0]).toBeGreaterThanOrEqual(1);
  // the softmax kernel computes each exp once per element per pass that needs it
  expect(fn(names[1]!).match(/Math\.exp/g)?.length).toBeLessThanOrEqual(2);
});
