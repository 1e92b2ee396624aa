// The normal-form rules (collect-terms, collect-factors) are fixed points of themselves: applied
// to what they built they do not fire. The driver relies on it to skip that second look
// (Rule.normalForm in src/rewrite/rule.ts), so it is checked here on every node of random
// graphs and their gradients, where the normal forms do most of their work.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abs, add, constant, div, exp, grad, greater, input, minimum, mul, neg, reshape, show, sigmoid, simplify, sqrt, sub, sum, tanh, topoSort, where, type Tensor } from 'gradc';
import { rewriteRules, type RuleContext } from 'gradc/internals';
import { arbGraph, type RandomGraph } from './helpers/random-graph.js';

/** No node is interior: the rules fire wherever their pattern matches. */
const everywhere: RuleContext = { interior: () => false };
const normalForms = rewriteRules.filter((r) => r.normalForm === true);

function withGradients(g: RandomGraph): Tensor[] {
  const xs = g.inputs.map((x) => input(x.name, x.shape, {}, 'float64'));
  return andGradients(xs, g.build(xs));
}

/** y and the gradients of Σ y ⊙ r (r a fixed pattern) with respect to xs: the roots the property checks. */
function andGradients(xs: Tensor[], y: Tensor): Tensor[] {
  const r = constant(Array.from({ length: y.size }, (_, i) => Math.cos(2.3 * i + 0.5)), y.shape, 'float64');
  return [y, ...grad(sum(mul(y, r)), xs)];
}

/** Every node where a normal-form rule fires: the rule, applied to its result, leaves it as it is. */
function check(roots: readonly Tensor[]): number {
  let fired = 0;
  for (const t of topoSort(roots)) {
    for (const r of normalForms) {
      if (!r.ops.includes(t.op as never)) continue;
      const out = r.apply(t, everywhere);
      const to = out === undefined || 'op' in out ? out : out.to;
      if (to === undefined || to === t) continue;
      fired++;
      const again = r.apply(to, everywhere);
      const next = again === undefined || 'op' in again ? again : again.to;
      if (next !== undefined && next !== to) throw new Error(`${r.name} is not a fixed point of itself:\n${show(t)}\n  → ${show(to)}\n  → ${show(next)}`);
    }
  }
  return fired;
}

describe('normal-form rules', () => {
  it('are the two arithmetic normal forms', () => {
    expect(normalForms.map((r) => r.name)).toEqual(['collect-terms', 'collect-factors']);
  });

  it('do not fire on their own output (random graphs, their gradients, and those simplified)', () => {
    let fired = 0;
    fc.assert(
      fc.property(arbGraph({ maxDepth: 6, maxOps: 12 }), (g) => {
        const roots = withGradients(g);
        fired += check(roots) + check(simplify(roots));
      }),
      // FC_RUNS=1500 FC_SEED=<n> explores further than CI's 60 runs.
      { numRuns: Number(process.env['FC_RUNS'] ?? 60) },
    );
    expect(fired).toBeGreaterThan(100); // the property was exercised, not vacuous
  });

  // The property's shrunk counterexamples from before the rules repeated a round that
  // multiplies out: one round left an opening (or a cancellation) the next would make.
  const scalars = (n: number): Tensor[] => Array.from({ length: n }, (_, i) => input(`x${i}`, [], {}, 'float64'));

  it('collect-terms opens the sum factors inside a sum it opened (FC_SEED=2, 1500 runs)', () => {
    const [x0, x1, x2] = scalars(3);
    const m = minimum(x0, x0);
    const y = mul(mul(reshape(m, []), add(m, x1)), exp(minimum(where(greater(x2, x0), x0, x0), x1)));
    const roots = andGradients([x0, x1, x2], y);
    expect(check(roots) + check(simplify(roots))).toBeGreaterThan(0);
  });

  it('collect-factors cancels a difference that multiplying out brought up (FC_SEED=4, 1500 runs)', () => {
    const [x0, x1] = scalars(2);
    const s = sigmoid(x1);
    const y = sigmoid(tanh(mul(div(neg(x0), sqrt(add(s, 0.5))), neg(mul(minimum(x1, x0), sub(s, s))))));
    const roots = andGradients([x0, x1], y);
    expect(check(roots) + check(simplify(roots))).toBeGreaterThan(0);
  });

  it('collect-factors cancels a difference that multiplying out brought up (FC_SEED=5, 1500 runs)', () => {
    const [x0, x1, x2] = scalars(3);
    const a = mul(x0, x1);
    const y = sqrt(add(sigmoid(add(mul(sub(a, 0.25), sub(a, a)), abs(x2))), 0.5));
    const roots = andGradients([x0, x1, x2], y);
    expect(check(roots) + check(simplify(roots))).toBeGreaterThan(0);
  });
});
