/**
 * What the kernel compiler makes of small programs, asserted structurally on every backend
 * (kernel count, each kernel's plan, numbers, no allocation while running), plus one small
 * snapshot of the source per backend so a reader sees what a backend prints.
 */
import { describe, expect, test } from 'vitest';
import { ProgramBuilder, affine, buildProgram } from 'gradc/codegen';
import type { Program } from 'gradc/codegen';
import { expectClose, uniform } from './codegen-helpers.js';
import { watchAllocation } from './helpers/allocation.js';
import { BACKENDS_UNDER_TEST, BACKEND_ROWS } from './helpers/backends.js';

/** z = x·W + b (6×3·3×4), then y = softmax(z) per row. */
function denseSoftmax(): Program {
  const p = new ProgramBuilder();
  const e = p.e;
  const x = p.input(6 * 3), W = p.input(3 * 4), b = p.input(4), z = p.buffer(6 * 4), y = p.output(6 * 4);
  const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc('f64');
  p.kernel({
    kind: 'matmul', name: 'matmul_add', batch: [], i: { v: i, extent: 6 }, j: { v: j, extent: 4 }, k: { v: k, extent: 3 },
    a: e.load(x, affine(0, [[i, 3], [k, 1]])), b: e.load(W, affine(0, [[k, 4], [j, 1]])), acc, accType: 'f64',
    stores: [{ buffer: z, index: affine(0, [[i, 4], [j, 1]]), value: e.add(e.cast(e.acc(acc), 'f32'), e.load(b, affine(0, [[j, 1]]))) }],
  });
  const r = e.newVar(), c0 = e.newVar(), c1 = e.newVar(), c2 = e.newVar();
  const mx = e.newAcc(), se = e.newAcc();
  const at = (c: number) => affine(0, [[r, 4], [c, 1]]);
  const shifted = (c: number) => e.exp(e.sub(e.load(z, at(c)), e.acc(mx)));
  p.kernel({ kind: 'loops', name: 'softmax', outer: [{ v: r, extent: 6 }], passes: [
    { kind: 'reduce', loops: [{ v: c0, extent: 4 }], accs: [{ acc: mx, op: 'max', value: e.load(z, at(c0)) }] },
    { kind: 'reduce', loops: [{ v: c1, extent: 4 }], accs: [{ acc: se, op: 'sum', value: shifted(c1) }] },
    { kind: 'map', loops: [{ v: c2, extent: 4 }], stores: [{ buffer: y, index: at(c2), value: e.div(shifted(c2), e.acc(se)) }] },
  ] });
  return p.finish();
}

/** The body of one kernel's function in JS source. */
function jsFunction(source: string, name: string): string {
  const start = source.indexOf(`function ${name}()`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = source.indexOf('\nfunction ', start + 1);
  return source.slice(start, end < 0 ? undefined : end);
}

describe.each(BACKEND_ROWS)('a dense layer with softmax (%s backend)', (backend, tol) => {
  test('two kernels: a matmul with the bias as epilogue, then one row-wise softmax; the numbers', () => {
    const exe = buildProgram(denseSoftmax(), { backend });
    expect(exe.kernels.map((k) => [k.kind, k.name, k.loops])).toEqual([
      ['matmul', 'matmul_add', 'matmul 6×3·3×4'],
      ['loops', 'softmax', '6 | reduce[4], reduce[4], map[4]'],
    ]);
    if (backend === 'js') {
      expect(exe.kernels.map((k) => k.plan)).toEqual([
        'matmul 6×3·3×4: order dot, tile 4×4, scalar, acc f64, panel 4×4 in scratch',
        'loops 6 | reduce[4], reduce[4], map[4]',
      ]);
    } else {
      expect(exe.kernels[0]!.plan).toMatch(/^matmul 6×3·3×4: order (dot|ikj), tile \d+×\d+, .*acc f64/);
      expect(exe.kernels[1]!.plan).toMatch(/^loops 6 \| reduce\[4\]/);
    }
    const X = uniform(18, 1), Wv = uniform(12, 2), B = uniform(4, 3);
    [X, Wv, B].forEach((v, s) => exe.setInput(s, v));
    exe.run();
    const [Xf, Wf, Bf] = exe.inputs.map((v) => Array.from(v));
    const want: number[] = [];
    for (let r = 0; r < 6; r++) {
      const z = [0, 1, 2, 3].map((c) => [0, 1, 2].reduce((s, q) => s + Xf![r * 3 + q]! * Wf![q * 4 + c]!, 0) + Bf![c]!);
      const m = Math.max(...z);
      const ex = z.map((v) => Math.exp(v - m));
      const s = ex.reduce((a, b) => a + b, 0);
      want.push(...ex.map((v) => v / s));
    }
    expectClose(exe.outputs[0]!, want, 10 * tol.f32Transcendental.rtol, tol.f32Transcendental.atol);
  });

  test('running allocates nothing (no gc, no heap growth)', async () => {
    const exe = buildProgram(denseSoftmax(), { backend });
    exe.setInput(0, uniform(18, 1));
    // 20,000 runs per chunk: one 16-byte object per run would be 320 kB a chunk (growth, or
    // scavenges every chunk). A stray gc of the test worker's own garbage is tolerated once.
    const { gcEntries, growth } = await watchAllocation(() => exe.run(), { warmup: 2_000, chunks: 5, perChunk: 20_000 });
    const median = [...growth].sort((a, b) => a - b)[2]!;
    expect({ gcEntries: gcEntries.length <= 1, median: median < 16 * 1024 }).toEqual({ gcEntries: true, median: true });
  });
});

describe('a dense layer with softmax: the JS it prints', () => {
  test('views over one arena, the matmul panel in arena scratch, no allocation inside a kernel', () => {
    const exe = buildProgram(denseSoftmax(), { backend: 'js' });
    const src = exe.source;
    // every buffer and the panel are views of the arena, made once at module level
    expect(src.match(/new (Float32|Float64)Array\(arena, /g)).toHaveLength(6);
    expect(src).toMatch(/const panel0 = new Float64Array\(arena, \d+, 16\); \/\/ scratch: k0's sums/);
    const body = src.slice(src.indexOf('function ')).split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
    expect(body).not.toMatch(/\bnew\b|\[\]|Array\(/);
    // matmul: reads x (b0), W (b1) and the bias (b2) and writes z (b3); softmax reads z in each
    // of its three passes and writes y (b4) once
    const k0 = jsFunction(src, 'k0_matmul_add'), k1 = jsFunction(src, 'k1_softmax');
    expect(k0).toMatch(/b0\[/);
    expect(k0).toMatch(/b1\[/);
    expect(k0).toMatch(/b2\[/);
    expect(k0).toMatch(/b3\[[^\]]*\] = /);
    expect(k0).not.toMatch(/b4\[/);
    expect(k1.match(/b3\[/g)).toHaveLength(3);
    expect(k1.match(/b4\[[^\]]*\] = /g)).toHaveLength(1);
    expect(k1.match(/Math\.exp/g)).toHaveLength(2);
  });
});

/** out = relu(x·0.1 + 1) elementwise over 3 f32 values, and C = A·B for A 2×3, B 3×2. */
function tiny(): Program {
  const p = new ProgramBuilder();
  const e = p.e;
  const x = p.input(3), out = p.output(3);
  const A = p.input(6), B = p.input(6), C = p.output(4);
  const n = e.newVar();
  const ix = affine(0, [[n, 1]]);
  p.kernel({ kind: 'loops', name: 'mul_add_relu', outer: [{ v: n, extent: 3 }], passes: [{ kind: 'map', loops: [],
    stores: [{ buffer: out, index: ix, value: e.relu(e.add(e.mul(e.load(x, ix), 0.1), 1)) }] }] });
  const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc('f64');
  p.kernel({
    kind: 'matmul', name: 'matmul', batch: [], i: { v: i, extent: 2 }, j: { v: j, extent: 2 }, k: { v: k, extent: 3 },
    a: e.load(A, affine(0, [[i, 3], [k, 1]])), b: e.load(B, affine(0, [[k, 2], [j, 1]])), acc, accType: 'f64',
    stores: [{ buffer: C, index: affine(0, [[i, 2], [j, 1]]), value: e.cast(e.acc(acc), 'f32') }],
  });
  return p.finish();
}

describe('one small snapshot per backend', () => {
  test('js: f32 ops rounded with f(...), the matmul summing f64 products into a panel in scratch', () => {
    expect(buildProgram(tiny(), { backend: 'js' }).source).toMatchInlineSnapshot(`
      ""use strict";
      // gradc: 2 kernels over 5 buffers in one 144-byte arena (scratch 32 bytes at 112)
      const b0 = new Float32Array(arena, 0, 3); // input 0
      const b1 = new Float32Array(arena, 16, 3); // output 0
      const b2 = new Float32Array(arena, 32, 6); // input 1
      const b3 = new Float32Array(arena, 64, 6); // input 2
      const b4 = new Float32Array(arena, 96, 4); // output 1
      const panel1 = new Float64Array(arena, 112, 4); // scratch: k1's sums
      const f = Math.fround;
      // k0_mul_add_relu: loops 3 | map[]
      function k0_mul_add_relu() {
        for (let i0 = 0; i0 < 3; i0++) {
          const t0 = f(f(b0[i0] * f(0.1)) + 1);
          b1[i0] = t0 > 0 ? t0 : 0;
        }
      }
      // k1_matmul: matmul 2×3·3×2: order dot, tile 2×2, scalar, acc f64, panel 2×2 in scratch
      function k1_matmul() {
        let i = 0;
        for (; i < 2; i += 2) {
          const i1 = i + 1;
          let j = 0;
          for (; j < 2; j += 2) {
            const j1 = j + 1;
            let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
            for (let k = 0; k < 3; k++) {
              const y0 = b3[k * 2 + j];
              const y1 = b3[k * 2 + j1];
              const x0 = b2[i * 3 + k];
              s00 += x0 * y0; s01 += x0 * y1;
              const x1 = b2[i1 * 3 + k];
              s10 += x1 * y0; s11 += x1 * y1;
            }
            panel1[j] = s00; panel1[j1] = s01;
            panel1[2 + j] = s10; panel1[2 + j1] = s11;
          }
          for (let j = 0; j < 2; j++) {
            const s0 = panel1[j];
            b4[i * 2 + j] = f(s0);
            const s1 = panel1[2 + j];
            b4[i1 * 2 + j] = f(s1);
          }
        }
      }
      function run() {
        k0_mul_add_relu();
        k1_matmul();
      }
      return { run, kernels: [k0_mul_add_relu, k1_matmul] };
      "
    `);
  });

  // Joins by itself once the wasm backend builds here: run `vitest -u` once to record its WAT.
  test.runIf(BACKENDS_UNDER_TEST.includes('wasm'))('wasm: the module text of the same program', () => {
    expect(buildProgram(tiny(), { backend: 'wasm' }).source).toMatchSnapshot();
  });
});
