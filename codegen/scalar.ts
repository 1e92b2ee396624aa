/**
 * Meaning of each scalar op, in float64. Emitters must produce the same values (up to the
 * rounding of their storage dtype); the expression pool folds constants with these.
 */
import type { BinaryOp, CompareOp, UnaryOp } from './ir.js';

export function evalUnary(op: UnaryOp, x: number): number {
  switch (op) {
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'square': return x * x;
    case 'relu': return x > 0 ? x : 0;
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    // softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), stable for large |x|
    case 'softplus': return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'fround': return Math.fround(x);
    case 'floor': return Math.floor(x);
  }
}

export function evalBinary(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'pow': return Math.pow(a, b);
  }
}

export function evalCompare(op: CompareOp, a: number, b: number): number {
  switch (op) {
    case 'lt': return a < b ? 1 : 0;
    case 'le': return a <= b ? 1 : 0;
    case 'gt': return a > b ? 1 : 0;
    case 'ge': return a >= b ? 1 : 0;
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
  }
}
