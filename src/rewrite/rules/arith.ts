// The normal forms of sums and products as rules, and distributing where it pays.
import * as f from '../../graph/functions.js';
import type { Tensor } from '../../graph/tensor.js';
import { rangeText } from '../facts.js';
import { Prod, copyFactors, isProductNode, isSumNode, sumFactors } from '../families.js';
import { cancelFactors, flattenProd } from '../products.js';
import { fit, scaled, uniformValue } from '../build.js';
import { compareNodes } from '../order.js';
import { rule, type Because, type Rewrite } from '../rule.js';
import { arithCost, expandProd, expandTerms, expansionCostBound, flattenLin, linOfProds, rebuildLin, rebuildProd } from '../sums.js';

const copyProd = (p: Prod): Prod => new Prod(p.coef, copyFactors(p.num), copyFactors(p.den));
const reasons = (xs: readonly Tensor[]): Because | undefined =>
  xs.length > 0 ? (print) => [...new Set(xs)].map((x) => rangeText(x, print)).join('; ') : undefined;

/** A rewrite by a normal form (a class: cheaper to build than a literal, see Prod). */
class Normalized implements Rewrite {
  declare readonly to: Tensor;
  declare readonly rule: string;
  declare readonly because: Because | undefined;

  constructor(to: Tensor, rule: string, because: Because | undefined) {
    this.to = to;
    this.rule = rule;
    this.because = because;
  }
}

function result(t: Tensor, out: Tensor, name: string, because?: Because): Rewrite | undefined {
  if (out === t || out.dtype !== t.dtype) return undefined;
  return new Normalized(out, name, because);
}

/** Most rounds a normal-form rule takes at one node (see untilSettled). */
const MAX_ROUNDS = 16;

/**
 * `round` at t, repeated on its own result while a round multiplies out (is named
 * `multiplying`), up to MAX_ROUNDS. Multiplying out opens only the sum factors it sees, and what
 * it builds can hold more: the terms of an opened sum have sum factors of their own
 * (g·k + g·(1 − k) → g, g = e·(c + x) + e·c, whose first term pays to open too), or a factor
 * cancels to 0 once it is no longer inside a sum (d·(s − s) ⊙ x). A round that collects only is
 * a fixed point of itself, so the rule then is too. The first round names the rewrite; the
 * facts every round relied on are its reasons.
 */
function untilSettled(t: Tensor, round: (t: Tensor) => Rewrite | undefined, multiplying: string): Rewrite | undefined {
  const first = round(t);
  if (first === undefined || first.rule !== multiplying) return first;
  let last: Rewrite = first;
  let because = first.because;
  for (let k = 1; k < MAX_ROUNDS && last.rule === multiplying; k++) {
    const next = round(last.to);
    if (next === undefined) break;
    if (next.because !== undefined) because = both(because, next.because);
    last = next;
  }
  return last === first ? first : result(t, last.to, multiplying, because);
}

const both = (a: Because | undefined, b: Because): Because => (a === undefined ? b : (print) => `${a(print)}; ${b(print)}`);

/** Neither a sum, a product nor a constant: a leaf of both normal forms, read as itself. */
const isAtom = (x: Tensor): boolean => x.op !== 'constant' && !isSumNode(x) && !isProductNode(x);

/**
 * The normal form of c·x under negations (c ⊙ x, x ⊙ c, x / c, −x, −(x / c), (−x) / c, …: any
 * negations, at most one finite nonzero scalar c) for an atom x: then both normal forms are c·x
 * (`scaled`), which is what the general paths below build too, only after flattening and
 * rebuilding (with one scalar their arithmetic agrees exactly). Most products in a gradient are
 * of this kind.
 */
function scalarTimesAtom(t: Tensor): Tensor | undefined {
  let c = 1;
  let scalars = 0;
  let x = t;
  for (;;) {
    const op = x.op;
    if (op === 'neg') {
      c = -c;
      x = x.inputs[0]!;
    } else if ((op === 'mul' || op === 'div') && scalars === 0) {
      const a = x.inputs[0]!;
      const b = x.inputs[1]!;
      let v: number | undefined;
      if (op === 'div') {
        const w = uniformValue(b);
        v = w === undefined ? undefined : 1 / w;
        x = a;
      } else {
        v = uniformValue(a);
        if (v !== undefined) x = b;
        else {
          v = uniformValue(b);
          x = a;
        }
      }
      if (v === undefined || v === 0 || !Number.isFinite(v)) return undefined;
      c *= v;
      scalars = 1;
    } else break;
  }
  if (x === t || !isAtom(x)) return undefined;
  return fit(scaled(c, x, t.dtype), t.shape);
}

/**
 * a ± b for distinct atoms: the sum's normal form is the two in the structural order (a − b
 * with b first is −(b − a)), what rebuildLin builds from their two terms.
 */
function sumOfTwoAtoms(t: Tensor): Tensor | undefined {
  if (t.op !== 'add' && t.op !== 'sub') return undefined;
  const a = t.inputs[0]!;
  const b = t.inputs[1]!;
  if (a === b || !isAtom(a) || !isAtom(b)) return undefined;
  if (compareNodes(a, b) < 0) return t;
  return t.op === 'add' ? f.add(b, a) : f.neg(f.sub(b, a));
}

/**
 * a + b − c … → c₀ + Σ cᵢ·tᵢ: like terms collected, constants folded, scalars factored,
 * terms sorted. Named `expand-products` when multiplying out factors that are sums makes
 * the whole smaller: t·(1 − p) − (1 − t)·p → t − p.
 */
export const collectTerms = rule('collect-terms', 'canonicalize', ['add', 'sub', 'neg', 'mul', 'div', 'broadcastTo'], (t, ctx) => {
  if (!isSumNode(t) || ctx.interior('sum')) return undefined;
  return untilSettled(t, termsRound, 'expand-products');
}, true);

/** One round of collect-terms at a sum node. */
function termsRound(t: Tensor): Rewrite | undefined {
  if (!isSumNode(t)) return undefined;
  const simple = scalarTimesAtom(t) ?? sumOfTwoAtoms(t);
  if (simple !== undefined) return result(t, simple, 'collect-terms');
  const lin = flattenLin(t);
  if (lin === undefined) return undefined;
  let out = rebuildLin(lin, t.dtype, t.shape);
  let name = 'collect-terms';
  const cancelled: Tensor[] = [];
  const items = expandTerms(lin, cancelled);
  if (items !== undefined) {
    const cost = arithCost(out);
    // Built only when it may be cheaper: most expansions (Adam's m·lr/(√v + ε)) are not.
    const bound = expansionCostBound(lin.c0, items);
    const expanded = bound === undefined || bound < cost ? linOfProds(lin.c0, items, t.dtype) : undefined;
    if (expanded !== undefined) {
      const candidate = rebuildLin(expanded, t.dtype, t.shape);
      if (arithCost(candidate) < cost) {
        out = candidate;
        name = 'expand-products';
      }
    }
  }
  return result(t, out, name, name === 'expand-products' ? reasons(cancelled) : undefined);
}

/**
 * a · b / c … → k · Π aᵢ^kᵢ / Π bⱼ^mⱼ: scalars collected, equal factors merged into powers,
 * factors sorted. Named `cancel-factor` when y·(a/y) → a, which needs y ≠ 0 from the facts,
 * and `distribute` when y·(a/y − b) → a − y·b: multiplying a sum out because it cancels.
 */
export const collectFactors = rule('collect-factors', 'canonicalize', ['mul', 'div', 'neg', 'square', 'pow', 'broadcastTo'], (t, ctx) => {
  if (!isProductNode(t) || ctx.interior('product')) return undefined;
  return untilSettled(t, factorsRound, 'distribute');
}, true);

/** One round of collect-factors at a product node. */
function factorsRound(t: Tensor): Rewrite | undefined {
  if (!isProductNode(t)) return undefined;
  const simple = scalarTimesAtom(t);
  if (simple !== undefined) return result(t, simple, 'collect-factors');
  const p = flattenProd(t);
  if (p === undefined) return undefined;
  const cancelled = cancelFactors(p);
  const sums = p.num.size + p.den.size > 1 ? sumFactors(p) : [];
  // rebuildProd may fold constants in the maps it is given: a copy, when p is needed afterwards.
  let out = rebuildProd(sums.length > 0 ? copyProd(p) : p, t.dtype, t.shape);
  let name = cancelled.length > 0 ? 'cancel-factor' : 'collect-factors';
  if (sums.length > 0) {
    // Multiply out one sum factor at a time; keep the cheapest result if it beats the product.
    let best = arithCost(out);
    let bestCancelled: Tensor[] = [];
    for (const s of sums) {
      const more: Tensor[] = [];
      const items = expandProd(copyProd(p), more, [s]);
      if (items === undefined) continue;
      const bound = expansionCostBound(0, items);
      if (bound !== undefined && bound >= best) continue; // cannot win: not built
      const lin = linOfProds(0, items, t.dtype);
      if (lin === undefined) continue;
      const candidate = rebuildLin(lin, t.dtype, t.shape);
      const cost = arithCost(candidate);
      if (cost < best) {
        [out, best, bestCancelled, name] = [candidate, cost, more, 'distribute'];
      }
    }
    cancelled.push(...bestCancelled);
  }
  return result(t, out, name, reasons(cancelled));
}

export const arithRules = [collectTerms, collectFactors];
