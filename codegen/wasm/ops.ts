/**
 * How WebAssembly spells each scalar op, on one value (scalar) and on four lanes (f32x4/i32x4,
 * bools as lane masks). Each spelling runs after its operands are on the stack; `tmp` lends a
 * scratch local. Exhaustive over `ScalarOp`: a new op fails tsc here until spelled.
 * Transcendentals of f32 never reach a backend that decomposes them; f64 ones call the host.
 */
import type { DType } from '../ir.js';
import type { ScalarOp } from '../ops.js';
import type { WasmFunc, WasmOp } from './module.js';
import type { ValType } from './types.js';

export type Spell = (f: WasmFunc, dtype: DType, tmp: (t: ValType) => number) => void;

/** Wasm value type of an IR dtype (bools are i32 0/1 in scalar code). */
export function valType(d: DType): ValType {
  return d === 'f32' ? 'f32' : d === 'f64' ? 'f64' : 'i32';
}

const byType = (ops: Partial<Record<DType, WasmOp>>): Spell => (f, dtype) => {
  const op = ops[dtype];
  if (op === undefined) throw new Error(`internal: no wasm instruction for ${dtype} here`);
  f.op(op);
};
const transcendentalF32 = (name: string): Spell => () => {
  throw new Error(`internal: ${name} on f32 must be decomposed before the wasm backend`);
};

/** x > 0 ? x : 0 with NaN → 0: select(x, 0, x > 0). */
const reluScalar: Spell = (f, dtype, tmp) => {
  const t = tmp(valType(dtype));
  const zero = dtype === 'f64' ? 'f64.const' : 'f32.const';
  f.op('local.tee', t).op(zero, 0).op('local.get', t).op(zero, 0).op(dtype === 'f64' ? 'f64.gt' : 'f32.gt').op('select');
};

export const WASM_SCALAR: { readonly [O in ScalarOp]: Spell } = {
  neg: (f, dtype, tmp) => {
    if (dtype !== 'i32') return void f.op(dtype === 'f64' ? 'f64.neg' : 'f32.neg');
    const t = tmp('i32');
    f.op('local.set', t).op('i32.const', 0).op('local.get', t).op('i32.sub');
  },
  abs: (f, dtype, tmp) => {
    if (dtype !== 'i32') return void f.op(dtype === 'f64' ? 'f64.abs' : 'f32.abs');
    // select(x, 0 − x, x ≥ 0)
    const t = tmp('i32');
    f.op('local.tee', t).op('i32.const', 0).op('local.get', t).op('i32.sub').op('local.get', t).op('i32.const', 0).op('i32.ge_s').op('select');
  },
  sqrt: byType({ f32: 'f32.sqrt', f64: 'f64.sqrt' }),
  floor: byType({ f32: 'f32.floor', f64: 'f64.floor' }),
  nearest: byType({ f32: 'f32.nearest', f64: 'f64.nearest' }),
  relu: reluScalar,
  exp: transcendentalF32('exp'), log: transcendentalF32('log'), tanh: transcendentalF32('tanh'),
  sigmoid: transcendentalF32('sigmoid'), softplus: transcendentalF32('softplus'), pow: transcendentalF32('pow'),
  not: (f) => void f.op('i32.eqz'),
  add: byType({ f32: 'f32.add', f64: 'f64.add', i32: 'i32.add' }),
  sub: byType({ f32: 'f32.sub', f64: 'f64.sub', i32: 'i32.sub' }),
  mul: byType({ f32: 'f32.mul', f64: 'f64.mul', i32: 'i32.mul' }),
  div: byType({ f32: 'f32.div', f64: 'f64.div' }),
  max: byType({ f32: 'f32.max', f64: 'f64.max' }),
  min: byType({ f32: 'f32.min', f64: 'f64.min' }),
  and: byType({ i32: 'i32.and', bool: 'i32.and' }),
  or: byType({ i32: 'i32.or', bool: 'i32.or' }),
  xor: byType({ i32: 'i32.xor', bool: 'i32.xor' }),
  shl: byType({ i32: 'i32.shl' }),
  shrS: byType({ i32: 'i32.shr_s' }),
  shrU: byType({ i32: 'i32.shr_u' }),
  lt: byType({ f32: 'f32.lt', f64: 'f64.lt', i32: 'i32.lt_s' }),
  le: byType({ f32: 'f32.le', f64: 'f64.le', i32: 'i32.le_s' }),
  gt: byType({ f32: 'f32.gt', f64: 'f64.gt', i32: 'i32.gt_s' }),
  ge: byType({ f32: 'f32.ge', f64: 'f64.ge', i32: 'i32.ge_s' }),
  eq: byType({ f32: 'f32.eq', f64: 'f64.eq', i32: 'i32.eq', bool: 'i32.eq' }),
  ne: byType({ f32: 'f32.ne', f64: 'f64.ne', i32: 'i32.ne', bool: 'i32.ne' }),
};

/** Host functions f64 transcendentals call (imported as math.<name>). */
export const HOST_MATH = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  pow: Math.pow,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  softplus: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
} as const;

const vec = (ops: Partial<Record<DType, WasmOp>>): Spell => (f, dtype) => {
  const op = ops[dtype];
  if (op === undefined) throw new Error(`internal: no f32x4/i32x4 instruction for ${dtype} here`);
  f.op(op);
};
const noVector = (name: string): Spell => () => {
  throw new Error(`internal: ${name} has no vector form (the plan keeps it scalar)`);
};

/** Four lanes; bools are masks (all bits set for true). Shifts take a scalar i32 count. */
export const WASM_VECTOR: { readonly [O in ScalarOp]: Spell } = {
  neg: vec({ f32: 'f32x4.neg', i32: 'i32x4.neg' }),
  abs: vec({ f32: 'f32x4.abs', i32: 'i32x4.abs' }),
  sqrt: vec({ f32: 'f32x4.sqrt' }),
  floor: vec({ f32: 'f32x4.floor' }),
  nearest: vec({ f32: 'f32x4.nearest' }),
  // pmax(0, x) = 0 < x ? x : 0: NaN and −0 give +0
  relu: (f, _dtype, tmp) => {
    const t = tmp('v128');
    f.op('local.set', t).op('v128.const', { f32x4: [0, 0, 0, 0] }).op('local.get', t).op('f32x4.pmax');
  },
  exp: noVector('exp'), log: noVector('log'), tanh: noVector('tanh'),
  sigmoid: noVector('sigmoid'), softplus: noVector('softplus'), pow: noVector('pow'),
  not: (f) => void f.op('v128.not'),
  add: vec({ f32: 'f32x4.add', i32: 'i32x4.add' }),
  sub: vec({ f32: 'f32x4.sub', i32: 'i32x4.sub' }),
  mul: vec({ f32: 'f32x4.mul', i32: 'i32x4.mul' }),
  div: vec({ f32: 'f32x4.div' }),
  max: vec({ f32: 'f32x4.max' }),
  min: vec({ f32: 'f32x4.min' }),
  and: (f) => void f.op('v128.and'),
  or: (f) => void f.op('v128.or'),
  xor: (f) => void f.op('v128.xor'),
  shl: vec({ i32: 'i32x4.shl' }),
  shrS: vec({ i32: 'i32x4.shr_s' }),
  shrU: vec({ i32: 'i32x4.shr_u' }),
  lt: vec({ f32: 'f32x4.lt', i32: 'i32x4.lt_s' }),
  le: vec({ f32: 'f32x4.le', i32: 'i32x4.le_s' }),
  gt: vec({ f32: 'f32x4.gt', i32: 'i32x4.gt_s' }),
  ge: vec({ f32: 'f32x4.ge', i32: 'i32x4.ge_s' }),
  eq: vec({ f32: 'f32x4.eq', i32: 'i32x4.eq', bool: 'i32x4.eq' }),
  ne: vec({ f32: 'f32x4.ne', i32: 'i32x4.ne', bool: 'i32x4.ne' }),
};
