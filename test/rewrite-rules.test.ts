// The rules one by one: canonical forms, identities, what facts allow, stabilization, and
// cases no rule was written for (the machinery is general algebra).
import { describe, expect, it } from 'vitest';
import {
  abs, add, broadcastTo, constant, crossEntropy, div, evaluate, exp, explain, grad, GraphError, input, log, logSoftmax, logSumExp,
  matmul, meanSquaredError, mul, neg, param, relu, sameGraph, show, sigmoid, simplify, softmax, softplus, sqrt, square, sub, sum,
  topoSort, transpose, type Tensor,
} from 'gradc';

const f64 = (name: string, shape: number[]) => input(name, shape, {}, 'float64');
const a = f64('a', [2, 3]);
const b = f64('b', [2, 3]);
const c = f64('c', [2, 3]);
const v = f64('v', [3]);
const z = f64('z', [2, 3]);

const feeds = {
  a: [0.3, -1.2, 0.7, 2.1, -0.4, 1.5], b: [1.1, 0.2, -0.9, 0.5, 1.7, -2.2], c: [0.6, 0.8, -1.3, 0.1, -0.5, 0.9],
  v: [0.25, -0.75, 1.25], z: [2.0, -1.0, 0.5, -3.0, 1.5, 0.0],
};

/** simplify keeps the value (float64, relative to the largest entry). */
function expectSameValue(before: Tensor, after: Tensor = simplify(before)): void {
  const [x, y] = evaluate([before, after], feeds, { dtype: 'float64' });
  const scale = Math.max(1e-300, ...Array.from(x.data, Math.abs));
  x.data.forEach((u, i) => expect(Math.abs(u - y.data[i]) / scale).toBeLessThan(1e-12));
}

const has = (t: Tensor, op: string) => topoSort([simplify(t)]).some((n) => n.op === op);
const rulesOf = (t: Tensor) => explain(t).rules;

describe('canonical forms', () => {
  it('commutative operands are sorted by structure, whatever the build order', () => {
    expect(simplify(add(a, b))).toBe(simplify(add(b, a)));
    expect(simplify(mul(a, mul(b, c)))).toBe(simplify(mul(mul(c, a), b)));
    expect(simplify(add(add(exp(a), b), c))).toBe(simplify(add(c, add(b, exp(a)))));
  });

  it('constants are folded and scalars collected however they were factored', () => {
    expect(simplify(add(a, add(constant(1, [], 'float64'), 2)))).toBe(simplify(add(3, a)));
    expect(simplify(div(add(a, b), 2))).toBe(simplify(add(div(a, 2), mul(b, 0.5))));
    expect(simplify(mul(mul(a, 3), mul(b, 2)))).toBe(simplify(mul(6, mul(b, a))));
    expect(simplify(add(mul(a, 2), mul(a, 3)))).toBe(simplify(mul(a, 5)));
    expectSameValue(div(add(a, b), 2));
  });

  it('neg, sub and div have one normal form', () => {
    expect(simplify(sub(a, b))).toBe(simplify(add(a, neg(b))));
    expect(simplify(neg(sub(b, a)))).toBe(simplify(sub(a, b)));
    expect(simplify(div(a, 4))).toBe(simplify(mul(a, 0.25)));
    expect(simplify(div(a, div(b, c)))).toBe(simplify(div(mul(a, c), b)));
    expect(show(simplify(sub(neg(a), b)))).toBe('−(a + b)');
  });

  it('equal factors merge into powers; sums of equal terms into multiples', () => {
    expect(simplify(mul(a, a))).toBe(simplify(square(a)));
    expect(show(simplify(mul(mul(a, b), mul(a, a))))).toBe('a³ ⊙ b');
    expect(show(simplify(sub(add(a, b), a)))).toBe('b');
  });

  it('is idempotent and the identity on an already simple graph', () => {
    const g = add(matmul(a, transpose(b)), 1);
    const s = simplify(g);
    expect(simplify(s)).toBe(s);
    expect(simplify(a)).toBe(a);
  });
});

describe('identities', () => {
  it('x·1, x + 0, −(−x), x/1, (xᵀ)ᵀ and x − x', () => {
    expect(simplify(mul(a, 1))).toBe(a);
    expect(simplify(add(a, 0))).toBe(a);
    expect(simplify(neg(neg(a)))).toBe(a);
    expect(simplify(div(a, 1))).toBe(a);
    expect(simplify(transpose(transpose(a)))).toBe(a);
    expect(simplify(sub(a, a))).toBe(simplify(constant(0, [2, 3], 'float64')));
    expect(rulesOf(neg(neg(a)))).toEqual(['double-negation']);
  });

  it('a scalar broadcast in an elementwise op needs no broadcast node', () => {
    const s = simplify(mul(broadcastTo(constant(2, [], 'float64'), [2, 3]), a));
    expect(show(s)).toBe('2 · a');
  });
});

describe('sums and reductions', () => {
  it('a sum over broadcast axes multiplies by their size', () => {
    expect(simplify(sum(broadcastTo(v, [4, 3]), 0))).toBe(simplify(mul(v, 4)));
    expect(simplify(sum(broadcastTo(v, [4, 3])))).toBe(simplify(mul(sum(v), 4)));
    expectSameValue(sum(broadcastTo(v, [4, 3]), 0, true));
  });

  it('scalars come out of sums, sums of sums merge', () => {
    expect(simplify(sum(div(a, 2), 1))).toBe(simplify(div(sum(a, 1), 2)));
    expect(simplify(sum(sum(a, 1), 0))).toBe(simplify(sum(a)));
  });

  it('softmax rows sum to 1; one-hot rows sum to 1; other rows are left alone', () => {
    expect(simplify(sum(softmax(z), 1))).toBe(simplify(constant(1, [2], 'float64')));
    const t = input('t', [2, 3], { oneHot: true }, 'float64');
    expect(simplify(sum(t))).toBe(simplify(constant(2, [], 'float64')));
    expect(has(sum(a, 1), 'sum')).toBe(true);
    expect(has(sum(softmax(z), 0), 'sum')).toBe(true); // softmax over axis 1: columns do not sum to 1
  });
});

describe('facts decide what may be cancelled', () => {
  it('y·(a/y) → a only where y ≠ 0 is known', () => {
    expect(simplify(mul(exp(z), div(a, exp(z))))).toBe(a);
    expect(simplify(mul(softmax(z), div(a, softmax(z))))).toBe(a);
    const unknown = simplify(mul(b, div(a, b)));
    expect(unknown).not.toBe(a);
    expect(topoSort([unknown]).some((n) => n.op === 'div')).toBe(true); // kept: b may be 0
  });

  it('exp∘log where valid, log∘exp always', () => {
    expect(simplify(log(exp(a)))).toBe(a);
    expect(simplify(exp(log(sigmoid(z))))).toBe(simplify(sigmoid(z)));
    expect(has(exp(log(a)), 'log')).toBe(true); // a may be negative: exp(log a) is NaN there
  });

  it('relu and |·| of something non-negative disappear', () => {
    expect(simplify(relu(exp(a)))).toBe(simplify(exp(a)));
    expect(simplify(abs(square(a)))).toBe(simplify(square(a)));
    expect(has(relu(a), 'relu')).toBe(true);
  });

  it('√(x²) = |x|, and (√x)² = x for x ≥ 0 only', () => {
    expect(simplify(sqrt(square(a)))).toBe(simplify(abs(a)));
    expect(simplify(square(sqrt(exp(a))))).toBe(simplify(exp(a)));
    expect(has(square(sqrt(a)), 'sqrt')).toBe(true);
  });
});

describe('stabilization', () => {
  const w = (t: Tensor) => show(simplify(t));
  it('log(softmax(z)) → logSoftmax(z)', () => expect(simplify(log(softmax(z)))).toBe(logSoftmax(z)));
  it('log(σ(z)) → −softplus(−z)', () => expect(w(log(sigmoid(z)))).toBe('−softplus(−z)'));
  it('log(1 − σ(z)) → −softplus(z)', () => expect(w(log(sub(1, sigmoid(z))))).toBe('−softplus(z)'));
  it('log(1 + exp(z)) → softplus(z)', () => expect(simplify(log(add(exp(z), 1)))).toBe(softplus(z)));
  it('log(Σ exp(z)) → logSumExp(z)', () => expect(simplify(log(sum(exp(z), 1, true)))).toBe(logSumExp(z, 1, true)));
  it('exp(z) / Σ exp(z) → softmax(z)', () => expect(simplify(div(exp(z), sum(exp(z), 1, true)))).toBe(softmax(z)));
  it('exp(z − logSumExp(z)) → softmax(z)', () => expect(simplify(exp(sub(z, logSumExp(z, 1, true))))).toBe(softmax(z)));

  it('each stabilized form has the value of the original', () => {
    for (const t of [log(softmax(z)), log(sigmoid(z)), log(sub(1, sigmoid(z))), log(add(exp(z), 1)), log(sum(exp(z), 1, true)), div(exp(z), sum(exp(z), 1, true))]) {
      expectSameValue(t);
    }
  });
});

describe('matrix products', () => {
  const A = f64('A', [2, 4]);
  const B = f64('B', [3, 2]);
  it('Aᵀ·Bᵀ → (B·A)ᵀ', () => expect(simplify(matmul(transpose(A), transpose(B)))).toBe(transpose(matmul(B, A))));
  it('scalars come out of products', () => expect(simplify(matmul(mul(B, 2), div(A, 4)))).toBe(simplify(div(matmul(B, A), 2))));
});

describe('general algebra: cases no rule was written for', () => {
  it('mean squared error of a linear model: ∂L/∂W = xᵀ · (x·W − t) · 2/(n·k)', () => {
    const x = f64('x', [5, 4]);
    const W = param('W', [4, 3], 'float64');
    const t = f64('t', [5, 3]);
    const [gW] = grad(meanSquaredError(matmul(x, W), t), [W]);
    expect(simplify(gW)).toBe(simplify(mul(matmul(transpose(x), sub(matmul(x, W), t)), 2 / 15)));
  });

  it('softmax cross-entropy on batched rank-3 logits still becomes (y − t)/n', () => {
    const logits = f64('logits', [2, 3, 4]);
    const t = input('t', [2, 3, 4], { oneHot: true }, 'float64');
    const [g] = grad(crossEntropy(softmax(logits), t), [logits]);
    expect(simplify(g)).toBe(simplify(div(sub(softmax(logits), t), 6)));
  });

  it('a gradient taken twice still simplifies and keeps its value', () => {
    const [g1] = grad(sum(mul(sigmoid(z), a)), [z]);
    const [g2] = grad(sum(g1), [z]);
    expectSameValue(g2);
  });
});

describe('bad input', () => {
  it('simplify and explain reject what is not a Tensor, naming the op', () => {
    expect(() => simplify(3 as unknown as Tensor)).toThrow(GraphError);
    expect(() => simplify(3 as unknown as Tensor)).toThrow(/^simplify: the argument is not a Tensor/);
    expect(() => simplify([a, 'b' as unknown as Tensor])).toThrow(/element 1 is not a Tensor/);
    expect(() => explain([null as unknown as Tensor])).toThrow(/^explain: element 0/);
    expect(() => explain([])).toThrow(/^explain: needs a Tensor/);
    expect(sameGraph(a, a)).toBe(true);
  });
});
