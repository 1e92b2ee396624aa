// Matrix product over the last two axes, with broadcast batch axes.
import { GraphError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import * as f from '../functions.js';
import { broadcastStrides, forEachStrided } from '../../eval/strided.js';
import type { OpDef } from './types.js';

export const linalgOps = {
  // d(A·B) = (g·Bᵀ, Aᵀ·g), each summed over broadcast batch axes
  matmul: {
    shape: ([a, b]) => {
      if (a.rank < 2 || b.rank < 2) {
        throw new GraphError('matmul', `operands must have rank >= 2, got ${fmtShape(a.shape)} · ${fmtShape(b.shape)}; reshape a vector to [1,k] or [k,1]`);
      }
      const k = a.shape[a.rank - 1];
      if (k !== b.shape[b.rank - 2]) {
        throw new GraphError('matmul', `inner dimensions differ: ${fmtShape(a.shape)} · ${fmtShape(b.shape)}`);
      }
      let batch: number[];
      try {
        batch = broadcastShapes('matmul', [a.shape.slice(0, -2), b.shape.slice(0, -2)]);
      } catch {
        throw new GraphError('matmul', `batch dimensions do not broadcast: ${fmtShape(a.shape)} · ${fmtShape(b.shape)}; leading sizes must match or be 1`);
      }
      return [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
    },
    evaluate: ([a, b], node) => {
      const [ta, tb] = node.inputs;
      const m = ta.shape[ta.rank - 2];
      const k = ta.shape[ta.rank - 1];
      const n = tb.shape[tb.rank - 1];
      const batch = node.shape.slice(0, -2);
      const out = new Float64Array(node.size);
      const strideA = broadcastStrides(ta.shape.slice(0, -2), batch).map((s) => s * m * k);
      const strideB = broadcastStrides(tb.shape.slice(0, -2), batch).map((s) => s * k * n);
      let item = 0;
      const visit = (oa: number, ob: number): void => {
        const oc = item++ * m * n;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let p = 0; p < k; p++) acc += a[oa + i * k + p] * b[ob + p * n + j];
            out[oc + i * n + j] = acc;
          }
        }
      };
      if (batch.length === 0) visit(0, 0);
      else forEachStrided(batch, [strideA, strideB], (_i, [oa, ob]) => visit(oa, ob));
      return out;
    },
    vjp: (g, y) => {
      const [a, b] = y.inputs;
      return [f.sumToShape(f.matmul(g, f.transposeLast2(b)), a.shape), f.sumToShape(f.matmul(f.transposeLast2(a), g), b.shape)];
    },
  } satisfies OpDef<'matmul'>,
};
