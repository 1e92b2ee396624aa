// The node families the normal forms flatten through, and the factor maps they share: what
// sums.ts, products.ts, the driver and the arithmetic rules agree on. Imports neither normal form.
import type { Tensor } from '../graph/tensor.js';
import { uniformValue } from './build.js';
import type { Family } from './rule.js';

/**
 * A product c · Π num / Π den: factors and their exponents. The records the normal forms build
 * by the hundred are class instances: before V8 has warmed a function up, `new` costs it a
 * fraction of what an object literal does.
 */
export class Prod {
  declare coef: number;
  /** Numerator factors and their exponents. */
  declare readonly num: Map<Tensor, number>;
  /** Denominator factors and their exponents. */
  declare readonly den: Map<Tensor, number>;

  constructor(coef: number, num: Map<Tensor, number>, den: Map<Tensor, number>) {
    this.coef = coef;
    this.num = num;
    this.den = den;
  }
}

/** Largest exponent the product normal form builds; deeper towers stay as they are. */
export const MAX_EXPONENT = 16;

/** Nodes a sum is flattened through: +, −, negation, scaling by a constant; broadcastTo is transparent. */
export function isSumNode(t: Tensor): boolean {
  switch (t.op) {
    case 'add':
    case 'sub':
    case 'neg':
    case 'broadcastTo':
      return true;
    case 'mul':
      return uniformValue(t.inputs[0]) !== undefined || uniformValue(t.inputs[1]) !== undefined;
    case 'div': {
      const v = uniformValue(t.inputs[1]);
      return v !== undefined && v !== 0;
    }
    default:
      return false;
  }
}

/** Nodes a product is flattened through; broadcastTo is transparent (the rebuilt result is fitted back). */
export function isProductNode(t: Tensor): boolean {
  switch (t.op) {
    case 'mul':
    case 'div':
    case 'neg':
    case 'square':
    case 'broadcastTo':
      return true;
    case 'pow': {
      const p = (t as Tensor<'pow'>).attrs.exponent;
      return Number.isInteger(p) && p !== 0 && Math.abs(p) <= MAX_EXPONENT;
    }
    default:
      return false;
  }
}

/**
 * Nodes reachable from `root` through nodes of the family (sum nodes, or product nodes), users
 * before operands: postOrder's order reversed, walked here without a callback per edge.
 */
export function regionOf(root: Tensor, family: Family): Tensor[] {
  const sums = family === 'sum';
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  seen.add(root);
  const nodes: Tensor[] = [root];
  const next: number[] = [0];
  while (nodes.length > 0) {
    const d = nodes.length - 1;
    const node = nodes[d]!;
    const i = next[d]!;
    if (i < node.inputs.length) {
      next[d] = i + 1;
      const x = node.inputs[i]!;
      if (!seen.has(x) && (sums ? isSumNode(x) : isProductNode(x))) {
        seen.add(x);
        nodes.push(x);
        next.push(0);
      }
    } else {
      order.push(node);
      nodes.pop();
      next.pop();
    }
  }
  return order.reverse();
}

/** A copy of a factor map, in the same order (the Map constructor copies it without calling back into JavaScript). */
export function copyFactors(m: ReadonlyMap<Tensor, number>): Map<Tensor, number> {
  return new Map(m);
}

/** m[t] += k (a zero k adds nothing). */
export function addFactor(m: Map<Tensor, number>, t: Tensor, k: number): void {
  if (k !== 0) m.set(t, (m.get(t) ?? 0) + k);
}

/** a · b as products (exponents add; nothing cancelled yet). */
export function mulProd(a: Prod, b: Prod): Prod {
  const out = new Prod(a.coef * b.coef, copyFactors(a.num), copyFactors(a.den));
  b.num.forEach((k, x) => addFactor(out.num, x, k));
  b.den.forEach((k, x) => addFactor(out.den, x, k));
  return out;
}

/** Sum factors in the numerator (exponent 1) that distributing could open up. */
export function sumFactors(p: Prod): Tensor[] {
  const out: Tensor[] = [];
  p.num.forEach((k, x) => {
    if (k === 1 && isSumNode(x)) out.push(x);
  });
  return out;
}

/** Whether `sumFactors(p)` is non-empty (cheap: no sum factor is the common case). */
export function hasSumFactor(p: Prod): boolean {
  let found = false;
  p.num.forEach((k, x) => {
    if (!found && k === 1 && isSumNode(x)) found = true;
  });
  return found;
}
