import { describe, expect, it } from 'vitest';
import { layers, Rng, sequential, toOneHot, type BatchLogs } from 'gradc';
import { blobs } from './helpers/blobs.js';

function mlp(seed: number, out = 3, act: 'softmax' | 'sigmoid' | 'linear' = 'softmax') {
  const m = sequential({ seed });
  m.add(layers.dense({ units: 8, inputDim: 4, activation: 'relu' }));
  m.add(layers.dense({ units: out, activation: act }));
  return m;
}

describe('sequential: training', () => {
  it('learns blobs with every loss, and reports history like tfjs', async () => {
    const { x, y, labels } = blobs(120, 1);
    const cases = [
      { loss: 'categoricalCrossentropy', y, out: 3, act: 'softmax' },
      { loss: 'sparseCategoricalCrossentropy', y: { shape: [120], data: labels }, out: 3, act: 'softmax' },
      { loss: 'binaryCrossentropy', y: { shape: [120, 1], data: labels.map((v) => (v === 0 ? 1 : 0)) }, out: 1, act: 'sigmoid' },
      { loss: 'meanSquaredError', y, out: 3, act: 'linear' },
    ] as const;
    for (const c of cases) {
      const m = mlp(2, c.out, c.act);
      m.compile({ loss: c.loss, optimizer: { name: 'adam', learningRate: 0.03 }, metrics: ['accuracy'], backend: 'reference' });
      const h = await m.fit(x, c.y, { epochs: 8, batchSize: 32, verbose: 0 });
      expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(h.history.loss).toHaveLength(8);
      expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]! * 0.7);
      expect(h.history.acc!.at(-1)!).toBeGreaterThan(0.85);
      const e = m.evaluate(x, c.y);
      expect(e.acc!).toBeGreaterThan(0.85);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
  });

  it('is bit-for-bit reproducible with a seed, and different with another', async () => {
    const { x, y } = blobs(70, 2);
    const run = async (seed: number) => {
      const m = mlp(seed);
      m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'], backend: 'reference' });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
      return { h: h.history.loss, w: m.getWeights().get('dense_1/kernel')! };
    };
    const a = await run(5), b = await run(5), c = await run(6);
    expect(b.h).toEqual(a.h);
    expect(b.w).toEqual(a.w);
    expect(c.h).not.toEqual(a.h);
  });

  it('trains on the last, smaller batch too (steps per epoch = ceil(n / batch))', async () => {
    const { x, y } = blobs(50, 3);
    const m = mlp(4);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', backend: 'reference' });
    const sizes: number[] = [];
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: { onBatchEnd: (_b: number, l: BatchLogs) => { sizes.push(l.size); } } });
    expect(sizes).toEqual([16, 16, 16, 2, 16, 16, 16, 2]);
    expect(m.step).toBe(8);
    // without the last two rows the weights come out different: those rows were trained on
    const m2 = mlp(4);
    m2.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', backend: 'reference' });
    await m2.fit({ shape: [48, 4], data: x.data.subarray(0, 192) }, { shape: [48, 3], data: y.data.subarray(0, 144) }, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    const m3 = mlp(4);
    m3.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', backend: 'reference' });
    await m3.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    expect(m3.getWeights().get('dense_2/bias')).not.toEqual(m2.getWeights().get('dense_2/bias'));
  });

  it('validates with validationSplit (last rows, Keras-style) or validationData, and runs callbacks in order', async () => {
    const { x, y } = blobs(100, 4);
    const m = mlp(5);
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['acc'], backend: 'reference' });
    const events: string[] = [];
    const h = await m.fit(x, y, {
      epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2,
      callbacks: {
        onTrainBegin: () => { events.push('begin'); },
        onEpochBegin: (e) => { events.push(`e${e}`); },
        onEpochEnd: async (e, logs) => { events.push(`end${e}:${Object.keys(logs).join(',')}`); },
        onTrainEnd: () => { events.push('done'); },
      },
    });
    expect(events).toEqual(['begin', 'e0', 'end0:loss,acc,val_loss,val_acc', 'e1', 'end1:loss,acc,val_loss,val_acc', 'done']);
    expect(h.history.val_loss).toHaveLength(2);
    // the held-out 20 rows are exactly what evaluate on them reports
    const tail = m.evaluate({ shape: [20, 4], data: x.data.subarray(320) }, { shape: [20, 3], data: y.data.subarray(240) });
    expect(tail.loss).toBeCloseTo(h.history.val_loss![1]!, 6);
    const h2 = await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y] });
    expect(h2.history.val_acc).toHaveLength(1);
  });

  it('the compiled step (js) trains like the reference interpreter, loss by loss', async () => {
    const { x, y } = blobs(90, 8);
    const run = async (backend: 'js' | 'reference') => {
      const m = mlp(12);
      m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'], backend });
      const losses: number[] = [];
      await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: { onBatchEnd: (_b, l) => { losses.push(l.loss); } } });
      return { losses, w: m.getWeights(), p: m.predict(x).data };
    };
    const js = await run('js'), ref = await run('reference');
    expect(js.losses).toHaveLength(18);
    js.losses.forEach((v, i) => expect(Math.abs(v - ref.losses[i]!)).toBeLessThan(1e-4 * Math.abs(ref.losses[i]!) + 1e-6));
    for (const [k, w] of ref.w) w.forEach((v, i) => expect(Math.abs(js.w.get(k)![i]! - v)).toBeLessThan(1e-4 * Math.abs(v) + 1e-5));
    ref.p.forEach((v, i) => expect(Math.abs(js.p[i]! - v)).toBeLessThan(1e-4));
  });

  it('predict gives probabilities [n, units] and accepts nested arrays', () => {
    const m = mlp(6);
    const p = m.predict([[1, 2, 3, 4], [0, 0, 0, 0], [-1, 0.5, 2, 1]]);
    expect(p.shape).toEqual([3, 3]);
    for (let i = 0; i < 3; i++) expect(p.data[i * 3]! + p.data[i * 3 + 1]! + p.data[i * 3 + 2]!).toBeCloseTo(1, 5);
    // batching does not change the answer
    const q = m.predict([[1, 2, 3, 4], [0, 0, 0, 0], [-1, 0.5, 2, 1]], { batchSize: 2 });
    expect(q.data).toEqual(p.data);
  });
});

describe('sequential: clear errors before training', () => {
  const { x, y, labels } = blobs(20, 9);
  const compiled = (loss = 'categoricalCrossentropy') => {
    const m = mlp(1);
    m.compile({ loss, optimizer: 'adam', backend: 'reference' });
    return m;
  };
  const cases: [string, () => unknown, RegExp][] = [
    ['no input size', () => sequential().add(layers.dense({ units: 3 })), /first layer needs its input size: layers.dense\(\{ units, inputDim: 784 \}\)/],
    ['unknown activation', () => layers.dense({ units: 3, activation: 'gelu' as never }), /unknown activation "gelu"; use one of 'linear', 'relu', 'sigmoid', 'tanh', 'softmax'/],
    ['bad units', () => layers.dense({ units: 0 }), /units must be a positive integer, got 0/],
    ['unknown dense option', () => layers.dense({ units: 3, activaton: 'relu' } as never), /unknown option 'activaton'/],
    ['unknown loss', () => mlp(1).compile({ loss: 'crossentropy', optimizer: 'adam' }), /unknown loss "crossentropy"; use one of 'categoricalCrossentropy'/],
    ['loss without softmax', () => mlp(1, 3, 'linear').compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' }), /make the last layer's activation 'softmax' \(it is 'linear'\)/],
    ['unknown metric', () => mlp(1).compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['f1'] }), /unknown metric "f1"/],
    ['unknown backend', () => mlp(1).compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', backend: 'gpu' as never }), /unknown backend "gpu"/],
    ['fit before compile', () => mlp(1).fit(x, y), /call model.compile\(\{ loss, optimizer, metrics \}\) first/],
    ['wrong x shape', () => compiled().fit({ shape: [20, 2], data: new Float32Array(40) }, y, { verbose: 0 }), /fit: x has shape \[20, 2\], the model takes \[n, 4\]/],
    ['NaN in x', () => { const d = x.data.slice(); d[13] = NaN; return compiled().fit({ shape: [20, 4], data: d }, y, { verbose: 0 }); }, /fit: x contains NaN at index \[3, 1\]/],
    ['x/y count', () => compiled().fit(x, { shape: [19, 3], data: y.data.subarray(0, 57) }, { verbose: 0 }), /fit: y has shape \[19, 3\], the model outputs \[20, 3\] for 20 examples/],
    ['labels as indices to categorical', () => compiled().fit(x, { shape: [20], data: labels }, { verbose: 0 }), /use loss 'sparseCategoricalCrossentropy'/],
    ['label out of range', () => { const l = labels.slice(); l[4] = 3; return compiled('sparseCategoricalCrossentropy').fit(x, { shape: [20], data: l }, { verbose: 0 }); }, /fit: y\[4\] = 3 is not a class index in \[0, 2\]/],
    ['negative target', () => { const d = y.data.slice(); d[5] = -1; return compiled().fit(x, { shape: [20, 3], data: d }, { verbose: 0 }); }, /not a probability in \[0, 1\]/],
    ['row not a distribution', () => { const d = y.data.slice(); d.fill(1, 0, 3); return compiled().fit(x, { shape: [20, 3], data: d }, { verbose: 0 }); }, /fit: y row 0 sums to 3/],
    ['ragged nested', () => compiled().predict([[1, 2, 3, 4], [1, 2]]), /row 1 has 2 values, row 0 has 4/],
    ['bad batch size', () => compiled().fit(x, y, { batchSize: 0, verbose: 0 }), /fit: batchSize must be a positive integer, got 0/],
    ['unknown fit option', () => compiled().fit(x, y, { epoch: 3 } as never), /fit: unknown option 'epoch'/],
    ['both validations', () => compiled().fit(x, y, { validationSplit: 0.1, validationData: [x, y], verbose: 0 }), /validationSplit or validationData, not both/],
    ['bad layer name', () => layers.dense({ units: 2, name: '__proto__' }), /layer name "__proto__" is invalid/],
    ['data length', () => compiled().predict({ shape: [2, 4], data: new Float32Array(7) }), /shape \[2, 4\] holds 8 values but data has 7/],
  ];
  for (const [name, f, msg] of cases) {
    it(name, async () => {
      await expect((async () => f())()).rejects.toThrow(msg);
    });
  }
});

describe('sequential: views', () => {
  it('summary lists layers with parameter counts; toMermaid draws input → hidden → output', () => {
    const m = sequential({ seed: 1 });
    m.add(layers.dense({ units: 32, inputDim: 784, activation: 'relu' }));
    m.add(layers.dense({ units: 10, activation: 'softmax' }));
    const s = m.summary(null);
    expect(s).toMatch(/dense_1 \(Dense, relu\)\s+\[null, 32\]\s+25120/);
    expect(s).toMatch(/dense_2 \(Dense, softmax\)\s+\[null, 10\]\s+330/);
    expect(s).toContain('Total params: 25,450'); // 784·32 + 32 + 32·10 + 10
    expect(m.toMermaid()).toBe([
      'flowchart LR',
      '  input["input<br/>784 features"]',
      '  L1["dense_1: dense 32<br/>relu · hidden<br/>25,120 params"]',
      '  L2["dense_2: dense 10<br/>softmax · output<br/>330 params"]',
      '  input --> L1',
      '  L1 -->|32| L2',
      '  L2 --> out(["10 outputs"])',
    ].join('\n'));
  });
});
