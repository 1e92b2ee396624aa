/**
 * oneHot labels in compiled programs. Labels fed through an input are checked by `run` before any
 * kernel runs, like the reference evaluator checks them; computed labels give rows of NaN where a
 * label is bad, never a silent row of zeros.
 */
import { describe, expect, test } from 'vitest';
import { compile, crossEntropy, evaluate, grad, input, oneHot, param } from 'gradc';
import { relErr, uniform } from './compile-helpers.js';
import { watchAllocation } from './helpers/allocation.js';

describe('labels fed through an input are checked before any kernel runs', () => {
  const labels = input('labels', [4]);
  const x = input('x', [4, 3]);
  const W = param('W', [3]);
  const y = x.mul(W).softmax();
  const loss = crossEntropy(y, oneHot(labels, 3));
  const [gW] = grad(loss, [W]);
  const exe = compile({ inputs: [labels, x], outputs: { loss, y }, updates: [[W, W.sub(gW!.mul(0.5))]] });
  const xv = uniform(12, 3);
  const w0 = [0.1, -0.2, 0.3];

  test('valid labels: loss, outputs and the update equal the reference evaluator', () => {
    exe.setParam(W, w0);
    const feeds = { labels: Float32Array.of(2, 0, 1, 2), x: xv };
    const [wantLoss, wantY, wantW] = evaluate([loss, y, W.sub(gW!.mul(0.5))], { ...feeds, W: w0 });
    const out = exe.run(feeds);
    expect(relErr(out.loss!, wantLoss!.data)).toBeLessThan(1e-5);
    expect(relErr(out.y!, wantY!.data)).toBeLessThan(1e-5);
    expect(relErr(exe.getParam(W), wantW!.data)).toBeLessThan(1e-5);
    // Fed labels are compared with the column directly: the kernel does no per-element check.
    expect(exe.source).not.toMatch(/Math\.floor|f32\.floor|f32x4\.floor/);
  });

  test.each([
    ['not an integer', [2, 0, 1.5, 2], '1.5', 2],
    ['negative', [2, -1, 1, 2], '-1', 1],
    ['equal to the depth', [2, 0, 1, 3], '3', 3],
    ['NaN', [NaN, 0, 1, 2], 'NaN', 0],
    ['infinite', [2, 0, Infinity, 2], 'Infinity', 2],
  ])('%s: run names the input, the value, its index and the range, and nothing runs', (_, bad, shown, index) => {
    exe.setParam(W, w0);
    const before = exe.run({ labels: [2, 0, 1, 2], x: xv });
    const y0 = Array.from(before.y!);
    const loss0 = before.loss![0];
    const w1 = Array.from(exe.getParam(W));
    const message = `run: feed 'labels' has ${shown} at index ${index}, but input 'labels' holds oneHot labels, ` +
      'which must be integers in [0, 3) (class indices 0..2)';
    for (const feed of [bad, Float64Array.from(bad), Float32Array.from(bad)]) {
      expect(() => exe.run({ labels: feed, x: xv })).toThrow(message);
    }
    // The reference evaluator rejects the same labels.
    expect(() => evaluate(loss, { labels: bad, x: xv, W: w0 })).toThrow(/oneHot: label/);
    // No kernel ran: the outputs and the param are as the last good run left them.
    expect(Array.from(before.y!)).toEqual(y0);
    expect(before.loss![0]).toBe(loss0);
    expect(Array.from(exe.getParam(W))).toEqual(w1);
  });

  test('labels are read as the float32 input holds them, as the reference evaluator reads them', () => {
    exe.setParam(W, w0);
    const nearlyTwo = 2 + 1e-9; // 2 in float32
    const offTwo = 2 + 1e-6; // 2.00000095 in float32: not an integer
    const feeds = { labels: Float64Array.of(nearlyTwo, 0, 1, 2), x: xv };
    const want = evaluate(loss, { ...feeds, W: w0 });
    expect(relErr(exe.run(feeds).loss!, want.data)).toBeLessThan(1e-5);
    expect(() => exe.run({ labels: [offTwo, 0, 1, 2], x: xv })).toThrow(/feed 'labels' has 2\.000001 at index 0/);
    expect(() => evaluate(loss, { labels: [offTwo, 0, 1, 2], x: xv, W: w0 })).toThrow(/oneHot: label/);
  });

  test('only inputs that feed a oneHot are checked', () => {
    exe.setParam(W, w0);
    const odd = Float32Array.from(xv, (v, i) => (i === 0 ? -7.5 : v));
    expect(Number.isFinite(exe.run({ labels: [0, 1, 2, 0], x: odd }).loss![0]!)).toBe(true);
  });
});

describe('which inputs hold labels', () => {
  test('through a reshape or transpose of an input, every fed value is a label', () => {
    const grid = input('grid', [2, 2]);
    const rows = oneHot(grid.transpose().reshape([4]), 3);
    const exe = compile({ inputs: [grid], outputs: { rows } });
    expect(Array.from(exe.run({ grid: [0, 1, 2, 1] }).rows!)).toEqual(Array.from(evaluate(rows, { grid: [0, 1, 2, 1] }).data));
    expect(() => exe.run({ grid: [0, 1, 2, 5] })).toThrow("run: feed 'grid' has 5 at index 3, but input 'grid' holds oneHot labels, which must be integers in [0, 3)");
  });

  test('labels read by several oneHots must fit the smallest depth', () => {
    const labels = input('labels', [2]);
    const wide = oneHot(labels, 5);
    const narrow = oneHot(labels, 3);
    const exe = compile({ inputs: [labels], outputs: { wide, narrow } });
    expect(() => exe.run({ labels: [4, 0] })).toThrow(/has 4 at index 0, .* integers in \[0, 3\) \(class indices 0\.\.2\)/);
    expect(() => evaluate([wide, narrow], { labels: [4, 0] })).toThrow(/oneHot: label 4/);
    expect(Array.from(exe.run({ labels: [2, 0] }).wide!)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
  });

  test('checked as the graph is written, even where simplifying removed the oneHot', () => {
    const labels = input('labels', [3]);
    const count = oneHot(labels, 4).sum(-1); // rows of a one-hot sum to 1: simplified to a constant
    const exe = compile({ inputs: [labels], outputs: { count } });
    expect(exe.kernels.flatMap((k) => k.ops)).not.toContain('oneHot');
    expect(Array.from(exe.run({ labels: [0, 3, 1] }).count!)).toEqual([1, 1, 1]);
    expect(() => exe.run({ labels: [0, 4, 1] })).toThrow(/feed 'labels' has 4 at index 1/);
    expect(() => evaluate(count, { labels: [0, 4, 1] })).toThrow(/oneHot: label 4/);
  });
});

describe('computed labels cannot be checked before the kernels run: a bad label gives a row of NaN', () => {
  const x = input('x', [5]);
  const rows = oneHot(x.mul(2), 4); // labels 2x
  const exe = compile({ inputs: [x], outputs: { rows } });

  test('valid computed labels: the reference evaluator\'s rows', () => {
    const feeds = { x: [0, 1.5, 0.5, 1, 0] };
    expect(Array.from(exe.run(feeds).rows!)).toEqual(Array.from(evaluate(rows, feeds).data));
  });

  test('non-integer, negative and too large labels: NaN rows, the valid rows unchanged', () => {
    const out = Array.from(exe.run({ x: [0.25, -0.5, 1, 2, 1.5] }).rows!); // labels 0.5, −1, 2, 4, 3
    const row = (r: number) => out.slice(r * 4, r * 4 + 4);
    expect(row(0)).toEqual([NaN, NaN, NaN, NaN]);
    expect(row(1)).toEqual([NaN, NaN, NaN, NaN]);
    expect(row(2)).toEqual([0, 0, 1, 0]);
    expect(row(3)).toEqual([NaN, NaN, NaN, NaN]);
    expect(row(4)).toEqual([0, 0, 0, 1]);
    expect(exe.source).toMatch(/Math\.floor|f32\.floor|f32x4\.floor/);
  });

  test('a bad label reaches the loss as NaN, where a zero row would give a finite loss', () => {
    const z = input('z', [2, 3]);
    const loss = crossEntropy(z.softmax(), oneHot(x.slice([0], [2]).mul(2), 3));
    const prog = compile({ inputs: [x, z], outputs: { loss } });
    const zv = uniform(6, 5);
    const good = { x: [0.5, 1, 0, 0, 0], z: zv };
    expect(relErr(prog.run(good).loss!, evaluate(loss, good).data)).toBeLessThan(1e-5);
    expect(prog.run({ x: [0.5, 1.25, 0, 0, 0], z: zv }).loss![0]).toBeNaN();
  });
});

test('checking labels allocates nothing: 10,000 runs of a training step with fed labels grow no heap', async () => {
  const labels = input('labels', [32]);
  const x = input('x', [32, 20]);
  const W = param('W', [20, 10]);
  const loss = crossEntropy(x.matmul(W).softmax(), oneHot(labels, 10));
  const [gW] = grad(loss, [W]);
  const exe = compile({ inputs: [labels, x], outputs: { loss }, updates: [[W, W.sub(gW!.mul(0.01))]] });
  exe.setParam(W, uniform(200, 1, -0.1, 0.1));
  const feeds = { labels: Float32Array.from(uniform(32, 2, 0, 10), Math.floor), x: uniform(32 * 20, 3) };
  const { gcEntries: entries, growth } = await watchAllocation(() => exe.run(feeds), { warmup: 2_000 });
  expect(entries).toEqual([]);
  // 1,000 runs allocating even 16 bytes each would grow the heap by 16 KB per chunk.
  expect({ growth, lastHalf: growth.slice(5).reduce((a, b) => a + b, 0) < 8 * 1024 }).toEqual({ growth, lastHalf: true });
  expect(Number.isFinite(exe.run(feeds).loss![0]!)).toBe(true);
}, 60_000);
