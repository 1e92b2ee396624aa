// Every op of the vocabulary, exported to ONNX (unsimplified, so each rule is what runs) and run by
// onnxruntime, against gradc's reference evaluator in float64: within 1e-5 (relative, or absolute
// below 1). Inputs include the values where naive forms overflow (softplus, logSumExp, softmax at ±100…1000).
import { describe, expect, it } from 'vitest';
import {
  abs, add, broadcastTo, concat, constant, div, equal, evaluate, exp, fill, greater, input, less, log, logSoftmax, logSumExp,
  matmul, max, param, maximum, minimum, mul, neg, oneHot, pad, pow, relu, reshape, sigmoid, slice, softmax, softplus, sqrt, square, sub, sum,
  tanh, topoSort, transpose, where, type Tensor,
} from 'gradc';
import { exportOnnx } from 'gradc/onnx';
import { onnxRules } from 'gradc/internals';
import { ort, ortMissing } from './helpers/onnxruntime.js';
import { session, worst, type Feed } from './helpers/onnx-run.js';

/** Deterministic data: uniform in [lo, hi), some exact extremes mixed in. */
function data(n: number, seed: number, lo = -3, hi = 3, extremes: number[] = []): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  extremes.forEach((v, i) => (out[(i * 7) % n] = v));
  return out;
}
const ints = (n: number, seed: number, k: number): Float32Array => data(n, seed, 0, k).map(Math.floor);

interface Case { name: string; inputs: { t: Tensor<'input'>; data: Feed }[]; y: Tensor; params?: Record<string, Float32Array> }

function cases(): Case[] {
  const c: Case[] = [];
  const add1 = (name: string, inputs: Case['inputs'], y: Tensor, params?: Record<string, Float32Array>) => c.push({ name, inputs, y, ...(params ? { params } : {}) });
  const x = input('x', [3, 4]);
  const xd = data(12, 1);
  const pos = data(12, 2, 0.1, 4);
  const big = data(12, 3, -5, 5, [100, -100, 30, -30, 0]);
  for (const [name, f, d] of [
    ['neg', neg, xd], ['exp', exp, xd], ['log', log, pos], ['sqrt', sqrt, pos], ['square', square, xd], ['abs', abs, xd],
    ['relu', relu, data(12, 4, -3, 3, [0])], ['sigmoid', sigmoid, big], ['tanh', tanh, big], ['softplus', softplus, big],
  ] as const) add1(name, [{ t: x, data: d }], (f as (t: Tensor) => Tensor)(x));
  add1('pow 3', [{ t: x, data: xd }], pow(x, 3));
  add1('pow -1.5', [{ t: x, data: pos }], pow(x, -1.5));
  add1('pow 0.5', [{ t: x, data: pos }], pow(x, 0.5));

  const a = input('a', [2, 3, 4]);
  const b = input('b', [3, 1]);
  const ad = data(24, 5), bd = data(3, 6, 0.5, 2);
  for (const [name, f] of [['add', add], ['sub', sub], ['mul', mul], ['div', div], ['maximum', maximum], ['minimum', minimum]] as const) {
    add1(`${name} broadcast`, [{ t: a, data: ad }, { t: b, data: bd }], f(a, b));
  }
  // ties: small integers, so equal/greater/less see equal pairs
  const ai = ints(24, 7, 3), bi = ints(3, 8, 3);
  for (const [name, f] of [['greater', greater], ['less', less], ['equal', equal]] as const) add1(name, [{ t: a, data: ai }, { t: b, data: bi }], f(a, b));
  const cnd = input('c', [2, 1, 4]);
  add1('where', [{ t: cnd, data: ints(8, 9, 2) }, { t: a, data: ad }, { t: b, data: bd }], where(cnd, a, b));

  const r = input('r', [2, 3, 4]);
  const rd = data(24, 10, -4, 4, [1000, 999, -1000]);
  add1('sum axes [0,2]', [{ t: r, data: rd }], sum(r, [0, 2]));
  add1('sum axis 1 keepDims', [{ t: r, data: rd }], sum(r, [1], true));
  add1('sum all', [{ t: r, data: rd }], sum(r));
  add1('max axis 2', [{ t: r, data: rd }], max(r, [2]));
  add1('max axes [0,1] keepDims', [{ t: r, data: rd }], max(r, [0, 1], true));
  add1('logSumExp axis 2 (values to 1000)', [{ t: r, data: rd }], logSumExp(r, [2]));
  add1('logSumExp all keepDims', [{ t: r, data: data(24, 11) }], logSumExp(r, undefined, true));

  add1('reshape', [{ t: r, data: rd }], reshape(r, [6, 4]));
  add1('transpose', [{ t: r, data: rd }], transpose(r, [2, 0, 1]));
  add1('broadcastTo', [{ t: b, data: bd }], broadcastTo(b, [2, 3, 5]));
  add1('slice', [{ t: r, data: rd }], slice(r, [1, 0, 1], [1, 2, 3]));
  add1('pad', [{ t: r, data: rd }], pad(r, [0, 1, 2], [1, 0, 1]));
  add1('concat axis 1', [{ t: r, data: rd }, { t: a, data: ad }], concat([r, a], 1));

  const m = input('m', [4, 5]);
  add1('matmul 2-D', [{ t: x, data: xd }, { t: m, data: data(20, 12) }], matmul(x, m));
  add1('matmul batch broadcast', [{ t: a, data: ad }, { t: m, data: data(20, 12) }], matmul(a, m));
  const bm = input('bm', [2, 4, 2]);
  add1('matmul batched', [{ t: a, data: ad }, { t: bm, data: data(16, 13) }], matmul(a, bm));

  add1('softmax last axis (values to 1000)', [{ t: r, data: rd }], softmax(r));
  add1('softmax axis 0', [{ t: r, data: rd }], softmax(r, 0));
  add1('logSoftmax last axis', [{ t: r, data: rd }], logSoftmax(r));
  add1('logSoftmax axis 1', [{ t: r, data: rd }], logSoftmax(r, 1));
  const labels = input('labels', [5]);
  add1('oneHot', [{ t: labels, data: new Float32Array([0, 3, 1, 1, 2]) }], oneHot(labels, 4));

  add1('constant (dense)', [{ t: x, data: xd }], add(x, constant([[1, -2, 3.5, 0], [4, 5, -6, 7], [0.25, 8, 9, -1]])));
  add1('constant (one value, broadcast)', [{ t: x, data: xd }], mul(x, fill([3, 4], 2.5)));
  add1('constant (scalar)', [{ t: x, data: xd }], x.mul(3).sub(1));

  // a param with a value: an initializer of the model
  const W = param('dense_1/kernel', [4, 2]);
  add1('param (initializer)', [{ t: x, data: xd }], relu(matmul(x, W)), { 'dense_1/kernel': data(8, 14) });

  // float64 end to end, and a float32 input meeting a float64 one (a Cast in the file)
  const x64 = input('x64', [3, 4], {}, 'float64');
  add1('float64 softmax(x·x + 1)', [{ t: x64, data: Float64Array.from(xd) }], softmax(x64.mul(x64).add(1)));
  add1('float32 + float64', [{ t: x, data: xd }, { t: x64, data: Float64Array.from(pos) }], tanh(add(x, x64)));
  return c;
}

describe.skipIf(ort === null)(`ONNX ops on onnxruntime${ort === null ? ` (skipped: ${ortMissing})` : ''}`, () => {
  const all = cases();

  it('the cases cover every op of the vocabulary', () => {
    const seen = new Set(all.flatMap((c) => topoSort([c.y]).map((t) => t.op)));
    expect(Object.keys(onnxRules).filter((op) => !seen.has(op as never))).toEqual([]);
  });

  for (const c of all) {
    it(`${c.name}: onnxruntime = reference within 1e-5`, async () => {
      const g = exportOnnx({ inputs: c.inputs.map((i) => i.t), outputs: { y: c.y } }, { simplify: false, ...(c.params ? { params: c.params } : {}) });
      const s = await session(ort!, g.bytes);
      const feeds: Record<string, Feed> = {}, shapes: Record<string, readonly number[]> = {};
      for (const i of c.inputs) {
        feeds[i.t.attrs.name] = i.data;
        shapes[i.t.attrs.name] = i.t.shape;
      }
      const got = (await s.run(feeds, shapes))['y']!;
      const ref = evaluate(c.y, { ...Object.fromEntries(c.inputs.map((i) => [i.t.attrs.name, Float64Array.from(i.data)])), ...c.params }, { dtype: 'float64' });
      expect(got.length).toBe(c.y.size);
      expect(got instanceof Float64Array).toBe(c.y.dtype === 'float64');
      const w = worst(got, ref.data);
      expect(w.err, `${c.name}: worst at ${w.at}: onnxruntime ${got[w.at]} vs reference ${ref.data[w.at]}`).toBeLessThanOrEqual(1e-5);
    });
  }
});
