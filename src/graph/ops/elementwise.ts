// Elementwise ops: shape rule (identity or NumPy broadcasting), reference semantics, VJP.
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import * as f from '../functions.js';
import { mapBroadcast } from '../../eval/strided.js';
import type { OpDef, Vjp } from './types.js';

type Unary = 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'abs' | 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'pow';
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'greater' | 'less' | 'equal';

export const sigmoidScalar = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|). */
export const softplusScalar = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

function unary<P extends Unary>(fn: (x: number, node: Tensor<P>) => number, vjp: Vjp<P>): OpDef<P> {
  return {
    shape: (inputs) => [...inputs[0].shape],
    evaluate: ([x], node) => x.map((v) => fn(v, node)),
    vjp,
  };
}

function binary<P extends Binary>(name: P, fn: (a: number, b: number) => number, vjp: Vjp<P> | 'none'): OpDef<P> {
  return {
    shape: (inputs) => broadcastShapes(name, inputs.map((t) => t.shape)),
    evaluate: (args, node) =>
      mapBroadcast(node.shape, args.map((data, k) => ({ data, shape: node.inputs[k].shape })), fn),
    vjp,
  };
}

/** Cotangent for a broadcast operand: Σ over the broadcast axes. */
const unb = (g: Tensor, like: Tensor): Tensor => f.sumToShape(g, like.shape);

export const elementwiseOps = {
  // d(−x) = −g
  neg: unary<'neg'>((x) => -x, (g) => [f.neg(g)]),
  // d eˣ = g·eˣ
  exp: unary<'exp'>(Math.exp, (g, y) => [f.mul(g, y)]),
  // d log x = g / x
  log: unary<'log'>(Math.log, (g, y) => [f.div(g, y.inputs[0])]),
  // d √x = g / (2√x)
  sqrt: unary<'sqrt'>(Math.sqrt, (g, y) => [f.div(g, f.mul(y, 2))]),
  // d x² = 2x·g
  square: unary<'square'>((x) => x * x, (g, y) => [f.mul(g, f.mul(y.inputs[0], 2))]),
  // d |x| = sign(x)·g
  abs: unary<'abs'>(Math.abs, (g, y) => {
    const x = y.inputs[0];
    return [f.mul(g, f.sub(f.greater(x, 0), f.less(x, 0)))];
  }),
  // d relu(x) = [x > 0]·g
  relu: unary<'relu'>((x) => (x > 0 ? x : 0), (g, y) => [f.mul(g, f.greater(y.inputs[0], 0))]),
  // d σ(x) = σ(x)(1 − σ(x))·g
  sigmoid: unary<'sigmoid'>(sigmoidScalar, (g, y) => [f.mul(g, f.mul(y, f.sub(1, y)))]),
  // d tanh x = (1 − tanh² x)·g
  tanh: unary<'tanh'>(Math.tanh, (g, y) => [f.mul(g, f.sub(1, f.square(y)))]),
  // d log(1 + eˣ) = σ(x)·g
  softplus: unary<'softplus'>(softplusScalar, (g, y) => [f.mul(g, f.sigmoid(y.inputs[0]))]),
  // d xᵖ = p·xᵖ⁻¹·g (x⁰ = 1 is constant: no gradient, not 0·x⁻¹, which is NaN at 0)
  pow: unary<'pow'>(
    (x, node) => Math.pow(x, node.attrs.exponent),
    (g, y) => {
      const p = y.attrs.exponent;
      if (p === 0) return [null];
      return [f.mul(g, f.mul(f.pow(y.inputs[0], p - 1), p))];
    },
  ),

  // d(a + b) = (g, g), each summed back over its broadcast axes
  add: binary('add', (a, b) => a + b, (g, y) => [unb(g, y.inputs[0]), unb(g, y.inputs[1])]),
  // d(a − b) = (g, −g)
  sub: binary('sub', (a, b) => a - b, (g, y) => [unb(g, y.inputs[0]), unb(f.neg(g), y.inputs[1])]),
  // d(a·b) = (g·b, g·a)
  mul: binary('mul', (a, b) => a * b, (g, y) => [unb(f.mul(g, y.inputs[1]), y.inputs[0]), unb(f.mul(g, y.inputs[0]), y.inputs[1])]),
  // d(a/b) = (g/b, −g·a/b²)
  div: binary('div', (a, b) => a / b, (g, y) => {
    const [a, b] = y.inputs;
    return [unb(f.div(g, b), a), unb(f.neg(f.div(f.mul(g, a), f.square(b))), b)];
  }),
  // d max(a, b) = g to the larger operand; ties split evenly
  maximum: binary('maximum', Math.max, (g, y) => {
    const [a, b] = y.inputs;
    const toA = f.add(f.greater(a, b), f.mul(f.equal(a, b), 0.5));
    return [unb(f.mul(g, toA), a), unb(f.mul(g, f.sub(1, toA)), b)];
  }),
  // d min(a, b) = g to the smaller operand; ties split evenly
  minimum: binary('minimum', Math.min, (g, y) => {
    const [a, b] = y.inputs;
    const toA = f.add(f.less(a, b), f.mul(f.equal(a, b), 0.5));
    return [unb(f.mul(g, toA), a), unb(f.mul(g, f.sub(1, toA)), b)];
  }),
  // comparisons are piecewise constant: zero gradient
  greater: binary('greater', (a, b) => (a > b ? 1 : 0), 'none'),
  less: binary('less', (a, b) => (a < b ? 1 : 0), 'none'),
  equal: binary('equal', (a, b) => (a === b ? 1 : 0), 'none'),

  // d where(c, a, b) = (·, g where c, g where ¬c)
  where: {
    shape: (inputs) => broadcastShapes('where', inputs.map((t) => t.shape)),
    evaluate: (args, node) =>
      mapBroadcast(node.shape, args.map((data, k) => ({ data, shape: node.inputs[k].shape })), (c, a, b) => (c !== 0 ? a : b)),
    vjp: (g, y) => {
      const [c, a, b] = y.inputs;
      const zero = f.zeros([], g.dtype);
      return [null, unb(f.where(c, g, zero), a), unb(f.where(c, zero, g), b)];
    },
  } satisfies OpDef<'where'>,
};
