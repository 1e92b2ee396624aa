// Acceptance tests of the simplifier on the textbook models: the gradient of cross-entropy
// through softmax becomes xᵀ(y − t)/n only because t is one-hot, and stays exact otherwise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  add, binaryCrossEntropy, crossEntropy, div, evaluate, explain, grad, input, matmul, oneHot, param, relu,
  sameGraph, show, sigmoid, simplify, softmax, sub, sum, toMermaid, topoSort, transpose, type Tensor,
} from 'gradc';
import { seedDerivation, seedGraph } from 'gradc/cli';

const N = 32;

/** One layer: x [n,784], W [784,10], b [10], y = softmax(x·W + b), L = crossEntropy(y, t). */
function oneLayer(opts: { oneHot?: boolean; n?: number; dtype?: 'float32' | 'float64' } = {}) {
  const { n = N, dtype = 'float32' } = opts;
  const x = input('x', [n, 784], {}, dtype);
  const W = param('W', [784, 10], dtype);
  const b = param('b', [10], dtype);
  const t = input('t', [n, 10], opts.oneHot === false ? {} : { oneHot: true }, dtype);
  const y = softmax(add(matmul(x, W), b));
  const L = crossEntropy(y, t);
  return { x, W, b, t, y, L, n };
}

/** The seed MLP: 784 → 32 relu → 10 softmax. */
function mlp(opts: { oneHot?: boolean; n?: number; dtype?: 'float32' | 'float64' } = {}) {
  const { n = N, dtype = 'float32' } = opts;
  const x = input('x', [n, 784], {}, dtype);
  const t = input('t', [n, 10], opts.oneHot === false ? {} : { oneHot: true }, dtype);
  const W1 = param('W1', [784, 32], dtype);
  const b1 = param('b1', [32], dtype);
  const W2 = param('W2', [32, 10], dtype);
  const b2 = param('b2', [10], dtype);
  const h = relu(add(matmul(x, W1), b1));
  const y = softmax(add(matmul(h, W2), b2));
  const L = crossEntropy(y, t);
  return { x, t, W1, b1, W2, b2, h, y, L, n, params: [W1, b1, W2, b2] };
}

/** A deterministic pseudo-random vector in [−1, 1]. */
const wave = (size: number, k: number): Float64Array => Float64Array.from({ length: size }, (_, i) => Math.sin(1.7 * i + k) * Math.cos(0.3 * i * k + 1));

function oneHotRows(n: number, classes: number): Float64Array {
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) out[i * classes + ((i * 7 + 3) % classes)] = 1;
  return out;
}

/** Relative error of a tensor: max |a − b| / max |a| (the ∞-norm), so entries near 0 are judged against the whole. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return scale === 0 ? worst : worst / scale;
}

const ops = (t: Tensor | Tensor[]) => topoSort(Array.isArray(t) ? t : [t]);

describe('softmax + cross-entropy, one layer', () => {
  it('∂L/∂W simplifies to the same node as xᵀ · (softmax(x·W + b) − t) / n built by hand', () => {
    const { x, W, b, t, L, n } = oneLayer();
    const [gW] = grad(L, [W]);
    const byHand = div(matmul(transpose(x), sub(softmax(add(matmul(x, W), b)), t)), n);
    expect(simplify(gW)).toBe(simplify(byHand));
    expect(sameGraph(gW, byHand)).toBe(true);
    expect(show(simplify(gW))).toBe('xᵀ · (softmax(x · W + b) − t) / 32');
  });

  it('∂L/∂b simplifies to the column sums of (y − t)/n', () => {
    const { b, t, y, L, n } = oneLayer();
    const [gb] = grad(L, [b]);
    expect(simplify(gb)).toBe(simplify(sum(div(sub(y, t), n), 0)));
  });

  it('the simplified gradient has no log and divides only by constants (never by y)', () => {
    const { W, b, L } = oneLayer();
    const nodes = ops(simplify(grad(L, [W, b])));
    expect(nodes.some((t) => t.op === 'log')).toBe(false);
    const divisors = nodes.filter((t) => t.op === 'div').map((t) => t.inputs[1]);
    expect(divisors.length).toBeGreaterThan(0);
    expect(divisors.every((d) => d.op === 'constant')).toBe(true);
    // Before simplification there was a division by y: the rules removed it.
    expect(ops(grad(L, [W])).some((t) => t.op === 'div' && t.inputs[1].op === 'softmax')).toBe(true);
  });

  it('targets made by oneHot(labels) carry the fact too', () => {
    const x = input('x', [N, 784]);
    const W = param('W', [784, 10]);
    const labels = input('labels', [N]);
    const t = oneHot(labels, 10);
    const y = softmax(matmul(x, W));
    const [gW] = grad(crossEntropy(y, t), [W]);
    expect(simplify(gW)).toBe(simplify(div(matmul(transpose(x), sub(y, t)), N)));
  });

  it('simplified and unsimplified gradients agree in value (one-hot targets, float64)', () => {
    const { W, b, L } = oneLayer({ n: 6, dtype: 'float64' });
    const gs = grad(L, [W, b]);
    const feeds = { x: wave(6 * 784, 1), W: wave(784 * 10, 2).map((v) => v * 0.1), b: wave(10, 3), t: oneHotRows(6, 10) };
    const before = evaluate(gs, feeds, { dtype: 'float64' });
    const after = evaluate(simplify(gs), feeds, { dtype: 'float64' });
    before.forEach((e, i) => expect(relError(e.data, after[i].data)).toBeLessThan(1e-12));
  });
});

describe('without the oneHot fact the result stays exact', () => {
  it('∂L/∂W is xᵀ · (y ⊙ Σ₁(t) − t) / n, not (y − t)/n', () => {
    const { x, W, t, y, L, n } = oneLayer({ oneHot: false });
    const [gW] = grad(L, [W]);
    const s = simplify(gW);
    expect(s).not.toBe(simplify(div(matmul(transpose(x), sub(y, t)), n)));
    expect(s).toBe(simplify(div(matmul(transpose(x), sub(y.mul(sum(t, 1, true)), t)), n)));
    expect(show(s, { names: { y } })).toBe('let y = softmax(x · W + b)\nxᵀ · (y ⊙ Σ₁(t) − t) / 32');
  });

  it('the simplified MLP gradients evaluate to the same numbers (float64, relative error < 1e-12)', () => {
    const n = 5;
    const m = mlp({ oneHot: false, n, dtype: 'float64' });
    const gs = grad(m.L, m.params);
    // Soft targets whose rows do not sum to 1: the case a wrong rule would get wrong.
    const feeds = {
      x: wave(n * 784, 1), t: wave(n * 10, 2).map((v) => v * v), W1: wave(784 * 32, 3).map((v) => v * 0.05),
      b1: wave(32, 4), W2: wave(32 * 10, 5).map((v) => v * 0.3), b2: wave(10, 6),
    };
    const before = evaluate([m.L, ...gs], feeds, { dtype: 'float64' });
    const after = evaluate(simplify([m.L, ...gs]), feeds, { dtype: 'float64' });
    before.forEach((e, i) => expect(relError(e.data, after[i].data)).toBeLessThan(1e-12));
  });
});

describe('the two-layer seed MLP', () => {
  it('prints the last layer’s weight gradient as hᵀ · (y − t) / n with h and y named once', () => {
    const { h, y, L, W2 } = mlp();
    const [gW2] = grad(L, [W2]);
    expect(show(simplify(gW2), { names: { h: simplify(h), y: simplify(y) } })).toBe(
      ['let h = relu(x · W1 + b1)', 'let y = softmax(h · W2 + b2)', 'hᵀ · (y − t) / 32'].join('\n'),
    );
  });

  it('every gradient matches its textbook formula', () => {
    const { x, t, W1, b1, W2, b2, h, y, L, n, params } = mlp();
    const g = simplify(grad(L, params));
    const dz2 = div(sub(y, t), n); // ∂L/∂(h·W2 + b2)
    const dz1 = matmul(dz2, transpose(W2)).mul(add(matmul(x, W1), b1).greater(0)); // back through relu
    expect(g[0]).toBe(simplify(matmul(transpose(x), dz1)));
    expect(g[1]).toBe(simplify(sum(dz1, 0)));
    expect(g[2]).toBe(simplify(matmul(transpose(h), dz2)));
    expect(g[3]).toBe(simplify(sum(dz2, 0)));
    void b2;
  });

  it('explain lists the rules in the order they fired, and every step keeps the value', () => {
    const n = 3;
    const m = mlp({ n, dtype: 'float64' });
    const e = explain([m.L, ...grad(m.L, m.params)]);
    expect(e.after).toEqual(simplify([m.L, ...grad(m.L, m.params)]));
    const order = ['cancel-factor', 'rows-sum-to-one', 'distribute', 'log-softmax'];
    const first = order.map((r) => e.rules.indexOf(r));
    expect(first.every((i) => i >= 0)).toBe(true);
    expect([...first].sort((a, b) => a - b)).toEqual(first);
    expect(e.steps.find((s) => s.rule === 'rows-sum-to-one')?.because).toBe('t is declared oneHot');
    expect(e.steps.find((s) => s.rule === 'cancel-factor')?.because).toMatch(/^softmax\(.*\) ∈ \(0, 1\)$/);
    // Each local rewrite computes the same values as what it replaced.
    const feeds = {
      x: wave(n * 784, 1), t: oneHotRows(n, 10), W1: wave(784 * 32, 3).map((v) => v * 0.05),
      b1: wave(32, 4), W2: wave(32 * 10, 5).map((v) => v * 0.3), b2: wave(10, 6),
    };
    for (const s of e.steps) {
      const [a, b] = evaluate([s.before, s.after], feeds, { dtype: 'float64' });
      expect(relError(a.data, b.data), `${s.rule}: ${show(s.before)} → ${show(s.after)}`).toBeLessThan(1e-12);
    }
  });
});

describe('sigmoid with binary cross-entropy', () => {
  it('the logit gradient simplifies to (σ(z) − t)/N and the loss to the softplus form', () => {
    const z = input('z', [8, 1], {}, 'float64');
    const t = input('t', [8, 1], {}, 'float64');
    const L = binaryCrossEntropy(sigmoid(z), t);
    const [gz] = grad(L, [z]);
    expect(simplify(gz)).toBe(simplify(div(sub(sigmoid(z), t), 8)));
    const s = simplify(L);
    expect(ops(s).some((n) => n.op === 'log' || n.op === 'sigmoid')).toBe(false);
    expect(show(s)).toBe('Σ(softplus(−z) ⊙ t + softplus(z) ⊙ (1 − t)) / 8');
  });
});

describe('gradc explain and docs/gradients.md', () => {
  it('the derivation ends in the textbook formulas and names the facts it used', () => {
    const text = seedDerivation();
    expect(text).toContain('∂L/∂W2 = hᵀ · (y − t) / 32');
    expect(text).toContain('∂L/∂b2 = Σ₀(y − t) / 32');
    expect(text).toContain('rows-sum-to-one: Σ₁(t) → 1   [t is declared oneHot]');
    expect(text).toContain('cancel-factor: (−t / y / 32) ⊙ y → −t / 32   [y ∈ (0, 1)]');
    expect(seedDerivation({ batch: 8 })).toContain('∂L/∂W2 = hᵀ · (y − t) / 8');
    expect(seedDerivation({ oneHot: false })).not.toContain('rows-sum-to-one');
    expect(() => seedDerivation({ batch: 0 })).toThrow(/^explain: batch must be a positive integer, got 0/);
  });

  it('the docs page shows the real output, not a copy that drifted', () => {
    const doc = readFileSync(new URL('../docs/gradients.md', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`text\n${seedDerivation()}\n\`\`\``);
    const exact = seedDerivation({ oneHot: false }).split('After:\n')[1].split('\n\nRules')[0];
    expect(doc).toContain(`\`\`\`text\n${exact}\n\`\`\``);
    const g = seedGraph();
    expect(doc).toContain(`\`\`\`mermaid\n${toMermaid(simplify(g.grads[2]))}\n\`\`\``);
  });
});
