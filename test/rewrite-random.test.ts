// Properties of simplify on random graphs (the shared generator in test/helpers/random-graph.ts)
// and on graphs far deeper than any recursion could handle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, constant, evaluate, exp, grad, input, log, mul, neg, show, simplify, sum, tanh, topoSort, type Tensor } from 'gradc';
import { arbGraph, type RandomGraph } from './helpers/random-graph.js';

/** Relative error of a tensor: max |a − b| / max(|a|, 1). Values from the generator stay far from overflow. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    worst = Math.max(worst, Number.isNaN(b[i]) !== Number.isNaN(a[i]) ? Infinity : Math.abs(a[i] - b[i]));
  }
  return worst / scale;
}

/** The graph, and the gradient of a fixed random projection of it with respect to every input. */
function withGradients(g: RandomGraph): Tensor[] {
  const xs = g.inputs.map((x) => input(x.name, x.shape, {}, 'float64'));
  const y = g.build(xs);
  const r = constant(Array.from({ length: y.size }, (_, i) => Math.sin(3.1 * i + 1)), y.shape, 'float64');
  return [y, ...grad(sum(mul(y, r)), xs)];
}

function check(g: RandomGraph, roots: Tensor[]): void {
  const s = simplify(roots);
  const before = evaluate(roots, g.feeds(), { dtype: 'float64' });
  const after = evaluate(s, g.feeds(), { dtype: 'float64' });
  before.forEach((e, i) => {
    const err = relError(e.data, after[i].data);
    if (!(err < 1e-9)) throw new Error(`value changed (relative error ${err}):\n${show(roots[i])}\n  →\n${show(s[i])}`);
  });
  const again = simplify(s);
  again.forEach((t, i) => {
    if (t !== s[i]) throw new Error(`not idempotent:\n${show(s[i])}\n  →\n${show(t)}`);
  });
}

describe('simplify on random graphs', () => {
  it('never changes the value (float64, relative error < 1e-9) and is idempotent', () => {
    fc.assert(
      fc.property(arbGraph({ maxDepth: 7, maxOps: 16 }), (g) => check(g, [g.output('float64')])),
      { numRuns: 200 },
    );
  });

  it('the same holds for their gradients, where most rules fire', () => {
    fc.assert(
      fc.property(arbGraph({ maxDepth: 6, maxOps: 12 }), (g) => check(g, withGradients(g))),
      { numRuns: 100 },
    );
  });
});

describe('deep graphs', () => {
  it('simplifies a 100,000-node chain without recursion, and the result is a fixed point', () => {
    const x = input('x', [2], {}, 'float64');
    let y: Tensor = x;
    // 64,000 steps: tanh, log∘exp (two nodes), and now and then −(y + 0.5).
    for (let i = 0; i < 64_000; i++) y = i % 16 === 1 ? neg(add(y, 0.5)) : i % 2 ? tanh(y) : log(exp(y));
    expect(topoSort([y]).length).toBeGreaterThan(100_000);
    const s = simplify(y);
    // log∘exp vanished, and −(y + 0.5) took its canonical form.
    expect(topoSort([s]).some((t) => t.op === 'log')).toBe(false);
    expect(simplify(s)).toBe(s);
    const feeds = { x: [0.3, -0.7] };
    const [a, b] = evaluate([y, s], feeds, { dtype: 'float64' });
    expect(relError(a.data, b.data)).toBeLessThan(1e-12);
  });
});
