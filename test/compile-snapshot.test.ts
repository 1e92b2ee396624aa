/** Pins the JavaScript generated for a small graph, so any change to fusion or codegen shows in review. */
import { expect, test } from 'vitest';
import { compile, input, param } from 'gradc';

test('a dense layer with softmax, its loss, and an SGD update of the bias', () => {
  const x = input('x', [3, 2]);
  const t = input('t', [3, 4], { oneHot: true });
  const W = param('W', [2, 4]);
  const b = param('b', [4]);
  const y = x.matmul(W).add(b).softmax();
  const loss = y.log().mul(t).sum().neg();
  const exe = compile({ inputs: [x, t], outputs: { y, loss }, updates: [[b, b.sub(y.sub(t).sum(0).mul(0.1))]] });
  expect(exe.kernels.map((k) => `${k.name}: ${k.loops}`)).toMatchInlineSnapshot(`
    [
      "matmul: matmul 3×2·2×4 (dot)",
      "softmax_log_softmax_add: 3 | reduce[4], reduce[4], map[4]",
      "sum_mul_neg: scalar | reduce[12], map[]",
      "sum_sub_div_neg: 4 | reduce[3], map[]",
    ]
  `);
  expect(exe.source).toMatchInlineSnapshot(`
    ""use strict";
    // gradc: 4 kernels over 8 buffers in one 288-byte arena
    const b0 = new Float32Array(arena, 0, 6); // input 0
    const b1 = new Float32Array(arena, 32, 12); // input 1
    const b2 = new Float32Array(arena, 80, 8);
    const b3 = new Float32Array(arena, 112, 4);
    const b4 = new Float32Array(arena, 128, 12); // output 0
    const b5 = new Float32Array(arena, 176, 1); // output 1
    const b6 = new Float32Array(arena, 192, 12);
    const b7 = new Float32Array(arena, 240, 12);
    const panel0 = new Float64Array(12);
    // k0_matmul: matmul [3×2]·[2×4], dot order
    function k0_matmul() {
      for (let i = 0; i < 3; i++) {
        let j = 0;
        for (; j < 4; j += 4) {
          const j1 = j + 1, j2 = j + 2, j3 = j + 3;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
          for (let k = 0; k < 2; k++) {
            const y0 = b2[k * 4 + j];
            const y1 = b2[k * 4 + j1];
            const y2 = b2[k * 4 + j2];
            const y3 = b2[k * 4 + j3];
            const x0 = b0[i * 2 + k];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          }
          panel0[j] = s00; panel0[j1] = s01; panel0[j2] = s02; panel0[j3] = s03;
        }
        for (let j = 0; j < 4; j++) {
          const s0 = panel0[j];
          b6[i * 4 + j] = s0;
        }
      }
    }
    // k1_softmax_log_softmax_add: loops 3; passes reduce[4], reduce[4], map[4]
    function k1_softmax_log_softmax_add() {
      for (let i0 = 0; i0 < 3; i0++) {
        let a0 = -Infinity;
        for (let j0 = 0; j0 < 4; j0++) {
          a0 = Math.max(a0, b6[i0 * 4 + j0] + b3[j0]);
        }
        const t0 = Math.abs(a0) < Infinity ? a0 : 0;
        let a1 = 0;
        for (let j0 = 0; j0 < 4; j0++) {
          a1 += Math.exp(b6[i0 * 4 + j0] + b3[j0] - t0);
        }
        const t1 = Math.log(a1);
        for (let j0 = 0; j0 < 4; j0++) {
          const t2 = b6[i0 * 4 + j0] + b3[j0] - t0;
          b4[i0 * 4 + j0] = Math.exp(t2) / a1;
          b7[i0 * 4 + j0] = t2 - t1;
        }
      }
    }
    // k2_sum_mul_neg: loops scalar; passes reduce[12], map[]
    function k2_sum_mul_neg() {
      let a0 = 0;
      for (let j0 = 0; j0 < 12; j0++) {
        a0 += b7[j0] * b1[j0];
      }
      b5[0] = -a0;
    }
    // k3_sum_sub_div_neg: loops 4; passes reduce[3], map[]
    function k3_sum_sub_div_neg() {
      for (let i0 = 0; i0 < 4; i0++) {
        const t0 = b3[i0];
        let a0 = 0;
        for (let j0 = 0; j0 < 3; j0++) {
          a0 += b4[j0 * 4 + i0] - b1[j0 * 4 + i0];
        }
        b3[i0] = -(a0 * 0.1 - t0);
      }
    }
    function run() {
      k0_matmul();
      k1_softmax_log_softmax_add();
      k2_sum_mul_neg();
      k3_sum_sub_div_neg();
    }
    return { run, kernels: [k0_matmul, k1_softmax_log_softmax_add, k2_sum_mul_neg, k3_sum_sub_div_neg] };
    "
  `);
});
