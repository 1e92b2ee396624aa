// The node families the normal forms flatten through, and the factor maps they share: what
// sums.ts, products.ts, the driver and the arithmetic rules agree on. Imports neither normal form.
import type { Tensor } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';
import { uniformValue } from './build.js';

/** A product c · Π num / Π den: factors and their exponents. */
export interface Prod {
  coef: number;
  /** Numerator factors and their exponents. */
  readonly num: Map<Tensor, number>;
  /** Denominator factors and their exponents. */
  readonly den: Map<Tensor, number>;
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

/** Nodes reachable from `root` through nodes of the family, users before operands. */
export function regionOf(root: Tensor, member: (t: Tensor) => boolean): Tensor[] {
  return postOrder([root], member).reverse();
}

/** A copy of a factor map, in the same order (forEach: no iterator objects before V8 optimizes). */
export function copyFactors(m: ReadonlyMap<Tensor, number>): Map<Tensor, number> {
  const c = new Map<Tensor, number>();
  m.forEach((k, x) => c.set(x, k));
  return c;
}

/** m[t] += k (a zero k adds nothing). */
export function addFactor(m: Map<Tensor, number>, t: Tensor, k: number): void {
  if (k !== 0) m.set(t, (m.get(t) ?? 0) + k);
}

/** a · b as products (exponents add; nothing cancelled yet). */
export function mulProd(a: Prod, b: Prod): Prod {
  const out: Prod = { coef: a.coef * b.coef, num: copyFactors(a.num), den: copyFactors(a.den) };
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
