/**
 * Graph ops as typed scalar expressions: one exhaustive table from graph op to kernel IR, and
 * the expression of each term of the schedule (leaves, stored values, inline ops). A float32 graph node becomes f32 IR (IEEE float32, op
 * by op, as the reference evaluator rounds each node), a float64 node f64 IR.
 */
import { binaryIn, castIn, compareIn, constIn, loadIn, selectIn, unaryIn, varIn } from '../../codegen/index.js';
import type { Affine, DType, Expr, ExprPool } from '../../codegen/index.js';
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import type { Term } from '../schedule/schedule.js';
import type { KernelBuild } from './state.js';
import { labelsChecked, leafBufferOf, ownBuffer, poolAffine, saw } from './state.js';

export const irType = (t: Tensor): DType => (t.dtype === 'float64' ? 'f64' : 'f32');

/** offset + Σ stride·var as an i32 expression (for one-hot's column index). */
export function affineExpr(e: ExprPool, a: Affine): Expr {
  let x: Expr = constIn(e, a.offset, 'i32');
  for (const t of a.terms) x = binaryIn(e, 'add', x, binaryIn(e, 'mul', varIn(e, t.v), constIn(e, t.stride, 'i32')));
  return x;
}

/** `x` as `dtype`: a cast only where it has another dtype (most values already have theirs). */
export function asType(e: ExprPool, x: Expr, dtype: DType): Expr {
  return x.dtype === dtype ? x : castIn(e, x, dtype);
}

/** A number as a constant of the node's dtype (rounded to f32 as the float32 graph holds it). */
export function constantOf(e: ExprPool, value: number, dtype: DType): Expr {
  return constIn(e, dtype === 'f32' ? Math.fround(value) : value, dtype);
}

type OpTerm = Extract<Term, { kind: 'op' }>;

/** The expression of a leaf, constant or stored value's term. */
export function leafValue(b: KernelBuild, term: Exclude<Term, { kind: 'anchor' | 'op' }>): Expr {
  const e = b.e;
  const t = term.node;
  switch (term.kind) {
    case 'constant': return constantOf(e, term.node.attrs.values[0]!, irType(t));
    case 'leaf': {
      // an input fed as bytes loads as an i32 in [0, 255]: the graph's value is its float
      const v = loadIn(e, leafBufferOf(b.st, t), poolAffine(b, term.flat));
      return t.is('input') && t.attrs.facts.feed === 'uint8' ? castIn(e, v, irType(t)) : v;
    }
    case 'stored': return loadIn(e, ownBuffer(b.st, t), poolAffine(b, term.flat));
  }
}

/** The expression of an op's term, given its arguments' expressions (x, y, z: as many as it has). */
export function opValue(b: KernelBuild, term: OpTerm, x: Expr, y: Expr | undefined, z: Expr | undefined): Expr {
  const e = b.e;
  const t = term.node;
  saw(b.st, t);
  const lowering = scalarLowering[t.op];
  if (lowering === 'not elementwise') throw new Error(`internal: ${t.op} is not an elementwise op`);
  const dtype = irType(t);
  // A node computes in its own dtype (graphs may mix float32 and float64 operands).
  const x1 = asType(e, x, dtype);
  const y1 = y === undefined ? y : asType(e, y, dtype);
  const z1 = z === undefined ? z : asType(e, z, dtype);
  return lowering(b, term, dtype, x1, y1!, z1!);
}

/** One elementwise op as kernel IR: its operands x, y, z (as many as it takes) in the node's dtype `d`. */
type Lowering = (b: KernelBuild, term: OpTerm, d: DType, x: Expr, y: Expr, z: Expr) => Expr;

/** 1 or 0 of dtype `d`, as the graph's comparisons give. */
const truth = (e: ExprPool, d: DType, cond: Expr): Expr => castIn(e, cond, d);

/**
 * How each elementwise graph op reads as kernel IR; anchors (reductions, matmuls, softmaxes,
 * pad/concat) are lowered by kernels.ts; views are index maps of the schedule's terms. A new op fails tsc here.
 */
export type ScalarLoweringTable = { readonly [P in OpName]: Lowering | 'not elementwise' };
export const scalarLowering: ScalarLoweringTable = {
  input: 'not elementwise', param: 'not elementwise', constant: 'not elementwise',
  neg: (b, _t, _d, x) => unaryIn(b.e, 'neg', x),
  exp: (b, _t, _d, x) => unaryIn(b.e, 'exp', x),
  log: (b, _t, _d, x) => unaryIn(b.e, 'log', x),
  sqrt: (b, _t, _d, x) => unaryIn(b.e, 'sqrt', x),
  square: (b, _t, _d, x) => binaryIn(b.e, 'mul', x, x),
  abs: (b, _t, _d, x) => unaryIn(b.e, 'abs', x),
  relu: (b, _t, _d, x) => unaryIn(b.e, 'relu', x),
  sigmoid: (b, _t, _d, x) => unaryIn(b.e, 'sigmoid', x),
  tanh: (b, _t, _d, x) => unaryIn(b.e, 'tanh', x),
  softplus: (b, _t, _d, x) => unaryIn(b.e, 'softplus', x),
  pow: (b, term, d, x) => {
    const p = (term.node as Tensor<'pow'>).attrs.exponent;
    // x² as x·x; other exponents as pow with the exponent as the graph holds it
    return p === 2 ? binaryIn(b.e, 'mul', x, x) : binaryIn(b.e, 'pow', x, constantOf(b.e, p, d));
  },
  add: (b, _t, _d, x, y) => binaryIn(b.e, 'add', x, y),
  sub: (b, _t, _d, x, y) => binaryIn(b.e, 'sub', x, y),
  mul: (b, _t, _d, x, y) => binaryIn(b.e, 'mul', x, y),
  // x / c as x · fl(1/c): a multiply for a divide (f32x4.div costs several multiplies), within
  // 2 ulp of the rounded quotient (one rounding of 1/c, one of the product), exact when c is a power of two
  div: (b, _t, d, x, y) => {
    if (y.kind === 'const' && y.value !== 0 && Number.isFinite(y.value)) {
      const r = d === 'f32' ? Math.fround(1 / y.value) : 1 / y.value;
      if (Number.isFinite(r) && r !== 0) return binaryIn(b.e, 'mul', x, constIn(b.e, r, d));
    }
    return binaryIn(b.e, 'div', x, y);
  },
  maximum: (b, _t, _d, x, y) => binaryIn(b.e, 'max', x, y),
  minimum: (b, _t, _d, x, y) => binaryIn(b.e, 'min', x, y),
  greater: (b, _t, d, x, y) => truth(b.e, d, compareIn(b.e, 'gt', x, y)),
  less: (b, _t, d, x, y) => truth(b.e, d, compareIn(b.e, 'lt', x, y)),
  equal: (b, _t, d, x, y) => truth(b.e, d, compareIn(b.e, 'eq', x, y)),
  // cond ≠ 0 picks a (NaN counts as ≠ 0)
  where: (b, _t, _d, c, x, y) => selectIn(b.e, compareIn(b.e, 'ne', c, 0), x, y),
  // one-hot row: 1 where the label equals the column index
  oneHot: (b, term, d, label) => {
    const e = b.e;
    const t = term.node;
    const col = castIn(e, affineExpr(e, poolAffine(b, term.ix[term.ix.length - 1]!)), d);
    if (labelsChecked(b.st, t.inputs[0]!)) return truth(e, d, compareIn(e, 'eq', label, col));
    // Computed labels: a row of NaN unless the label is an integer in [0, depth), i.e. equals
    // itself floored and clamped into that range.
    const depth = (t as Tensor<'oneHot'>).attrs.depth;
    const valid = compareIn(e, 'eq', binaryIn(e, 'min', binaryIn(e, 'max', unaryIn(e, 'floor', label), 0), depth - 1), label);
    return selectIn(e, valid, truth(e, d, compareIn(e, 'eq', label, col)), NaN);
  },
  sum: 'not elementwise', max: 'not elementwise', logSumExp: 'not elementwise',
  reshape: 'not elementwise', transpose: 'not elementwise', broadcastTo: 'not elementwise',
  slice: 'not elementwise', pad: 'not elementwise', concat: 'not elementwise',
  matmul: 'not elementwise', softmax: 'not elementwise', logSoftmax: 'not elementwise',
};
