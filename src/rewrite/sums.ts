// Sums in normal form: c₀ + Σ cᵢ·tᵢ with like terms collected (2x + 3x → 5x, x − x → 0),
// scalars distributed then factored back out when all terms share one size
// ((a + b)/2 and a/2 + b/2 both become (a + b) / 2), terms sorted by the structural order,
// and the sign chosen so that most terms (or the first) are positive.
import type { DType } from '../graph/attrs.js';
import * as f from '../graph/functions.js';
import { broadcastShapes, sizeOf, type Shape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { mapBroadcast } from '../eval/strided.js';
import { SMALL_CONSTANT, constantOf, fit, scalarConst, scaled, uniformValue } from './build.js';
import { compareNodes } from './order.js';
import { MAX_EXPONENT, Prod, copyFactors, hasSumFactor, isProductNode, isSumNode, mulProd, regionOf, sumFactors } from './families.js';
import { buildProd, cancelFactors, coreOf, flattenProdShared, rebuildScaled, type ScaleSum } from './products.js';

export class Term {
  declare coef: number;
  /** The term's factors (its own scalar is folded into `coef`); shared, never changed. */
  declare readonly prod: Prod;

  constructor(coef: number, prod: Prod) {
    this.coef = coef;
    this.prod = prod;
  }
}

export class Lin {
  /** The constant term. */
  declare c0: number;
  /** Terms keyed by their canonical node without scalar. */
  declare readonly terms: Map<Tensor, Term>;

  constructor(c0: number, terms: Map<Tensor, Term>) {
    this.c0 = c0;
    this.terms = terms;
  }
}

const emptyProd = (coef = 1): Prod => new Prod(coef, new Map(), new Map());

/** Adds w·p to the sum: a new term, a like term, or (for a sum-valued core) its terms. */
export function addProd(lin: Lin, w: number, p: Prod, dtype: DType): boolean {
  const coef = w * p.coef;
  if (coef === 0) return true;
  if (p.num.size === 0 && p.den.size === 0) {
    lin.c0 += coef;
    return true;
  }
  const core = coreOf(p, dtype, scaleSum);
  if (isSumNode(core)) {
    const inner = flattenLin(core);
    if (inner === undefined) return false;
    lin.c0 += coef * inner.c0;
    inner.terms.forEach((t) => addProd(lin, coef * t.coef, t.prod, dtype));
    return true;
  }
  const term = lin.terms.get(core);
  if (term) term.coef += coef;
  // Factor maps are never changed once read (every change works on a copy), so the term shares them.
  else lin.terms.set(core, new Term(coef, new Prod(1, p.num, p.den)));
  return true;
}

/** Weights of the nodes of a region and their operands, in first-reached order (see flattenLin). */
class Weights {
  readonly at = new Map<Tensor, number>();
  declare readonly xs: Tensor[];
  readonly ws: number[] = [1];

  constructor(root: Tensor) {
    this.at.set(root, 0);
    this.xs = [root];
  }
}

/** x's weight += w (a node not reached before is added with weight w). */
function give(into: Weights, x: Tensor, w: number): void {
  const k = into.at.get(x);
  if (k !== undefined) into.ws[k] += w;
  else {
    into.at.set(x, into.xs.length);
    into.xs.push(x);
    into.ws.push(w);
  }
}

/** Reads `root` as c₀ + Σ cᵢ·tᵢ. Undefined if a scalar overflows or a term cannot be read. */
export function flattenLin(root: Tensor): Lin | undefined {
  const lin = new Lin(0, new Map());
  // The weight of every node of the region and of its operands, in first-reached order.
  const weights = new Weights(root);
  const { at, xs, ws } = weights;
  if (isSumNode(root)) {
    const region = regionOf(root, 'sum');
    for (let r = 0; r < region.length; r++) {
      const node = region[r]!;
      const w = ws[at.get(node)!]!;
      const a = node.inputs[0]!;
      const b = node.inputs[1]!;
      switch (node.op) {
        case 'add':
          give(weights, a, w);
          give(weights, b, w);
          break;
        case 'sub':
          give(weights, a, w);
          give(weights, b, -w);
          break;
        case 'neg':
          give(weights, a, -w);
          break;
        case 'broadcastTo':
          give(weights, a, w);
          break;
        case 'mul': {
          const va = uniformValue(a);
          if (va !== undefined) give(weights, b, w * va);
          else give(weights, a, w * uniformValue(b)!);
          break;
        }
        case 'div':
          give(weights, a, w / uniformValue(b)!);
          break;
      }
    }
  }
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    const w = ws[k]!;
    if (w === 0 || isSumNode(x)) continue;
    const v = uniformValue(x);
    if (v !== undefined) {
      lin.c0 += w * v;
      continue;
    }
    const p = flattenProdShared(x); // addProd copies what it keeps
    if (p === undefined || !addProd(lin, w, p, root.dtype)) return undefined;
  }
  if (!Number.isFinite(lin.c0)) return undefined;
  let finite = true;
  lin.terms.forEach((t) => {
    if (!Number.isFinite(t.coef)) finite = false;
  });
  return finite ? lin : undefined;
}

export function scaleLin(lin: Lin, c: number): Lin {
  const terms = new Map<Tensor, Term>();
  lin.terms.forEach((t, k) => terms.set(k, new Term(t.coef * c, t.prod)));
  return new Lin(lin.c0 * c, terms);
}

/** c·s for a sum s, distributed: c·(a + b) is built as the sum c·a + c·b (in normal form). */
const scaleSum: ScaleSum = (s, c, dtype) => {
  const lin = flattenLin(s);
  return lin ? rebuildLin(scaleLin(lin, c), dtype) : scaled(c, s, dtype);
};

/**
 * The canonical node for a product `p`, fitted to `shape` when given (see buildProd in
 * products.ts); a lone sum times a scalar is distributed, so sums and products agree on c·(a + b).
 */
export function rebuildProd(p: Prod, dtype: DType, shape?: Shape): Tensor {
  return buildProd(p, dtype, shape, scaleSum);
}

/** Terms that are constant arrays are added up into one (when small enough to share by value). */
function foldConstantTerms(lin: Lin, dtype: DType): Lin {
  let n = 0;
  lin.terms.forEach((t, core) => {
    if (core.op === 'constant' && t.coef !== 0) n++;
  });
  if (n < 2) return lin;
  const consts = [...lin.terms].filter(([core, t]) => core.is('constant') && t.coef !== 0);
  if (consts.length < 2) return lin;
  let values: Float64Array = Float64Array.of(0);
  let shape: Shape = [];
  for (const [core, t] of consts) {
    const data = (core as Tensor<'constant'>).attrs.values;
    let out: Shape;
    try {
      out = broadcastShapes('simplify', [shape, core.shape]);
    } catch {
      return lin;
    }
    if (sizeOf(out) > 4096) return lin;
    values = mapBroadcast(out, [{ data: values, shape }, { data, shape: data.length === 1 ? [] : core.shape }], (a, b) => a + t.coef * b);
    shape = out;
  }
  if (values.length > SMALL_CONSTANT && !values.every((v) => Object.is(v, values[0]))) return lin;
  const terms = new Map([...lin.terms].filter(([core]) => !consts.some(([c]) => c === core)));
  const out = new Lin(lin.c0, terms);
  const folded = constantOf(values, shape, dtype);
  const v = uniformValue(folded);
  if (v !== undefined) out.c0 += v;
  else terms.set(folded, new Term(1, new Prod(1, new Map([[folded, 1]]), new Map())));
  return out;
}

/** A term of the sum being rebuilt: c₀ (no core, no product) or cᵢ·tᵢ. */
class Item {
  declare readonly coef: number;
  declare readonly core: Tensor | undefined;
  declare readonly prod: Prod | undefined;

  constructor(coef: number, core: Tensor | undefined, prod: Prod | undefined) {
    this.coef = coef;
    this.core = core;
    this.prod = prod;
  }
}

function termNode(c: number, item: Item, dtype: DType): Tensor {
  if (item.prod === undefined) return scalarConst(c, dtype);
  return rebuildScaled(item.prod, c, dtype, scaleSum);
}

const byCore = (a: Item, b: Item): number => compareNodes(a.core!, b.core!);

/** The canonical node for `lin`, fitted to `shape` when given. */
export function rebuildLin(input: Lin, dtype: DType, shape?: Shape): Tensor {
  const lin = foldConstantTerms(input, dtype);
  const list: Item[] = [];
  if (lin.c0 !== 0) list.push(new Item(lin.c0, undefined, undefined));
  const terms: Item[] = [];
  lin.terms.forEach((t, core) => {
    if (t.coef !== 0) terms.push(new Item(t.coef, core, t.prod));
  });
  if (terms.length === 2) {
    if (compareNodes(terms[0]!.core!, terms[1]!.core!) > 0) terms.reverse();
  } else if (terms.length > 2) terms.sort(byCore);
  for (let i = 0; i < terms.length; i++) list.push(terms[i]!);
  let out: Tensor;
  const n = list.length;
  if (n === 0) out = scalarConst(0, dtype);
  else if (n === 1) out = termNode(list[0]!.coef, list[0]!, dtype);
  else {
    // One common size factored out; the sign that makes most terms (or the first) positive.
    const m = Math.abs(list[0]!.coef);
    let same = true;
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const c = list[i]!.coef;
      if (Math.abs(c) !== m) same = false;
      if (c > 0) pos++;
    }
    const common = same ? m : 1;
    const negs = n - pos;
    const sign = negs > pos || (negs === pos && list[0]!.coef < 0) ? -1 : 1;
    let lead = -1;
    for (let i = 0; i < n && lead < 0; i++) if ((sign * list[i]!.coef) / common > 0) lead = i;
    let acc = termNode((sign * list[lead]!.coef) / common, list[lead]!, dtype);
    for (let i = 0; i < n; i++) {
      if (i === lead) continue;
      const u = (sign * list[i]!.coef) / common;
      acc = u > 0 ? f.add(acc, termNode(u, list[i]!, dtype)) : f.sub(acc, termNode(-u, list[i]!, dtype));
    }
    out = scaled(sign * common, acc, dtype);
  }
  return shape ? fit(out, shape) : out;
}

/** Most terms a distribution may produce; beyond it the expression is left as it is. */
const MAX_EXPANDED = 32;

/** p with the sum factors `sums` (default: all) multiplied out: a list of products, factors cancelled where known nonzero. */
export function expandProd(p: Prod, cancelled: Tensor[], sums: readonly Tensor[] = sumFactors(p)): Prod[] | undefined {
  if (sums.length === 0) return undefined;
  const rest = new Prod(p.coef, copyFactors(p.num), copyFactors(p.den));
  for (let i = 0; i < sums.length; i++) rest.num.delete(sums[i]!);
  let items: Prod[] = [rest];
  for (let i = 0; i < sums.length; i++) {
    const lin = flattenLin(sums[i]!);
    if (lin === undefined) return undefined;
    const parts: Prod[] = lin.c0 !== 0 ? [emptyProd(lin.c0)] : [];
    lin.terms.forEach((t) => {
      parts.push(new Prod(t.coef, t.prod.num, t.prod.den));
    });
    const product: Prod[] = [];
    for (let j = 0; j < items.length; j++) for (let k = 0; k < parts.length; k++) product.push(mulProd(items[j]!, parts[k]!));
    items = product;
    if (items.length > MAX_EXPANDED) return undefined;
  }
  for (let j = 0; j < items.length; j++) {
    const gone = cancelFactors(items[j]!);
    for (let k = 0; k < gone.length; k++) cancelled.push(gone[k]!);
  }
  return items;
}

/**
 * The terms of `lin` as products (coefficients included) with every term's sum factors
 * multiplied out, or undefined if no term has any (see expandProd).
 */
export function expandTerms(lin: Lin, cancelled: Tensor[]): Prod[] | undefined {
  const terms: Term[] = [];
  let any = false;
  lin.terms.forEach((t) => {
    terms.push(t);
    if (!any && hasSumFactor(t.prod)) any = true;
  });
  if (!any) return undefined; // the common case: nothing to multiply out, so no need to rebuild the terms
  const out: Prod[] = [];
  let expanded = false;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    const items = hasSumFactor(t.prod) ? expandProd(new Prod(t.coef, t.prod.num, t.prod.den), cancelled) : undefined;
    if (items === undefined) {
      out.push(new Prod(t.coef * t.prod.coef, t.prod.num, t.prod.den));
      continue;
    }
    expanded = true;
    for (let j = 0; j < items.length; j++) out.push(items[j]!);
  }
  return expanded ? out : undefined;
}

/** c₀ + Σ items as a sum (like terms collected); undefined if a term cannot be read. */
export function linOfProds(c0: number, items: readonly Prod[], dtype: DType): Lin | undefined {
  const out = new Lin(c0, new Map());
  for (let i = 0; i < items.length; i++) if (!addProd(out, 1, items[i]!, dtype)) return undefined;
  return out;
}

/** The sum with every term's sum factors multiplied out, or undefined if no term has any. */
export function expandLin(lin: Lin, dtype: DType, cancelled: Tensor[]): Lin | undefined {
  const items = expandTerms(lin, cancelled);
  return items === undefined ? undefined : linOfProds(lin.c0, items, dtype);
}

/**
 * A lower bound on arithCost(rebuildLin(linOfProds(c₀, items))), read from the products without
 * building anything; undefined when only building tells (terms that may merge, fold, vanish or
 * flatten further). Items with distinct factor maps and no constant factors become distinct
 * terms: n terms (with c₀ ≠ 0 one more) need n − 1 additions, and each term's core has a top
 * node of its own: a division (3) when it has a denominator, else a product (1), a square (1)
 * or a power (2); a lone factor counts 0.
 */
export function expansionCostBound(c0: number, items: readonly Prod[]): number | undefined {
  let cost = items.length + (c0 !== 0 ? 1 : 0) - 1;
  for (let i = 0; i < items.length; i++) {
    const p = items[i]!;
    if (p.coef === 0 || !Number.isFinite(p.coef)) return undefined;
    const top = topCost(p);
    if (top === undefined) return undefined;
    cost += top;
    for (let j = 0; j < i; j++) if (sameFactors(p, items[j]!)) return undefined;
  }
  return cost;
}

/** The cost of the top node of p's core (see expansionCostBound); undefined for a product that is no plain term. */
function topCost(p: Prod): number | undefined {
  let plain = true;
  let k = 0;
  let lone: Tensor | undefined;
  p.num.forEach((e, x) => {
    if (e <= 0 || e > MAX_EXPONENT || x.op === 'constant') plain = false;
    k = e;
    lone = x;
  });
  p.den.forEach((e, x) => {
    if (e <= 0 || e > MAX_EXPONENT || x.op === 'constant') plain = false;
  });
  if (!plain || p.num.size + p.den.size === 0) return undefined;
  if (p.den.size > 0) return 3;
  if (p.num.size > 1) return 1;
  if (k === 1) return isSumNode(lone!) ? undefined : 0; // a lone sum is flattened into the sum
  return k === 2 ? 1 : 2;
}

function sameFactors(a: Prod, b: Prod): boolean {
  return sameMap(a.num, b.num) && sameMap(a.den, b.den);
}

function sameMap(a: ReadonlyMap<Tensor, number>, b: ReadonlyMap<Tensor, number>): boolean {
  if (a.size !== b.size) return false;
  let same = true;
  a.forEach((k, x) => {
    if (b.get(x) !== k) same = false;
  });
  return same;
}

/** Size of the arithmetic around `t`: + − ⊙ count 1, a division by a tensor 3, a power 2. */
export function arithCost(t: Tensor, limit = 2000): number {
  const seen = new Set<Tensor>();
  const stack = [t];
  let cost = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (!isSumNode(node) && !isProductNode(node)) continue;
    // Signs, scalars and broadcasts are free: they are collected anyway.
    const op = node.op;
    if (op === 'div') cost += uniformValue(node.inputs[1]!) !== undefined ? 0 : 3;
    else if (op === 'pow') cost += 2;
    else if (op === 'add' || op === 'sub' || op === 'square' || (op === 'mul' && !isSumNode(node))) cost += 1;
    if (seen.size > limit) return Infinity;
    for (let i = 0; i < node.inputs.length; i++) stack.push(node.inputs[i]!);
  }
  return cost;
}
