/**
 * Graph ops as typed scalar expressions: one exhaustive table from graph op to kernel IR, and
 * the expression of each term of the schedule (leaves, stored values, inline ops). A float32 graph node becomes f32 IR (IEEE float32, op
 * by op, as the reference evaluator rounds each node), a float64 node f64 IR.
 */
import type { Affine, DType, Expr, ExprPool } from '../../codegen/index.js';
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import type { Ix } from '../schedule/index-map.js';
import type { Term } from '../schedule/schedule.js';
import type { KernelBuild } from './state.js';
import { labelsChecked, leafBufferOf, ownBuffer, poolAffine, saw } from './state.js';

export const irType = (t: Tensor): DType => (t.dtype === 'float64' ? 'f64' : 'f32');

/** offset + Σ stride·var as an i32 expression (for one-hot's column index). */
export function affineExpr(e: ExprPool, a: Affine): Expr {
  let x: Expr = e.i32(a.offset);
  for (const t of a.terms) x = e.add(x, e.mul(e.v(t.v), e.i32(t.stride)));
  return x;
}

/** `x` as `dtype`: a cast only where it has another dtype (most values already have theirs). */
export function asType(e: ExprPool, x: Expr, dtype: DType): Expr {
  return x.dtype === dtype ? x : e.cast(x, dtype);
}

/** A number as a constant of the node's dtype (rounded to f32 as the float32 graph holds it). */
export function constantOf(e: ExprPool, value: number, dtype: DType): Expr {
  return e.c(dtype === 'f32' ? Math.fround(value) : value, dtype);
}

/** The expression of a term other than an anchor, given its arguments' expressions (an op's). */
export function valueOf(b: KernelBuild, term: Exclude<Term, { kind: 'anchor' }>, args: readonly Expr[]): Expr {
  const e = b.e;
  const t = term.node;
  switch (term.kind) {
    case 'constant': return constantOf(e, term.node.attrs.values[0]!, irType(t));
    case 'leaf': {
      // an input fed as bytes loads as an i32 in [0, 255]: the graph's value is its float
      const v = e.load(leafBufferOf(b.st, t), poolAffine(b, term.flat));
      return t.is('input') && t.attrs.facts.feed === 'uint8' ? e.cast(v, irType(t)) : v;
    }
    case 'stored': return e.load(ownBuffer(b.st, t), poolAffine(b, term.flat));
    case 'op': {
      saw(b.st, t);
      const lowering = scalarLowering[t.op];
      if (lowering === 'not elementwise') throw new Error(`internal: ${t.op} is not an elementwise op`);
      const dtype = irType(t);
      // A node computes in its own dtype (graphs may mix float32 and float64 operands).
      const own = args.map((a) => asType(e, a, dtype)) as unknown as [Expr, Expr, Expr];
      return lowering({ e, t, ix: term.ix, b, dtype }, own);
    }
  }
}

interface Site {
  readonly e: ExprPool;
  readonly t: Tensor;
  readonly ix: Ix;
  readonly b: KernelBuild;
  readonly dtype: DType;
}
type Lowering = (s: Site, args: readonly [Expr, Expr, Expr]) => Expr;

/** 1 or 0 of the node's dtype, as the graph's comparisons give. */
const truth = (s: Site, cond: Expr): Expr => s.e.cast(cond, s.dtype);

/**
 * How each elementwise graph op reads as kernel IR; anchors (reductions, matmuls, softmaxes,
 * pad/concat) are lowered by kernels.ts; views are index maps of the schedule's terms. A new op fails tsc here.
 */
export type ScalarLoweringTable = { readonly [P in OpName]: Lowering | 'not elementwise' };
export const scalarLowering: ScalarLoweringTable = {
  input: 'not elementwise', param: 'not elementwise', constant: 'not elementwise',
  neg: ({ e }, [x]) => e.neg(x),
  exp: ({ e }, [x]) => e.exp(x),
  log: ({ e }, [x]) => e.log(x),
  sqrt: ({ e }, [x]) => e.sqrt(x),
  square: ({ e }, [x]) => e.mul(x, x),
  abs: ({ e }, [x]) => e.abs(x),
  relu: ({ e }, [x]) => e.relu(x),
  sigmoid: ({ e }, [x]) => e.sigmoid(x),
  tanh: ({ e }, [x]) => e.tanh(x),
  softplus: ({ e }, [x]) => e.softplus(x),
  pow: (s, [x]) => {
    const p = (s.t as Tensor<'pow'>).attrs.exponent;
    // x² as x·x; other exponents as pow with the exponent as the graph holds it
    return p === 2 ? s.e.mul(x, x) : s.e.pow(x, constantOf(s.e, p, s.dtype));
  },
  add: ({ e }, [x, y]) => e.add(x, y),
  sub: ({ e }, [x, y]) => e.sub(x, y),
  mul: ({ e }, [x, y]) => e.mul(x, y),
  // x / c as x · fl(1/c): a multiply for a divide (f32x4.div costs several multiplies), within
  // 2 ulp of the rounded quotient (one rounding of 1/c, one of the product), exact when c is a power of two
  div: ({ e, dtype }, [x, y]) => {
    if (y.kind === 'const' && y.value !== 0 && Number.isFinite(y.value)) {
      const r = dtype === 'f32' ? Math.fround(1 / y.value) : 1 / y.value;
      if (Number.isFinite(r) && r !== 0) return e.mul(x, e.c(r, dtype));
    }
    return e.div(x, y);
  },
  maximum: ({ e }, [x, y]) => e.max(x, y),
  minimum: ({ e }, [x, y]) => e.min(x, y),
  greater: (s, [x, y]) => truth(s, s.e.gt(x, y)),
  less: (s, [x, y]) => truth(s, s.e.lt(x, y)),
  equal: (s, [x, y]) => truth(s, s.e.eq(x, y)),
  // cond ≠ 0 picks a (NaN counts as ≠ 0)
  where: ({ e }, [c, x, y]) => e.select(e.ne(c, 0), x, y),
  // one-hot row: 1 where the label equals the column index
  oneHot: (s, [label]) => {
    const { e, dtype } = s;
    const col = e.cast(affineExpr(e, poolAffine(s.b, s.ix[s.ix.length - 1]!)), dtype);
    if (labelsChecked(s.b.st, s.t.inputs[0]!)) return truth(s, e.eq(label, col));
    // Computed labels: a row of NaN unless the label is an integer in [0, depth), i.e. equals
    // itself floored and clamped into that range.
    const depth = (s.t as Tensor<'oneHot'>).attrs.depth;
    const valid = e.eq(e.min(e.max(e.floor(label), 0), depth - 1), label);
    return e.select(valid, truth(s, e.eq(label, col)), NaN);
  },
  sum: 'not elementwise', max: 'not elementwise', logSumExp: 'not elementwise',
  reshape: 'not elementwise', transpose: 'not elementwise', broadcastTo: 'not elementwise',
  slice: 'not elementwise', pad: 'not elementwise', concat: 'not elementwise',
  matmul: 'not elementwise', softmax: 'not elementwise', logSoftmax: 'not elementwise',
};
