/** Bad kernel IR is rejected before any code is emitted, with an error that says what and where. */
import { describe, expect, test } from 'vitest';
import { ExprPool, ProgramBuilder, affine, buildProgram } from 'gradc/codegen';
import type { Expr, Program } from 'gradc/codegen';

function copy(n: number, build: (p: ProgramBuilder, x: number, y: number) => void): () => Program {
  return () => {
    const p = new ProgramBuilder();
    const x = p.input(n), y = p.output(n);
    build(p, x, y);
    return p.finish();
  };
}

function mapKernel(p: ProgramBuilder, name: string, extent: number, y: number, value: (i: number) => Expr, storeStride = 1) {
  const i = p.e.newVar();
  p.kernel({ kind: 'loops', name, outer: [{ v: i, extent }],
    passes: [{ kind: 'map', loops: [], stores: [{ buffer: y, index: affine(0, [[i, storeStride]]), value: value(i) }] }] });
}

describe('validation', () => {
  test('loads and stores out of bounds name the buffer, the range and the length', () => {
    expect(copy(4, (p, x, y) => mapKernel(p, 'copy', 4, y, (i) => p.e.load(x, affine(1, [[i, 1]])))))
      .toThrow(/kernel 0 \(copy\): pass 0: load of buffer 0 reaches indices \[1, 4\] but its length is 4/);
    expect(copy(4, (p, x, y) => mapKernel(p, 'copy', 4, y, (i) => p.e.load(x, affine(0, [[i, 1]])), 2)))
      .toThrow(/store of buffer 1 reaches indices \[0, 6\] but its length is 4/);
    expect(copy(4, (p, x, y) => mapKernel(p, 'copy', 4, y, (i) => p.e.load(x, affine(3, [[i, -1]])))))
      .not.toThrow();
  });

  test('a var used outside its loop, and an accumulator read before its pass, are errors', () => {
    expect(copy(4, (p, x, y) => {
      const stray = p.e.newVar();
      mapKernel(p, 'copy', 4, y, () => p.e.load(x, affine(0, [[stray, 1]])));
    })).toThrow(/uses var \d+ outside its loop/);
    expect(copy(4, (p, x, y) => {
      const e = p.e, i = e.newVar(), j = e.newVar(), a = e.newAcc();
      p.kernel({ kind: 'loops', name: 'sum', outer: [], passes: [
        { kind: 'map', loops: [{ v: j, extent: 4 }], stores: [{ buffer: y, index: affine(0, [[j, 1]]), value: e.acc(a) }] },
        { kind: 'reduce', loops: [{ v: i, extent: 4 }], accs: [{ acc: a, op: 'sum', value: e.load(x, affine(0, [[i, 1]])) }] },
      ] });
    })).toThrow(/pass 0 reads accumulator 0 before \(or without\) the pass that computes it/);
  });

  test('kernel names must be ours: a user string never reaches the generated source', () => {
    expect(copy(2, (p, x, y) => mapKernel(p, '"]);process.exit(1);//', 2, y, (i) => p.e.load(x, affine(0, [[i, 1]])))))
      .toThrow(/kernel names must match/);
    expect(copy(2, (p, x, y) => mapKernel(p, 'Relu', 2, y, (i) => p.e.load(x, affine(0, [[i, 1]])))))
      .toThrow(/kernel names must match/);
  });

  test('in place is only pointwise', () => {
    // y[i] = y[3 - i] reverses while it reads: wrong in any loop order.
    expect(copy(4, (p, _x, y) => mapKernel(p, 'reverse', 4, y, (i) => p.e.load(y, affine(3, [[i, -1]])))))
      .toThrow(/buffer 1 is written .* and read at another index .*give the result its own buffer/);
    // y[i] = 2·y[i] is fine.
    expect(copy(4, (p, _x, y) => mapKernel(p, 'scale', 4, y, (i) => p.e.mul(2, p.e.load(y, affine(0, [[i, 1]]))))))
      .not.toThrow();
  });

  test('a matmul output may not be one of its operands', () => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(4);
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc();
    p.kernel({ kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 2 }, k: { v: k, extent: 2 },
      a: e.load(A, affine(0, [[i, 2], [k, 1]])), b: e.load(A, affine(0, [[k, 2], [j, 1]])), acc,
      stores: [{ buffer: A, index: affine(0, [[i, 2], [j, 1]]), value: e.acc(acc) }] });
    expect(() => p.finish()).toThrow(/buffer 0 is both an operand and an output of the matmul/);
  });

  test('a matmul operand using the wrong loop var is an error', () => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(4), B = p.input(4), C = p.output(4);
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc();
    p.kernel({ kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 2 }, k: { v: k, extent: 2 },
      a: e.load(A, affine(0, [[i, 2], [j, 1]])), b: e.load(B, affine(0, [[k, 2], [j, 1]])), acc,
      stores: [{ buffer: C, index: affine(0, [[i, 2], [j, 1]]), value: e.acc(acc) }] });
    expect(() => p.finish()).toThrow(/operand a \(may use batch, i, k\): load of buffer 0 uses var 1 outside its loop/);
  });

  test('buffers must fit the arena and be aligned for their dtype', () => {
    const p = new ProgramBuilder();
    p.buffer(4, { dtype: 'f64', offset: 4 });
    expect(() => p.finish()).toThrow(/byte offset 4 must be a non-negative multiple of 8 \(f64\)/);
    const q = new ProgramBuilder();
    q.buffer(4);
    expect(() => q.finish(8)).toThrow(/bytes \[0, 16\) exceed the arena of 8 bytes/);
  });

  test('expressions from two pools cannot be mixed; unknown vars and ops are refused', () => {
    const a = new ExprPool(), b = new ExprPool();
    expect(() => a.add(b.c(1), 2)).toThrow(/built by another ExprPool/);
    expect(() => a.v(0)).toThrow(/was not created by this pool/);
    expect(() => a.unary('cos' as never, 1)).toThrow(/unknown op 'cos'/);
  });

  test('a fused chain too deep for the emitter asks the scheduler to split it', () => {
    expect(copy(2, (p, x, y) => mapKernel(p, 'chain', 2, y, (i) => {
      let v = p.e.load(x, affine(0, [[i, 1]]));
      for (let d = 0; d < 300; d++) v = p.e.exp(v);
      return v;
    }))).toThrow(/257 operations deep \(at most 256\); split the fused chain/);
  });

  test('feeding an input slot the wrong number of values is refused before running', () => {
    const exe = buildProgram(copy(4, (p, x, y) => mapKernel(p, 'copy', 4, y, (i) => p.e.load(x, affine(0, [[i, 1]]))))());
    expect(() => exe.setInput(0, [1, 2, 3])).toThrow(/input slot 0 needs 4 values, got 3/);
    expect(() => exe.setInput(1, [1])).toThrow(/no input slot 1 \(there are 1\)/);
  });
});

describe('expression pool', () => {
  test('hash-consing, commutative order and exact folds', () => {
    const e = new ExprPool();
    const i = e.newVar();
    const x = e.load(0, affine(0, [[i, 1]]));
    const y = e.load(1, affine(2, [[i, 3]]));
    expect(e.add(x, y)).toBe(e.add(y, x));
    expect(e.mul(x, y)).toBe(e.mul(y, x));
    expect(e.sub(x, y)).not.toBe(e.sub(y, x));
    expect(e.load(0, affine(0, [[i, 1]]))).toBe(x);
    expect(e.add(x, 0)).toBe(x);
    expect(e.mul(1, x)).toBe(x);
    expect(e.div(x, 1)).toBe(x);
    expect(e.neg(e.neg(x))).toBe(x);
    expect(e.mul(x, 0)).not.toBe(e.c(0)); // x·0 is NaN for x = ∞: not folded
    expect(e.add(e.c(2), e.mul(3, 4))).toBe(e.c(14));
    expect(e.exp(0)).toBe(e.c(1));
    expect(e.select(e.c(0), x, y)).toBe(y);
    expect(e.select(x, y, y)).toBe(y);
  });
});
