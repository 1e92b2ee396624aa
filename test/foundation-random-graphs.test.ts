// Random composed graphs (DAGs up to depth 6 from test/helpers/random-graph.ts) pass the
// same gradient check as single ops; and the generator keeps its own promises.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate, param, topoSort } from 'gradc';
import { arbSeed } from './helpers/arbitraries.js';
import { expectGradOk } from './helpers/grad-check.js';
import { arbGraph, GRAPH_OPS } from './helpers/random-graph.js';

describe('random graphs', () => {
  it('the symbolic gradient of random DAGs agrees with central differences', () => {
    fc.assert(
      fc.property(arbGraph(), arbSeed, (g, seed) => void expectGradOk((...xs) => g.build(xs), g.points(), seed)),
      { numRuns: 300 },
    );
  });

  it('larger graphs: up to 24 ops, 4 inputs, tensors of up to 48 elements', () => {
    fc.assert(
      fc.property(arbGraph({ maxOps: 24, maxInputs: 4, maxSize: 48 }), arbSeed, (g, seed) => void expectGradOk((...xs) => g.build(xs), g.points(), seed)),
      { numRuns: 60 },
    );
  });
});

describe('the random-graph generator', () => {
  it('respects its limits, rebuilds to the same nodes, and evaluates to finite values', () => {
    fc.assert(
      fc.property(arbGraph(), (g) => {
        expect(g.depth).toBeLessThanOrEqual(6);
        expect(g.opCount).toBeLessThanOrEqual(12);
        expect(g.opCount).toBeGreaterThan(0);
        const y = g.output('float64');
        // Hash-consing: the same ops on the same inputs are the same nodes.
        expect(g.output('float64')).toBe(y);
        expect(y.dtype).toBe('float64');
        for (const dtype of ['float64', 'float32'] as const) {
          const v = evaluate(g.output(dtype), g.feeds(), { dtype });
          expect(v.data.every(Number.isFinite), `${dtype} values of\n${g}`).toBe(true);
        }
        // Built on params instead of inputs, the graph computes the same values.
        const onParams = g.build(g.inputs.map((x) => param(x.name, x.shape, 'float64')));
        expect(evaluate(onParams, g.feeds(), { dtype: 'float64' }).data).toEqual(evaluate(y, g.feeds(), { dtype: 'float64' }).data);
        // Input values: distinct within an input, never 0.
        for (const x of g.inputs) {
          expect(new Set(x.data).size).toBe(x.data.length);
          expect(x.data.every((v) => Math.abs(v) > 0.02)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('honours an op subset and a fixed output shape (guards aside)', () => {
    const allowed = new Set(['add', 'mul', 'matmul', 'relu', 'sum', 'transpose']);
    // Guards: scaling by a number (mul), squashing (sigmoid + add, tanh + exp), broadcastTo of a reused node.
    const guards = new Set(['mul', 'add', 'sigmoid', 'tanh', 'exp', 'broadcastTo']);
    fc.assert(
      fc.property(arbGraph({ ops: [...allowed] as never, outputShape: [2, 3] }), (g) => {
        const y = g.output();
        expect(y.shape).toEqual([2, 3]);
        for (const t of topoSort([y])) {
          if (t.op === 'input' || t.op === 'constant') continue;
          expect(allowed.has(t.op) || guards.has(t.op), `${t.op} in\n${g}`).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('covers every op and shares nodes (a fixed sample of 300 graphs)', () => {
    const sample = fc.sample(arbGraph(), { numRuns: 300, seed: 2024 });
    const used = new Set(sample.flatMap((g) => g.ops));
    expect(GRAPH_OPS.filter((op) => !used.has(op))).toEqual([]);
    for (const cmp of ['greater', 'less', 'equal']) expect(used.has(cmp)).toBe(true);
    // A DAG, not a tree: some non-input node feeds two different users.
    const sharesInner = (y: ReturnType<(typeof sample)[number]['output']>) => {
      const users = new Map<unknown, number>();
      for (const t of topoSort([y])) for (const x of new Set(t.inputs)) users.set(x, (users.get(x) ?? 0) + 1);
      return [...users].some(([t, n]) => n > 1 && (t as typeof y).op !== 'input' && (t as typeof y).op !== 'constant');
    };
    const shared = sample.filter((g) => sharesInner(g.output())).length;
    expect(shared).toBeGreaterThan(30);
    expect(Math.max(...sample.map((g) => g.depth))).toBe(6);
  });
});
