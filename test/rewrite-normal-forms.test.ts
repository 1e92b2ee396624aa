// The normal-form rules (collect-terms, collect-factors) are fixed points of themselves: applied
// to what they built they do not fire. The driver relies on it to skip that second look
// (Rule.normalForm in src/rewrite/rule.ts), so it is checked here on every node of random
// graphs and their gradients, where the normal forms do most of their work.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, input, mul, constant, simplify, sum, topoSort, show, type Tensor } from 'gradc';
import { rewriteRules, type RuleContext } from 'gradc/internals';
import { arbGraph, type RandomGraph } from './helpers/random-graph.js';

/** No node is interior: the rules fire wherever their pattern matches. */
const everywhere: RuleContext = { interior: () => false };
const normalForms = rewriteRules.filter((r) => r.normalForm === true);

function withGradients(g: RandomGraph): Tensor[] {
  const xs = g.inputs.map((x) => input(x.name, x.shape, {}, 'float64'));
  const y = g.build(xs);
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
      { numRuns: 60 },
    );
    expect(fired).toBeGreaterThan(100); // the property was exercised, not vacuous
  });
});
