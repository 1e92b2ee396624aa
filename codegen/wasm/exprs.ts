/**
 * Typed expressions as WebAssembly instructions, on one value or on four lanes. A node the plan
 * made a temp is read from its local; anything else is computed where it is used (the plan
 * decided that). In lane code, values that do not depend on the lane var are scalars splatted.
 */
import { child, childCount } from '../expr.js';
import type { AccId, Affine, BufferDecl, Expr, VarId } from '../ir.js';
import { STORAGE_BYTES } from '../ir.js';
import type { ScalarOp, Transcendental } from '../ops.js';
import type { MemArg, WasmFunc, WasmOp } from './module.js';
import type { WasmImport } from './module.js';
import { valType, WASM_SCALAR, WASM_VECTOR } from './ops.js';
import type { ValType } from './types.js';

export class WasmEnv {
  readonly vars = new Map<VarId, number>();
  readonly accs = new Map<AccId, number>();
  /** Expression id → local holding its scalar value. */
  readonly scalarTemps = new Map<number, number>();
  /** Expression id → local holding its four lanes. */
  readonly vectorTemps = new Map<number, number>();
  private readonly scratch = new Map<ValType, number>();
  private readonly varies = new Map<number, boolean>();
  /** The var whose four consecutive values the lane code computes at once. */
  laneVar: VarId | undefined;
  /** Accumulators that hold four lanes in lane code (a matmul's sums). */
  readonly laneAccs = new Set<AccId>();

  constructor(
    readonly f: WasmFunc,
    readonly buffers: readonly BufferDecl[],
    private readonly hostMath: (op: Transcendental) => WasmImport,
  ) {}

  private readonly names = new Map<string, number>();

  /** A new local named `base` and a number (`t3`, `sum0_1`): ours only, for readable WAT (a function without text keeps no names). */
  local(type: ValType, base: string): number {
    if (!this.f.text) return this.f.local(type);
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    return this.f.local(type, `${base}${n}`);
  }

  /** One scratch local per type: a spelling uses it only within its own instructions. */
  tmp = (t: ValType): number => {
    let l = this.scratch.get(t);
    if (l === undefined) this.scratch.set(t, (l = this.local(t, `scratch_${t}_`)));
    return l;
  };

  /** Whether `e` depends on the lane var (memoized per lane var). */
  dependsOnLane(e: Expr): boolean {
    const v = this.laneVar;
    if (v === undefined) return false;
    const key = e.id * 4096 + v;
    const hit = this.varies.get(key);
    if (hit !== undefined) return hit;
    let d = (e.kind === 'var' && e.v === v) || (e.kind === 'load' && e.index.terms.some((t) => t.v === v))
      || (e.kind === 'acc' && this.laneAccs.has(e.acc));
    for (let i = 0, n = childCount(e); i < n && !d; i++) d = this.dependsOnLane(child(e, i));
    this.varies.set(key, d);
    return d;
  }

  /**
   * While set, byte addresses computed with the same var terms are computed once into a local
   * and reused: valid while no var they read changes (one tile of an epilogue, one loop body).
   */
  addressCache: Map<string, number> | undefined;

  /** Pushes the byte address of `ix` in `buffer` (without its constant part) and returns the memarg. */
  address(buffer: number, ix: Affine): MemArg {
    const b = this.buffers[buffer]!;
    const bytes = STORAGE_BYTES[b.dtype];
    const f = this.f;
    const arg = { offset: b.offset + ix.offset * bytes, align: Math.min(bytes, 4) };
    if (this.addressCache !== undefined && ix.terms.length > 0) {
      const key = this.addressKey(ix, bytes);
      const hit = this.addressCache.get(key);
      if (hit !== undefined) {
        f.op('local.get', hit);
        return arg;
      }
      this.termsAddress(ix, bytes);
      const l = this.local('i32', 'addr');
      f.op('local.tee', l);
      this.addressCache.set(key, l);
      return arg;
    }
    this.termsAddress(ix, bytes);
    return arg;
  }

  /** Index terms → their address key ("v:stride·bytes,…"), spelled once per index (epilogues repeat them per tile). */
  private readonly addressKeys = new Map<Affine, { bytes: number; key: string }>();

  private addressKey(ix: Affine, bytes: number): string {
    const hit = this.addressKeys.get(ix);
    if (hit !== undefined && hit.bytes === bytes) return hit.key;
    const key = ix.terms.map((t) => `${t.v}:${t.stride * bytes}`).join(',');
    this.addressKeys.set(ix, { bytes, key });
    return key;
  }

  /** Σ var·stride·bytes. */
  private termsAddress(ix: Affine, bytes: number): void {
    const f = this.f;
    const terms = ix.terms;
    if (terms.length === 0) f.op('i32.const', 0);
    for (let n = 0; n < terms.length; n++) {
      const t = terms[n]!;
      f.op('local.get', this.varLocal(t.v));
      const s = t.stride * bytes;
      if (s !== 1) {
        if (s > 0 && (s & (s - 1)) === 0) f.op('i32.const', Math.log2(s)).op('i32.shl');
        else f.op('i32.const', s).op('i32.mul');
      }
      if (n > 0) f.op('i32.add');
    }
  }

  varLocal(v: VarId): number {
    const l = this.vars.get(v);
    if (l === undefined) throw new Error(`internal: var ${v} has no local here`);
    return l;
  }

  /** Pushes the scalar value of `e`. */
  scalar(e: Expr): void {
    const f = this.f;
    const temp = this.scalarTemps.get(e.id);
    if (temp !== undefined) return void f.op('local.get', temp);
    switch (e.kind) {
      case 'const': return void constant(f, e.dtype, e.value);
      case 'var': return void f.op('local.get', this.varLocal(e.v));
      case 'acc': {
        const l = this.accs.get(e.acc);
        if (l === undefined) throw new Error(`internal: accumulator ${e.acc} has no local here`);
        return void f.op('local.get', l);
      }
      case 'load': {
        const arg = this.address(e.buffer, e.index);
        f.op(LOAD[this.buffers[e.buffer]!.dtype], arg);
        return;
      }
      case 'unary': case 'binary': {
        if (e.dtype === 'f64' && isHost(e.op)) {
          this.scalar(e.a);
          if (e.kind === 'binary') this.scalar(e.b);
          f.op('call', this.hostMath(e.op as Transcendental));
          return;
        }
        this.scalar(e.a);
        if (e.kind === 'binary') this.scalar(e.b);
        WASM_SCALAR[e.op](f, e.dtype, this.tmp);
        return;
      }
      case 'compare':
        this.scalar(e.a);
        this.scalar(e.b);
        WASM_SCALAR[e.op](f, e.a.dtype, this.tmp);
        return;
      case 'select':
        this.scalar(e.a);
        this.scalar(e.b);
        this.scalar(e.cond);
        f.op('select');
        return;
      case 'cast':
        this.scalar(e.a);
        castScalar(f, e.a.dtype, e.dtype);
        return;
      case 'bitcast':
        this.scalar(e.a);
        f.op(e.dtype === 'i32' ? 'i32.reinterpret_f32' : 'f32.reinterpret_i32');
        return;
    }
  }

  /** Pushes the four lanes of `e` (values at lane var, +1, +2, +3). */
  vector(e: Expr): void {
    const f = this.f;
    const temp = this.vectorTemps.get(e.id);
    if (temp !== undefined) return void f.op('local.get', temp);
    if (!this.dependsOnLane(e)) return this.splat(e);
    switch (e.kind) {
      case 'load': {
        const storage = this.buffers[e.buffer]!.dtype;
        if (storage !== 'f32' && storage !== 'i32') throw new Error(`internal: a ${storage} load has no lane form (the plan keeps it scalar)`);
        const arg = this.address(e.buffer, e.index);
        f.op('v128.load', arg);
        return;
      }
      case 'unary':
        this.vector(e.a);
        WASM_VECTOR[e.op](f, e.dtype, this.tmp);
        return;
      case 'binary':
        this.vector(e.a);
        if (e.op === 'shl' || e.op === 'shrS' || e.op === 'shrU') this.scalar(e.b);
        else this.vector(e.b);
        WASM_VECTOR[e.op](f, e.dtype, this.tmp);
        return;
      case 'compare':
        this.vector(e.a);
        this.vector(e.b);
        WASM_VECTOR[e.op](f, e.a.dtype, this.tmp);
        return;
      case 'select':
        this.vector(e.a);
        this.vector(e.b);
        this.vector(e.cond);
        f.op('v128.bitselect');
        return;
      case 'cast':
        this.vector(e.a);
        castVector(f, e.a.dtype, e.dtype);
        return;
      case 'bitcast':
        return this.vector(e.a);
      default:
        throw new Error(`internal: ${e.kind} varies along the lanes but has no lane form`);
    }
  }

  /** A scalar broadcast to four lanes (a bool becomes a mask). */
  splat(e: Expr): void {
    const f = this.f;
    if (e.kind === 'const' && (e.dtype === 'f32' || e.dtype === 'i32') && !this.scalarTemps.has(e.id)) {
      const v = e.value;
      f.op('v128.const', e.dtype === 'f32' ? { f32x4: [v, v, v, v] } : { i32x4: [v, v, v, v] });
      return;
    }
    this.scalar(e);
    if (e.dtype === 'f32') f.op('f32x4.splat');
    else if (e.dtype === 'i32') f.op('i32x4.splat');
    else if (e.dtype === 'bool') {
      // 0/1 → 0/−1, then splat: a lane mask
      const t = this.tmp('i32');
      f.op('local.set', t).op('i32.const', 0).op('local.get', t).op('i32.sub').op('i32x4.splat');
    } else throw new Error('internal: f64 values have no f32x4 lanes');
  }
}

const HOST: ReadonlySet<string> = new Set(['exp', 'log', 'tanh', 'sigmoid', 'softplus', 'pow']);
function isHost(op: ScalarOp): boolean {
  return HOST.has(op);
}

const LOAD: Readonly<Record<BufferDecl['dtype'], WasmOp>> = { f32: 'f32.load', f64: 'f64.load', i32: 'i32.load', u8: 'i32.load8_u' };
export const STORE: Readonly<Record<BufferDecl['dtype'], WasmOp>> = { f32: 'f32.store', f64: 'f64.store', i32: 'i32.store', u8: 'i32.store8' };

export function constant(f: WasmFunc, dtype: Expr['dtype'], value: number): void {
  if (dtype === 'f32') f.op('f32.const', value);
  else if (dtype === 'f64') f.op('f64.const', value);
  else f.op('i32.const', value | 0);
}

function castScalar(f: WasmFunc, from: Expr['dtype'], to: Expr['dtype']): void {
  if (from === to) return;
  const key = `${from}>${to}`;
  const op: WasmOp | undefined = ({
    'f32>f64': 'f64.promote_f32', 'f64>f32': 'f32.demote_f64',
    'i32>f32': 'f32.convert_i32_s', 'i32>f64': 'f64.convert_i32_s',
    'f32>i32': 'i32.trunc_sat_f32_s', 'f64>i32': 'i32.trunc_sat_f64_s',
    'bool>f32': 'f32.convert_i32_u', 'bool>f64': 'f64.convert_i32_u',
  } as Record<string, WasmOp>)[key];
  if (key === 'bool>i32') return;
  if (op === undefined) throw new Error(`internal: no cast ${from} → ${to}`);
  f.op(op);
}

function castVector(f: WasmFunc, from: Expr['dtype'], to: Expr['dtype']): void {
  if (from === to) return;
  if (from === 'bool') {
    // mask & 1.0f (or & 1): the number 1 where true, 0 where false
    f.op('v128.const', to === 'f32' ? { f32x4: [1, 1, 1, 1] } : { i32x4: [1, 1, 1, 1] }).op('v128.and');
    return;
  }
  if (from === 'i32' && to === 'f32') return void f.op('f32x4.convert_i32x4_s');
  if (from === 'f32' && to === 'i32') return void f.op('i32x4.trunc_sat_f32x4_s');
  throw new Error(`internal: no lane cast ${from} → ${to}`);
}
