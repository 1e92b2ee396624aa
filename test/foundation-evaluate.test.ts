// The reference evaluator against independent formulas written here: textbook loops,
// Math functions, explicit repeats instead of broadcasting, naive softmax.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  binaryCrossEntropy, broadcastTo, concat, constant, crossEntropy, equal, evaluate, greater, input, less, logSoftmax,
  logSumExp, matmul, max, maximum, mean, meanSquaredError, minimum, oneHot, pad, reshape, slice, softmax,
  softmaxCrossEntropy, sum, transpose, where, add, sub, mul, div, type Tensor, type TensorLike,
} from 'gradc';
import { arbBroadcastOperands, arbPerm, arbShape, arbValues } from './helpers/arbitraries.js';
import { broadcastShape, indices, ravel, readBroadcast, sizeOf } from './helpers/ndarray.js';

const f64 = { dtype: 'float64' } as const;
const x64 = (name: string, shape: number[]) => input(name, shape, {}, 'float64');
const run = (y: Tensor, feeds: Record<string, number[]>) => Array.from(evaluate(y, feeds, f64).data);
/** Elementwise |a − b| ≤ 1e-12·(1 + |b|). */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
      throw new Error(`element ${i}: ${actual[i]} vs expected ${expected[i]}`);
    }
  }
}
const arbTensor = (maxRank = 3, min = -3, max_ = 3) =>
  arbShape({ maxRank }).chain((s) => arbValues(sizeOf(s), { min, max: max_ }).map((d) => ({ shape: s, data: d })));

describe('elementwise ops match Math', () => {
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number, number, number][] = [
    ['neg', (x) => x.neg(), (v) => -v, -3, 3],
    ['exp', (x) => x.exp(), Math.exp, -3, 3],
    ['log', (x) => x.log(), Math.log, 0.1, 3],
    ['sqrt', (x) => x.sqrt(), Math.sqrt, 0, 3],
    ['square', (x) => x.square(), (v) => v * v, -3, 3],
    ['abs', (x) => x.abs(), Math.abs, -3, 3],
    ['relu', (x) => x.relu(), (v) => Math.max(v, 0), -3, 3],
    ['sigmoid', (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), -10, 10],
    ['tanh', (x) => x.tanh(), Math.tanh, -3, 3],
    ['softplus', (x) => x.softplus(), (v) => Math.log(1 + Math.exp(v)), -10, 10],
    ['pow 3', (x) => x.pow(3), (v) => v * v * v, -3, 3],
    ['pow 0.5', (x) => x.pow(0.5), Math.sqrt, 0, 3],
    ['pow -2', (x) => x.pow(-2), (v) => 1 / (v * v), 0.2, 3],
  ];
  for (const [name, op, ref, lo, hi] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(arbTensor(3, lo, hi), ({ shape, data }) => expectNear(run(op(x64('x', shape)), { x: data }), data.map(ref), 1e-13)),
        { numRuns: 30 },
      );
    });
  }

  it('sigmoid and softplus are stable at ±1000', () => {
    const x = x64('x', [4]);
    const feeds = { x: [-1000, -40, 40, 1000] };
    const sg = run(x.sigmoid(), feeds);
    expect([sg[0], sg[3]]).toEqual([0, 1]);
    expectNear(sg, [0, 1 / (1 + Math.exp(40)), 1 / (1 + Math.exp(-40)), 1], 1e-15);
    expectNear(run(x.softplus(), feeds), [0, Math.log1p(Math.exp(-40)), 40 + Math.log1p(Math.exp(-40)), 1000]);
  });
});

describe('broadcasting equals an explicit repeat', () => {
  const ops: [string, (a: TensorLike, b: TensorLike) => Tensor, (a: number, b: number) => number][] = [
    ['add', add, (a, b) => a + b],
    ['sub', sub, (a, b) => a - b],
    ['mul', mul, (a, b) => a * b],
    ['div', div, (a, b) => a / b],
    ['maximum', maximum, Math.max],
    ['minimum', minimum, Math.min],
    ['greater', greater, (a, b) => (a > b ? 1 : 0)],
    ['less', less, (a, b) => (a < b ? 1 : 0)],
    ['equal', equal, (a, b) => (a === b ? 1 : 0)],
  ];
  // Values from a small grid, so that ties and equal elements actually occur.
  const grid = (n: number) => fc.array(fc.integer({ min: -2, max: 2 }).map((k) => k + 0.5), { minLength: n, maxLength: n });
  const arbPair = arbShape({ maxRank: 4 })
    .chain((out) => arbBroadcastOperands(out, 2))
    .chain(([sa, sb]) => fc.tuple(fc.constant(sa), grid(sizeOf(sa)), fc.constant(sb), grid(sizeOf(sb))));
  for (const [name, op, ref] of ops) {
    it(name, () => {
      fc.assert(
        fc.property(arbPair, ([sa, da, sb, db]) => {
          const y = op(x64('a', sa), x64('b', sb));
          const out = broadcastShape(sa, sb);
          expect(y.shape).toEqual(out);
          const expected = indices(out).map((i) => ref(readBroadcast(da, sa, i), readBroadcast(db, sb, i)));
          expect(run(y, { a: da, b: db })).toEqual(expected);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('where(c, a, b) and broadcastTo', () => {
    const arbCase = arbShape({ maxRank: 4 })
      .chain((out) => arbBroadcastOperands(out, 3))
      .chain((ss) => fc.tuple(fc.constant(ss), ...ss.map((s) => arbValues(sizeOf(s), { min: -1, max: 1 }))));
    fc.assert(
      fc.property(arbCase, ([[sc, sa, sb], dc, da, db]) => {
        const y = where(x64('c', sc).greater(0), x64('a', sa), x64('b', sb));
        const out = broadcastShape(sc, sa, sb);
        const expected = indices(out).map((i) => (readBroadcast(dc, sc, i) > 0 ? readBroadcast(da, sa, i) : readBroadcast(db, sb, i)));
        expect(run(y, { c: dc, a: da, b: db })).toEqual(expected);
        expect(run(broadcastTo(x64('a', sa), out), { a: da })).toEqual(indices(out).map((i) => readBroadcast(da, sa, i)));
      }),
      { numRuns: 60 },
    );
  });
});

describe('reductions equal explicit loops', () => {
  const arbCase = arbTensor(4).chain((t) => fc.tuple(fc.constant(t), fc.subarray(t.shape.map((_, i) => i)), fc.boolean()));
  /** Output index of input index `i` after reducing `axes`. */
  const reducedIndex = (i: number[], axes: number[], keepDims: boolean) => i.flatMap((v, k) => (axes.includes(k) ? (keepDims ? [0] : []) : [v]));
  const cases: [string, (x: Tensor, axes: number[], k: boolean) => Tensor, (xs: number[]) => number][] = [
    ['sum', (x, a, k) => sum(x, a, k), (xs) => xs.reduce((s, v) => s + v, 0)],
    ['mean', (x, a, k) => mean(x, a, k), (xs) => xs.reduce((s, v) => s + v, 0) / xs.length],
    ['max', (x, a, k) => max(x, a, k), (xs) => Math.max(...xs)],
    ['logSumExp', (x, a, k) => logSumExp(x, a, k), (xs) => Math.log(xs.reduce((s, v) => s + Math.exp(v), 0))],
  ];
  for (const [name, op, ref] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(arbCase, ([{ shape, data }, axes, keepDims]) => {
          const y = op(x64('x', shape), axes, keepDims);
          const outShape = shape.flatMap((d, k) => (axes.includes(k) ? (keepDims ? [1] : []) : [d]));
          expect(y.shape).toEqual(outShape);
          const groups = new Map<number, number[]>();
          for (const i of indices(shape)) {
            const o = ravel(reducedIndex(i, axes, keepDims), outShape);
            groups.set(o, [...(groups.get(o) ?? []), data[ravel(i, shape)]]);
          }
          expectNear(run(y, { x: data }), indices(outShape).map((_, o) => ref(groups.get(o)!)));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('logSumExp is stable at ±1000 where the naive formula overflows', () => {
    const x = x64('x', [3, 2]);
    const feeds = { x: [1000, 1000, -1000, -1000, 1000, -1000] };
    expect(Math.log(Math.exp(1000) + Math.exp(1000))).toBe(Infinity);
    expectNear(run(logSumExp(x, 1), feeds), [1000 + Math.LN2, -1000 + Math.LN2, 1000]);
    expectNear(run(logSumExp(x), feeds), [1000 + Math.log(3)]);
  });
});

describe('movement ops equal explicit index maps', () => {
  it('transpose permutes indices', () => {
    const arbCase = arbTensor(4).chain((t) => fc.tuple(fc.constant(t), arbPerm(t.shape.length)));
    fc.assert(
      fc.property(arbCase, ([{ shape, data }, perm]) => {
        const outShape = perm.map((p) => shape[p]);
        // out[i] = x[j] with j[perm[k]] = i[k]
        const expected = indices(outShape).map((i) => {
          const j = new Array<number>(shape.length);
          perm.forEach((p, k) => (j[p] = i[k]));
          return data[ravel(j, shape)];
        });
        expect(run(transpose(x64('x', shape), perm), { x: data })).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('slice, pad and concat move blocks; reshape keeps the order', () => {
    const arbCase = arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
      fc.tuple(
        arbValues(sizeOf(s), { min: -3, max: 3 }).map((d) => ({ shape: s, data: d })),
        fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
        fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })), { minLength: s.length, maxLength: s.length }),
        fc.nat({ max: s.length - 1 }),
      ),
    );
    fc.assert(
      fc.property(arbCase, ([{ shape, data }, block, widths, axis]) => {
        const x = x64('x', shape);
        const begin = block.map(([b]) => b);
        const size = block.map(([, n]) => n);
        // slice (sizes may be 0: an empty block)
        const sliced = indices(size).map((i) => data[ravel(i.map((v, k) => v + begin[k]), shape)]);
        expect(run(slice(x, begin, size), { x: data })).toEqual(sliced);
        // pad with zeros
        const before = widths.map(([b]) => b);
        const padShape = shape.map((d, k) => widths[k][0] + d + widths[k][1]);
        const padded = indices(padShape).map((i) => {
          const j = i.map((v, k) => v - before[k]);
          return j.every((v, k) => v >= 0 && v < shape[k]) ? data[ravel(j, shape)] : 0;
        });
        expect(run(pad(x, before, widths.map(([, a]) => a)), { x: data })).toEqual(padded);
        // concat [x, x²] along `axis`
        const catShape = shape.map((d, k) => (k === axis ? 2 * d : d));
        const cat = indices(catShape).map((i) => {
          const second = i[axis] >= shape[axis];
          const v = data[ravel(i.map((u, k) => (k === axis && second ? u - shape[axis] : u)), shape)];
          return second ? v * v : v;
        });
        expect(run(concat([x, x.square()], axis), { x: data })).toEqual(cat);
        // reshape: same elements in the same order
        expect(run(reshape(x, [-1]), { x: data })).toEqual(data);
      }),
      { numRuns: 80 },
    );
  });
});

describe('matmul equals the triple loop', () => {
  it('2-D and batched with broadcast batch axes', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    const arbCase = fc.tuple(arbShape({ maxRank: 2 }).chain((b) => arbBroadcastOperands(b, 2)), dim, dim, dim).chain(([[ba, bb], m, k, n]) =>
      fc.tuple(fc.constant<number[]>([...ba, m, k]), arbValues(sizeOf(ba) * m * k, { min: -2, max: 2 }), fc.constant<number[]>([...bb, k, n]), arbValues(sizeOf(bb) * k * n, { min: -2, max: 2 })),
    );
    fc.assert(
      fc.property(arbCase, ([sa, da, sb, db]) => {
        const y = matmul(x64('a', sa), x64('b', sb));
        const batch = broadcastShape(sa.slice(0, -2), sb.slice(0, -2));
        const [m, k] = sa.slice(-2);
        const n = sb[sb.length - 1];
        expect(y.shape).toEqual([...batch, m, n]);
        const expected: number[] = [];
        for (const bi of indices(batch)) {
          // Each batch item of a and b, read through broadcasting.
          const at = (shape: number[], idx: number[]) => ravel([...shape.slice(0, -2).map((d, q) => (d === 1 ? 0 : bi[bi.length - (shape.length - 2) + q])), ...idx], shape);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let acc = 0;
              for (let p = 0; p < k; p++) acc += da[at(sa, [i, p])] * db[at(sb, [p, j])];
              expected.push(acc);
            }
          }
        }
        expectNear(run(y, { a: da, b: db }), expected);
      }),
      { numRuns: 80 },
    );
  });
});

describe('softmax, logSoftmax and the losses', () => {
  const arbRows = arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
    fc.tuple(arbValues(sizeOf(s), { min: -5, max: 5 }).map((d) => ({ shape: s, data: d })), fc.nat({ max: s.length - 1 })),
  );

  it('softmax is exp(x)/Σexp(x) along the axis, rows sum to 1; logSoftmax is its log', () => {
    fc.assert(
      fc.property(arbRows, ([{ shape, data }, axis]) => {
        const x = x64('x', shape);
        const rowOf = (i: number[]) => indices([shape[axis]]).map(([j]) => data[ravel(i.map((v, k) => (k === axis ? j : v)), shape)]);
        const naive = indices(shape).map((i) => Math.exp(data[ravel(i, shape)]) / rowOf(i).reduce((s, v) => s + Math.exp(v), 0));
        const sm = run(softmax(x, axis), { x: data });
        expectNear(sm, naive);
        expectNear(run(sum(softmax(x, axis), axis), { x: data }), new Array(sizeOf(shape) / shape[axis]).fill(1));
        expectNear(run(logSoftmax(x, axis), { x: data }), naive.map(Math.log));
      }),
      { numRuns: 60 },
    );
  });

  it('softmax and logSoftmax are stable at 1000', () => {
    const x = x64('x', [2, 3]);
    const feeds = { x: [1000, 1000, 0, -1000, 0, 1000] };
    const sm = run(softmax(x), feeds);
    expectNear(sm, [0.5, 0.5, 0, 0, 0, 1]);
    expect(sm.every(Number.isFinite)).toBe(true);
    expectNear(run(logSoftmax(x), feeds), [-Math.LN2, -Math.LN2, -1000 - Math.LN2, -2000, -1000, 0]);
  });

  it('losses match their textbook formulas', () => {
    const arbCase = arbShape({ minRank: 1, maxRank: 3, maxDim: 4 }).chain((s) =>
      fc.tuple(fc.constant(s), arbValues(sizeOf(s), { min: 0.05, max: 0.95 }), arbValues(sizeOf(s), { min: 0, max: 1 })),
    );
    fc.assert(
      fc.property(arbCase, ([shape, y, t]) => {
        const n = y.length;
        const rows = n / shape[shape.length - 1];
        const feeds = { y, t };
        const [ty, tt] = [x64('y', shape), x64('t', shape)];
        let ce = 0, bce = 0, mse = 0;
        for (let i = 0; i < n; i++) {
          ce -= t[i] * Math.log(y[i]);
          bce -= t[i] * Math.log(y[i]) + (1 - t[i]) * Math.log(1 - y[i]);
          mse += (y[i] - t[i]) ** 2;
        }
        expectNear(run(crossEntropy(ty, tt), feeds), [ce / rows]);
        expectNear(run(binaryCrossEntropy(ty, tt), feeds), [bce / n]);
        expectNear(run(meanSquaredError(ty, tt), feeds), [mse / n]);
        // softmaxCrossEntropy(z, t) = crossEntropy(softmax(z), t), evaluated independently row by row
        const c = shape[shape.length - 1];
        let sce = 0;
        for (let r = 0; r < rows; r++) {
          const z = y.slice(r * c, (r + 1) * c);
          const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
          for (let j = 0; j < c; j++) sce -= t[r * c + j] * (z[j] - lse);
        }
        expectNear(run(softmaxCrossEntropy(ty, tt), feeds), [sce / rows]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('dtypes, constants and oneHot', () => {
  it('float32 nodes round each result; float64 evaluation does not', () => {
    const a = input('a', [3]);
    const b = input('b', [3]);
    const feeds = { a: [0.1, 1 / 3, 1e8], b: [0.2, 1 / 7, 1] };
    const f32 = evaluate(a.add(b).mul(3), feeds);
    expect(f32.data).toBeInstanceOf(Float32Array);
    const fr = Math.fround;
    expect(Array.from(f32.data)).toEqual(feeds.a.map((v, i) => fr(fr(fr(v) + fr(feeds.b[i])) * 3)));
    const d = evaluate(a.add(b).mul(3), feeds, f64);
    expect(d.data).toBeInstanceOf(Float64Array);
    expect(Array.from(d.data)).toEqual(feeds.a.map((v, i) => (v + feeds.b[i]) * 3));
    // A float64 input makes the whole expression float64, numbers included.
    const c = input('c', [3], {}, 'float64');
    expect(c.add(1).dtype).toBe('float64');
    expect(evaluate(c.add(1), { c: feeds.a }).data).toBeInstanceOf(Float64Array);
  });

  it('constants: numbers broadcast, nested arrays, flat data with a shape', () => {
    expect(Array.from(evaluate(constant(2.5, [2, 2])).data)).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(evaluate(constant([[1, 2, 3], [4, 5, 6]])).shape).toEqual([2, 3]);
    expect(Array.from(evaluate(constant([1, 2, 3, 4, 5, 6], [3, 2]).transpose()).data)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(evaluate(constant([[1, 2], [3, 4]], [2, 2])).data)).toEqual([1, 2, 3, 4]);
  });

  it('oneHot turns labels into rows', () => {
    const labels = input('labels', [4]);
    const y = oneHot(labels, 3);
    expect(y.shape).toEqual([4, 3]);
    expect(Array.from(evaluate(y, { labels: new Uint8Array([2, 0, 1, 2]) }).data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('empty tensors: a zero-size slice sums to 0', () => {
    const x = x64('x', [2, 3]);
    const empty = slice(x, [0, 1], [2, 0]);
    expect(empty.shape).toEqual([2, 0]);
    expect(run(sum(empty, 1), { x: [1, 2, 3, 4, 5, 6] })).toEqual([0, 0]);
  });
});
