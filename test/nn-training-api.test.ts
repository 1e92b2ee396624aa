/** Custom graphs train like Keras models (issue 11): optimizers on any graph, runtime learning rates, the functional model, callbacks, metrics, and the edges. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callbacks, compile, crossEntropy, input, layers, loadModel, model, optimizers, param, Rng, schedules, sequential, toOneHot,
} from 'gradc';
import { blobs } from './helpers/blobs.js';

afterEach(() => vi.restoreAllMocks());


function mlp(seed = 1) {
  const m = sequential({ seed });
  m.add(layers.dense({ units: 8, inputDim: 4, activation: 'relu' }));
  m.add(layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

describe('optimizers on any graph: opt.updates(loss, params) against hand-written float64 formulas', () => {
  const n = 6, d = 3;
  const r = new Rng(4);
  const xs = Float32Array.from({ length: n * d }, () => r.normal());
  const ts = Float32Array.from({ length: n }, () => r.normal());
  const w0 = Float32Array.from({ length: d }, () => r.normal());
  // L = mean((x·w − t)²): ∂L/∂w = 2/n · xᵀ(xw − t)
  const gradient = (w: Float64Array) => {
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let z = -ts[i]!;
      for (let k = 0; k < d; k++) z += xs[i * d + k]! * w[k]!;
      for (let k = 0; k < d; k++) g[k] += (2 / n) * xs[i * d + k]! * z;
    }
    return g;
  };
  const run = (opt: ReturnType<typeof optimizers.adam>, steps: number, between?: (s: number) => void) => {
    const x = input('x', [n, d]);
    const t = input('t', [n]);
    const w = param('w', [d]);
    const loss = x.matmul(w.reshape([d, 1])).reshape([n]).sub(t).square().mean();
    const step = opt.updates(loss, [w]);
    const exe = compile({ inputs: [x, t, ...step.inputs], outputs: { loss }, updates: step.updates });
    exe.setParam(w, w0);
    step.init(exe);
    for (let s = 0; s < steps; s++) {
      between?.(s);
      exe.run({ x: xs, t: ts, ...step.next() });
    }
    expect(step.step).toBe(steps);
    return Float64Array.from(exe.getParam(w));
  };
  const close = (a: Float64Array, b: Float64Array) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5 + 1e-4 * Math.abs(b[i]!)));

  it('rmsprop, adagrad, adamw (decoupled decay), and a learning-rate schedule read at run time', () => {
    const cases: [ReturnType<typeof optimizers.adam>, (w: Float64Array, g: Float64Array, s: number, st: Float64Array[]) => void][] = [
      [optimizers.rmsprop({ learningRate: 0.05, rho: 0.8 }), (w, g, _s, [v]) => w.forEach((_, k) => { v![k] = 0.8 * v![k]! + 0.2 * g[k]! ** 2; w[k] -= (0.05 * g[k]!) / (Math.sqrt(v![k]!) + 1e-7); })],
      [optimizers.adagrad({ learningRate: 0.1 }), (w, g, s, [a]) => w.forEach((_, k) => { if (s === 1) a![k] = 0.1; a![k] += g[k]! ** 2; w[k] -= (0.1 * g[k]!) / (Math.sqrt(a![k]!) + 1e-7); })],
      [optimizers.adamw({ learningRate: 0.05, weightDecay: 0.1 }), (w, g, s, [m, v]) => w.forEach((_, k) => {
        m![k] = 0.9 * m![k]! + 0.1 * g[k]!; v![k] = 0.999 * v![k]! + 0.001 * g[k]! ** 2;
        const lrT = (0.05 * Math.sqrt(1 - 0.999 ** s)) / (1 - 0.9 ** s);
        w[k] = w[k]! * (1 - 0.05 * 0.1) - (lrT * m![k]!) / (Math.sqrt(v![k]!) + 1e-7);
      })],
      [optimizers.sgd({ learningRate: schedules.piecewiseConstant({ boundaries: [1], values: [0.1, 0.01] }) }), (w, g, s) => w.forEach((_, k) => { w[k] -= (s <= 2 ? 0.1 : 0.01) * g[k]!; })],
    ];
    for (const [opt, update] of cases) {
      const w = Float64Array.from(w0);
      const st = [new Float64Array(d), new Float64Array(d)];
      for (let s = 1; s <= 4; s++) update(w, gradient(w), s, st);
      close(run(opt, 4), w);
    }
  });

  it('momentum and adam on any graph; μ and λ changed between steps are read by the next step', () => {
    // momentum, μ 0.9 then 0.3 from step 3
    const mom = optimizers.momentum({ learningRate: 0.05, momentum: 0.9 });
    const w = Float64Array.from(w0), v = new Float64Array(d);
    for (let s = 0; s < 4; s++) {
      const g = gradient(w), mu = s < 2 ? 0.9 : 0.3;
      w.forEach((_, k) => { v[k] = mu * v[k]! - 0.05 * g[k]!; w[k] += v[k]!; });
    }
    close(run(mom, 4, (s) => { if (s === 2) mom.momentum = 0.3; }), w);
    // adam, and adamw with λ 0.1 then 0.5 from step 2
    for (const decay of [0, 0.1]) {
      const opt = decay === 0 ? optimizers.adam({ learningRate: 0.05 }) : optimizers.adamw({ learningRate: 0.05, weightDecay: decay });
      const p = Float64Array.from(w0), m1 = new Float64Array(d), v1 = new Float64Array(d);
      for (let s = 1; s <= 3; s++) {
        const g = gradient(p), lam = decay === 0 ? 0 : s === 1 ? 0.1 : 0.5;
        const lrT = (0.05 * Math.sqrt(1 - 0.999 ** s)) / (1 - 0.9 ** s);
        p.forEach((_, k) => {
          m1[k] = 0.9 * m1[k]! + 0.1 * g[k]!; v1[k] = 0.999 * v1[k]! + 0.001 * g[k]! ** 2;
          p[k] = p[k]! * (1 - 0.05 * lam) - (lrT * m1[k]!) / (Math.sqrt(v1[k]!) + 1e-7);
        });
      }
      close(run(opt, 3, (s) => { if (s === 1 && decay > 0) opt.weightDecay = 0.5; }), p);
    }
  });

  it('clips by global norm: g · min(1, c/‖g‖)', () => {
    const w = Float64Array.from(w0);
    for (let s = 0; s < 3; s++) {
      const g = gradient(w);
      const norm = Math.hypot(...g);
      w.forEach((_, k) => { w[k] -= 0.1 * g[k]! * Math.min(1, 0.05 / norm); });
    }
    close(run(optimizers.sgd({ learningRate: 0.1, globalClipNorm: 0.05 }), 3), w);
  });

  it('schedules follow Keras’ formulas', () => {
    const e = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(e(0)).toBe(0.1);
    expect(e(10)).toBeCloseTo(0.05, 12);
    expect(schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true })(19)).toBeCloseTo(0.05, 12);
    const c = schedules.cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    expect([c(0), c(50), c(100), c(200)].map((v) => +v.toFixed(12))).toEqual([1, 0.55, 0.1, 0.1]);
    expect(() => schedules.piecewiseConstant({ boundaries: [5], values: [1] })).toThrow(/values needs one more entry than boundaries \(2\), got 1/);
  });
});

describe('model.fit with runtime learning rates and callbacks', () => {
  const { x, y } = blobs(64, 2);

  it('a callback changing the learning rate or recompiling takes effect at once, without rebuilding the step', async () => {
    const rates: number[] = [];
    const a = mlp();
    a.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.sgd({ learningRate: 0.1 }) });
    const steps = new Set<unknown>();
    await a.fit(x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0, callbacks: {
      onBatchEnd: () => { steps.add(a.trainStep(32)); rates.push(a.learningRate as number); },
      onEpochEnd: (e) => { if (e === 0) a.learningRate = 1e-30; if (e === 1) a.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'sgd', learningRate: 1e-30 } }); },
    } });
    expect(steps.size).toBe(1); // one compiled step throughout
    expect(rates).toEqual([0.1, 0.1, 1e-30, 1e-30, 1e-30, 1e-30]);
    // lr 1e-30 (below float32 rounding of every weight) after epoch 1 leaves the weights where epoch 1 left them: compare with a model trained 1 epoch
    const b = mlp();
    b.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.sgd({ learningRate: 0.1 }) });
    await b.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('stopTraining, earlyStopping (restoring the best weights), terminateOnNaN, and one warning when the loss diverges', async () => {
    const m = mlp();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
    const h = await m.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0, callbacks: { onBatchEnd: (b) => { if (b === 1) m.stopTraining = true; } } });
    expect(h.epoch).toEqual([0]);
    expect(m.step).toBe(2);

    const es = callbacks.earlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
    const m2 = mlp();
    m2.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'sgd', learningRate: 1e-9 } });
    const h2 = await m2.fit(x, y, { epochs: 20, batchSize: 64, verbose: 0, callbacks: [es, { onEpochEnd: (e) => { if (e > 0) m2.learningRate = 50; } }] });
    expect(h2.epoch.length).toBeLessThan(20);
    expect(es.stoppedEpoch).toBe(h2.epoch.at(-1));
    await expect(mlp().fit(x, y)).rejects.toThrow(/model\.fit: call model\.compile/);

    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const bad = sequential({ seed: 1 }).add(layers.dense({ units: 8, inputDim: 4, activation: 'tanh' })).add(layers.dense({ units: 3 }));
    bad.compile({ loss: 'meanSquaredError', optimizer: { name: 'sgd', learningRate: 1e6 } });
    const h3 = await bad.fit(x, y, { epochs: 10, batchSize: 8, verbose: 0, callbacks: [callbacks.terminateOnNaN()] });
    expect(h3.epoch.length).toBeLessThan(10);
    expect(warned.mock.calls.filter((c) => /fit: the loss became (NaN|Infinity)/.test(String(c[0])))).toHaveLength(1);
    expect(err.mock.calls.some((c) => /terminateOnNaN: batch \d+: invalid loss/.test(String(c[0])))).toBe(true);
    // a diverged model is refused at save (load would refuse the file), and nothing is written
    await bad.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 }); // on to NaN weights
    const dir = join(mkdtempSync(join(tmpdir(), 'gradc-nan-')), 'm');
    await expect(bad.save(dir)).rejects.toThrow(/model\.save: 'dense_\d\/(kernel|bias)'\[\d+\] is (NaN|-?Infinity): the model has diverged .* nothing was written/);
    expect(existsSync(dir)).toBe(false);
  });

  it('modelCheckpoint saves the best epoch atomically; epochsTrained counts every epoch across loadModel + fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-ckpt-'));
    const m = mlp(3);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
    await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, validationSplit: 0.25, callbacks: [callbacks.modelCheckpoint({ path: join(dir, 'best'), saveBestOnly: true })] });
    const back = await loadModel(join(dir, 'best'));
    expect(back.epochsTrained).toBeGreaterThanOrEqual(1);
    await m.save(join(dir, 'last'));
    const resumed = await loadModel(join(dir, 'last'));
    expect(resumed.epochsTrained).toBe(3);
    await resumed.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(resumed.epochsTrained).toBe(5);
  });

  it('built-in schedules round-trip through save/load exactly: a resumed run equals an uninterrupted one, bit for bit', async () => {
    const made = [
      () => schedules.exponentialDecay({ initialLearningRate: 0.2, decaySteps: 3, decayRate: 0.7, staircase: true }),
      () => schedules.cosineDecay({ initialLearningRate: 0.3, decaySteps: 10, alpha: 0.05 }),
      () => schedules.piecewiseConstant({ boundaries: [2, 5], values: [0.3, 0.1, 0.02] }),
    ];
    for (const schedule of made) {
      const fresh = () => {
        const m = mlp(8);
        m.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.momentum({ learningRate: schedule(), momentum: 0.5 }) });
        return m;
      };
      const straight = fresh();
      await straight.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 }); // 16 steps, the rate changing as it goes
      const first = fresh();
      const dir = join(mkdtempSync(join(tmpdir(), 'gradc-sched-')), 'm');
      await first.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
      await first.save(dir);
      const back = await loadModel(dir);
      const lr = back.learningRate as ReturnType<typeof schedule>;
      expect(lr.config).toEqual(schedule().config);
      for (const s of [0, 1, 4, 7, 9, 30]) expect(lr(s)).toBe(schedule()(s));
      await back.fit(x, y, { epochs: 4, initialEpoch: back.epochsTrained, batchSize: 16, verbose: 0 });
      expect(back.getWeights()).toEqual(straight.getWeights());
    }
  });

  it('a learning rate given as a JS function cannot be saved: save warns once, naming the fix, and writes its current value', async () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const m = mlp(2);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.sgd({ learningRate: (step: number) => 0.1 / (1 + step) }) });
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 }); // 4 steps: the rate is now 0.1 / 5
    const dir = join(mkdtempSync(join(tmpdir(), 'gradc-fnrate-')), 'm');
    await m.save(dir);
    await m.save(dir);
    const texts = warned.mock.calls.map((c) => String(c[0])).filter((t) => t.startsWith('model.save'));
    expect(texts).toEqual([expect.stringMatching(/^model\.save: the learning rate is a JavaScript function, which cannot be saved; model\.json holds its current value 0\.02, so loadModel gives a constant rate\. Use a built-in schedule \(schedules\.exponentialDecay, cosineDecay or piecewiseConstant: saved and restored exactly\), or set model\.learningRate = yourSchedule again after loadModel$/)]);
    expect((await loadModel(dir)).learningRate).toBe(0.02);
  });

  it('metrics: binaryAccuracy, categoricalAccuracy, mse, mae, top-k, as Keras defines them', async () => {
    const m = mlp(5);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'mse', 'mae', { name: 'topKCategoricalAccuracy', k: 2 }, 'topKCategoricalAccuracy'] });
    const e = m.evaluate(x, y);
    const p = m.predict(x).data, t = y.data;
    let mse = 0, mae = 0, bin = 0, top2 = 0, cat = 0;
    for (let i = 0; i < 64; i++) {
      const row = [0, 1, 2].map((k) => p[i * 3 + k]!);
      const label = [0, 1, 2].find((k) => t[i * 3 + k] === 1)!;
      const rank = row.filter((v) => v > row[label]!).length;
      if (rank === 0) cat++;
      if (rank < 2) top2++;
      for (let k = 0; k < 3; k++) { const dd = row[k]! - t[i * 3 + k]!; mse += dd * dd; mae += Math.abs(dd); if (row[k]! > 0.5 === t[i * 3 + k]! > 0.5) bin++; }
    }
    expect(e.acc).toBeCloseTo(cat / 64, 6);
    expect(e.categorical_accuracy).toBeCloseTo(cat / 64, 6);
    expect(e.binary_accuracy).toBeCloseTo(bin / 192, 6);
    expect(e.mse).toBeCloseTo(mse / 192, 5);
    expect(e.mae).toBeCloseTo(mae / 192, 5);
    expect(e.top_2_categorical_accuracy).toBeCloseTo(top2 / 64, 6);
    expect(e.top_k_categorical_accuracy).toBe(1); // k = 5 ≥ 3 classes
  });

  it('refuses a learning rate given as a string, saying it is a string', () => {
    const m = mlp();
    expect(() => m.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'adam', learningRate: '0.01' } })).toThrow(
      /adam: learningRate must be a positive finite number or a schedule .*, got the string "0\.01" \(pass a number: 0\.01\)/,
    );
    expect(() => optimizers.sgd({ learningRate: 0.1, momentum: 0.9 } as never)).toThrow(/optimizer 'sgd' has no option 'momentum'; its options are learningRate, globalClipNorm/);
  });
});

describe('the functional model over any graph', () => {
  const { x, y, labels } = blobs(96, 7);

  it('trains a graph with a Sequential inside it, any batch size, and saves and loads into a rebuilt model', async () => {
    const build = () => {
      const trunk = sequential({ seed: 9 }).add(layers.dense({ units: 8, inputDim: 4, activation: 'tanh' }));
      const V = param('head/kernel', [8, 3]);
      return model({ inputShape: [4], apply: (inp) => trunk.apply(inp).matmul(V).softmax(), seed: 11 });
    };
    const m = build();
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: optimizers.adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
    const h = await m.fit(x, { shape: [96], data: labels }, { epochs: 15, batchSize: 40, verbose: 0 }); // 40 + 40 + 16: two step sizes
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]! * 0.5);
    expect(m.evaluate(x, { shape: [96], data: labels }).acc!).toBeGreaterThan(0.85);
    const dir = join(mkdtempSync(join(tmpdir(), 'gradc-fn-')), 'm');
    await m.save(dir);
    await expect(loadModel(dir)).rejects.toThrow(/holds a functional model, whose graph is your code: build it again with model\(\{ … \}\) and pass it: loadModel\(dir, \{ model \}\)/);
    const back = await loadModel(dir, { model: build() });
    expect(back.predict(x).data).toEqual(m.predict(x).data);
    expect(back.step).toBe(m.step);
  });

  it('a graph of fixed batch size runs whole batches only, and says how to run any size', async () => {
    const inp = input('pixels', [32, 4]);
    const W = param('W', [4, 3]);
    const out = inp.matmul(W).softmax();
    const m = model({ inputs: inp, outputs: out, seed: 1 });
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
    const h = await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
    expect(m.step).toBe(6);
    await expect(m.fit({ shape: [40, 4], data: x.data.slice(0, 160) }, { shape: [40, 3], data: y.data.slice(0, 120) }, { verbose: 0 }))
      .rejects.toThrow(/fit: 40 rows are not a whole number of batches of 32 .*build the model with model\(\{ inputShape, apply \}\)/);
    expect(() => model({ inputs: inp, outputs: crossEntropy(out, input('t', [32, 3])) })).toThrow(/model: the output must be \[batch, units\]/);
  });
});
