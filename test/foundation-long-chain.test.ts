// A chain of 100,000 ops builds, sorts, differentiates and evaluates without overflowing
// the stack; value and derivative match a forward-mode loop written here.
import { describe, expect, it } from 'vitest';
import { evaluate, grad, input, topoSort, type Tensor } from 'gradc';

const N = 100_000;

/** Step i of the chain and its derivative: (value, dvalue) → (value', dvalue'). */
const steps: [(y: Tensor) => Tensor, (v: number, dv: number) => [number, number]][] = [
  [(y) => y.mul(1.00001), (v, dv) => [v * 1.00001, dv * 1.00001]],
  [(y) => y.add(0.001), (v, dv) => [v + 0.001, dv]],
  [(y) => y.exp(), (v, dv) => [Math.exp(v), dv * Math.exp(v)]],
  [(y) => y.log(), (v, dv) => [Math.log(v), dv / v]],
  [(y) => y.square(), (v, dv) => [v * v, 2 * v * dv]],
  [(y) => y.sqrt(), (v, dv) => [Math.sqrt(v), dv / (2 * Math.sqrt(v))]],
];

describe('a chain of 100,000 ops', () => {
  it('builds, differentiates and evaluates; value and derivative match forward mode', () => {
    const x = input('x', [], {}, 'float64');
    let y: Tensor = x;
    for (let i = 0; i < N; i++) y = steps[i % steps.length][0](y);

    const order = topoSort([y]);
    // Every op node, the input, and the shared scalar constants (one per distinct number).
    expect(order.filter((t) => t.op !== 'constant').length).toBe(N + 1);
    expect(order[order.length - 1]).toBe(y);

    const [dy] = grad(y, [x]);
    const x0 = 0.3;
    const [value, slope] = evaluate([y, dy], { x: [x0] }, { dtype: 'float64' }).map((e) => e.data[0]);

    let v = x0;
    let dv = 1;
    for (let i = 0; i < N; i++) [v, dv] = steps[i % steps.length][1](v, dv);
    expect(Number.isFinite(value) && Number.isFinite(slope)).toBe(true);
    expect(Math.abs(value - v)).toBeLessThan(1e-9 * Math.abs(v));
    expect(Math.abs(slope - dv)).toBeLessThan(1e-9 * Math.abs(dv));
    // y grows to ≈ 17 and dy/dx = 1.00001^(N/6) ≈ e^(1/6): neither collapses.
    expect(v).toBeGreaterThan(10);
    expect(dv).toBeCloseTo(Math.exp(1 / 6), 4);
  });
});
