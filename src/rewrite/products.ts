// Products in normal form: c · Π aᵢ^kᵢ / Π bⱼ^mⱼ with the scalar c collected, the factors
// sorted by the structural order, equal factors merged into powers, and a factor on both
// sides cancelled only where it is known to be nonzero.
import type { DType } from '../graph/attrs.js';
import * as f from '../graph/functions.js';
import { broadcastShapes, sizeOf, type Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { mapBroadcast } from '../eval/strided.js';
import { SMALL_CONSTANT, constantOf, fit, power, scalarConst, scaled, uniformValue } from './build.js';
import { isNonZero } from './facts.js';
import { MAX_EXPONENT, Prod, addFactor, copyFactors, isProductNode, isSumNode, regionOf } from './families.js';
import { compareNodes } from './order.js';

/**
 * Reads `root` as c · Π num / Π den. Undefined if exponents would exceed the normal
 * form or the scalar overflows.
 */
export function flattenProd(root: Tensor): Prod | undefined {
  if (!isProductNode(root)) {
    const prod = new Prod(1, new Map(), new Map());
    const v = uniformValue(root);
    if (v !== undefined) prod.coef = v;
    else prod.num.set(root, 1);
    return prod;
  }
  const hit = sharedProd(root);
  return hit === undefined ? undefined : new Prod(hit.coef, copyFactors(hit.num), copyFactors(hit.den));
}

/** flattenProd(root) for a caller that only reads it: shared, never to be changed. */
export function flattenProdShared(root: Tensor): Readonly<Prod> | undefined {
  return isProductNode(root) ? sharedProd(root) : flattenProd(root);
}

/** A node's product depends only on the node: it is read once. */
function sharedProd(root: Tensor): Prod | undefined {
  let hit = products.get(root);
  if (hit === undefined) products.set(root, (hit = readProd(root) ?? null));
  return hit ?? undefined;
}

const products = new WeakMap<Tensor, Prod | null>();

/** Exponents in the numerator (ps) and denominator (qs) of the nodes of a region and their operands, in first-reached order. */
class Exponents {
  readonly at = new Map<Tensor, number>();
  declare readonly xs: Tensor[];
  readonly ps: number[] = [1];
  readonly qs: number[] = [0];

  constructor(root: Tensor) {
    this.at.set(root, 0);
    this.xs = [root];
  }
}

/** x's exponents += (p, q) (a node not reached before is added with them). */
function give(into: Exponents, x: Tensor, p: number, q: number): void {
  const k = into.at.get(x);
  if (k !== undefined) {
    into.ps[k] += p;
    into.qs[k] += q;
  } else {
    into.at.set(x, into.xs.length);
    into.xs.push(x);
    into.ps.push(p);
    into.qs.push(q);
  }
}

function readProd(root: Tensor): Prod | undefined {
  const prod = new Prod(1, new Map(), new Map());
  const e = new Exponents(root);
  const { at, xs, ps, qs } = e;
  let flips = 0;
  const region = regionOf(root, 'product');
  for (let r = 0; r < region.length; r++) {
    const node = region[r]!;
    const k = at.get(node)!;
    const p = ps[k]!;
    const q = qs[k]!;
    const a = node.inputs[0]!;
    const b = node.inputs[1]!;
    switch (node.op) {
      case 'mul':
        give(e, a, p, q);
        give(e, b, p, q);
        break;
      case 'div':
        give(e, a, p, q);
        give(e, b, q, p);
        break;
      case 'neg':
        flips += p + q;
        give(e, a, p, q);
        break;
      case 'square':
        give(e, a, 2 * p, 2 * q);
        break;
      case 'broadcastTo':
        give(e, a, p, q);
        break;
      case 'pow': {
        const k = (node as Tensor<'pow'>).attrs.exponent;
        if (k > 0) give(e, a, k * p, k * q);
        else give(e, a, -k * q, -k * p);
        break;
      }
    }
  }
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const p = ps[k]!;
    const q = qs[k]!;
    if (isProductNode(x)) continue;
    if (p > MAX_EXPONENT || q > MAX_EXPONENT) return undefined;
    const v = uniformValue(x);
    if (v !== undefined && !(v === 0 && q > 0)) prod.coef *= v ** p / v ** q;
    else {
      addFactor(prod.num, x, p);
      addFactor(prod.den, x, q);
    }
  }
  if (flips % 2 === 1) prod.coef = -prod.coef;
  return Number.isFinite(prod.coef) ? prod : undefined;
}

/** Cancels factors on both sides that are known nonzero (x·a/x → a); returns the cancelled ones. */
export function cancelFactors(p: Prod): Tensor[] {
  const cancelled: Tensor[] = [];
  if (p.den.size === 0) return cancelled;
  p.den.forEach((k, x) => {
    const j = p.num.get(x);
    if (j === undefined || !isNonZero(x)) return;
    const m = Math.min(j, k);
    cancelled.push(x);
    if (j === m) p.num.delete(x);
    else p.num.set(x, j - m);
    if (k === m) p.den.delete(x);
    else p.den.set(x, k - m);
  });
  return cancelled;
}

/** Several constant factors become one (when the result is small enough to share by value). */
function foldConstantFactors(p: Prod): void {
  if (!hasConstant(p.num) && (p.den.size === 0 || !hasConstant(p.den))) return; // the common case, decided without building lists
  const nums = [...p.num].filter(([x]) => x.is('constant')) as [Tensor<'constant'>, number][];
  const dens = [...p.den].filter(([x]) => x.is('constant')) as [Tensor<'constant'>, number][];
  const occurrences = [...nums, ...dens].reduce((n, [, k]) => n + k, 0);
  if (occurrences < 2 && dens.length === 0) return;
  if (dens.some(([x]) => x.attrs.values.some((v) => v === 0))) return;
  let values: Float64Array = Float64Array.of(1);
  let shape: Shape = [];
  const parts: [Tensor<'constant'>, number, boolean][] = [...nums.map(([x, k]): [Tensor<'constant'>, number, boolean] => [x, k, false]), ...dens.map(([x, k]): [Tensor<'constant'>, number, boolean] => [x, k, true])];
  for (const [x, k, inverse] of parts) {
    const data = x.attrs.values;
    const xShape = data.length === 1 ? [] : x.shape;
    let out: Shape;
    try {
      out = broadcastShapes('simplify', [shape, xShape]);
    } catch {
      return;
    }
    if (sizeOf(out) > 4096) return;
    values = mapBroadcast(out, [{ data: values, shape }, { data, shape: xShape }], (a, b) => (inverse ? a / b ** k : a * b ** k));
    shape = out;
  }
  if (values.length > SMALL_CONSTANT && !values.every((v) => Object.is(v, values[0]))) return;
  for (const [x] of parts) {
    p.num.delete(x);
    p.den.delete(x);
  }
  const folded = constantOf(values, shape, parts[0][0].dtype);
  const v = uniformValue(folded);
  if (v !== undefined) p.coef *= v;
  else addFactor(p.num, folded, 1);
}

function hasConstant(m: Map<Tensor, number>): boolean {
  let found = false;
  m.forEach((_, x) => {
    if (x.op === 'constant') found = true;
  });
  return found;
}

/** The factors with a positive exponent, in the structural order. */
function sorted(m: Map<Tensor, number>): [Tensor, number][] {
  const out: [Tensor, number][] = [];
  m.forEach((k, x) => {
    if (k > 0) out.push([x, k]);
  });
  if (out.length === 2) {
    if (compareNodes(out[0]![0], out[1]![0]) > 0) out.reverse();
    return out;
  }
  return out.length > 2 ? out.sort((a, b) => compareNodes(a[0], b[0])) : out;
}

function productOf(factors: [Tensor, number][]): Tensor | undefined {
  let acc: Tensor | undefined;
  for (let i = 0; i < factors.length; i++) {
    const term = power(factors[i]![0], factors[i]![1]);
    acc = acc === undefined ? term : f.mul(acc, term);
  }
  return acc;
}

/**
 * How c·s is built for a lone sum factor s and c ≠ 1: the sum normal form distributes it (so
 * sums and products agree on c·(a + b)). sums.ts passes its own, so this file never imports it.
 */
export type ScaleSum = (s: Tensor, c: number, dtype: DType) => Tensor;

/**
 * The canonical node for `p`, fitted to `shape` when given:
 * a lone sum times a scalar is built by `scaleSum`;
 * otherwise (num / den), then the scalar: x / k for c = 1/k, else c ⊙ x, then the sign.
 * (`rebuildProd` in sums.ts is this with the sum normal form's scaleSum.)
 */
export function buildProd(p: Prod, dtype: DType, shape: Shape | undefined, scaleSum: ScaleSum): Tensor {
  return buildWith(p, singleFactor(p), dtype, shape, scaleSum);
}

/** buildProd(p) for x = singleFactor(p), when the caller has it already. */
function buildWith(p: Prod, x: Tensor | undefined, dtype: DType, shape: Shape | undefined, scaleSum: ScaleSum): Tensor {
  // One factor x¹: nothing to fold or sort, c·x directly (the general path below gives the same node).
  if (x !== undefined && p.coef !== 0 && !(p.coef !== 1 && isSumNode(x))) {
    const out = scaled(p.coef, x, dtype);
    return shape ? fit(out, shape) : out;
  }
  foldConstantFactors(p);
  const num = sorted(p.num);
  const den = sorted(p.den);
  let out: Tensor;
  if (p.coef === 0) out = scalarConst(0, dtype);
  else if (num.length === 1 && num[0][1] === 1 && den.length === 0 && p.coef !== 1 && isSumNode(num[0][0])) {
    out = scaleSum(num[0][0], p.coef, dtype);
  } else {
    const numNode = productOf(num);
    const denNode = productOf(den);
    let a = Math.abs(p.coef);
    let core: Tensor | undefined = numNode;
    if (denNode !== undefined) {
      core = f.div(numNode ?? scalarConst(a, dtype), denNode);
      if (numNode === undefined) a = 1;
    }
    if (core === undefined) out = scalarConst(p.coef, dtype);
    else out = scaled(p.coef < 0 ? -a : a, core, dtype);
  }
  return shape ? fit(out, shape) : out;
}

/** The node for c·p, leaving `p` as it is (its maps are copied only when buildProd may fold constants in them). */
export function rebuildScaled(p: Prod, c: number, dtype: DType, scaleSum: ScaleSum): Tensor {
  const x = singleFactor(p);
  const one = x !== undefined;
  return buildWith(new Prod(c, one ? p.num : copyFactors(p.num), one ? p.den : copyFactors(p.den)), x, dtype, undefined, scaleSum);
}

/** The product without its scalar: the key under which like terms of a sum are collected. */
export function coreOf(p: Prod, dtype: DType, scaleSum: ScaleSum): Tensor {
  return singleFactor(p) ?? buildWith(new Prod(1, copyFactors(p.num), copyFactors(p.den)), undefined, dtype, undefined, scaleSum);
}

/** x when `p` is c·x¹ (one factor, exponent 1, no denominator). */
function singleFactor(p: Prod): Tensor | undefined {
  if (p.num.size !== 1 || p.den.size !== 0) return undefined;
  let one: Tensor | undefined;
  p.num.forEach((k, x) => {
    if (k === 1) one = x;
  });
  return one;
}
