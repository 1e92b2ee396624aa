/** Loop coalescing: nests that walk memory contiguously become one loop; results unchanged. */
import { describe, expect, test } from 'vitest';
import { ProgramBuilder, affine, buildProgram, coalesceLoops, describeLoops } from 'gradc/codegen';
import type { Expr, LoopKernel } from 'gradc/codegen';
import { expectClose, uniform } from './codegen-helpers.js';

/** out[i, j] = f(i, j) over a 4×5 nest, coalesced; returns the loop shape and the output. */
function nest(value: (p: ProgramBuilder, x: number, b: number, i: number, j: number) => Expr) {
  const p = new ProgramBuilder();
  const x = p.input(20), b = p.input(5), out = p.output(20);
  const i = p.e.newVar(), j = p.e.newVar();
  const k: LoopKernel = { kind: 'loops', name: 'k', outer: [{ v: i, extent: 4 }, { v: j, extent: 5 }],
    passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[i, 5], [j, 1]]), value: value(p, x, b, i, j) }] }] };
  const c = coalesceLoops(k, p.e);
  p.kernel(c);
  const exe = buildProgram(p.finish());
  exe.setInput(0, uniform(20, 1));
  exe.setInput(1, uniform(5, 2));
  exe.run();
  return { loops: describeLoops(c), out: Array.from(exe.outputs[0]!), X: Array.from(exe.inputs[0]!), B: Array.from(exe.inputs[1]!) };
}

describe('coalesceLoops', () => {
  test('a contiguous elementwise nest becomes one loop', () => {
    const r = nest((p, x, _b, i, j) => p.e.exp(p.e.load(x, affine(0, [[i, 5], [j, 1]]))));
    expect(r.loops).toBe('20 | map[]');
    expectClose(r.out, r.X.map(Math.exp));
  });

  test('a broadcast operand, a transposed read or a loop index used as a value keep the nest', () => {
    const bias = nest((p, x, b, i, j) => p.e.add(p.e.load(x, affine(0, [[i, 5], [j, 1]])), p.e.load(b, affine(0, [[j, 1]]))));
    expect(bias.loops).toBe('4×5 | map[]');
    expectClose(bias.out, bias.X.map((v, n) => v + bias.B[n % 5]!));
    const transposed = nest((p, x, _b, i, j) => p.e.load(x, affine(0, [[j, 4], [i, 1]])));
    expect(transposed.loops).toBe('4×5 | map[]');
    expectClose(transposed.out, transposed.out.map((_, n) => transposed.X[(n % 5) * 4 + Math.floor(n / 5)]!));
    const iota = nest((p, _x, _b, i, j) => p.e.cast(p.e.add(p.e.v(i), p.e.mul(p.e.v(j), 10)), 'f32'));
    expect(iota.loops).toBe('4×5 | map[]');
    expect(iota.out).toEqual(iota.out.map((_, n) => Math.floor(n / 5) + 10 * (n % 5)));
  });

  test('typed loads survive the rewrite: a u8 nest cast to f32 and an f64 one coalesce with their dtypes', () => {
    for (const dtype of ['u8', 'f64'] as const) {
      const p = new ProgramBuilder();
      const x = p.input(20, { dtype }), out = p.output(20);
      const i = p.e.newVar(), j = p.e.newVar();
      const v = p.e.cast(p.e.mul(p.e.load(x, affine(0, [[i, 5], [j, 1]])), 3), 'f32');
      const k: LoopKernel = { kind: 'loops', name: 'k', outer: [{ v: i, extent: 4 }, { v: j, extent: 5 }],
        passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[i, 5], [j, 1]]), value: v }] }] };
      const c = coalesceLoops(k, p.e);
      expect(describeLoops(c)).toBe('20 | map[]');
      p.kernel(c);
      const exe = buildProgram(p.finish());
      const data = Array.from({ length: 20 }, (_, n) => (dtype === 'u8' ? 250 - n * 7 : n / 3));
      exe.setInput(0, data);
      exe.run();
      expect(Array.from(exe.outputs[0]!)).toEqual(Array.from(exe.inputs[0]!, (w) => Math.fround(w * 3)));
    }
  });

  test('reduce passes coalesce too: a sum over all of [4,5] is one loop of 20', () => {
    const p = new ProgramBuilder();
    const x = p.input(20), out = p.output(1);
    const i = p.e.newVar(), j = p.e.newVar(), a = p.e.newAcc();
    const k = coalesceLoops({ kind: 'loops', name: 'sum', outer: [], passes: [
      { kind: 'reduce', loops: [{ v: i, extent: 4 }, { v: j, extent: 5 }], accs: [{ acc: a, op: 'sum', value: p.e.load(x, affine(0, [[i, 5], [j, 1]])) }] },
      { kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0), value: p.e.acc(a) }] },
    ] }, p.e);
    expect(describeLoops(k)).toBe('scalar | reduce[20], map[]');
    p.kernel(k);
    const exe = buildProgram(p.finish());
    exe.setInput(0, uniform(20, 3));
    exe.run();
    expectClose(exe.outputs[0]!, [Array.from(exe.inputs[0]!).reduce((s, v) => s + v, 0)]);
  });
});
