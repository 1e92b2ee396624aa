// Ops that move data without arithmetic: reshape, transpose, broadcastTo, slice, pad, concat.
import { GraphError, fmtShape } from '../errors.js';
import { broadcastShapes, inversePerm, isPermutation, sizeOf, stridesOf } from '../shape.js';
import * as f from '../functions.js';
import { forEachStrided, mapBroadcast } from '../../eval/strided.js';
import type { OpDef } from './types.js';

const isCount = (v: number): boolean => Number.isInteger(v) && v >= 0;

/** Copies `src` (shape `srcShape`) into `out` at the block starting at `offset` with `outStrides`. */
function copyBlock(src: Float64Array, srcShape: readonly number[], out: Float64Array, outStrides: readonly number[], offset: number): void {
  forEachStrided(srcShape, [stridesOf(srcShape), outStrides], (_i, [s, d]) => {
    out[offset + d] = src[s];
  });
}

export const movementOps = {
  // d reshape(x) = reshape(g) back to x's shape
  reshape: {
    shape: ([x], { shape }) => {
      if (sizeOf(shape) !== x.size) {
        throw new GraphError('reshape', `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(shape)} elements); the sizes must match`);
      }
      return [...shape];
    },
    evaluate: ([x]) => x.slice(),
    vjp: (g, y) => [f.reshape(g, y.inputs[0].shape)],
  } satisfies OpDef<'reshape'>,

  // d transpose(x, p) = transpose(g, p⁻¹)
  transpose: {
    shape: ([x], { perm }) => {
      if (!isPermutation(perm, x.rank)) {
        throw new GraphError('transpose', `perm ${fmtShape(perm)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}; list each axis 0..${x.rank - 1} once`);
      }
      return perm.map((p) => x.shape[p]);
    },
    evaluate: ([x], node) => {
      const inStrides = stridesOf(node.inputs[0].shape);
      const out = new Float64Array(node.size);
      forEachStrided(node.shape, [node.attrs.perm.map((p) => inStrides[p])], (o, [s]) => {
        out[o] = x[s];
      });
      return out;
    },
    vjp: (g, y) => [f.transpose(g, inversePerm(y.attrs.perm))],
  } satisfies OpDef<'transpose'>,

  // d broadcastTo(x) = Σ g over the broadcast axes
  broadcastTo: {
    shape: ([x], { shape }) => {
      const target = [...shape];
      if (target.length < x.rank || broadcastShapes('broadcastTo', [x.shape, target]).some((d, i) => d !== target[i])) {
        throw new GraphError('broadcastTo', `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(target)}; every size must match the target's or be 1`);
      }
      return target;
    },
    evaluate: ([x], node) => mapBroadcast(node.shape, [{ data: x, shape: node.inputs[0].shape }], (v) => v),
    vjp: (g, y) => [f.sumToShape(g, y.inputs[0].shape)],
  } satisfies OpDef<'broadcastTo'>,

  // d slice(x) = g padded with zeros back to x's shape
  slice: {
    shape: ([x], { begin, size }) => {
      const bad = x.shape.findIndex((d, i) => !isCount(begin[i]) || !isCount(size[i]) || begin[i] + size[i] > d);
      if (begin.length !== x.rank || size.length !== x.rank || bad >= 0) {
        throw new GraphError('slice', `begin ${fmtShape(begin)} size ${fmtShape(size)} is outside ${fmtShape(x.shape)}${bad >= 0 ? ` at axis ${bad}` : ''}; need 0 <= begin and begin + size <= the axis size`);
      }
      return [...size];
    },
    evaluate: ([x], node) => {
      const inStrides = stridesOf(node.inputs[0].shape);
      const start = node.attrs.begin.reduce((a, b, i) => a + b * inStrides[i], 0);
      const out = new Float64Array(node.size);
      forEachStrided(node.shape, [inStrides], (o, [s]) => {
        out[o] = x[start + s];
      });
      return out;
    },
    vjp: (g, y) => {
      const { begin, size } = y.attrs;
      return [f.pad(g, begin, y.inputs[0].shape.map((d, i) => d - begin[i] - size[i]))];
    },
  } satisfies OpDef<'slice'>,

  // d pad(x) = the middle block of g
  pad: {
    shape: ([x], { before, after }) => {
      if (before.length !== x.rank || after.length !== x.rank || !before.every(isCount) || !after.every(isCount)) {
        throw new GraphError('pad', `before ${fmtShape(before)} and after ${fmtShape(after)} need one non-negative integer per axis of ${fmtShape(x.shape)}`);
      }
      return x.shape.map((d, i) => before[i] + d + after[i]);
    },
    evaluate: ([x], node) => {
      const outStrides = stridesOf(node.shape);
      const out = new Float64Array(node.size);
      copyBlock(x, node.inputs[0].shape, out, outStrides, node.attrs.before.reduce((a, b, i) => a + b * outStrides[i], 0));
      return out;
    },
    vjp: (g, y) => [f.slice(g, y.attrs.before, y.inputs[0].shape)],
  } satisfies OpDef<'pad'>,

  // d concat(x₁…xₖ) = the k blocks of g
  concat: {
    shape: (xs, { axis }) => {
      const first = xs[0];
      for (const x of xs) {
        if (x.rank !== first.rank || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
          throw new GraphError('concat', `shapes ${xs.map((t) => fmtShape(t.shape)).join(', ')} differ off axis ${axis}; all sizes but the concatenated axis must match`);
        }
      }
      const out = [...first.shape];
      out[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
      return out;
    },
    evaluate: (args, node) => {
      const outStrides = stridesOf(node.shape);
      const out = new Float64Array(node.size);
      let at = 0;
      args.forEach((x, k) => {
        const shape = node.inputs[k].shape;
        copyBlock(x, shape, out, outStrides, at * outStrides[node.attrs.axis]);
        at += shape[node.attrs.axis];
      });
      return out;
    },
    vjp: (g, y) => {
      const axis = y.attrs.axis;
      let at = 0;
      return y.inputs.map((x) => {
        const begin = x.shape.map((_, i) => (i === axis ? at : 0));
        at += x.shape[axis];
        return f.slice(g, begin, x.shape);
      });
    },
  } satisfies OpDef<'concat'>,
};
