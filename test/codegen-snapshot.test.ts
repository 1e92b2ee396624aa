/** Pins the generated source of small kernels, so any change to the emitter shows up in review. */
import { expect, test } from 'vitest';
import { ProgramBuilder, affine, buildProgram } from 'gradc/codegen';

test('a dense layer with softmax: matmul + bias epilogue, then a row-wise softmax', () => {
  const p = new ProgramBuilder();
  const e = p.e;
  const x = p.input(6 * 3), W = p.input(3 * 4), b = p.input(4), z = p.buffer(6 * 4), y = p.output(6 * 4);
  const i = e.newVar(), j = e.newVar(), k = e.newVar(), acc = e.newAcc();
  p.kernel({
    kind: 'matmul', name: 'matmul_add', batch: [], i: { v: i, extent: 6 }, j: { v: j, extent: 4 }, k: { v: k, extent: 3 },
    a: e.load(x, affine(0, [[i, 3], [k, 1]])), b: e.load(W, affine(0, [[k, 4], [j, 1]])), acc,
    stores: [{ buffer: z, index: affine(0, [[i, 4], [j, 1]]), value: e.add(e.acc(acc), e.load(b, affine(0, [[j, 1]]))) }],
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
  expect(buildProgram(p.finish()).source).toMatchInlineSnapshot(`
    ""use strict";
    // gradc: 2 kernels over 5 buffers in one 328-byte arena
    const b0 = new Float32Array(arena, 0, 18); // input 0
    const b1 = new Float32Array(arena, 72, 12); // input 1
    const b2 = new Float32Array(arena, 120, 4); // input 2
    const b3 = new Float32Array(arena, 136, 24);
    const b4 = new Float32Array(arena, 232, 24); // output 0
    const panel0 = new Float64Array(16);
    // k0_matmul_add: matmul [6×3]·[3×4], dot order
    function k0_matmul_add() {
      let i = 0;
      for (; i < 4; i += 4) {
        const i1 = i + 1, i2 = i + 2, i3 = i + 3;
        let j = 0;
        for (; j < 4; j += 4) {
          const j1 = j + 1, j2 = j + 2, j3 = j + 3;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
          for (let k = 0; k < 3; k++) {
            const y0 = b1[k * 4 + j];
            const y1 = b1[k * 4 + j1];
            const y2 = b1[k * 4 + j2];
            const y3 = b1[k * 4 + j3];
            const x0 = b0[i * 3 + k];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
            const x1 = b0[i1 * 3 + k];
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
            const x2 = b0[i2 * 3 + k];
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
            const x3 = b0[i3 * 3 + k];
            s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
          }
          panel0[j] = s00; panel0[j1] = s01; panel0[j2] = s02; panel0[j3] = s03;
          panel0[4 + j] = s10; panel0[4 + j1] = s11; panel0[4 + j2] = s12; panel0[4 + j3] = s13;
          panel0[8 + j] = s20; panel0[8 + j1] = s21; panel0[8 + j2] = s22; panel0[8 + j3] = s23;
          panel0[12 + j] = s30; panel0[12 + j1] = s31; panel0[12 + j2] = s32; panel0[12 + j3] = s33;
        }
        for (let j = 0; j < 4; j++) {
          const t0 = b2[j];
          const s0 = panel0[j];
          b3[i * 4 + j] = s0 + t0;
          const s1 = panel0[4 + j];
          b3[i1 * 4 + j] = s1 + t0;
          const s2 = panel0[8 + j];
          b3[i2 * 4 + j] = s2 + t0;
          const s3 = panel0[12 + j];
          b3[i3 * 4 + j] = s3 + t0;
        }
      }
      for (; i < 6; i++) {
        let j = 0;
        for (; j < 4; j += 4) {
          const j1 = j + 1, j2 = j + 2, j3 = j + 3;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
          for (let k = 0; k < 3; k++) {
            const y0 = b1[k * 4 + j];
            const y1 = b1[k * 4 + j1];
            const y2 = b1[k * 4 + j2];
            const y3 = b1[k * 4 + j3];
            const x0 = b0[i * 3 + k];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          }
          panel0[j] = s00; panel0[j1] = s01; panel0[j2] = s02; panel0[j3] = s03;
        }
        for (let j = 0; j < 4; j++) {
          const s0 = panel0[j];
          b3[i * 4 + j] = s0 + b2[j];
        }
      }
    }
    // k1_softmax: loops 6; passes reduce[4], reduce[4], map[4]
    function k1_softmax() {
      for (let i0 = 0; i0 < 6; i0++) {
        let a0 = -Infinity;
        for (let j0 = 0; j0 < 4; j0++) {
          a0 = Math.max(a0, b3[i0 * 4 + j0]);
        }
        let a1 = 0;
        for (let j0 = 0; j0 < 4; j0++) {
          a1 += Math.exp(b3[i0 * 4 + j0] - a0);
        }
        for (let j0 = 0; j0 < 4; j0++) {
          b4[i0 * 4 + j0] = Math.exp(b3[i0 * 4 + j0] - a0) / a1;
        }
      }
    }
    function run() {
      k0_matmul_add();
      k1_softmax();
    }
    return { run, kernels: [k0_matmul_add, k1_softmax] };
    "
  `);
});
