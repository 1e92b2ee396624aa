// Graph behaviour: hash-consing, no-op shortcuts, topological order, grad's zeros for
// unused wrt, vjp of non-scalar outputs against hand-written formulas, feeds, checkGrad.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Tensor, broadcastTo, checkGrad, concat, constant, evaluate, grad, greater, input, matmul, mul, oneHot, pad,
  param, relu, reshape, slice, softmax, sum, topoSort, transpose, vjp, where,
} from 'gradc';
import { vjps, type Vjp } from 'gradc/internals';
import { arbGraph } from './helpers/random-graph.js';

const f64 = { dtype: 'float64' } as const;
const x64 = (name: string, shape: number[]) => input(name, shape, {}, 'float64');
const values = (t: Tensor, feeds: Record<string, number[]>) => Array.from(evaluate(t, feeds, f64).data);

describe('hash-consing', () => {
  const x = input('x', [2, 3]);
  const y = input('y', [2, 3]);
  const W = param('W', [3, 4]);
  const builders: [string, () => Tensor][] = [
    ['add', () => x.add(y)],
    ['add a number', () => x.add(1)],
    ['mul, as function', () => mul(x, y)],
    ['pow', () => x.pow(3)],
    ['sum over a negative axis', () => x.sum(-1, true)],
    ['transpose', () => x.transpose()],
    ['reshape', () => x.reshape([3, 2])],
    ['slice', () => x.slice([0, 1], [2, 2])],
    ['pad', () => x.pad([1, 0], [0, 2])],
    ['concat', () => concat([x, y], 1)],
    ['matmul', () => x.matmul(W)],
    ['softmax', () => softmax(x, 1)],
    ['where', () => where(greater(x, 0), x, y)],
    ['oneHot', () => oneHot(input('labels', [5]), 10)],
    ['small constant', () => constant([[1, 2], [3, 4]])],
    ['a whole expression', () => relu(x.matmul(W).add(constant([0.5, 0, 0, 1]))).sum()],
  ];
  for (const [name, build] of builders) {
    it(`${name}: built twice, one node`, () => expect(build()).toBe(build()));
  }

  it('methods and functions, and equivalent attributes, give the same node', () => {
    expect(x.matmul(W)).toBe(matmul(x, W));
    expect(x.sum(1)).toBe(sum(x, [-1]));
    expect(x.sum([1, 0])).toBe(x.sum([0, 1]));
    expect(x.sum()).toBe(x.sum([0, 1]));
    expect(softmax(x, -1)).toBe(x.softmax());
    expect(x.transpose()).toBe(transpose(x, [1, 0]));
    expect(input('x', [2, 3])).toBe(x);
    expect(constant(2, [2, 2])).toBe(constant([2, 2, 2, 2], [2, 2]));
  });

  it('different ops, attributes, inputs, dtypes or facts give different nodes', () => {
    expect(x.add(y)).not.toBe(y.add(x));
    expect(x.pow(2)).not.toBe(x.pow(3));
    expect(x.sum(0, true)).not.toBe(x.sum(0, false));
    expect(x.add(1)).not.toBe(x.add(2));
    expect(input('x', [2, 3], {}, 'float64')).not.toBe(x);
    expect(input('x', [2, 3], { oneHot: true })).not.toBe(x);
    expect(constant(0, [2])).not.toBe(constant(-0, [2]));
    // Constants of more than 64 values are not compared by value: each is its own node.
    const big = Array.from({ length: 65 }, (_, i) => i);
    expect(constant(big)).not.toBe(constant(big));
  });

  it('common subexpressions are shared by construction', () => {
    const a = x.mul(y).add(x.mul(y));
    expect(a.inputs[0]).toBe(a.inputs[1]);
    expect(topoSort([a]).filter((t) => t.op === 'mul')).toHaveLength(1);
  });

  it('no-op calls return their operand', () => {
    expect(reshape(x, [2, 3])).toBe(x);
    expect(reshape(x, [2, -1])).toBe(x);
    expect(transpose(x, [0, 1])).toBe(x);
    expect(x.sum([])).toBe(x);
    expect(slice(x, [0, 0], [-1, -1])).toBe(x);
    expect(pad(x, [0, 0], [0, 0])).toBe(x);
    expect(broadcastTo(x, [2, 3])).toBe(x);
    expect(concat([x], 0)).toBe(x);
  });

  it('nodes are immutable and describe themselves', () => {
    const t = x.matmul(W);
    expect(t).toBeInstanceOf(Tensor);
    expect([t.shape, t.rank, t.size, t.dtype, t.op]).toEqual([[2, 4], 2, 8, 'float32', 'matmul']);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(t.id).toBeGreaterThan(W.id);
    expect(String(t)).toBe(`Tensor(matmul#${t.id} [2,4] float32)`);
  });
});

describe('topoSort', () => {
  it('lists every node once, inputs before their users (random graphs)', () => {
    fc.assert(
      fc.property(arbGraph(), (g) => {
        const y = g.output();
        const order = topoSort([y]);
        const position = new Map(order.map((t, i) => [t, i]));
        expect(position.size).toBe(order.length);
        for (const t of order) for (const u of t.inputs) expect(position.get(u)!).toBeLessThan(position.get(t)!);
        expect(order[order.length - 1]).toBe(y);
      }),
      { numRuns: 100 },
    );
  });

  it('of several outputs shares what they share', () => {
    const a = x64('a', [2]);
    const s = a.exp();
    const order = topoSort([s.add(1), s.mul(2), s]);
    expect(order.filter((t) => t === s)).toHaveLength(1);
    expect(order.filter((t) => t.op === 'input')).toHaveLength(1);
  });
});

describe('grad', () => {
  const a = x64('a', [2, 3]);
  const b = x64('b', [3]);

  it('a wrt the loss does not depend on gets zeros of its shape', () => {
    const unused = x64('unused', [4, 1]);
    const [ga, gu, gb] = grad(a.square().sum(), [a, unused, b]);
    expect([gu.shape, gb.shape]).toEqual([[4, 1], [3]]);
    expect(values(gu, {})).toEqual([0, 0, 0, 0]);
    expect(values(gb, {})).toEqual([0, 0, 0]);
    expect(values(ga, { a: [1, 2, 3, 4, 5, 6] })).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('comparisons pass no gradient: d/db of Σ a·[a > b] is zero', () => {
    const [gb] = grad(a.mul(greater(a, b)).sum(), [b]);
    expect(values(gb, { a: [1, 2, 3, 4, 5, 6], b: [2, 2, 2] })).toEqual([0, 0, 0]);
  });

  it('wrt an inner node, wrt the loss itself, and a size-1 loss of rank 2', () => {
    const h = a.mul(3);
    const loss = h.exp().sum();
    const [gh, gl] = grad(loss, [h, loss]);
    const feeds = { a: [0, 0.1, 0.2, 0.3, 0.4, 0.5] };
    expect(values(gh, feeds)).toEqual(feeds.a.map((v) => Math.exp(3 * v)));
    expect(values(gl, feeds)).toEqual([1]);
    const [g11] = grad(a.sum([0, 1], true), [a]);
    expect(values(g11, feeds)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('gradients are graph nodes, and rebuilding them gives the same nodes', () => {
    const loss = a.matmul(b.reshape([3, 1])).tanh().sum();
    const [g1] = grad(loss, [a]);
    const [g2] = grad(loss, [a]);
    expect(g1).toBe(g2);
    expect(g1.op).not.toBe('constant');
    expect(topoSort([g1]).some((t) => t.op === 'matmul')).toBe(true);
  });
});

describe('vjp of non-scalar outputs, against formulas written here', () => {
  it('matmul: x̄ = G·Wᵀ, W̄ = xᵀ·G', () => {
    const [m, k, n] = [3, 4, 2];
    const xs = Array.from({ length: m * k }, (_, i) => Math.sin(i + 1));
    const ws = Array.from({ length: k * n }, (_, i) => Math.cos(i + 1));
    const gs = Array.from({ length: m * n }, (_, i) => i - 2.5);
    const [x, W, G] = [x64('x', [m, k]), x64('W', [k, n]), x64('G', [m, n])];
    const [gx, gW] = vjp([x.matmul(W)], [x, W], [G]);
    const feeds = { x: xs, W: ws, G: gs };
    const expectX: number[] = [];
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += gs[i * n + j] * ws[p * n + j];
      expectX.push(s);
    }
    const expectW: number[] = [];
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += xs[i * k + p] * gs[i * n + j];
      expectW.push(s);
    }
    values(gx, feeds).forEach((v, i) => expect(v).toBeCloseTo(expectX[i], 12));
    values(gW, feeds).forEach((v, i) => expect(v).toBeCloseTo(expectW[i], 12));
  });

  it('two outputs add up: vjp([x², eˣ], [x], [c₁, c₂]) = 2x·c₁ + eˣ·c₂', () => {
    const x = x64('x', [4]);
    const [c1, c2] = [x64('c1', [4]), x64('c2', [4])];
    const [gx] = vjp([x.square(), x.exp()], [x], [c1, c2]);
    const feeds = { x: [-1, 0, 0.5, 2], c1: [1, 2, 3, 4], c2: [0.5, -1, 2, 0] };
    values(gx, feeds).forEach((v, i) => expect(v).toBeCloseTo(2 * feeds.x[i] * feeds.c1[i] + Math.exp(feeds.x[i]) * feeds.c2[i], 12));
  });

  it('broadcast operands get the cotangent summed over the broadcast axes', () => {
    const [x, bias, G] = [x64('x', [3, 4]), x64('bias', [4]), x64('G', [3, 4])];
    const [gx, gb] = vjp([x.add(bias)], [x, bias], [G]);
    const gs = Array.from({ length: 12 }, (_, i) => i * i);
    const feeds = { x: new Array(12).fill(0), bias: [0, 0, 0, 0], G: gs };
    expect(values(gx, feeds)).toEqual(gs);
    expect(values(gb, feeds)).toEqual([0, 1, 2, 3].map((j) => gs[j] + gs[4 + j] + gs[8 + j]));
  });

  it('an output that is a wrt gets its cotangent; an unrelated wrt gets zeros', () => {
    const [x, c, z] = [x64('x', [2]), x64('c', [2]), x64('z', [5])];
    const [gx, gz] = vjp([x], [x, z], [c]);
    expect(values(gx, { c: [3, 4] })).toEqual([3, 4]);
    expect(gz.shape).toEqual([5]);
    expect(values(gz, {})).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('feeds and outputs', () => {
  it('nested arrays, flat arrays and typed arrays feed the same data; feeds of leaves the graph does not read are ignored, unknown names refused', () => {
    const x = x64('x', [2, 2]);
    const y = x.mul(constant([[1, 10], [100, 1000]], undefined, 'float64'));
    const expected = [1, 20, 300, 4000];
    expect(values(y, { x: [[1, 2], [3, 4]] as never })).toEqual(expected);
    expect(values(y, { x: [1, 2, 3, 4] })).toEqual(expected);
    void param('unread', [1]); // a leaf of some other graph
    expect(Array.from(evaluate(y, { x: new Float64Array([1, 2, 3, 4]), unread: [9] }, f64).data)).toEqual(expected);
    expect(() => evaluate(y, { x: new Float64Array([1, 2, 3, 4]), extra: [9] }, f64)).toThrow(/evaluate: feed 'extra' names no input or param; the graph reads 'x'/);
  });

  it('one output gives one result, a list gives a list (repeats allowed)', () => {
    const x = x64('x', [2]);
    const one = evaluate(x.neg(), { x: [1, 2] });
    expect(one.shape).toEqual([2]);
    const [p, q, r] = evaluate([x.neg(), x.exp(), x.neg()], { x: [1, 2] });
    expect(Array.from(p.data)).toEqual([-1, -2]);
    expect(Array.from(q.data)).toEqual([Math.E, Math.exp(2)]);
    expect(Array.from(r.data)).toEqual([-1, -2]);
  });
});

describe('checkGrad can fail', () => {
  it('reports a wrong derivative, and which input it is on', () => {
    const table = vjps as { exp: Vjp<'exp'> | 'none' };
    const saved = table.exp;
    // A 1% error in d eˣ: the checker must see it.
    table.exp = (g, y) => [g.mul(y).mul(1.01)];
    try {
      const r = checkGrad((u, v) => u.exp().add(v.square()).sum(), [[0.1, 0.2], [0.3, -0.4]]);
      expect(r.ok).toBe(false);
      expect(r.maxRelError).toBeGreaterThan(1e-3);
      expect(r.worst.input === 0 || r.worst.input === -1).toBe(true);
      expect(r.checks).toBe(9); // (2 inputs + all together) × 3 directions
    } finally {
      table.exp = saved;
    }
    expect(checkGrad((u, v) => u.exp().add(v.square()).sum(), [[0.1, 0.2], [0.3, -0.4]]).ok).toBe(true);
  });

  it('reports relu at its kink, where no derivative exists', () => {
    const r = checkGrad((u) => u.relu().sum(), [[0, 1]]);
    expect(r.ok).toBe(false);
  });
});
