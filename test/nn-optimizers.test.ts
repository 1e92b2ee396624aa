// The training step's updates against independent float64 formulas: the analytic gradient of a
// softmax layer under cross-entropy (dz = (softmax(xW + b) − t)/n) and of a linear layer under
// MSE (dz = 2(y − t)/(n·units)), then Keras' SGD, momentum and Adam written out by hand.
import { describe, expect, it } from 'vitest';
import { layers, optimizers, Rng, sequential, type CompileArgs } from 'gradc';

const n = 12, d = 5, k = 3;

function data(seed: number) {
  const r = new Rng(seed);
  const x = Float32Array.from({ length: n * d }, () => r.normal());
  const t = new Float32Array(n * k);
  for (let i = 0; i < n; i++) t[i * k + r.int(k)] = 1;
  return { x, t };
}

/** Gradient of mean-over-rows loss for one dense layer: returns [dW, db]. */
function gradients(x: Float32Array, t: Float32Array, W: Float64Array, b: Float64Array, kind: 'softmaxCE' | 'linearMSE'): [Float64Array, Float64Array] {
  const dW = new Float64Array(d * k), db = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(k);
    for (let j = 0; j < k; j++) { z[j] = b[j]!; for (let a = 0; a < d; a++) z[j] += x[i * d + a]! * W[a * k + j]!; }
    const dz = new Float64Array(k);
    if (kind === 'softmaxCE') {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((p, q) => p + q, 0);
      for (let j = 0; j < k; j++) dz[j] = (e[j]! / s - t[i * k + j]!) / n;
    } else {
      for (let j = 0; j < k; j++) dz[j] = (2 * (z[j]! - t[i * k + j]!)) / (n * k);
    }
    for (let j = 0; j < k; j++) { db[j] += dz[j]!; for (let a = 0; a < d; a++) dW[a * k + j] += x[i * d + a]! * dz[j]!; }
  }
  return [dW, db];
}

function expectClose(actual: Float32Array, expected: Float64Array) {
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-5 + 1e-4 * Math.abs(expected[i]!));
  }
}

async function runSteps(opt: CompileArgs['optimizer'], kind: 'softmaxCE' | 'linearMSE', steps: number) {
  const { x, t } = data(11);
  const m = sequential({ seed: 3 });
  m.add(layers.dense({ units: k, inputDim: d, activation: kind === 'softmaxCE' ? 'softmax' : 'linear' }));
  m.compile({ loss: kind === 'softmaxCE' ? 'categoricalCrossentropy' : 'meanSquaredError', optimizer: opt as never, backend: 'reference' });
  const w0 = m.getWeights();
  await m.fit({ shape: [n, d], data: x }, { shape: [n, k], data: t }, { epochs: steps, batchSize: n, shuffle: false, verbose: 0 });
  return { x, t, w0, w: m.getWeights(), model: m };
}

describe('optimizer updates match hand-written formulas', () => {
  for (const kind of ['softmaxCE', 'linearMSE'] as const) {
    it(`sgd (${kind}): w ← w − lr·g`, async () => {
      const { x, t, w0, w } = await runSteps(optimizers.sgd(0.5), kind, 3);
      const W = Float64Array.from(w0.get('dense_1/kernel')!), b = Float64Array.from(w0.get('dense_1/bias')!);
      for (let s = 0; s < 3; s++) {
        const [dW, db] = gradients(x, t, W, b, kind);
        for (let i = 0; i < W.length; i++) W[i] -= 0.5 * dW[i]!;
        for (let i = 0; i < b.length; i++) b[i] -= 0.5 * db[i]!;
      }
      expectClose(w.get('dense_1/kernel')!, W);
      expectClose(w.get('dense_1/bias')!, b);
    });
  }

  it('momentum: v ← μv − lr·g, w ← w + v', async () => {
    const { x, t, w0, w } = await runSteps({ name: 'momentum', learningRate: 0.3, momentum: 0.8 } as never, 'softmaxCE', 4);
    const W = Float64Array.from(w0.get('dense_1/kernel')!), b = Float64Array.from(w0.get('dense_1/bias')!);
    const vW = new Float64Array(W.length), vb = new Float64Array(b.length);
    for (let s = 0; s < 4; s++) {
      const [dW, db] = gradients(x, t, W, b, 'softmaxCE');
      for (let i = 0; i < W.length; i++) { vW[i] = 0.8 * vW[i]! - 0.3 * dW[i]!; W[i] += vW[i]!; }
      for (let i = 0; i < b.length; i++) { vb[i] = 0.8 * vb[i]! - 0.3 * db[i]!; b[i] += vb[i]!; }
    }
    expectClose(w.get('dense_1/kernel')!, W);
    expectClose(w.get('dense_1/bias')!, b);
  });

  it("adam with Keras' defaults (lr 1e-3, β 0.9/0.999, ε 1e-7) and with a larger step", async () => {
    for (const [opt, lr] of [['adam', 1e-3], [optimizers.adam(0.05, 0.8, 0.99, 1e-4), 0.05]] as const) {
      const [b1, b2, eps] = typeof opt === 'string' ? [0.9, 0.999, 1e-7] : [0.8, 0.99, 1e-4];
      const { x, t, w0, w, model } = await runSteps(opt, 'softmaxCE', 5);
      expect(model.step).toBe(5);
      const W = Float64Array.from(w0.get('dense_1/kernel')!), b = Float64Array.from(w0.get('dense_1/bias')!);
      const st = [W, b].map((p) => ({ p, m: new Float64Array(p.length), v: new Float64Array(p.length) }));
      for (let s = 1; s <= 5; s++) {
        const g = gradients(x, t, W, b, 'softmaxCE');
        const lrT = (lr * Math.sqrt(1 - b2 ** s)) / (1 - b1 ** s);
        st.forEach(({ p, m, v }, j) => {
          for (let i = 0; i < p.length; i++) {
            m[i] = b1 * m[i]! + (1 - b1) * g[j]![i]!;
            v[i] = b2 * v[i]! + (1 - b2) * g[j]![i]! ** 2;
            p[i] -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + eps);
          }
        });
      }
      expectClose(w.get('dense_1/kernel')!, W);
      expectClose(w.get('dense_1/bias')!, b);
    }
  });

  it('μ, AdamW’s λ and the learning rate changed from a callback change the next update exactly as the formulas say, with no recompile', async () => {
    const { x, t } = data(11);
    const X = { shape: [n, d], data: x }, T = { shape: [n, k], data: t };
    for (const backend of ['js', 'wasm'] as const) {
      // momentum: μ and lr per step (one batch per epoch), changed by callbacks after epochs 0, 1 and 2
      const m = sequential({ seed: 3 }).add(layers.dense({ units: k, inputDim: d, activation: 'softmax' }));
      m.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.momentum({ learningRate: 0.3, momentum: 0.8 }), backend });
      const w0 = m.getWeights();
      const programs = new Set<unknown>();
      await m.fit(X, T, { epochs: 4, batchSize: n, shuffle: false, verbose: 0, callbacks: { onEpochEnd: (e) => {
        programs.add(m.trainStep(n));
        if (e === 0) m.optimizer.momentum = 0.2;
        if (e === 1) m.learningRate = 0.1;
        if (e === 2) m.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.momentum({ learningRate: 0.05, momentum: 0.5 }), backend });
      } } });
      expect(programs.size).toBe(1); // one compiled step throughout
      const mus = [0.8, 0.2, 0.2, 0.5], lrs = [0.3, 0.3, 0.1, 0.05];
      const W = Float64Array.from(w0.get('dense_1/kernel')!), b = Float64Array.from(w0.get('dense_1/bias')!);
      const vW = new Float64Array(W.length), vb = new Float64Array(b.length);
      for (let s = 0; s < 4; s++) {
        const [dW, db] = gradients(x, t, W, b, 'softmaxCE');
        for (let i = 0; i < W.length; i++) { vW[i] = mus[s]! * vW[i]! - lrs[s]! * dW[i]!; W[i] += vW[i]!; }
        for (let i = 0; i < b.length; i++) { vb[i] = mus[s]! * vb[i]! - lrs[s]! * db[i]!; b[i] += vb[i]!; }
      }
      const w = m.getWeights();
      expectClose(w.get('dense_1/kernel')!, W);
      expectClose(w.get('dense_1/bias')!, b);

      // adamw: λ 0.1 for two steps, then 2 (set on the optimizer from a callback)
      const a = sequential({ seed: 4 }).add(layers.dense({ units: k, inputDim: d, activation: 'softmax' }));
      a.compile({ loss: 'categoricalCrossentropy', optimizer: optimizers.adamw({ learningRate: 0.05, weightDecay: 0.1 }), backend });
      const a0 = a.getWeights();
      await a.fit(X, T, { epochs: 4, batchSize: n, shuffle: false, verbose: 0, callbacks: { onEpochEnd: (e) => { if (e === 1) a.optimizer.weightDecay = 2; } } });
      const lambdas = [0.1, 0.1, 2, 2];
      const AW = Float64Array.from(a0.get('dense_1/kernel')!), Ab = Float64Array.from(a0.get('dense_1/bias')!);
      const st = [AW, Ab].map((p) => ({ p, m1: new Float64Array(p.length), v1: new Float64Array(p.length) }));
      for (let s = 1; s <= 4; s++) {
        const g = gradients(x, t, AW, Ab, 'softmaxCE');
        const lrT = (0.05 * Math.sqrt(1 - 0.999 ** s)) / (1 - 0.9 ** s);
        st.forEach(({ p, m1, v1 }, j) => {
          for (let i = 0; i < p.length; i++) {
            m1[i] = 0.9 * m1[i]! + 0.1 * g[j]![i]!;
            v1[i] = 0.999 * v1[i]! + 0.001 * g[j]![i]! ** 2;
            p[i] = p[i]! * (1 - 0.05 * lambdas[s - 1]!) - (lrT * m1[i]!) / (Math.sqrt(v1[i]!) + 1e-7);
          }
        });
      }
      const aw = a.getWeights();
      expectClose(aw.get('dense_1/kernel')!, AW);
      expectClose(aw.get('dense_1/bias')!, Ab);
    }
    const sgd = optimizers.sgd(0.1);
    expect(() => { sgd.momentum = 0.5; }).toThrow(/optimizer 'sgd' has no momentum; use optimizers\.momentum\(\{ learningRate, momentum \}\)/);
    expect(() => { optimizers.momentum(0.1).momentum = 1.5; }).toThrow(/momentum: momentum must be in \[0, 1\), got 1\.5/);
    expect(() => { optimizers.adamw().weightDecay = -1; }).toThrow(/adamw: weightDecay must be a finite number ≥ 0, got -1/);
  });

  it('rejects bad optimizer settings clearly', () => {
    expect(() => optimizers.adam(-1)).toThrow(/adam: learningRate must be a positive finite number or a schedule .*, got -1/);
    expect(() => optimizers.adam(1e-3, 1)).toThrow(/adam: beta1 must be in \[0, 1\), got 1/);
    expect(() => optimizers.momentum(0.1, 1.5)).toThrow(/momentum must be in \[0, 1\)/);
    const m = sequential({ seed: 1 }).add(layers.dense({ units: 2, inputDim: 2, activation: 'softmax' }));
    expect(() => m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adamax' })).toThrow(/unknown optimizer "adamax"; use one of 'sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'/);
    expect(() => m.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'adam', lr: 0.1 } })).toThrow(/optimizer 'adam' has no option 'lr'; its options are learningRate, beta1, beta2, epsilon, globalClipNorm/);
  });
});
