/** Loop kernels built by hand, checked against plain JS loops written here, on every backend under test. */
import { describe, expect, test } from 'vitest';
import { ProgramBuilder, affine, buildProgram } from 'gradc/codegen';
import type { Expr, UnaryOp } from 'gradc/codegen';
import { expectClose, uniform } from './codegen-helpers.js';
import { BACKEND_ROWS } from './helpers/backends.js';

const f32 = Math.fround;

describe.each(BACKEND_ROWS)('%s backend', (backend, tol) => {
  const build = (p: ProgramBuilder) => buildProgram(p.finish(), { backend });

  describe('elementwise kernels', () => {
    test('broadcast bias (stride 0) and a transposed operand (permuted strides)', () => {
      // out[i, j] = x[i, j] * yᵀ[i, j] + b[j], with y stored [3, 4] and read transposed
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(12), y = p.input(12), b = p.input(3), out = p.output(12);
      const i = e.newVar(), j = e.newVar();
      const xv = e.load(x, affine(0, [[i, 3], [j, 1]]));
      const yt = e.load(y, affine(0, [[j, 4], [i, 1]]));
      const bj = e.load(b, affine(0, [[j, 1]]));
      p.kernel({
        kind: 'loops', name: 'mul_add', outer: [{ v: i, extent: 4 }, { v: j, extent: 3 }],
        passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[i, 3], [j, 1]]), value: e.add(e.mul(xv, yt), bj) }] }],
      });
      const exe = build(p);
      exe.setInput(0, uniform(12, 1));
      exe.setInput(1, uniform(12, 2));
      exe.setInput(2, uniform(3, 3));
      exe.run();
      const [X, Y, B] = exe.inputs as Float32Array[];
      const want: number[] = [];
      // f32 arithmetic is exact IEEE float32: the same numbers as rounding after each op here.
      for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) want.push(f32(f32(X![r * 3 + c]! * Y![c * 4 + r]!) + B![c]!));
      expect(Array.from(exe.outputs[0]!)).toEqual(want);
    });

    /** Round half to even, written independently of the compiler's roundEven. */
    const nearest = (x: number) => {
      const fl = Math.floor(x);
      const d = x - fl;
      const r = d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
      return r === 0 && x < 0 ? -0 : r;
    };
    type NumUnary = Exclude<UnaryOp, 'not'>;
    const unaryRef: Record<NumUnary, (x: number) => number> = {
      neg: (x) => -x,
      abs: (x) => (x < 0 ? -x : x),
      exp: Math.exp,
      log: Math.log,
      sqrt: Math.sqrt,
      relu: (x) => (x > 0 ? x : 0),
      sigmoid: (x) => Math.exp(x) / (Math.exp(x) + 1),
      tanh: (x) => (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1),
      softplus: (x) => Math.log(1 + Math.exp(x)),
      floor: (x) => Math.trunc(x) - (x < Math.trunc(x) ? 1 : 0),
      nearest,
    };
    const transcendental = new Set<NumUnary>(['exp', 'log', 'sigmoid', 'tanh', 'softplus']);
    const unaryInputs = (op: NumUnary, n: number) => {
      const xs = uniform(n, 7, op === 'log' || op === 'sqrt' ? 0.01 : -4, 4);
      // exact halves, where nearest rounds to even and floor/relu meet their kinks
      if (op !== 'log' && op !== 'sqrt') xs.splice(0, 8, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0, 3);
      return xs;
    };
    const unaryProgram = (op: NumUnary, n: number, dtype: 'f32' | 'f64') => {
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(n, { dtype }), out = p.output(n, { dtype });
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      p.kernel({ kind: 'loops', name: op, outer: [{ v: i, extent: n }], passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: ix, value: e.unary(op, e.load(x, ix)) }] }] });
      const exe = build(p);
      exe.setInput(0, unaryInputs(op, n));
      exe.run();
      return exe;
    };
    test.each(Object.keys(unaryRef) as NumUnary[])('unary %s in f64', (op) => {
      const exe = unaryProgram(op, 64, 'f64');
      expectClose(exe.outputs[0]!, Array.from(exe.inputs[0]!, unaryRef[op]), 1e-13, 1e-15);
    });
    test.each(Object.keys(unaryRef) as NumUnary[])('unary %s in f32: exact ops give the rounded true value', (op) => {
      const exe = unaryProgram(op, 64, 'f32');
      const want = Array.from(exe.inputs[0]!, (x) => f32(unaryRef[op](x)));
      if (transcendental.has(op)) expectClose(exe.outputs[0]!, want, tol.f32Transcendental.rtol, tol.f32Transcendental.atol);
      else expect(Array.from(exe.outputs[0]!, (v) => v + 0)).toEqual(want.map((v) => v + 0));
    });
    test('square is x·x: one load, one multiply, rounded once', () => {
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(16), out = p.output(16);
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      const v = e.load(x, ix);
      const sq = e.square(v);
      expect(sq).toBe(e.mul(v, v));
      p.kernel({ kind: 'loops', name: 'square', outer: [{ v: i, extent: 16 }], passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: ix, value: sq }] }] });
      const exe = build(p);
      exe.setInput(0, uniform(16, 3, -3, 3));
      exe.run();
      expect(Array.from(exe.outputs[0]!)).toEqual(Array.from(exe.inputs[0]!, (x) => f32(x * x)));
    });

    test('softplus and sigmoid stay finite and exact for large |x|', () => {
      const xs = [-100, -30, 0, 30, 100];
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(5), sp = p.output(5, { dtype: 'f64' }), sg = p.output(5, { dtype: 'f64' });
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      // f32 inputs, computed in f64 (the cast is exact), so the tails are checked to 1e-12.
      const v = e.cast(e.load(x, ix), 'f64');
      p.kernel({ kind: 'loops', name: 'act', outer: [{ v: i, extent: 5 }], passes: [{ kind: 'map', loops: [], stores: [
        { buffer: sp, index: ix, value: e.softplus(v) }, { buffer: sg, index: ix, value: e.sigmoid(v) }] }] });
      const exe = build(p);
      exe.setInput(0, xs);
      exe.run();
      // softplus(x) ≈ e^x for x ≪ 0, ≈ x for x ≫ 0; softplus(0) = ln 2
      expectClose(exe.outputs[0]!, [Math.exp(-100), Math.exp(-30) , Math.LN2, 30 + Math.exp(-30), 100], 1e-12, 0);
      expectClose(exe.outputs[1]!, [Math.exp(-100), 1 / (1 + Math.exp(30)), 0.5, 1 / (1 + Math.exp(-30)), 1], 1e-12, 0);
    });

    test('binary ops, comparisons and select, including NaN', () => {
      const a = [1, -2, 3, 0, NaN, 2];
      const b = [1, 5, -3, -0, 1, 3];
      const p = new ProgramBuilder();
      const e = p.e;
      const A = p.input(6, { dtype: 'f64' }), B = p.input(6, { dtype: 'f64' });
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      const x = e.load(A, ix), y = e.load(B, ix);
      const num = (c: Expr) => e.cast(c, 'f64'); // bool → 0 or 1
      const cases: [string, Expr, (x: number, y: number) => number][] = [
        ['sub', e.sub(x, y), (x, y) => x - y],
        ['div', e.div(x, y), (x, y) => x / y],
        ['max', e.max(x, y), (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y)],
        ['min', e.min(x, y), (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y)],
        ['pow', e.pow(e.abs(x), y), (x, y) => Math.abs(x) ** y],
        ['select_not', e.select(e.unary('not', e.lt(x, y)), x, y), (x, y) => (!(x < y) ? x : y)],
        ['and_or', num(e.binary('or', e.binary('and', e.gt(x, 0), e.gt(y, 0)), e.ne(x, x))), (x, y) => Number((x > 0 && y > 0) || Number.isNaN(x))],
        ['lt', num(e.lt(x, y)), (x, y) => Number(x < y)],
        ['le', num(e.le(x, y)), (x, y) => Number(x <= y)],
        ['gt', num(e.gt(x, y)), (x, y) => Number(x > y)],
        ['ge', num(e.ge(x, y)), (x, y) => Number(x >= y)],
        ['eq', num(e.eq(x, y)), (x, y) => Number(x === y)],
        ['ne', num(e.ne(x, y)), (x, y) => Number(x !== y)],
        ['select', e.select(e.ne(x, 0), y, e.neg(y)), (x, y) => (x !== 0 ? y : -y)],
        ['select_cmp', e.select(e.gt(x, y), x, y), (x, y) => (x > y ? x : y)],
        ['cmp_arith', e.add(num(e.gt(x, 0)), e.mul(2, num(e.lt(y, 0)))), (x, y) => Number(x > 0) + 2 * Number(y < 0)],
      ];
      const outs = cases.map(() => p.output(6, { dtype: 'f64' }));
      p.kernel({ kind: 'loops', name: 'ops', outer: [{ v: i, extent: 6 }], passes: [{ kind: 'map', loops: [],
        stores: cases.map(([, value], c) => ({ buffer: outs[c]!, index: ix, value })) }] });
      const exe = build(p);
      exe.setInput(0, a);
      exe.setInput(1, b);
      exe.run();
      cases.forEach(([name, , ref], c) => {
        // + 0 turns −0 into 0: the sign of a zero is not part of these ops' contract.
        const want = a.map((x, k) => ref(x, b[k]!) + 0);
        expect({ name, got: Array.from(exe.outputs[c]!, (v) => v + 0) }).toEqual({ name, got: want });
      });
    });

    test('loop variables as values: one-hot rows from integer labels', () => {
      const labels = [2, 0, 3];
      const p = new ProgramBuilder();
      const e = p.e;
      // u8 labels load as i32 and compare with the i32 loop var; the bool is cast to f32 to store.
      const L = p.input(3, { dtype: 'u8' }), out = p.output(12);
      const i = e.newVar(), j = e.newVar();
      const value = e.cast(e.eq(e.load(L, affine(0, [[i, 1]])), e.v(j)), 'f32');
      p.kernel({ kind: 'loops', name: 'one_hot', outer: [{ v: i, extent: 3 }, { v: j, extent: 4 }],
        passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[i, 4], [j, 1]]), value }] }] });
      const exe = build(p);
      exe.setInput(0, labels);
      exe.run();
      const want = labels.flatMap((l) => [0, 1, 2, 3].map((c) => (c === l ? 1 : 0)));
      expect(Array.from(exe.outputs[0]!)).toEqual(want);
    });

    test('several outputs in one loop, updated in place (an Adam-like step)', () => {
      const n = 10, lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
      const p = new ProgramBuilder();
      const e = p.e;
      const W = p.input(n), m = p.input(n), v = p.input(n), g = p.input(n);
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      const gi = e.load(g, ix);
      const m2 = e.add(e.mul(b1, e.load(m, ix)), e.mul(1 - b1, gi));
      const v2 = e.add(e.mul(b2, e.load(v, ix)), e.mul(1 - b2, e.square(gi)));
      const w2 = e.sub(e.load(W, ix), e.div(e.mul(lr, m2), e.add(e.sqrt(v2), eps)));
      p.kernel({ kind: 'loops', name: 'adam', outer: [{ v: i, extent: n }], passes: [{ kind: 'map', loops: [], stores: [
        { buffer: m, index: ix, value: m2 }, { buffer: v, index: ix, value: v2 }, { buffer: W, index: ix, value: w2 }] }] });
      const exe = build(p);
      [1, 2, 3, 4].forEach((s, k) => exe.setInput(k, uniform(n, s)));
      const [w0, m0, v0, g0] = exe.inputs.map((x) => Array.from(x));
      const abs = v0!.map(Math.abs);
      exe.setInput(2, abs);
      exe.run();
      // Number operands become f32 constants (1 − b1 rounded once to f32); every op rounds to f32.
      const [B1, B2, C1, C2, LR, EPS] = [b1, b2, 1 - b1, 1 - b2, lr, eps].map(f32);
      const mw = m0!.map((x, k) => f32(f32(B1! * x) + f32(C1! * g0![k]!)));
      const vw = abs.map((x, k) => f32(f32(B2! * x) + f32(C2! * f32(g0![k]! * g0![k]!))));
      const ww = w0!.map((x, k) => f32(x - f32(f32(LR! * mw[k]!) / f32(f32(Math.sqrt(vw[k]!)) + EPS!))));
      expect(Array.from(exe.inputs[1]!)).toEqual(mw);
      expect(Array.from(exe.inputs[2]!)).toEqual(vw);
      expect(Array.from(exe.inputs[0]!)).toEqual(ww);
      // m2 is computed once and reused by the W update.
      if (backend === 'js') expect(exe.source.match(/f\(0\.9\)/g)?.length).toBe(1);
    });
  });

  describe('reductions and row-wise kernels', () => {
    // A [2, 3, 4] tensor reduced over axes 0 and 2: out[j] = op_{i,k} x[i, j, k]
    test.each(['sum', 'max', 'min'] as const)('%s over two non-adjacent axes, with an epilogue', (op) => {
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(24), out = p.output(3);
      const j = e.newVar(), i = e.newVar(), k = e.newVar();
      const acc = e.newAcc();
      p.kernel({ kind: 'loops', name: `reduce_${op}`, outer: [{ v: j, extent: 3 }], passes: [
        { kind: 'reduce', loops: [{ v: i, extent: 2 }, { v: k, extent: 4 }], accs: [{ acc, op, value: e.load(x, affine(0, [[i, 12], [j, 4], [k, 1]])) }] },
        { kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[j, 1]]), value: e.mul(e.acc(acc), 2) }] },
      ] });
      const exe = build(p);
      exe.setInput(0, uniform(24, 11));
      exe.run();
      const X = exe.inputs[0]!;
      const want = [0, 1, 2].map((jj) => {
        const vals: number[] = [];
        for (let ii = 0; ii < 2; ii++) for (let kk = 0; kk < 4; kk++) vals.push(X[ii * 12 + jj * 4 + kk]!);
        const r = op === 'sum' ? vals.reduce((s, v) => s + v, 0) : op === 'max' ? Math.max(...vals) : Math.min(...vals);
        return 2 * r;
      });
      expectClose(exe.outputs[0]!, want);
    });

    test('a full reduction to a scalar (no outer loops): mean squared error', () => {
      const n = 50;
      const p = new ProgramBuilder();
      const e = p.e;
      const y = p.input(n), t = p.input(n), out = p.output(1);
      const i = e.newVar();
      const acc = e.newAcc();
      const ix = affine(0, [[i, 1]]);
      p.kernel({ kind: 'loops', name: 'mse', outer: [], passes: [
        { kind: 'reduce', loops: [{ v: i, extent: n }], accs: [{ acc, op: 'sum', value: e.square(e.sub(e.load(y, ix), e.load(t, ix))) }] },
        { kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0), value: e.div(e.acc(acc), n) }] },
      ] });
      const exe = build(p);
      exe.setInput(0, uniform(n, 1));
      exe.setInput(1, uniform(n, 2));
      exe.run();
      const [Y, T] = exe.inputs;
      let s = 0;
      for (let k = 0; k < n; k++) s += (Y![k]! - T![k]!) ** 2;
      expectClose(exe.outputs[0]!, [s / n]);
    });

    test('softmax as a row-wise kernel: max pass, sum-exp pass, write pass; stable for large logits', () => {
      const rows = 5, cols = 7;
      const p = new ProgramBuilder();
      const e = p.e;
      const z = p.input(rows * cols), y = p.output(rows * cols);
      const r = e.newVar(), c0 = e.newVar(), c1 = e.newVar(), c2 = e.newVar();
      const mx = e.newAcc(), se = e.newAcc();
      const at = (c: number) => affine(0, [[r, cols], [c, 1]]);
      p.kernel({ kind: 'loops', name: 'softmax', outer: [{ v: r, extent: rows }], passes: [
        { kind: 'reduce', loops: [{ v: c0, extent: cols }], accs: [{ acc: mx, op: 'max', value: e.load(z, at(c0)) }] },
        { kind: 'reduce', loops: [{ v: c1, extent: cols }], accs: [{ acc: se, op: 'sum', value: e.exp(e.sub(e.load(z, at(c1)), e.acc(mx))) }] },
        { kind: 'map', loops: [{ v: c2, extent: cols }], stores: [{ buffer: y, index: at(c2), value: e.div(e.exp(e.sub(e.load(z, at(c2)), e.acc(mx))), e.acc(se)) }] },
      ] });
      const exe = build(p);
      const logits = uniform(rows * cols, 5, -3, 3);
      logits[3] = 500; // exp(500) overflows float64: only the stable form survives
      exe.setInput(0, logits);
      exe.run();
      const Z = Array.from(exe.inputs[0]!);
      const want: number[] = [];
      for (let rr = 0; rr < rows; rr++) {
        const row = Z.slice(rr * cols, rr * cols + cols);
        const m = row.reduce((a, b) => (a > b ? a : b));
        const ex = row.map((v) => Math.exp(v - m));
        const s = ex.reduce((a, b) => a + b, 0);
        want.push(...ex.map((v) => v / s));
      }
      expectClose(exe.outputs[0]!, want, 10 * tol.f32Transcendental.rtol, tol.f32Transcendental.atol);
      expect(Array.from(exe.outputs[0]!).every(Number.isFinite)).toBe(true);
    });

    test('several accumulators in one pass (sum and sum of squares: variance per row)', () => {
      const rows = 3, cols = 8;
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(rows * cols), out = p.output(rows);
      const r = e.newVar(), c = e.newVar();
      const s1 = e.newAcc(), s2 = e.newAcc();
      const v = e.load(x, affine(0, [[r, cols], [c, 1]]));
      const mean = e.div(e.acc(s1), cols);
      p.kernel({ kind: 'loops', name: 'variance', outer: [{ v: r, extent: rows }], passes: [
        { kind: 'reduce', loops: [{ v: c, extent: cols }], accs: [{ acc: s1, op: 'sum', value: v }, { acc: s2, op: 'sum', value: e.square(v) }] },
        { kind: 'map', loops: [], stores: [{ buffer: out, index: affine(0, [[r, 1]]), value: e.sub(e.div(e.acc(s2), cols), e.square(mean)) }] },
      ] });
      const exe = build(p);
      exe.setInput(0, uniform(rows * cols, 9));
      exe.run();
      const X = Array.from(exe.inputs[0]!);
      const want = [0, 1, 2].map((rr) => {
        const row = X.slice(rr * cols, rr * cols + cols);
        const mu = row.reduce((a, b) => a + b, 0) / cols;
        return row.reduce((a, b) => a + (b - mu) ** 2, 0) / cols;
      });
      expectClose(exe.outputs[0]!, want, 1e-5, 1e-6);
    });
  });

  describe('shared and hoisted expressions', () => {
    test('a subexpression used twice is computed once; row-invariant work is hoisted out of the inner loop', () => {
      // out[i, j] = exp(a[i]·2) · x[i, j] + exp(a[i]·2)
      const p = new ProgramBuilder();
      const e = p.e;
      const a = p.input(3), x = p.input(12), out = p.output(12);
      const i = e.newVar(), j = e.newVar();
      const s = e.exp(e.mul(e.load(a, affine(0, [[i, 1]])), 2));
      const ix = affine(0, [[i, 4], [j, 1]]);
      expect(e.exp(e.mul(2, e.load(a, affine(0, [[i, 1]]))))).toBe(s); // hash-consed, commutative operands ordered
      p.kernel({ kind: 'loops', name: 'scale', outer: [{ v: i, extent: 3 }, { v: j, extent: 4 }],
        passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: ix, value: e.add(e.mul(s, e.load(x, ix)), s) }] }] });
      const exe = build(p);
      if (backend === 'js') {
        expect(exe.source.match(/Math\.exp/g)?.length).toBe(1);
        // The exp sits between the two loop headers: once per row, not once per element.
        const lines = exe.source.split('\n');
        const expLine = lines.findIndex((l) => l.includes('Math.exp'));
        const innerLoop = lines.findIndex((l) => l.includes('for (let i1'));
        expect(expLine).toBeGreaterThan(lines.findIndex((l) => l.includes('for (let i0')));
        expect(expLine).toBeLessThan(innerLoop);
      }
      exe.setInput(0, uniform(3, 1));
      exe.setInput(1, uniform(12, 2));
      exe.run();
      const [A, X] = exe.inputs;
      const want = Array.from({ length: 12 }, (_, k) => {
        const f = Math.exp(A![Math.floor(k / 4)]! * 2);
        return f * X![k]! + f;
      });
      expectClose(exe.outputs[0]!, want, tol.f32Transcendental.rtol, tol.f32Transcendental.atol);
    });
  });
});
