// Facts rewrites may rely on: only what the graph states (input facts, oneHot outputs)
// and what follows from the ops (exp > 0, 0 < σ < 1, softmax rows sum to 1, …).
// Ranges are intervals with open or closed ends, as exact arithmetic would give them;
// underflow (exp(−1000) = 0 in floats) is ignored, the way "away from overflow" reads.
import type { Tensor } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';
import { sigmoidScalar, softplusScalar } from '../eval/reference.js';


/** lo..hi; an open end excludes the bound. (A class: cheaper to build than a literal in cold code, see families.ts.) */
export class Range {
  declare readonly lo: number;
  declare readonly hi: number;
  declare readonly loOpen: boolean;
  declare readonly hiOpen: boolean;

  constructor(lo: number, hi: number, loOpen: boolean, hiOpen: boolean) {
    this.lo = lo;
    this.hi = hi;
    this.loOpen = loOpen;
    this.hiOpen = hiOpen;
  }
}

const ALL = new Range(-Infinity, Infinity, true, true);
const closed = (lo: number, hi: number): Range => new Range(lo, hi, false, false);
const range = (lo: number, hi: number, loOpen: boolean, hiOpen: boolean): Range =>
  Number.isNaN(lo) || Number.isNaN(hi) ? ALL : new Range(lo, hi, loOpen || lo === -Infinity, hiOpen || hi === Infinity);

const union = (a: Range, b: Range): Range => {
  const lo = Math.min(a.lo, b.lo);
  const hi = Math.max(a.hi, b.hi);
  const loOpen = (a.lo !== lo || a.loOpen) && (b.lo !== lo || b.loOpen);
  const hiOpen = (a.hi !== hi || a.hiOpen) && (b.hi !== hi || b.hiOpen);
  return range(lo, hi, loOpen, hiOpen);
};
const neg = (a: Range): Range => range(-a.hi, -a.lo, a.hiOpen, a.loOpen);
const add = (a: Range, b: Range): Range => range(a.lo + b.lo, a.hi + b.hi, a.loOpen || b.loOpen, a.hiOpen || b.hiOpen);

/** Product of intervals from the corner products; a bound is attained if both factors attain theirs, or one is a closed 0. */
function mul(a: Range, b: Range): Range {
  const p0 = a.lo * b.lo;
  const p1 = a.lo * b.hi;
  const p2 = a.hi * b.lo;
  const p3 = a.hi * b.hi;
  if (Number.isNaN(p0) || Number.isNaN(p1) || Number.isNaN(p2) || Number.isNaN(p3)) return ALL; // 0·∞
  // Whether each corner is open: an open end, unless the other factor is a closed 0.
  const o0 = corner(a.lo, a.loOpen, b.lo, b.loOpen);
  const o1 = corner(a.lo, a.loOpen, b.hi, b.hiOpen);
  const o2 = corner(a.hi, a.hiOpen, b.lo, b.loOpen);
  const o3 = corner(a.hi, a.hiOpen, b.hi, b.hiOpen);
  const lo = Math.min(p0, p1, p2, p3);
  const hi = Math.max(p0, p1, p2, p3);
  const loOpen = (p0 !== lo || o0) && (p1 !== lo || o1) && (p2 !== lo || o2) && (p3 !== lo || o3);
  const hiOpen = (p0 !== hi || o0) && (p1 !== hi || o1) && (p2 !== hi || o2) && (p3 !== hi || o3);
  return range(lo, hi, loOpen, hiOpen);
}

const corner = (x: number, xo: boolean, y: number, yo: boolean): boolean => (xo || yo) && !((x === 0 && !xo) || (y === 0 && !yo));

/** 1/x for x of one sign; anything else is unknown. */
function recip(a: Range): Range {
  if (a.lo > 0 || (a.lo === 0 && a.loOpen)) return range(1 / a.hi, 1 / a.lo, a.hiOpen, a.loOpen);
  if (a.hi < 0 || (a.hi === 0 && a.hiOpen)) return neg(recip(neg(a)));
  return ALL;
}

/** f increasing: image of the interval, keeping which ends are open. */
const mono = (a: Range, f: (x: number) => number): Range => range(f(a.lo), f(a.hi), a.loOpen, a.hiOpen);

function constantRange(values: Float64Array): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return ALL;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return values.length === 0 ? closed(0, 0) : new Range(lo, hi, false, false);
}

const UNIT_OPEN = new Range(0, 1, true, true);

function rangeRule(t: Tensor, ins: readonly Range[]): Range {
  const a = ins[0]!;
  const b = ins[1]!;
  switch (t.op) {
    case 'input':
      return (t as Tensor<'input'>).attrs.facts.oneHot ? closed(0, 1) : ALL;
    case 'param':
      return ALL;
    case 'constant':
      return constantRange((t as Tensor<'constant'>).attrs.values);
    case 'neg':
      return neg(a);
    case 'add':
      return add(a, b);
    case 'sub':
      return add(a, neg(b));
    case 'mul':
      return mul(a, b);
    case 'div':
      return mul(a, recip(b));
    case 'exp':
      return mono(a, Math.exp);
    case 'log':
      return a.lo < 0 ? ALL : mono(a, Math.log);
    case 'sqrt':
      return a.lo < 0 ? ALL : mono(a, Math.sqrt);
    case 'square':
    case 'abs': {
      const f = t.op === 'square' ? (x: number) => x * x : Math.abs;
      if (a.lo >= 0) return mono(a, f);
      if (a.hi <= 0) return mono(neg(a), f);
      return range(0, Math.max(f(a.lo), f(a.hi)), false, false);
    }
    case 'relu':
      return a.lo >= 0 ? a : range(0, Math.max(a.hi, 0), false, a.hi > 0 ? a.hiOpen : false);
    case 'sigmoid':
      return range(sigmoidScalar(a.lo), sigmoidScalar(a.hi), a.loOpen || a.lo === -Infinity, a.hiOpen || a.hi === Infinity);
    case 'tanh':
      return range(Math.tanh(a.lo), Math.tanh(a.hi), a.loOpen || a.lo === -Infinity, a.hiOpen || a.hi === Infinity);
    case 'softplus':
      return range(softplusScalar(a.lo), softplusScalar(a.hi), a.loOpen || a.lo === -Infinity, a.hiOpen);
    case 'pow': {
      const p = (t as Tensor<'pow'>).attrs.exponent;
      if (a.lo > 0 || (a.lo === 0 && a.loOpen)) return p >= 0 ? mono(a, (x) => x ** p) : range(a.hi ** p, a.lo ** p, a.hiOpen, a.loOpen);
      if (Number.isInteger(p) && p % 2 === 0 && p > 0) return range(0, Infinity, false, true);
      return ALL;
    }
    case 'maximum':
      return range(Math.max(a.lo, b.lo), Math.max(a.hi, b.hi), a.lo >= b.lo ? a.loOpen : b.loOpen, a.hi >= b.hi ? a.hiOpen : b.hiOpen);
    case 'minimum':
      return neg(range(Math.max(-a.hi, -b.hi), Math.max(-a.lo, -b.lo), -a.hi >= -b.hi ? a.hiOpen : b.hiOpen, -a.lo >= -b.lo ? a.loOpen : b.loOpen));
    case 'greater':
    case 'less':
    case 'equal':
    case 'oneHot':
      return closed(0, 1);
    case 'where':
      return union(ins[1], ins[2]);
    case 'sum': {
      const n = t.inputs[0].size / Math.max(t.size, 1);
      return n === 0 ? closed(0, 0) : range(a.lo * n, a.hi * n, a.loOpen, a.hiOpen);
    }
    case 'max':
    case 'reshape':
    case 'transpose':
    case 'broadcastTo':
    case 'slice':
      return a;
    case 'logSumExp': {
      const n = t.inputs[0].size / Math.max(t.size, 1);
      return range(a.lo, a.hi + Math.log(n), a.loOpen, a.hiOpen);
    }
    case 'pad':
      return union(a, closed(0, 0));
    case 'concat':
      return ins.reduce(union);
    case 'matmul': {
      const k = t.inputs[0].shape[t.inputs[0].rank - 1];
      const p = mul(a, b);
      return k === 0 ? closed(0, 0) : range(p.lo * k, p.hi * k, p.loOpen, p.hiOpen);
    }
    case 'softmax': {
      const n = t.shape[(t as Tensor<'softmax'>).attrs.axis];
      return n === 1 ? closed(1, 1) : UNIT_OPEN;
    }
    case 'logSoftmax':
      return range(-Infinity, 0, true, t.shape[(t as Tensor<'logSoftmax'>).attrs.axis] !== 1);
  }
}

const ranges = new WeakMap<Tensor, Range>();

/** The interval every element of `t` lies in, as far as the graph tells. */
export function rangeOf(t: Tensor): Range {
  const hit = ranges.get(t);
  if (hit) return hit;
  // Children before parents, stopping at nodes already ranged.
  const order = postOrder([t], (x) => !ranges.has(x));
  for (let k = 0; k < order.length; k++) {
    const node = order[k]!;
    const ins: Range[] = [];
    for (let i = 0; i < node.inputs.length; i++) ins.push(ranges.get(node.inputs[i]!)!);
    ranges.set(node, rangeRule(node, ins));
  }
  return ranges.get(t)!;
}

export const isNonNegative = (t: Tensor): boolean => rangeOf(t).lo >= 0;
export const isNonZero = (t: Tensor): boolean => {
  const r = rangeOf(t);
  return r.lo > 0 || (r.lo === 0 && r.loOpen) || r.hi < 0 || (r.hi === 0 && r.hiOpen);
};

/** `t`'s range in words (`softmax ∈ (0, 1)`): why it is known nonzero or non-negative, for explain. */
export function rangeText(t: Tensor, print: (t: Tensor) => string): string {
  const r = rangeOf(t);
  const num = (v: number): string => (v === Infinity ? '∞' : v === -Infinity ? '−∞' : String(Number(v.toPrecision(6))).replace('-', '−'));
  return `${print(t)} ∈ ${r.loOpen ? '(' : '['}${num(r.lo)}, ${num(r.hi)}${r.hiOpen ? ')' : ']'}`;
}

/**
 * The axis along which every row of `t` sums to 1, if the graph says so:
 * inputs declared `{ oneHot: true }` and `oneHot(…)` (last axis), softmax (its axis),
 * and transposes or broadcasts of those.
 */
export function rowsSumToOne(t: Tensor): number | undefined {
  // Walks down a chain of transposes/broadcasts only: bounded by that chain, not the graph.
  let axis: number | undefined;
  const path: Tensor[] = [];
  let node = t;
  for (;;) {
    if (node.is('input')) {
      axis = node.attrs.facts.oneHot ? node.rank - 1 : undefined;
      break;
    }
    if (node.is('oneHot')) {
      axis = node.rank - 1;
      break;
    }
    if (node.is('softmax')) {
      axis = node.attrs.axis;
      break;
    }
    if (node.is('exp') && node.inputs[0].is('logSoftmax')) {
      axis = node.inputs[0].attrs.axis;
      break;
    }
    if (node.is('transpose') || node.is('broadcastTo')) {
      path.push(node);
      node = node.inputs[0];
      continue;
    }
    return undefined;
  }
  for (let i = path.length - 1; i >= 0 && axis !== undefined; i--) {
    const p = path[i];
    if (p.is('transpose')) axis = p.attrs.perm.indexOf(axis);
    else {
      const x = p.inputs[0];
      const lead = p.rank - x.rank;
      axis = x.shape[axis] === p.shape[axis + lead] ? axis + lead : undefined;
    }
  }
  return axis;
}

/** Why rows of `t` sum to 1, in words. */
export function whyRowsSumToOne(t: Tensor, print: (t: Tensor) => string): string {
  let node = t;
  while (node.is('transpose') || node.is('broadcastTo')) node = node.inputs[0];
  if (node.is('input')) return `${print(node)} is declared oneHot`;
  if (node.is('oneHot')) return `${print(node)} has one-hot rows`;
  return `rows of ${print(node)} sum to 1`;
}
