// Models exported to ONNX and run by onnxruntime, against gradc's compiled programs (the default
// backend): predictions within 1e-5, and 20 training steps through onnxruntime (gradc keeping the
// loop: batches, the optimizer's scalar inputs, params and slots fed back) ending at the same
// params and optimizer slots as 20 steps of gradc's `fit`, within float32 tolerance (2e-6, relative
// or absolute below 1; measured: a few ulps, ≤ 2e-7).
import { describe, expect, it } from 'vitest';
import { input, layers, model, param, sequential, toOneHot, type Model } from 'gradc';
import { exportOnnx } from 'gradc/onnx';
import { blobs } from './helpers/blobs.js';
import { Rng } from 'gradc';
import { ort, ortMissing } from './helpers/onnxruntime.js';
import { session, worst, type Feed } from './helpers/onnx-run.js';

const B = 32;
const STEPS = 20;

function seq(act: 'relu' | 'tanh' | 'sigmoid', units: number, out: 'softmax' | 'sigmoid' | 'linear', seed = 3) {
  const m = sequential({ seed });
  m.add(layers.dense({ units, inputDim: 4, activation: act }));
  m.add(layers.dense({ units: 5, activation: 'relu' }));
  m.add(layers.dense({ units: out === 'sigmoid' ? 1 : 3, activation: out }));
  return m;
}

/** A functional model over a graph of its own: a residual tanh block and a softplus gate. */
function functional(seed = 4) {
  const x = input('x', [B, 4]);
  const W1 = param('block/W', [4, 4]);
  const b1 = param('block/b', [4]);
  const W2 = param('head/W', [4, 3]);
  const h = x.add(x.matmul(W1).add(b1).tanh()).softplus();
  const y = h.matmul(W2).softmax();
  return model({ inputs: x, outputs: y, seed });
}

async function predictOnOrt(m: Model, x: Float32Array, rows: number): Promise<Float32Array> {
  const g = exportOnnx(m, { batchSize: rows });
  const s = await session(ort!, g.bytes);
  const xIn = g.inputs[0]!;
  return (await s.run({ [xIn.name]: x.subarray(0, rows * 4) }, { [xIn.name]: xIn.shape }))['y'] as Float32Array;
}

describe.skipIf(ort === null)(`ONNX models on onnxruntime${ort === null ? ` (skipped: ${ortMissing})` : ''}`, () => {
  it('sequential: the exported predict graph gives model.predict within 1e-5', async () => {
    const { x, y } = blobs(B, 1);
    const m = seq('relu', 8, 'softmax');
    m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 }); // trained weights, not the initial ones
    const want = m.predict(x, { batchSize: B }).data;
    const got = await predictOnOrt(m, x.data, B);
    expect(worst(got, want).err).toBeLessThanOrEqual(1e-5);
  });

  it('functional model({ inputs, outputs }): the exported predict graph gives model.predict within 1e-5', async () => {
    const { x } = blobs(B, 2);
    const m = functional();
    const want = m.predict(x).data;
    const got = await predictOnOrt(m, x.data, B);
    expect(worst(got, want).err).toBeLessThanOrEqual(1e-5);
  });

  it('bytes in: the seed-style model (rescaling, UINT8 input) gives model.predict within 1e-5', async () => {
    const m = sequential({ seed: 9 });
    m.add(layers.rescaling({ scale: 1 / 255, inputDim: 16 }));
    m.add(layers.dense({ units: 6, activation: 'relu' }));
    m.add(layers.dense({ units: 3, activation: 'softmax' }));
    const px = Uint8Array.from({ length: 8 * 16 }, (_, i) => (i * 37) % 256);
    const want = m.predict({ shape: [8, 16], data: px }).data;
    const g = exportOnnx(m, { batchSize: 8, bytes: true });
    expect(g.inputs[0]).toMatchObject({ name: 'x', dtype: 'uint8', shape: [8, 16] });
    const s = await session(ort!, g.bytes);
    const got = (await s.run({ x: px }, { x: [8, 16] }))['y']!;
    expect(worst(got, want).err).toBeLessThanOrEqual(1e-5);
  });

  it('several inputs and outputs (functional): each output under its name, predict and 20 training steps as gradc', async () => {
    // two inputs, a shared first layer; two heads: softmax over 3 classes, a linear score
    const build = () => {
      const W = param('shared/W', [4, 6]), b = param('shared/b', [6]);
      const C = param('cls/W', [6, 3]), R = param('score/W', [6, 1]), Q = param('score/Q', [2, 1]);
      return model({
        inputShape: { a: [4], b: [2] },
        apply: ({ a, b: extra }) => {
          const h = a!.matmul(W).add(b).tanh();
          return { cls: h.matmul(C).softmax(), score: h.matmul(R).add(extra!.matmul(Q)) };
        },
        seed: 11,
      });
    };
    const rng = new Rng(21);
    const col = (k: number) => Float32Array.from({ length: B * STEPS * k }, () => rng.normal());
    const a = col(4), bIn = col(2), score = col(1);
    const labels = Float32Array.from({ length: B * STEPS }, () => Math.floor(rng.uniform(0, 3)));
    const cls = toOneHot(labels, 3).data;
    const m = build();
    m.compile({ loss: { cls: 'categoricalCrossentropy', score: 'meanSquaredError' }, lossWeights: { score: 0.5 }, optimizer: { name: 'adam', learningRate: 0.02 } });

    // predict: outputs named cls and score, inputs a and b
    const p = exportOnnx(m, { batchSize: B });
    expect(p.inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(p.outputs.map((o) => o.name)).toEqual(['cls', 'score']);
    const want = m.predict({ a: { shape: [B, 4], data: a.subarray(0, B * 4) }, b: { shape: [B, 2], data: bIn.subarray(0, B * 2) } }) as unknown as Record<string, { data: Float32Array }>;
    const ps = await session(ort!, p.bytes);
    const got = await ps.run({ a: a.subarray(0, B * 4), b: bIn.subarray(0, B * 2) }, { a: [B, 4], b: [B, 2] });
    for (const k of ['cls', 'score']) expect(worst(got[k]!, want[k]!.data).err, k).toBeLessThanOrEqual(1e-5);

    // the training step: the total loss, each head's loss by name, targets by head
    const g = exportOnnx(m, { step: 'train', batchSize: B });
    expect(g.outputs.slice(0, 5).map((o) => o.name)).toEqual(['loss', 'cls', 'loss/cls', 'score', 'loss/score']);
    const plan = m.stepGraph('train', B).train!.plan;
    const state = new Map<string, Float32Array>(m.saveState().tensors.map((t) => [t.name, Float32Array.from(t.value)]));
    await m.fit({ a: { shape: [B * STEPS, 4], data: a }, b: { shape: [B * STEPS, 2], data: bIn } }, { cls: { shape: [B * STEPS, 3], data: cls }, score: { shape: [B * STEPS, 1], data: score } }, { epochs: 1, batchSize: B, shuffle: false, verbose: 0 });
    const s = await session(ort!, g.bytes);
    const shapes = Object.fromEntries(g.inputs.map((i) => [i.name, i.shape]));
    const scalars = plan.scalars.map(() => new Float32Array(1));
    for (let k = 0; k < STEPS; k++) {
      m.config!.optimizer.fill(plan, k + 1, scalars);
      const feeds: Record<string, Feed> = {
        a: a.slice(k * B * 4, (k + 1) * B * 4), b: bIn.slice(k * B * 2, (k + 1) * B * 2),
        'target/0': cls.slice(k * B * 3, (k + 1) * B * 3), 'target/1': score.slice(k * B, (k + 1) * B),
      };
      plan.scalars.forEach((sc, i) => (feeds[sc.attrs.name] = scalars[i]!));
      for (const [name, v] of state) feeds[name] = v;
      const out = await s.run(feeds, shapes);
      expect(Math.abs(out['loss']![0]! - (out['loss/cls']![0]! + 0.5 * out['loss/score']![0]!))).toBeLessThan(1e-5);
      for (const { input, output } of g.state) state.set(input, Float32Array.from(out[output]!));
    }
    const trained = new Map(m.saveState().tensors.map((t) => [t.name, t.value]));
    expect([...state.keys()].sort()).toEqual([...trained.keys()].sort());
    for (const [name, v] of state) {
      const w = worst(v, trained.get(name)!);
      expect(w.err, `${name}[${w.at}]`).toBeLessThanOrEqual(2e-6);
    }
  });

  const trainCases: { name: string; make: () => Model; loss: string; optimizer: Record<string, unknown> | string; target: (labels: Float32Array) => { shape: readonly number[]; data: Float32Array } }[] = [
    { name: 'sequential, adam, categorical cross-entropy (the seed recipe)', make: () => seq('relu', 8, 'softmax'), loss: 'categoricalCrossentropy', optimizer: { name: 'adam', learningRate: 0.01 }, target: (l) => toOneHot(l, 3) },
    { name: 'sequential, momentum, sparse categorical cross-entropy (oneHot in the graph)', make: () => seq('tanh', 6, 'softmax'), loss: 'sparseCategoricalCrossentropy', optimizer: { name: 'momentum', learningRate: 0.05 }, target: (l) => ({ shape: [l.length], data: l }) },
    { name: 'sequential, rmsprop with global clipnorm, binary cross-entropy', make: () => seq('sigmoid', 6, 'sigmoid'), loss: 'binaryCrossentropy', optimizer: { name: 'rmsprop', learningRate: 0.01, globalClipNorm: 0.5 }, target: (l) => ({ shape: [l.length, 1], data: l.map((v) => (v === 0 ? 1 : 0)) }) },
    { name: 'functional, adamw, categorical cross-entropy', make: () => functional(), loss: 'categoricalCrossentropy', optimizer: { name: 'adamw', learningRate: 0.01 }, target: (l) => toOneHot(l, 3) },
    { name: 'sequential, adagrad, mean squared error', make: () => seq('relu', 8, 'linear'), loss: 'meanSquaredError', optimizer: { name: 'adagrad', learningRate: 0.05 }, target: (l) => toOneHot(l, 3) },
  ];

  for (const c of trainCases) {
    it(`${c.name}: ${STEPS} steps on onnxruntime = ${STEPS} steps of gradc's fit`, async () => {
      const { x, labels } = blobs(B * STEPS, 5);
      const t = c.target(labels);
      const m = c.make();
      m.compile({ loss: c.loss, optimizer: c.optimizer as never });
      const g = exportOnnx(m, { step: 'train', batchSize: B });
      const { train } = m.stepGraph('train', B);
      const plan = train!.plan;
      const opt = m.config!.optimizer;
      const state = new Map<string, Float32Array>(m.saveState().tensors.map((s) => [s.name, Float32Array.from(s.value)]));
      await m.fit({ shape: x.shape, data: x.data }, t, { epochs: 1, batchSize: B, shuffle: false, verbose: 0 });
      expect(m.step).toBe(STEPS);

      const s = await session(ort!, g.bytes);
      const shapes = Object.fromEntries(g.inputs.map((i) => [i.name, i.shape]));
      const byGradc = new Map(g.inputs.map((i) => [i.gradc, i.name]));
      const scalars = plan.scalars.map(() => new Float32Array(1));
      const rowT = t.data.length / (B * STEPS);
      const losses: number[] = [];
      for (let k = 0; k < STEPS; k++) {
        opt.fill(plan, k + 1, scalars); // the scalar inputs of step k + 1, as fit fills them
        const feeds: Record<string, Feed> = {
          [byGradc.get('x')!]: x.data.slice(k * B * 4, (k + 1) * B * 4),
          [byGradc.get('target')!]: t.data.slice(k * B * rowT, (k + 1) * B * rowT),
        };
        plan.scalars.forEach((sc, i) => (feeds[byGradc.get(sc.attrs.name)!] = scalars[i]!));
        for (const [name, v] of state) feeds[byGradc.get(name)!] = v;
        const out = await s.run(feeds, shapes);
        losses.push(out['loss']![0]!);
        for (const { input, output } of g.state) {
          const gradcName = g.inputs.find((i) => i.name === input)!.gradc;
          state.set(gradcName, Float32Array.from(out[output]!));
        }
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!); // it trained
      const want = new Map(m.saveState().tensors.map((s) => [s.name, s.value]));
      expect([...state.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [name, v] of state) {
        const w = worst(v, want.get(name)!);
        expect(w.err, `${name}[${w.at}]: onnxruntime ${v[w.at]} vs gradc ${want.get(name)![w.at]}`).toBeLessThanOrEqual(2e-6);
      }
    });
  }
});
