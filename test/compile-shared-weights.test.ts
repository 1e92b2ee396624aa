/** One weight region shared by several programs: no copies between them, moved when a larger one joins. */
import { describe, expect, test } from 'vitest';
import { compile, evaluate, grad, input, param, SharedWeights } from 'gradc';
import { BACKENDS_UNDER_TEST } from './helpers/backends.js';
import { uniform } from './codegen-helpers.js';

describe.each(BACKENDS_UNDER_TEST)('%s backend', (backend) => {
  const W = param('W', [6, 3]);
  const b = param('b', [3]);
  const net = (rows: number) => {
    const x = input('x', [rows, 6]);
    return { x, y: x.matmul(W).add(b).relu() };
  };

  test('a train step and a predict step share W and b: an update is seen without any copy', () => {
    const weights = new SharedWeights(backend);
    const small = net(2);
    const predict = compile({ inputs: [small.x], outputs: { y: small.y } }, { backend, weights });
    const big = net(8);
    const loss = big.y.square().sum();
    const [gW, gb] = grad(loss, [W, b]);
    const train = compile({ inputs: [big.x], outputs: { loss }, updates: [[W, W.sub(gW!.mul(0.01))], [b, b.sub(gb!.mul(0.01))]] }, { backend, weights });
    // The train step is larger: the region moved to a larger memory, the predict step with it.
    const w0 = uniform(18, 1, -1, 1);
    const b0 = uniform(3, 2, 0, 1);
    predict.setParam(W, w0);
    train.setParam(b, b0);
    expect(Array.from(train.getParam(W))).toEqual(Array.from(Float32Array.from(w0)));
    expect(Array.from(predict.getParam(b))).toEqual(Array.from(Float32Array.from(b0)));
    const xs = uniform(48, 3, -1, 1);
    train.run({ x: xs });
    const w1 = train.getParam(W);
    expect(Array.from(predict.getParam(W))).toEqual(Array.from(w1));
    const xp = uniform(12, 4, -1, 1);
    const want = evaluate([small.y], { x: xp, W: w1, b: train.getParam(b) })[0]!.data;
    const got = predict.run({ x: xp }).y!;
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
  });

  test('a param first seen after programs exist invalidates them, with a clear error', () => {
    const weights = new SharedWeights(backend);
    const a = net(2);
    const first = compile({ inputs: [a.x], outputs: { y: a.y } }, { backend, weights });
    const V = param('V', [3, 2]);
    const c = net(2);
    compile({ inputs: [c.x], outputs: { z: c.y.matmul(V) } }, { backend, weights });
    expect(() => first.run({ x: uniform(12, 5) })).toThrow(/shared weights gained params after this program was compiled.*compile it again/);
  });

  test('a name reused with another shape, or another backend, is refused', () => {
    const weights = new SharedWeights(backend);
    const a = net(2);
    compile({ inputs: [a.x], outputs: { y: a.y } }, { backend, weights });
    const W2 = param('W', [6, 4]);
    const x = input('x', [2, 6]);
    expect(() => compile({ inputs: [x], outputs: { y: x.matmul(W2) } }, { backend, weights }))
      .toThrow("compile: param 'W' [6,4] float32 meets a param of that name [6,3] float32 in the shared weights; give one of them another name");
    const other = backend === 'js' ? 'wasm' : 'js';
    expect(() => compile({ inputs: [a.x], outputs: { y: a.y } }, { backend: other, weights }))
      .toThrow(`the shared weights are for the ${backend} backend, this program for ${other}`);
  });
});
