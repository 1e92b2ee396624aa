/**
 * An input declared { oneHot: true } lets the simplifier use Σ rows = 1. A feed that breaks that
 * promise would be mis-differentiated silently, so `run` and `evaluate` refuse it before any work.
 */
import { describe, expect, test } from 'vitest';
import { compile, crossEntropy, evaluate, grad, input, param, simplify } from 'gradc';

describe('inputs declared oneHot', () => {
  const x = input('x', [3, 2]);
  const t = input('t', [3, 4], { oneHot: true });
  const W = param('W', [2, 4]);
  const loss = crossEntropy(x.matmul(W).softmax(), t);
  const [gW] = grad(loss, [W]);
  const exe = compile({ inputs: [x, t], outputs: { loss, gW: gW! } });
  const xv = Float32Array.of(0.5, -1, 2, 0.25, -0.5, 1);
  const w0 = Float32Array.from({ length: 8 }, (_, i) => (i - 4) / 10);
  exe.setParam(W, w0);

  test('one-hot rows run and match the reference evaluator', () => {
    const tv = Float32Array.of(0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1);
    const out = exe.run({ x: xv, t: tv });
    const [want] = evaluate([gW!], { x: xv, t: tv, W: w0 });
    out.gW!.forEach((v, i) => expect(v).toBeCloseTo(want!.data[i]!, 5));
  });

  test.each([
    ['soft targets', [0, 1, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 1], 1, '[0.5, 0.5, 0, 0]'],
    ['two ones', [0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1], 2, '[0, 1, 0, 1]'],
    ['an all-zero row', [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1], 0, '[0, 0, 0, 0]'],
    ['NaN', [0, 1, 0, 0, 1, 0, 0, 0, NaN, 0, 0, 1], 2, '[NaN, 0, 0, 1]'],
  ])('%s are refused by run and by evaluate, naming the row', (_what, values, row, shown) => {
    const tv = Float32Array.from(values);
    const message = `feed 't' row ${row} is not one-hot (${shown}); input 't' is declared { oneHot: true }, so every row must hold a single 1 and zeros: fix the data, or declare the input without the fact`;
    const before = exe.getParam(W).slice();
    expect(() => exe.run({ x: xv, t: tv })).toThrow(`run: ${message}`);
    expect(exe.getParam(W)).toEqual(before);
    expect(() => evaluate(loss, { x: xv, t: tv, W: w0 })).toThrow(`evaluate: ${message}`);
  });

  test('the same soft targets are fine without the fact, and the simplified gradient stays exact', () => {
    const tSoft = input('t', [3, 4]);
    const lossSoft = crossEntropy(x.matmul(W).softmax(), tSoft);
    const [g] = grad(lossSoft, [W]);
    const tv = Float32Array.of(0, 1, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0.2, 0.6);
    const feeds = { x: xv, t: tv, W: w0 };
    const [raw, simple] = evaluate([g!, simplify(g!)], feeds, { dtype: 'float64' });
    raw!.data.forEach((v, i) => expect(simple!.data[i]).toBeCloseTo(v, 12));
  });
});
