/**
 * The functional model with several inputs and several outputs (Keras' functional API): losses
 * per output with weights, a single loss on one output, feeds by input name or in order,
 * predict per output, save and load. Updates are checked against float64 gradients written here.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { input, layers, loadModel, model, optimizers, param, Rng, sequential, toOneHot, type Tensor } from 'gradc';

const n = 12;

function data(seed: number) {
  const r = new Rng(seed);
  const col = (k: number) => Float32Array.from({ length: n * k }, () => r.normal());
  return { a: col(2), b: col(2), t1: col(1), t2: col(1) };
}

const td = (data: Float32Array, k: number) => ({ shape: [n, k], data });

/** y1 = a·W, y2 = a·W + b·V (linear); W and V shared as Keras would share a layer. */
function build(seed = 5) {
  const W = param('W', [2, 1]);
  const V = param('V', [2, 1]);
  return model({
    inputShape: { a: [2], b: [2] },
    apply: ({ a, b }) => ({ first: a!.matmul(W), second: a!.matmul(W).add(b!.matmul(V)) }),
    seed,
  });
}

/** L = mean((y1 − t1)²) + w2·mean((y2 − t2)²), and its gradient, in float64. */
function lossAndGrad(d: ReturnType<typeof data>, W: Float64Array, V: Float64Array, w2: number) {
  const gW = new Float64Array(2), gV = new Float64Array(2);
  let L = 0;
  for (let i = 0; i < n; i++) {
    const y1 = d.a[2 * i]! * W[0]! + d.a[2 * i + 1]! * W[1]!;
    const y2 = y1 + d.b[2 * i]! * V[0]! + d.b[2 * i + 1]! * V[1]!;
    const e1 = y1 - d.t1[i]!, e2 = y2 - d.t2[i]!;
    L += (e1 * e1 + w2 * e2 * e2) / n;
    for (let k = 0; k < 2; k++) {
      gW[k] += (2 / n) * (e1 + w2 * e2) * d.a[2 * i + k]!;
      gV[k] += (2 / n) * w2 * e2 * d.b[2 * i + k]!;
    }
  }
  return { L, gW, gV };
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(tol + 1e-4 * Math.abs(want[i]!));
};

describe('the functional model with several inputs and outputs', () => {
  it('trains Σ wᵢ·Lᵢ exactly as the float64 gradient says; inputs by name or in order give the same run', async () => {
    const d = data(1);
    const x = { a: td(d.a, 2), b: td(d.b, 2) };
    const y = { first: td(d.t1, 1), second: td(d.t2, 1) };
    const runs: Map<string, Float32Array>[] = [];
    for (const form of ['byName', 'inOrder', 'byNameReordered'] as const) {
      const m = build();
      m.compile({ loss: 'meanSquaredError', lossWeights: { second: 0.5 }, optimizer: optimizers.sgd(0.1) });
      const w0 = m.getWeights();
      const xs = form === 'inOrder' ? [x.a, x.b] : form === 'byName' ? x : { b: x.b, a: x.a };
      const ys = form === 'inOrder' ? [y.first, y.second] : y;
      const h = await m.fit(xs, ys, { epochs: 3, batchSize: n, shuffle: false, verbose: 0 });
      // float64: three SGD steps on L = L1 + 0.5·L2
      const W = Float64Array.from(w0.get('W')!), V = Float64Array.from(w0.get('V')!);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const { L, gW, gV } = lossAndGrad(d, W, V, 0.5);
        losses.push(L);
        for (let k = 0; k < 2; k++) { W[k] -= 0.1 * gW[k]!; V[k] -= 0.1 * gV[k]!; }
      }
      const w = m.getWeights();
      close(w.get('W')!, W);
      close(w.get('V')!, V);
      close(h.history.loss, losses);
      expect(Object.keys(h.history)).toEqual(['loss', 'first_loss', 'second_loss']);
      h.history.loss.forEach((l, i) => expect(h.history.first_loss![i]! + 0.5 * h.history.second_loss![i]!).toBeCloseTo(l, 5));
      runs.push(w);
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // validation over the last rows of every input and output, logged per output
    const v = build();
    v.compile({ loss: 'meanSquaredError', optimizer: 'adam', metrics: ['mae'] });
    const hv = await v.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, validationSplit: 0.25 });
    const tail = (t: Float32Array, k: number) => ({ shape: [3, k], data: t.subarray(9 * k) });
    const e = v.evaluate({ a: tail(d.a, 2), b: tail(d.b, 2) }, { first: tail(d.t1, 1), second: tail(d.t2, 1) });
    expect(Object.keys(hv.history)).toEqual(['loss', 'first_loss', 'second_loss', 'first_mae', 'second_mae', 'val_loss', 'val_first_loss', 'val_second_loss', 'val_first_mae', 'val_second_mae']);
    for (const k of Object.keys(e)) expect(hv.history[`val_${k}`]![0]).toBeCloseTo(e[k]!, 6);
  });

  it('predict gives one array per output (an object for named outputs, a list for a list); evaluate the loss of each', async () => {
    const d = data(2);
    const m = build(7);
    m.compile({ loss: { first: 'meanSquaredError', second: 'meanSquaredError' }, lossWeights: [1, 2], optimizer: 'adam', metrics: ['mae'] });
    const p = m.predict({ a: td(d.a, 2), b: td(d.b, 2) });
    expect(Object.keys(p)).toEqual(['first', 'second']);
    const w = m.getWeights();
    const W = w.get('W')!, V = w.get('V')!;
    let mae1 = 0, mse1 = 0, mse2 = 0;
    for (let i = 0; i < n; i++) {
      const y1 = Math.fround(d.a[2 * i]! * W[0]! + d.a[2 * i + 1]! * W[1]!);
      expect(p.first.data[i]).toBeCloseTo(y1, 5);
      expect(p.second.data[i]).toBeCloseTo(y1 + d.b[2 * i]! * V[0]! + d.b[2 * i + 1]! * V[1]!, 5);
      mae1 += Math.abs(p.first.data[i]! - d.t1[i]!) / n;
      mse1 += (p.first.data[i]! - d.t1[i]!) ** 2 / n;
      mse2 += (p.second.data[i]! - d.t2[i]!) ** 2 / n;
    }
    const e = m.evaluate([td(d.a, 2), td(d.b, 2)], [td(d.t1, 1), td(d.t2, 1)]);
    expect(Object.keys(e)).toEqual(['loss', 'first_loss', 'second_loss', 'first_mae', 'second_mae']);
    expect(e.first_loss).toBeCloseTo(mse1, 5);
    expect(e.second_loss).toBeCloseTo(mse2, 5);
    expect(e.loss).toBeCloseTo(mse1 + 2 * mse2, 5);
    expect(e.first_mae).toBeCloseTo(mae1, 5);
    // a list of outputs gives a list
    const U = param('U', [2, 1]);
    const listed = model({ inputShape: [2], apply: (a) => [a.matmul(U), a.matmul(U).neg()], seed: 1 });
    const q = listed.predict(td(d.a, 2));
    expect(q).toHaveLength(2);
    q[0]!.data.forEach((v, i) => expect(q[1]!.data[i]).toBe(-v));
  });

  it('a callback may change the loss weights during fit (the next step uses them), not the losses', async () => {
    const d = data(6);
    const x = [td(d.a, 2), td(d.b, 2)], y = [td(d.t1, 1), td(d.t2, 1)];
    const m = build(3);
    const compileWith = (w2: number) => m.compile({ loss: 'meanSquaredError', lossWeights: [1, w2], optimizer: optimizers.sgd(0.1) });
    compileWith(1);
    const w0 = m.getWeights();
    await m.fit(x, y, { epochs: 3, batchSize: n, shuffle: false, verbose: 0, callbacks: { onEpochEnd: (e) => { if (e === 0) compileWith(0); } } });
    const W = Float64Array.from(w0.get('W')!), V = Float64Array.from(w0.get('V')!);
    for (const w2 of [1, 0, 0]) {
      const { gW, gV } = lossAndGrad(d, W, V, w2);
      for (let k = 0; k < 2; k++) { W[k] -= 0.1 * gW[k]!; V[k] -= 0.1 * gV[k]!; }
    }
    close(m.getWeights().get('W')!, W);
    close(m.getWeights().get('V')!, V);
    await expect(m.fit(x, [td(d.t1, 1), td(d.t2, 1)], { epochs: 2, verbose: 0, callbacks: { onEpochEnd: () => m.compile({ loss: ['meanSquaredError', null], optimizer: 'sgd' }) } }))
      .rejects.toThrow(/fit: a callback recompiled the model with loss \["meanSquaredError",null\], but this fit checked its targets for "meanSquaredError"; change the loss between fits/);
  });

  it('a single loss on one output: the other is predicted but not trained, and its own params stay put', async () => {
    const d = data(3);
    const W = param('W', [2, 1]);
    const aux = param('aux/kernel', [2, 3]);
    const m = model({ inputShape: [2], apply: (a) => [a.matmul(W), a.matmul(aux).softmax()], seed: 2 });
    m.compile({ loss: ['meanSquaredError', null], optimizer: optimizers.sgd(0.1) });
    const before = m.getWeights();
    const h = await m.fit(td(d.a, 2), td(d.t1, 1), { epochs: 2, batchSize: 4, verbose: 0 }); // the one trained output's targets, as they are
    expect(Object.keys(h.history)).toEqual(['loss']);
    expect(m.getWeights().get('aux/kernel')).toEqual(before.get('aux/kernel'));
    expect(m.getWeights().get('W')).not.toEqual(before.get('W'));
    const [y1, y2] = m.predict(td(d.a, 2));
    expect(y1!.shape).toEqual([n, 1]);
    expect(y2!.shape).toEqual([n, 3]);
    // targets given per output, null for the one without a loss, are the same thing
    await expect(m.fit(td(d.a, 2), [td(d.t1, 1), null], { epochs: 1, verbose: 0 })).resolves.toBeDefined();
    await expect(m.fit(td(d.a, 2), { output_2: toOneHot(new Float32Array(n), 3) }, { verbose: 0 }))
      .rejects.toThrow(/fit: y has targets for output 'output_2', which has no loss; drop them, or give it a loss in compile/);
    expect(() => m.compile({ loss: ['meanSquaredError'], optimizer: 'sgd' })).toThrow(/model\.compile: loss lists 1 losses, the model has 2 outputs \('output_1', 'output_2'\); give one per output \(null for an output not trained\)/);
    expect(() => m.compile({ loss: [null, null], optimizer: 'sgd' })).toThrow(/no output has a loss/);
    expect(() => m.compile({ loss: ['meanSquaredError', 'binaryCrossentropy'], optimizer: 'sgd' })).toThrow(/output 'output_2': loss 'binaryCrossentropy' takes probabilities: make the last layer's activation 'sigmoid' \(it is 'softmax'\)/);
  });

  it('a graph of two inputs (fixed batch) with a Sequential called on each (shared weights); inputs named, counted and checked', async () => {
    const d = data(4);
    const trunk = sequential({ seed: 3 }).add(layers.dense({ units: 3, inputDim: 2, activation: 'tanh' }));
    const a = input('left', [4, 2]), b = input('right', [4, 2]);
    const head = param('head', [3, 1]);
    const y = trunk.call(a).sub(trunk.apply(b)).matmul(head); // a siamese difference
    const m = model({ inputs: [a, b], outputs: y, seed: 1, weights: trunk.getWeights() });
    expect(m.params.map((p) => p.attrs.name).sort()).toEqual(['dense_1/bias', 'dense_1/kernel', 'head']); // the trunk's params once: shared
    expect(m.getWeights().get('dense_1/kernel')).toEqual(trunk.getWeights().get('dense_1/kernel'));
    m.compile({ loss: 'meanSquaredError', optimizer: 'adam' });
    const h = await m.fit({ left: td(d.a, 2), right: td(d.b, 2) }, td(d.t1, 1), { epochs: 2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
    expect(m.step).toBe(6);
    await expect(m.fit({ left: td(d.a, 2) }, td(d.t1, 1), { verbose: 0 })).rejects.toThrow(/fit: x has no data for input 'right'; pass \{ left, right \}/);
    await expect(m.fit({ left: td(d.a, 2), rigth: td(d.b, 2) }, td(d.t1, 1), { verbose: 0 })).rejects.toThrow(/fit: x names input 'rigth'; the model's inputs are 'left', 'right'/);
    await expect(m.fit([td(d.a, 2)], td(d.t1, 1), { verbose: 0 })).rejects.toThrow(/fit: x: the model has 2 inputs \('left', 'right'\); pass a list of 2 arrays in that order, or an object by input name/);
    await expect(m.fit([td(d.a, 2), { shape: [8, 2], data: d.b.subarray(0, 16) }], td(d.t1, 1), { verbose: 0 })).rejects.toThrow(/fit: x: input 'right' has 8 rows, input 'left' has 12/);
    expect(() => model({ inputs: [a, input('target', [4, 2])], outputs: y })).toThrow(/the input name 'target' is reserved/);
    expect(() => model({ inputs: [a], outputs: y })).toThrow(/the output reads input 'right' besides 'left'; list it in inputs/);
  });

  it('saves and loads a model of several outputs into a rebuilt one: losses, weights and state restored, training resumes bit for bit', async () => {
    const d = data(5);
    const x = [td(d.a, 2), td(d.b, 2)], y = [td(d.t1, 1), td(d.t2, 1)];
    const fresh = () => {
      const m = build(9);
      m.compile({ loss: ['meanSquaredError', 'meanSquaredError'], lossWeights: [1, 0.25], optimizer: optimizers.adam({ learningRate: 0.05 }), metrics: ['mae'] });
      return m;
    };
    const straight = fresh();
    await straight.fit(x, y, { epochs: 4, batchSize: 5, verbose: 0 });
    const first = fresh();
    await first.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
    const dir = join(mkdtempSync(join(tmpdir(), 'gradc-multi-')), 'm');
    await first.save(dir);
    const back = await loadModel(dir, { model: build(9) });
    expect(back.config!.lossSpec).toEqual(['meanSquaredError', 'meanSquaredError']);
    expect(back.config!.lossWeights).toEqual([1, 0.25]);
    expect(back.predict(x)).toEqual(first.predict(x));
    await back.fit(x, y, { epochs: 4, initialEpoch: back.epochsTrained, batchSize: 5, verbose: 0 });
    expect(back.getWeights()).toEqual(straight.getWeights());
    // a model whose outputs differ is refused by the saved losses
    const one = model({ inputShape: { a: [2], b: [2] }, apply: ({ a, b }) => a!.matmul(param('W', [2, 1])).add(b!.matmul(param('V', [2, 1]))) as Tensor });
    await expect(loadModel(dir, { model: one })).rejects.toThrow(/loadModel: model\.json training: model\.compile: loss lists 2 losses, the model has 1 output/);
  });
});
