/** The seed MLP's training step, compiled, against the reference evaluator. */
import { describe, expect, test } from 'vitest';
import { compile, evaluate } from 'gradc';
import type { Tensor } from 'gradc';
import { oneHotRows, relErr, seedMlp, uniform } from './compile-helpers.js';
import { BACKEND_ROWS } from './helpers/backends.js';
import type { Backend } from './helpers/backends.js';

const name = (t: Tensor) => (t as Tensor<'param'>).attrs.name;

function setup(backend: Backend, batch = 32) {
  const m = seedMlp(batch);
  const exe = compile({ inputs: [m.x, m.t, m.lrT], outputs: { loss: m.loss, y: m.y }, updates: m.updates }, { backend });
  const values = new Map<Tensor, Float32Array>();
  m.params.forEach((p, i) => {
    const limit = Math.sqrt(6 / (p.shape[0]! + (p.shape[1] ?? 1)));
    values.set(p, uniform(p.size, 100 + i, -limit, limit));
  });
  m.slots.forEach((s, i) => values.set(s, uniform(s.size, 200 + i, i % 2 ? 0 : -1e-3, 1e-3)));
  for (const [p, v] of values) exe.setParam(p, v);
  return { m, exe, values };
}

describe.each(BACKEND_ROWS)('the seed MLP training step (%s backend)', (backend, tol) => {
  test('built checked (GRADC_DEBUG ≥ 1: every wasm instruction type-checked as appended) or not, the code is the same', () => {
    const m = seedMlp(32);
    const spec = { inputs: [m.x, m.t, m.lrT], outputs: { loss: m.loss, y: m.y }, updates: m.updates };
    const lines: string[] = [];
    const checked = compile(spec, { backend, debug: 1, log: (l) => lines.push(l) });
    expect(lines.length).toBeGreaterThan(0);
    expect(compile(spec, { backend }).source).toBe(checked.source);
  });

  const rtol = tol.graph.rtol;
  test('one step equals the reference: loss, predictions, new weights and Adam state (relative tolerance of the backend: 1e-4 for js)', () => {
    const { m, exe, values } = setup(backend);
    const feeds = { x: uniform(32 * 784, 1, 0, 1), t: oneHotRows(32, 10, 2), lr_t: Float32Array.of(1e-3) };
    const ref = evaluate([m.loss, m.y, ...m.updates.map(([, v]) => v)], {
      ...feeds, ...Object.fromEntries([...values].map(([p, v]) => [name(p), v])),
    });
    const out = exe.run(feeds);
    expect(relErr(out.loss!, ref[0]!.data)).toBeLessThan(rtol);
    expect(relErr(out.y!, ref[1]!.data)).toBeLessThan(rtol);
    m.updates.forEach(([p], i) => {
      const err = relErr(exe.getParam(p), ref[2 + i]!.data);
      expect({ param: name(p), ok: err < rtol }).toEqual({ param: name(p), ok: true });
    });
    // The step moved every weight matrix (the comparison above is not of unchanged values).
    for (const p of m.params) expect(relErr(exe.getParam(p), values.get(p)!)).toBeGreaterThan(1e-4);
  });

  test('several steps track the reference stepped by hand', () => {
    const { m, exe, values } = setup(backend);
    const state = new Map<string, Float32Array | Float64Array>([...values].map(([p, v]) => [name(p), Float32Array.from(v)]));
    for (let step = 1; step <= 3; step++) {
      const feeds = { x: uniform(32 * 784, 10 + step, 0, 1), t: oneHotRows(32, 10, 20 + step), lr_t: Float32Array.of(1e-3 * step) };
      const ref = evaluate([m.loss, ...m.updates.map(([, v]) => v)], { ...feeds, ...Object.fromEntries(state) });
      m.updates.forEach(([p], i) => state.set(name(p), ref[1 + i]!.data));
      const out = exe.run(feeds);
      expect(relErr(out.loss!, ref[0]!.data)).toBeLessThan(rtol);
    }
    for (const p of [...m.params, ...m.slots]) expect(relErr(exe.getParam(p), state.get(name(p))!)).toBeLessThan(rtol);
  });

  test('compiles to at most 12 kernels, and each kernel lists the graph ops it fused', () => {
    const { exe } = setup(backend);
    expect(exe.kernels.length).toBeLessThanOrEqual(12);
    const all = exe.kernels.flatMap((k) => k.ops);
    // Every matmul of the step (2 forward, 3 backward) is one kernel; nothing else is a loop of its own for the updates.
    expect(exe.kernels.filter((k) => k.ops.includes('matmul')).length).toBe(5);
    expect(all.filter((op) => op === 'matmul').length).toBe(5);
    expect(all.filter((op) => op === 'softmax').length).toBe(1);
    // The Adam update of each param (sqrt of its second moment) is fused into the kernel computing its gradient.
    expect(exe.kernels.filter((k) => k.ops.includes('sqrt')).length).toBe(4);
    expect(exe.kernels.every((k) => /^[a-z][a-z0-9_]*$/.test(k.name))).toBe(true);
  });
});
