/** Contractions built by hand over strided operands, checked against a naive triple loop. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { JS_TARGET, ProgramBuilder, affine, buildProgram, planMatmul } from 'gradc/codegen';
import type { Backend, DType, LoadedProgram, MatmulKernel } from 'gradc/codegen';
import { expectClose, uniform } from './codegen-helpers.js';
import { BACKEND_ROWS, TOLERANCES } from './helpers/backends.js';

const matmulOrder = (k: MatmulKernel) => planMatmul(k, JS_TARGET, () => 'f32', () => 0).order;

interface Case {
  batch: number; m: number; n: number; k: number;
  transA: boolean; transB: boolean; broadcastB: boolean;
  /** `long`: a long epilogue of two outputs (on lanes); `long_transposed`: the same, stored transposed (lane by lane). */
  epilogue: 'plain' | 'bias_relu' | 'two_outputs' | 'prologue' | 'long' | 'long_transposed';
  dtype: 'f32' | 'f64';
  /** Accumulator dtype (default: f64, which every target accepts for both operand dtypes). */
  accType?: DType;
}

/** Builds C[b] = A[b]·B[b] with the case's layouts, runs it, and checks it against plain loops. */
function check(c: Case, backend: Backend = 'js'): MatmulKernel {
  return checkExe(c, backend).kernel;
}

function checkExe(c: Case, backend: Backend): { kernel: MatmulKernel; exe: LoadedProgram } {
  const { batch, m, n, k } = c;
  const p = new ProgramBuilder();
  const e = p.e;
  const A = p.input(batch * m * k, { dtype: c.dtype });
  const B = p.input((c.broadcastB ? 1 : batch) * k * n, { dtype: c.dtype });
  const bias = p.input(n, { dtype: c.dtype });
  const C = p.output(batch * m * n, { dtype: c.dtype });
  const long = c.epilogue === 'long' || c.epilogue === 'long_transposed';
  const C2 = c.epilogue === 'two_outputs' || long ? p.output(batch * m * n, { dtype: c.dtype }) : -1;
  const bv = e.newVar(), i = e.newVar(), j = e.newVar(), kv = e.newVar();
  const accType = c.accType ?? 'f64';
  const acc = e.newAcc(accType);
  // A[b] is m×k: stored row-major, or stored k×m and read transposed.
  const aIx = affine(0, [[bv, m * k], c.transA ? [i, 1] : [i, k], c.transA ? [kv, m] : [kv, 1]]);
  const bIx = affine(0, [[bv, c.broadcastB ? 0 : k * n], c.transB ? [kv, 1] : [kv, n], c.transB ? [j, k] : [j, 1]]);
  const cIx = c.epilogue === 'long_transposed' ? affine(0, [[bv, m * n], [j, m], [i, 1]]) : affine(0, [[bv, m * n], [i, n], [j, 1]]);
  let a = e.load(A, aIx);
  if (c.epilogue === 'prologue') a = e.mul(e.relu(a), e.cast(e.gt(a, -0.5), c.dtype)); // a fused prologue on A
  // The sum runs in accType; the epilogue casts it back to the operands' dtype.
  const s = e.cast(e.acc(acc), c.dtype);
  const stores = c.epilogue === 'bias_relu'
    ? [{ buffer: C, index: cIx, value: e.relu(e.add(s, e.load(bias, affine(0, [[j, 1]])))) }]
    : c.epilogue === 'two_outputs'
      ? [{ buffer: C, index: cIx, value: s }, { buffer: C2, index: cIx, value: e.cast(e.gt(s, 0), c.dtype) }]
      : long
        ? [
          // relu(s + bias)·0.5 + s·s, and (s − bias)/(1 + s·s)
          { buffer: C, index: cIx, value: e.add(e.mul(e.relu(e.add(s, e.load(bias, affine(0, [[j, 1]])))), e.c(0.5, c.dtype)), e.mul(s, s)) },
          { buffer: C2, index: cIx, value: e.div(e.sub(s, e.load(bias, affine(0, [[j, 1]]))), e.add(e.c(1, c.dtype), e.mul(s, s))) },
        ]
        : [{ buffer: C, index: cIx, value: s }];
  const kernel: MatmulKernel = {
    kind: 'matmul', name: 'matmul', batch: [{ v: bv, extent: batch }],
    i: { v: i, extent: m }, j: { v: j, extent: n }, k: { v: kv, extent: k }, a, b: e.load(B, bIx), acc, accType, stores,
  };
  p.kernel(kernel);
  const exe = buildProgram(p.finish(), { backend });
  exe.setInput(0, uniform(batch * m * k, m * 7 + k));
  exe.setInput(1, uniform((c.broadcastB ? 1 : batch) * k * n, n * 5 + k));
  exe.setInput(2, uniform(n, 3));
  exe.run();
  const [Av, Bv, bi] = exe.inputs;
  const want: number[] = [];
  const want2: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < m; r++) {
      for (let col = 0; col < n; col++) {
        let sum = 0;
        for (let q = 0; q < k; q++) {
          let av = c.transA ? Av![b * m * k + q * m + r]! : Av![b * m * k + r * k + q]!;
          if (c.epilogue === 'prologue') av = av > -0.5 ? Math.max(av, 0) : 0;
          const bOff = c.broadcastB ? 0 : b * k * n;
          const bw = c.transB ? Bv![bOff + col * k + q]! : Bv![bOff + q * n + col]!;
          sum += av * bw;
        }
        const at = c.epilogue === 'long_transposed' ? b * m * n + col * m + r : want.length;
        want[at] = c.epilogue === 'bias_relu' ? Math.max(sum + bi![col]!, 0)
          : long ? Math.max(sum + bi![col]!, 0) * 0.5 + sum * sum : sum;
        want2[at] = long ? (sum - bi![col]!) / (1 + sum * sum) : sum > 0 ? 1 : 0;
      }
    }
  }
  const t = c.dtype === 'f64' ? TOLERANCES[backend].f64 : TOLERANCES[backend].f32Matmul;
  expectClose(exe.outputs[0]!, want, t.rtol, Math.max(t.atol, t.rtol * k));
  if (long) expectClose(exe.outputs[1]!, want2, t.rtol, Math.max(t.atol, t.rtol * k));
  if (c.epilogue === 'two_outputs') {
    // Compare the mask only where the sum is clearly away from 0 (rounding may flip ±tiny).
    const got = exe.outputs[1]!;
    want.forEach((v, x) => { if (Math.abs(v) > 1e-4) expect(got[x]).toBe(want2[x]); });
  }
  return { kernel, exe };
}

describe.each(BACKEND_ROWS)('matmul kernels (%s backend)', (backend) => {
  test('random shapes, layouts, batches and epilogues match the naive triple loop', () => {
    fc.assert(fc.property(
      fc.record({
        batch: fc.integer({ min: 1, max: 3 }),
        m: fc.integer({ min: 1, max: 11 }),
        n: fc.integer({ min: 1, max: 9 }),
        k: fc.integer({ min: 1, max: 13 }),
        transA: fc.boolean(),
        transB: fc.boolean(),
        broadcastB: fc.boolean(),
        epilogue: fc.constantFrom('plain', 'bias_relu', 'two_outputs', 'prologue', 'long', 'long_transposed'),
        dtype: fc.constantFrom('f32', 'f64'),
        wideAcc: fc.boolean(),
      }),
      ({ wideAcc, ...c }) => { check({ ...c, accType: wideAcc ? 'f64' : c.dtype } as Case, backend); },
    ), { numRuns: 150 });
  });

  test('the loop order follows the strides of b: dot tiles when b is transposed or small, i-k-j when large and row-contiguous', () => {
    const base = { batch: 1, m: 9, n: 6, k: 5, transA: false, broadcastB: false, epilogue: 'plain', dtype: 'f32' } as const;
    expect(matmulOrder(check({ ...base, transB: false }))).toBe('dot');
    expect(matmulOrder(check({ ...base, transB: true }))).toBe('dot');
    expect(matmulOrder(check({ ...base, n: 1, transB: false }))).toBe('dot');
    expect(matmulOrder(check({ ...base, n: 300, k: 260, transB: false }))).toBe('ikj');
    expect(matmulOrder(check({ ...base, n: 300, k: 260, transB: true }))).toBe('dot');
    // the plan line the executable reports says the same
    const ikj = checkExe({ ...base, n: 300, k: 260, transB: false }, 'js').exe.kernels[0]!;
    expect(ikj.loops).toBe('matmul 1 × 9×260·260×300'); // a batch loop of extent 1
    expect(ikj.plan).toBe('matmul 1 × 9×260·260×300: order ikj, tile 4×300, scalar, acc f64, panel 4×300 in scratch');
    const dot = checkExe({ ...base, transB: true, accType: 'f32' }, 'js').exe.kernels[0]!;
    expect(dot.plan).toBe('matmul 1 × 9×5·5×6: order dot, tile 4×4, scalar, acc f32, panel 4×6 in scratch');
  });

  test('the i-k-j order with leftover rows, prologues and epilogues (b too large to tile)', () => {
    for (const m of [3, 6]) {
      for (const epilogue of ['plain', 'bias_relu', 'two_outputs', 'prologue'] as const) {
        const k = check({ batch: 2, m, n: 257, k: 256, transA: m === 6, transB: false, broadcastB: m === 3, epilogue, dtype: 'f32' });
        expect(matmulOrder(k)).toBe('ikj');
      }
    }
  });

  test('the seed MLP layer sizes: [32×784]·[784×32] + bias, relu', () => {
    for (const accType of ['f32', 'f64'] as const) {
      check({ batch: 1, m: 32, n: 32, k: 784, transA: false, transB: false, broadcastB: false, epilogue: 'bias_relu', dtype: 'f32', accType }, backend);
      // and the weight gradient xᵀ·g, with x read transposed in place
      check({ batch: 1, m: 784, n: 32, k: 32, transA: true, transB: false, broadcastB: false, epilogue: 'plain', dtype: 'f32', accType }, backend);
    }
  });

  test('a long epilogue runs once per tile over its sums (on lanes, and lane by lane), with leftover rows and columns', () => {
    for (const epilogue of ['long', 'long_transposed'] as const) {
      for (const [m, n] of [[9, 13], [8, 8], [4, 12], [13, 100]] as const) {
        const { exe } = checkExe({ batch: 2, m, n, k: 7, transA: false, transB: n === 12, broadcastB: false, epilogue, dtype: 'f32', accType: 'f32' }, backend);
        if (backend === 'wasm') expect(exe.kernels[0]!.plan).toContain('epilogue looped over the sums in scratch');
      }
      // a large output (130×40 > 4096) keeps one copy of the epilogue per sum: its loop would be hot
      const { exe } = checkExe({ batch: 1, m: 130, n: 40, k: 7, transA: true, transB: false, broadcastB: false, epilogue, dtype: 'f32', accType: 'f32' }, backend);
      expect(exe.kernels[0]!.plan).not.toContain('looped');
    }
  });

  test('an a with a prologue is computed once into scratch, then read like a plain a (leftover rows and columns, batches)', () => {
    for (const [m, n, transA] of [[9, 13, false], [32, 10, true], [6, 4, false]] as const) {
      const { exe } = checkExe({ batch: 2, m, n, k: 11, transA, transB: false, broadcastB: true, epilogue: 'prologue', dtype: 'f32', accType: 'f32' }, backend);
      if (backend === 'wasm') expect(exe.kernels[0]!.plan).toContain('a computed into scratch');
    }
  });

  test('a b too large for cache (784×100): on lanes it is walked by column panels, leftovers included', () => {
    const { exe } = checkExe({ batch: 1, m: 13, n: 100, k: 784, transA: false, transB: false, broadcastB: false, epilogue: 'bias_relu', dtype: 'f32', accType: 'f32' }, backend);
    if (backend === 'wasm') expect(exe.kernels[0]!.plan).toContain('column panels outer');
  });
});

describe.each(BACKEND_ROWS)('matmul accumulator dtype (%s backend)', (backend) => {
  /** [2²⁴, 1, −2²⁴]·[1, 1, 1]ᵀ per row, summed in accType: exact (1) in f64, the 1 lost in a running f32 sum. */
  const cancel = (accType: 'f32' | 'f64') => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(2 * 3), B = p.input(3 * 5), C = p.output(2 * 5);
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc(accType);
    p.kernel({
      kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 5 }, k: { v: k, extent: 3 },
      a: e.load(A, affine(0, [[i, 3], [k, 1]])), b: e.load(B, affine(0, [[k, 5], [j, 1]])), acc, accType,
      stores: [{ buffer: C, index: affine(0, [[i, 5], [j, 1]]), value: e.cast(e.acc(acc), 'f32') }],
    });
    const exe = buildProgram(p.finish(), { backend });
    exe.setInput(0, [2 ** 24, 1, -(2 ** 24), 2 ** 24, 1, -(2 ** 24)]);
    exe.setInput(1, new Array(15).fill(1));
    exe.run();
    return { out: Array.from(exe.outputs[0]!), plan: exe.kernels[0]!.plan };
  };
  test('f32 operands summed in f64 are exact products in a 53-bit sum', () => {
    const { out, plan } = cancel('f64');
    expect(plan).toContain('acc f64');
    expect(out).toEqual(new Array(10).fill(1));
  });
  test('f32 operands summed in f32 round every add (k in order: 2²⁴ + 1 rounds to 2²⁴)', () => {
    const { out, plan } = cancel('f32');
    expect(plan).toContain('acc f32');
    expect(out).toEqual(new Array(10).fill(0));
  });
});

describe('matmul plans (JS target)', () => {

  test('the epilogue reads the bias once per column for a block of rows', () => {
    const p = new ProgramBuilder();
    const e = p.e;
    const A = p.input(8 * 3), B = p.input(3 * 5), bias = p.input(5), C = p.output(8 * 5);
    const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc('f64');
    p.kernel({
      kind: 'matmul', name: 'matmul_add', batch: [], i: { v: i, extent: 8 }, j: { v: j, extent: 5 }, k: { v: k, extent: 3 },
      a: e.load(A, affine(0, [[i, 3], [k, 1]])), b: e.load(B, affine(0, [[k, 5], [j, 1]])), acc, accType: 'f64',
      stores: [{ buffer: C, index: affine(0, [[i, 5], [j, 1]]), value: e.add(e.cast(e.acc(acc), 'f32'), e.load(bias, affine(0, [[j, 1]]))) }],
    });
    const src = buildProgram(p.finish()).source;
    // One read of b2[j] in the 4-row block, one in the leftover-row loop... none here: 8 = 2 blocks of 4.
    expect(src.match(/b2\[j\]/g)?.length).toBe(1);
  });
});
