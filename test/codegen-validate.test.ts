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
      a: e.load(A, affine(0, [[i, 2], [k, 1]])), b: e.load(A, affine(0, [[k, 2], [j, 1]])), acc, accType: 'f32',
      stores: [{ buffer: A, index: affine(0, [[i, 2], [j, 1]]), value: e.acc(acc) }] });
    expect(() => p.finish()).toThrow(/buffer 0 is both an operand and an output of the matmul/);
  });

  test('a matmul operand using the wrong loop var is an error', () => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(4), B = p.input(4), C = p.output(4);
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc();
    p.kernel({ kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 2 }, k: { v: k, extent: 2 },
      a: e.load(A, affine(0, [[i, 2], [j, 1]])), b: e.load(B, affine(0, [[k, 2], [j, 1]])), acc, accType: 'f32',
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
    }))).toThrow(/257 operations deep \(at most 256 for the js target\); split the fused chain/);
  });

  test('feeding an input slot the wrong number of values is refused before running', () => {
    const exe = buildProgram(copy(4, (p, x, y) => mapKernel(p, 'copy', 4, y, (i) => p.e.load(x, affine(0, [[i, 1]]))))());
    expect(() => exe.setInput(0, [1, 2, 3])).toThrow(/input slot 0 needs 4 values, got 3/);
    expect(() => exe.setInput(1, [1])).toThrow(/no input slot 1 \(there are 1\)/);
  });
});

describe('expression pool', () => {
  test('hash-consing, commutative order and exact folds', () => {
    const e = new ExprPool(() => 'f32');
    const i = e.newVar();
    const x = e.load(0, affine(0, [[i, 1]]));
    const y = e.load(1, affine(2, [[i, 3]]));
    expect(e.add(x, y)).toBe(e.add(y, x));
    expect(e.mul(x, y)).toBe(e.mul(y, x));
    expect(e.sub(x, y)).not.toBe(e.sub(y, x));
    expect(e.load(0, affine(0, [[i, 1]]))).toBe(x);
    // x + (−0) = x for every x; x + 0 is not (−0 + 0 = +0), so only the first folds for floats.
    expect(e.add(x, -0)).toBe(x);
    expect(e.add(x, 0)).not.toBe(x);
    expect(e.sub(x, 0)).toBe(x);
    expect(e.mul(1, x)).toBe(x);
    expect(e.div(x, 1)).toBe(x);
    expect(e.neg(e.neg(x))).toBe(x);
    expect(e.mul(x, 0)).not.toBe(e.c(0)); // x·0 is NaN for x = ∞: not folded
    expect(e.add(e.c(2), e.mul(3, 4))).toBe(e.c(14));
    expect(e.exp(0)).toBe(e.c(1));
    expect(e.select(e.bool(false), x, y)).toBe(y);
    expect(e.select(e.lt(x, y), y, y)).toBe(y);
    // folds follow the dtype: f32 constants fold in f32, i32 ones wrap
    expect(e.add(e.f32(0.1), e.f32(0.2))).toBe(e.c(Math.fround(Math.fround(0.1) + Math.fround(0.2))));
    expect(e.add(e.f64(0.1), e.f64(0.2))).toBe(e.f64(0.1 + 0.2));
    expect(e.add(e.i32(2 ** 31 - 1), 1)).toBe(e.i32(-(2 ** 31)));
    expect(e.mul(e.i32(65536), 65536)).toBe(e.i32(0));
    expect(e.cast(e.f64(0.1), 'f32')).toBe(e.f32(0.1));
    expect(e.cast(e.c(2.75), 'i32')).toBe(e.i32(2));
    expect(e.bitcast(e.c(1), 'i32')).toBe(e.i32(0x3f800000));
    // number operands take the other operand's dtype (rounded to it)
    expect(e.mul(x, 0.1)).toBe(e.mul(x, e.f32(0.1)));
    expect(e.mul(x, 0.1).dtype).toBe('f32');
    // casts: f32 → f64 → f32 is the identity; a cast to the same dtype is a no-op; bitcasts cancel
    expect(e.cast(e.cast(x, 'f64'), 'f32')).toBe(x);
    expect(e.cast(x, 'f32')).toBe(x);
    expect(e.bitcast(e.bitcast(x, 'i32'), 'f32')).toBe(x);
    expect(e.cast(e.cast(x, 'i32'), 'f32')).not.toBe(x);
  });
});

describe('dtype errors from the pool', () => {
  const pool = () => {
    const storage = ['f32', 'f64', 'i32', 'u8'] as const;
    const e = new ExprPool((id) => storage[id]);
    const i = e.newVar();
    const ix = affine(0, [[i, 1]]);
    return { e, f: e.load(0, ix), d: e.load(1, ix), n: e.load(2, ix), u: e.load(3, ix), i };
  };

  test('loads take the buffer storage type; u8 loads as i32; a pool without a table refuses loads', () => {
    const { e, f, d, n, u, i } = pool();
    expect([f.dtype, d.dtype, n.dtype, u.dtype, e.v(i).dtype]).toEqual(['f32', 'f64', 'i32', 'i32', 'i32']);
    expect(() => new ExprPool().load(0, affine(0))).toThrow(/load: buffer 0 has no declared storage type/);
  });

  test('mixed operands must be cast first', () => {
    const { e, f, d, n } = pool();
    expect(() => e.add(f, d)).toThrow(/^add: operands are f32 and f64; cast one of them$/);
    expect(() => e.lt(n, f)).toThrow(/^lt: operands are i32 and f32; cast one of them$/);
    expect(() => e.select(e.lt(f, 0), f, d)).toThrow(/^select: operands are f32 and f64; cast one of them$/);
    expect(e.add(e.cast(f, 'f64'), d).dtype).toBe('f64');
  });

  test('each op takes only its dtypes', () => {
    const { e, f, n } = pool();
    expect(() => e.sqrt(n)).toThrow(/^sqrt: does not take i32 operands \(it takes f32, f64\)$/);
    expect(() => e.div(n, n)).toThrow(/^div: does not take i32 operands/);
    expect(() => e.binary('shl', f, f)).toThrow(/^shl: does not take f32 operands \(it takes i32\)$/);
    expect(() => e.binary('and', f, f)).toThrow(/^and: does not take f32 operands \(it takes i32, bool\)$/);
    expect(() => e.unary('not', f)).toThrow(/^not: does not take f32 operands \(it takes bool\)$/);
    expect(() => e.add(e.lt(f, 0), e.gt(f, 0))).toThrow(/^add: does not take bool operands/);
    expect(() => e.lt(e.lt(f, 0), e.gt(f, 0))).toThrow(/^lt: does not take bool operands/);
  });

  test('select needs a bool condition', () => {
    const { e, f, n } = pool();
    expect(() => e.select(f, f, 0)).toThrow(/^select: the condition is f32; compare it \(ne\(x, 0\)\) to get a bool$/);
    expect(() => e.select(n, f, 0)).toThrow(/^select: the condition is i32/);
    expect(e.select(e.ne(n, 0), f, 0).dtype).toBe('f32');
  });

  test('casts to bool, bitcasts other than f32 ↔ i32, inexact constants and bad accumulators are refused', () => {
    const { e, f, d } = pool();
    expect(() => e.cast(f, 'bool')).toThrow(/^cast: to get a bool from f32, compare it \(ne\(x, 0\)\)$/);
    expect(() => e.bitcast(d, 'i32')).toThrow(/^bitcast: only f32 ↔ i32, got f64 → i32$/);
    expect(() => e.c(0.1)).toThrow(/^constant: 0\.1 is not exactly representable as f32; round it first/);
    expect(() => e.c(1.5, 'i32')).toThrow(/constant: 1\.5 is not exactly representable as i32/);
    expect(() => e.c(2, 'bool')).toThrow(/constant: 2 is not exactly representable as bool/);
    expect(e.f32(0.1)).toBe(e.c(Math.fround(0.1)));
    expect(() => e.newAcc('bool')).toThrow(/^accumulator: dtype must be f32, f64 or i32, got bool$/);
    expect(e.acc(e.newAcc('f64')).dtype).toBe('f64');
    expect(e.acc(e.newAcc()).dtype).toBe('f32');
  });
});

describe('dtype errors from validateProgram', () => {
  /** A node the pool would refuse, built by hand (ids above the pool's, so children come first). */
  let nextId = 1_000_000;
  const raw = (node: Record<string, unknown>): Expr => ({ id: nextId++, ...node }) as unknown as Expr;

  const storeProgram = (outDtype: 'f32' | 'f64' | 'i32' | 'u8', value: (e: ExprPool, x: Expr, d: Expr) => Expr) => () => {
    const p = new ProgramBuilder();
    const x = p.input(4), dx = p.input(4, { dtype: 'f64' }), y = p.output(4, { dtype: outDtype });
    const i = p.e.newVar();
    const ix = affine(0, [[i, 1]]);
    p.kernel({ kind: 'loops', name: 'k', outer: [{ v: i, extent: 4 }], passes: [{ kind: 'map', loops: [],
      stores: [{ buffer: y, index: ix, value: value(p.e, p.e.load(x, ix), p.e.load(dx, ix)) }] }] });
    return p.finish();
  };

  test('a store takes the buffer value type: cast it', () => {
    expect(storeProgram('f32', (_e, _x, d) => d)).toThrow(/^kernel 0 \(k\): pass 0: a store into buffer 2 \(f32\) has a f64 value; cast it to f32$/);
    expect(storeProgram('f64', (_e, x) => x)).toThrow(/a store into buffer 2 \(f64\) has a f32 value; cast it to f64/);
    expect(storeProgram('u8', (_e, x) => x)).toThrow(/a store into buffer 2 \(u8\) has a f32 value; cast it to i32/);
    expect(storeProgram('f32', (e, x) => e.lt(x, 0))).toThrow(/a store into buffer 2 \(f32\) has a bool value; cast it to f32/);
    expect(storeProgram('u8', (e, x) => e.cast(x, 'i32'))).not.toThrow();
    expect(storeProgram('f32', (e, _x, d) => e.cast(d, 'f32'))).not.toThrow();
  });

  test('hand-built nodes with mixed operands, a non-bool condition or a mistyped load are refused', () => {
    expect(storeProgram('f32', (_e, x, d) => raw({ kind: 'binary', op: 'add', dtype: 'f32', a: x, b: d })))
      .toThrow(/^kernel 0 \(k\): pass 0: binary node \d+: operands are f32 and f64$/);
    expect(storeProgram('f32', (_e, x) => raw({ kind: 'select', dtype: 'f32', cond: x, a: x, b: x })))
      .toThrow(/select node \d+: condition is f32, not bool/);
    expect(storeProgram('f32', (_e, x) => raw({ kind: 'unary', op: 'sqrt', dtype: 'f64', a: x })))
      .toThrow(/unary node \d+: result typed f64/);
    expect(storeProgram('i32', (_e, _x, d) => raw({ kind: 'binary', op: 'shl', dtype: 'i32', a: d, b: d })))
      .toThrow(/binary node \d+: shl does not take f64/);
    expect(storeProgram('i32', (_e, _x, d) => raw({ kind: 'bitcast', dtype: 'i32', a: d })))
      .toThrow(/bitcast node \d+: bitcast f64 → i32/);
    expect(storeProgram('f32', (_e, x) => raw({ kind: 'cast', dtype: 'bool', a: x })))
      .toThrow(/cast node \d+: cast to bool \(compare instead\)/);
    expect(storeProgram('f32', () => raw({ kind: 'load', dtype: 'f32', buffer: 1, index: affine(0) })))
      .toThrow(/a load of buffer 1 \(f64\) is typed f32, not f64/);
  });

  test('an accumulator is read in the dtype it folds; bool values do not fold', () => {
    const reduce = (accDtype: 'f32' | 'f64', value: (e: ExprPool, x: Expr) => Expr) => () => {
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(4), y = p.output(1, { dtype: accDtype });
      const i = e.newVar(), a = e.newAcc(accDtype);
      p.kernel({ kind: 'loops', name: 'sum', outer: [], passes: [
        { kind: 'reduce', loops: [{ v: i, extent: 4 }], accs: [{ acc: a, op: 'sum', value: value(e, e.load(x, affine(0, [[i, 1]]))) }] },
        { kind: 'map', loops: [], stores: [{ buffer: y, index: affine(0), value: e.acc(a) }] },
      ] });
      return p.finish();
    };
    expect(reduce('f64', (_e, v) => v)).toThrow(/^kernel 0 \(sum\): pass 1 reads accumulator 0 as f64, but it is f32$/);
    expect(reduce('f32', (e, v) => e.cast(v, 'f64'))).toThrow(/pass 1 reads accumulator 0 as f32, but it is f64/);
    expect(reduce('f32', (e, v) => e.lt(v, 0))).toThrow(/pass 0: accumulator 0 folds bool values; cast them to a number/);
    expect(reduce('f64', (e, v) => e.cast(v, 'f64'))).not.toThrow();
  });

  const matmul = (dtype: 'f32' | 'f64', bDtype: 'f32' | 'f64', accType: 'f32' | 'f64' | 'i32', accExpr: 'f32' | 'f64' | 'i32' = accType) => () => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(4, { dtype }), B = p.input(4, { dtype: bDtype }), C = p.output(4, { dtype: accExpr === 'i32' ? 'i32' : accExpr });
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc(accExpr);
    p.kernel({ kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 2 }, k: { v: k, extent: 2 },
      a: e.load(A, affine(0, [[i, 2], [k, 1]])), b: e.load(B, affine(0, [[k, 2], [j, 1]])), acc, accType,
      stores: [{ buffer: C, index: affine(0, [[i, 2], [j, 1]]), value: e.acc(acc) }] });
    return p.finish();
  };

  test('a contraction takes two operands of one float dtype, and an accumulator at least as wide', () => {
    expect(matmul('f32', 'f32', 'f32')).not.toThrow();
    expect(matmul('f32', 'f32', 'f64')).not.toThrow();
    expect(matmul('f64', 'f64', 'f64')).not.toThrow();
    expect(matmul('f64', 'f64', 'f32')).toThrow(/^kernel 0 \(matmul\): accumulator type f32 for f64 operands; use f64/);
    expect(matmul('f32', 'f32', 'i32')).toThrow(/accumulator type i32 for f32 operands; use f32 \(or f64, wider\)/);
    expect(matmul('f32', 'f64', 'f64')).toThrow(/operands are f32 and f64; a contraction takes two f32 or two f64 operands/);
    // the epilogue reads acc in the kernel's accType
    expect(matmul('f32', 'f32', 'f64', 'f32')).toThrow(/epilogue \(may use batch, i, j, acc\) reads accumulator 0 as f32, but it is f64/);
  });
});

describe('expression pool: i32 identities', () => {
  // BUG (codegen/expr.ts, ExprPool.binary): the i32 `x + 0 → x` fold checks only the first operand
  // after commutative ordering by id, so it fires only when the 0 constant was built before x.
  // The same expression then builds to different nodes depending on the pool's history.
  test('x + 0 is x for i32 whatever was built first', () => {
    const e = new ExprPool(() => 'i32');
    const i = e.newVar();
    const x = e.load(0, affine(0, [[i, 1]]));
    expect(e.add(x, 0)).toBe(x);
    expect(e.add(0, x)).toBe(x);
  });
  test('(it does fold when the constant is older)', () => {
    const e = new ExprPool(() => 'i32');
    const zero = e.i32(0);
    const i = e.newVar();
    const x = e.load(0, affine(0, [[i, 1]]));
    expect(e.add(x, zero)).toBe(x);
  });
});
