// fit's batch loop against a hand-written one: the same shuffled order (an Rng of the same seed),
// rows copied by hand into the very step programs fit runs, the loss and accuracy counted by hand.
// fit writes one-hot target rows from each row's class (read in the epoch's order), gathers soft
// targets as they are; both must feed the step exactly what the hand loop feeds it.
import { describe, expect, it } from 'vitest';
import { layers, Rng, sequential } from 'gradc';

const N = 100, WIDTH = 4, BATCH = 8, EPOCHS = 2, SEED = 5;

function data(units: number, soft: boolean) {
  const r = new Rng(11);
  const x = new Float32Array(N * WIDTH).map(() => r.normal());
  const y = new Float32Array(N * units);
  for (let i = 0; i < N; i++) {
    const c = r.int(units);
    if (!soft) y[i * units + c] = 1;
    else for (let k = 0; k < units; k++) y[i * units + k] = k === c ? 0.8 : 0.2 / (units - 1);
  }
  return { x: { shape: [N, WIDTH], data: x }, y: { shape: [N, units], data: y } };
}

function model(units: number) {
  const m = sequential({ seed: 3 });
  m.add(layers.dense({ units: 6, inputDim: WIDTH, activation: 'relu' }));
  m.add(layers.dense({ units, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, metrics: ['accuracy'] });
  return m;
}

function argmax(a: ArrayLike<number>, base: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (a[base + k]! > a[base + best]!) best = k;
  return best;
}

/** SGD steps on batches of the shuffled order, by hand: the weights, and each epoch's mean loss and accuracy. */
function byHand(units: number, soft: boolean) {
  const { x, y } = data(units, soft);
  const m = model(units);
  const full = m.trainStep(BATCH, !soft), last = m.trainStep(N % BATCH, !soft);
  const rng = new Rng(SEED);
  const loss: number[] = [], acc: number[] = [];
  for (let e = 0; e < EPOCHS; e++) {
    const order = rng.shuffle(Int32Array.from({ length: N }, (_, i) => i));
    let lossSum = 0, correct = 0;
    for (let from = 0; from < N; from += BATCH) {
      const rows = Math.min(BATCH, N - from);
      const xb = new Float32Array(rows * WIDTH), tb = new Float32Array(rows * units);
      for (let i = 0; i < rows; i++) {
        xb.set(x.data.subarray(order[from + i]! * WIDTH, (order[from + i]! + 1) * WIDTH), i * WIDTH);
        tb.set(y.data.subarray(order[from + i]! * units, (order[from + i]! + 1) * units), i * units);
      }
      const out = (rows === BATCH ? full : last).run({ x: xb, target: tb, 'sgd/lr': new Float32Array([0.1]) } as never);
      lossSum += out['loss']![0]! * rows;
      for (let i = 0; i < rows; i++) if (argmax(out['y']!, i * units, units) === argmax(tb, i * units, units)) correct++;
    }
    loss.push(lossSum / N);
    acc.push(correct / N);
  }
  const weights = m.params.map((p) => {
    const v = new Float32Array(p.size);
    full.readParam(p, v);
    return v;
  });
  return { weights, loss, acc };
}

describe('fit: the batches it feeds', () => {
  for (const [units, soft] of [[3, false], [3, true], [300, false]] as const) {
    it(`trains exactly as a hand-written loop: ${units} classes, ${soft ? 'soft targets (gathered)' : 'one-hot targets (written from classes)'}`, async () => {
      const ref = byHand(units, soft);
      const { x, y } = data(units, soft);
      const m = model(units);
      const h = await m.fit(x, y, { epochs: EPOCHS, batchSize: BATCH, seed: SEED, verbose: 0 });
      const w = [...m.getWeights().values()];
      expect(w.length).toBe(ref.weights.length);
      w.forEach((v, i) => expect(v).toEqual(ref.weights[i]));
      expect(h.history.loss).toEqual(ref.loss.map((v) => expect.closeTo(v, 12)));
      expect(h.history.acc).toEqual(ref.acc);
    });
  }

  it('checks every row of soft targets, also after the first row that is not one-hot', async () => {
    const { x, y } = data(3, true);
    y.data.set([1, 0.1, 0.1], 3 * 3); // row 3 sums to 1.2
    await expect(model(3).fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow('fit: y row 3 sums to 1.2');
  });

  it('still names the first non-finite or out-of-range target, as before', async () => {
    const { x, y } = data(3, false);
    y.data[7] = 2;
    y.data[20] = Number.NaN;
    await expect(model(3).fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow('fit: y contains NaN at index [6, 2]');
    y.data[20] = 0;
    await expect(model(3).fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow('fit: y index [2, 1] = 2 is not a probability in [0, 1]');
  });

  it('takes −0 in one-hot rows as 0', async () => {
    const { x, y } = data(3, false);
    const neg = Float32Array.from(y.data, (v) => (v === 0 ? -0 : v));
    const a = model(3), b = model(3);
    await a.fit(x, y, { epochs: 1, batchSize: BATCH, seed: 1, verbose: 0 });
    await b.fit(x, { shape: y.shape, data: neg }, { epochs: 1, batchSize: BATCH, seed: 1, verbose: 0 });
    expect([...b.getWeights().values()]).toEqual([...a.getWeights().values()]);
  });
});
