/** Differential tests: random graphs, compiled, equal the reference evaluator. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { compile, evaluate, grad, input } from 'gradc';
import type { Tensor } from 'gradc';
import { randomGraph, relErr, uniform } from './compile-helpers.js';
import { arbGraph } from './helpers/random-graph.js';
import { BACKEND_ROWS } from './helpers/backends.js';
import type { Backend } from './helpers/backends.js';

const nameOf = (t: Tensor) => (t as Tensor<'input'>).attrs.name;

/**
 * Within 1e-4 of the exact (float64) value, or no worse than the float32 reference itself (up to a
 * factor: two roundings of an ill-conditioned value differ). Values that cancel to ~0 compare
 * against a floor of 1e-2 × the largest magnitude among the graph's results (`scale`).
 */
function close(got: ArrayLike<number>, ref32: ArrayLike<number>, exact: ArrayLike<number>, scale: number, rtol: number): { err: number; ok: boolean } {
  const floor = 1e-2 * Math.max(1, scale);
  const err = relErr(got, exact, floor);
  return { err, ok: err < Math.max(rtol, 8 * relErr(ref32, exact, floor)) };
}

const magnitude = (rs: readonly { data: ArrayLike<number> }[]) =>
  rs.reduce((m, r) => Array.from(r.data).reduce((a, v) => (Number.isFinite(v) ? Math.max(a, Math.abs(v)) : a), m), 0);

function check(seed: number, steps: number, backend: Backend, rtol: number): void {
  const g = randomGraph(seed, steps);
  // debug 1: the wasm module is built with the operand-type checker on (errors name the instruction).
  const exe = compile({ inputs: g.inputs, outputs: g.outputs, updates: g.updates }, { backend, debug: 1, log: () => {} });
  const feeds = Object.fromEntries(g.inputs.map((t, i) => [nameOf(t), uniform(t.size, seed + i, -2, 2)]));
  const paramFeeds: Record<string, Float32Array> = {};
  g.params.forEach((q, k) => {
    if (!exe.paramNames.includes(nameOf(q))) return;
    paramFeeds[nameOf(q)] = uniform(q.size, seed + 99 + k, -2, 2);
    exe.setParam(q, paramFeeds[nameOf(q)]!);
  });
  const names = Object.keys(g.outputs);
  const targets = [...names.map((k) => g.outputs[k]!), ...g.updates.map(([, v]) => v)];
  const all = { ...feeds, ...paramFeeds };
  // The float32 reference rounds every node; float64 is the exact answer both approximate.
  const ref = evaluate(targets, all);
  const exact = evaluate(targets, all, { dtype: 'float64' });
  const out = exe.run(feeds);
  const where = `${backend}, seed ${seed}: ${g.description.join(' ')}`;
  const scale = magnitude(exact);
  const ok = (got: ArrayLike<number>, i: number) => close(got, ref[i]!.data, exact[i]!.data, scale, rtol);
  names.forEach((k, i) => {
    const { err, ok: good } = ok(out[k]!, i);
    if (!good) expect.fail(`${where}\noutput ${k}: relative error ${err}\ngot ${Array.from(out[k]!).slice(0, 8)}\nref ${Array.from(ref[i]!.data).slice(0, 8)}\nkernels:\n${exe.kernels.map((x) => `${x.name} ${x.plan}`).join('\n')}`);
  });
  g.updates.forEach(([q], i) => {
    const { err, ok: good } = ok(exe.getParam(q), names.length + i);
    if (!good) expect.fail(`${where}\nupdate of ${nameOf(q)}: relative error ${err}`);
  });
}

describe.each(BACKEND_ROWS)('random graphs (%s backend)', (backend, tol) => {
  test("the foundation's random DAGs and their gradients, compiled, equal the reference evaluator", () => {
    fc.assert(fc.property(arbGraph({ maxOps: 16, maxSize: 48 }), (g) => {
      const y = g.output('float32');
      const xs = g.inputs.map((x) => input(x.name, x.shape));
      const loss = y.rank ? y.sum() : y;
      const grads = grad(loss, xs);
      const outputs: Record<string, Tensor> = { y };
      grads.forEach((gi, i) => (outputs[`d${i}`] = gi));
      const exe = compile({ inputs: xs, outputs }, { backend, debug: 1, log: () => {} });
      const feeds = g.feeds();
      const names = Object.keys(outputs);
      const ref = evaluate(names.map((k) => outputs[k]!), feeds);
      const exact = evaluate(names.map((k) => outputs[k]!), feeds, { dtype: 'float64' });
      const out = exe.run(feeds);
      const scale = magnitude(exact);
      names.forEach((k, i) => {
        const { err, ok } = close(out[k]!, ref[i]!.data, exact[i]!.data, scale, tol.graph.rtol);
        if (!ok) expect.fail(`${backend}: ${k}: relative error ${err}\n${g}\nkernels:\n${exe.kernels.map((x) => `${x.name} ${x.plan}`).join('\n')}`);
      });
    }), { numRuns: Number(process.env.RUNS ?? 150) });
  });

  test('compiled values equal the reference evaluator within float32 tolerance, gradients and updates included', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: Number(process.env.STEPS ?? 14) }), (seed, steps) => check(seed, steps, backend, tol.graph.rtol)),
      { numRuns: Number(process.env.RUNS ?? 200) });
  });
});
