/** Graph ops as scalar expressions: the visitor the lowering walks with. */
import type { Affine, Expr, ExprPool } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Ix } from '../schedule/index-map.js';
import { isInlineConstant } from '../schedule/kinds.js';
import type { Visitor } from '../schedule/walk.js';

/** offset + Σ stride·var as an expression (for one-hot's column index). */
export function affineExpr(e: ExprPool, a: Affine): Expr {
  let x: Expr = e.c(a.offset);
  for (const t of a.terms) x = e.add(x, e.mul(e.v(t.v), t.stride));
  return x;
}

export interface ValueHooks {
  /** The buffer holding a leaf or a stored value (created on first use). */
  buffer(t: Tensor): number;
  /** The value of a local anchor at `ix` (the kernel kind decides). */
  local(t: Tensor, ix: Ix): Expr;
  /** Called for every graph op the kernel computes (for the kernel's report). */
  saw(t: Tensor): void;
  /** Whether a buffer holds float32 values. */
  isF32(buffer: number): boolean;
  /** Whether these oneHot labels are an input whose feed `run` checks (see labels.ts). */
  labelsChecked(labels: Tensor): boolean;
}

export function valueVisitor(e: ExprPool, hooks: ValueHooks): Visitor<Expr> {
  return {
    leaf: (t, flat) => {
      if (isInlineConstant(t)) return e.c((t as Tensor<'constant'>).attrs.values[0]!);
      return e.load(hooks.buffer(t), flat);
    },
    stored: (t, flat) => e.load(hooks.buffer(t), flat),
    local: (t, ix) => {
      hooks.saw(t);
      return hooks.local(t, ix);
    },
    op: (t, args, ix) => {
      hooks.saw(t);
      return opExpr(e, t, args, ix, hooks);
    },
  };
}

/**
 * A float32 graph rounds every node to float32; a fused kernel keeps intermediates in float64.
 * Comparisons see the difference (x = max(x) fails when one side was stored and the other
 * recomputed), so their operands are rounded to float32 first, as the graph says.
 */
function rounded(e: ExprPool, x: Expr, t: Tensor, hooks: ValueHooks): Expr {
  if (t.inputs.some((i) => i.dtype !== 'float32')) return x;
  return isF32Exact(x, hooks) ? x : e.fround(x);
}

/** Values that are float32 already: f32 loads, f32 constants, and picks among them (min, |x|, …). */
function isF32Exact(x: Expr, hooks: ValueHooks): boolean {
  switch (x.kind) {
    case 'load': return hooks.isF32(x.buffer);
    case 'const': return Math.fround(x.value) === x.value;
    case 'unary': return (x.op === 'neg' || x.op === 'abs' || x.op === 'relu' || x.op === 'fround') && (x.op === 'fround' || isF32Exact(x.a, hooks));
    case 'binary': return (x.op === 'max' || x.op === 'min') && isF32Exact(x.a, hooks) && isF32Exact(x.b, hooks);
    case 'select': return isF32Exact(x.a, hooks) && isF32Exact(x.b, hooks);
    default: return false;
  }
}

function opExpr(e: ExprPool, t: Tensor, args: readonly Expr[], ix: Ix, hooks: ValueHooks): Expr {
  const cmp = t.op === 'greater' || t.op === 'less' || t.op === 'equal';
  const a = cmp ? args.map((x) => rounded(e, x, t, hooks)) : args;
  const [x, y, z] = a as [Expr, Expr, Expr];
  switch (t.op) {
    case 'neg': case 'exp': case 'log': case 'sqrt': case 'square': case 'abs':
    case 'relu': case 'sigmoid': case 'tanh': case 'softplus':
      return e.unary(t.op, x);
    case 'pow': {
      const p = (t as Tensor<'pow'>).attrs.exponent;
      return p === 2 ? e.square(x) : e.pow(x, p);
    }
    case 'add': return e.add(x, y);
    case 'sub': return e.sub(x, y);
    case 'mul': return e.mul(x, y);
    // x / c as x · (1/c) in float32 graphs: a multiply instead of a divide, exact to float32
    case 'div': return y.kind === 'const' && t.dtype === 'float32' && Number.isFinite(1 / y.value) && y.value !== 0 ? e.mul(x, 1 / y.value) : e.div(x, y);
    case 'maximum': return e.max(x, y);
    case 'minimum': return e.min(x, y);
    case 'greater': return e.gt(x, y);
    case 'less': return e.lt(x, y);
    case 'equal': return e.eq(x, y);
    case 'where': return e.select(x, y, z);
    // one-hot row: 1 where the label equals the column index
    case 'oneHot': {
      const col = affineExpr(e, ix[ix.length - 1]!);
      if (hooks.labelsChecked(t.inputs[0]!)) return e.eq(x, col);
      // Computed labels: a row of NaN unless the label (as the float32 graph rounds it) is an
      // integer in [0, depth), i.e. equals itself floored and clamped into that range.
      const label = rounded(e, x, t, hooks);
      const depth = (t as Tensor<'oneHot'>).attrs.depth;
      const valid = e.eq(e.min(e.max(e.floor(label), 0), depth - 1), label);
      return e.select(valid, e.eq(label, col), NaN);
    }
    default:
      throw new Error(`internal: ${t.op} is not an elementwise op`);
  }
}
