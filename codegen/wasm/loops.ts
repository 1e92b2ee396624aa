/**
 * A loop kernel as one WebAssembly function, printing the plan: the placement's temps become
 * locals computed at the top of their scope; a pass the vector plan marks runs its innermost
 * loop four lanes at a time (v128 temps, v128 accumulators reduced across lanes after the
 * loop), then the leftover iterations as scalar code.
 */
import type { Expr, LoopKernel, Pass, ReduceOp, Store } from '../ir.js';
import { byId } from '../expr.js';
import type { LoopPlacement } from '../plan/placement.js';
import type { LoopVectorPlan } from '../plan/vector.js';
import type { WasmEnv } from './exprs.js';
import { constant, STORE } from './exprs.js';
import type { WasmFunc } from './module.js';
import { valType } from './ops.js';

const INIT: Readonly<Record<ReduceOp, number>> = { sum: 0, max: -Infinity, min: Infinity };

/** `for (v = start; v < end; v += step) body()`, for end > start. */
export function forLoop(f: WasmFunc, v: number, start: number, end: number, step: number, body: () => void): void {
  f.op('i32.const', start).op('local.set', v);
  f.op('loop');
  body();
  f.op('local.get', v).op('i32.const', step).op('i32.add').op('local.tee', v).op('i32.const', end).op('i32.lt_s').op('br_if', 0);
  f.op('end');
}

/** Computes the temps of one scope into locals (scalar, or lanes when `lanes`). */
export function writeTemps(env: WasmEnv, nodes: readonly Expr[], lanes: boolean): void {
  let increasing = true;
  for (let i = 1; i < nodes.length && increasing; i++) increasing = nodes[i - 1]!.id < nodes[i]!.id;
  // In ascending id, each once (the plan's lists mostly are already).
  const sorted = increasing ? nodes : byId(new Map(nodes.map((e) => [e.id, e])));
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (lanes && env.dependsOnLane(e)) {
      if (env.vectorTemps.has(e.id)) continue;
      env.vector(e);
      const l = env.local('v128', 'v');
      env.f.op('local.set', l);
      env.vectorTemps.set(e.id, l);
    } else {
      if (env.scalarTemps.has(e.id)) continue;
      env.scalar(e);
      const l = env.local(valType(e.dtype), 't');
      env.f.op('local.set', l);
      env.scalarTemps.set(e.id, l);
    }
  }
}

function fold(f: WasmFunc, op: ReduceOp, dtype: Expr['dtype'], lanes: boolean): void {
  if (lanes) {
    f.op(op === 'sum' ? 'f32x4.add' : op === 'max' ? 'f32x4.max' : 'f32x4.min');
    return;
  }
  const t = dtype === 'f64' ? 'f64' : dtype === 'i32' ? 'i32' : 'f32';
  if (t === 'i32') {
    if (op !== 'sum') throw new Error('internal: i32 max/min accumulators are not supported');
    f.op('i32.add');
    return;
  }
  f.op(`${t}.${op === 'sum' ? 'add' : op}` as 'f32.add');
}

/** The stores, every value computed first: a store may overwrite what another value reads (pointwise in place). */
export function writeStores(env: WasmEnv, stores: readonly Store[], lanes: boolean): void {
  const f = env.f;
  const values: number[] = [];
  for (let n = 0; n < stores.length; n++) {
    const s = stores[n]!;
    if (lanes) env.vector(s.value);
    else env.scalar(s.value);
    const l = env.local(lanes ? 'v128' : valType(s.value.dtype), 'value');
    f.op('local.set', l);
    values.push(l);
  }
  for (let n = 0; n < stores.length; n++) {
    const s = stores[n]!;
    const arg = env.address(s.buffer, s.index);
    f.op('local.get', values[n]!);
    f.op(lanes ? 'v128.store' : STORE[env.buffers[s.buffer]!.dtype], arg);
  }
}

/**
 * Runs `body` with the temps it adds forgotten afterwards (they live in its scope only). Scopes
 * only add temps (writeTemps skips ids already held; withAcc adds its acc only when absent), and a
 * Map keeps insertion order, so forgetting them is dropping the entries past the sizes before.
 */
export function scoped(env: WasmEnv, body: () => void): void {
  const scalars = env.scalarTemps.size;
  const vectors = env.vectorTemps.size;
  body();
  dropAfter(env.scalarTemps, scalars);
  dropAfter(env.vectorTemps, vectors);
}

function dropAfter(m: Map<number, number>, size: number): void {
  if (m.size === size) return;
  let i = 0;
  for (const k of m.keys()) if (i++ >= size) m.delete(k);
}

export function emitLoopKernel(env: WasmEnv, k: LoopKernel, placement: LoopPlacement, vector: LoopVectorPlan): void {
  const f = env.f;
  const nOuter = k.outer.length;
  k.outer.forEach((l, d) => env.vars.set(l.v, env.local('i32', `i${d}_`)));
  k.passes.forEach((p, pi) => p.loops.forEach((l, d) => env.vars.set(l.v, env.local('i32', `p${pi}_j${d}_`))));
  const scope = (s: string, lanes = false) => writeTemps(env, placement.temps.get(s) ?? [], lanes);

  const passBody = (p: Pass, lanes: boolean) => {
    if (p.kind === 'reduce') {
      for (const a of p.accs) {
        const l = lanes ? laneAccs.get(a.acc)! : env.accs.get(a.acc)!;
        f.op('local.get', l);
        if (lanes) env.vector(a.value);
        else env.scalar(a.value);
        fold(f, a.op, a.value.dtype, lanes);
        f.op('local.set', l);
      }
      return;
    }
    writeStores(env, p.stores, lanes);
  };
  const laneAccs = new Map<number, number>();

  /** Runs `body` over the innermost loop `v` of extent E: E − E mod 4 in lanes, the rest scalar. */
  const laned = (v: number, extent: number, innerScope: string, body: (lanes: boolean) => void, before: () => void, after: () => void) => {
    const local = env.varLocal(v);
    const full = extent - (extent % 4);
    env.laneVar = v;
    before();
    if (full > 0) forLoop(f, local, 0, full, 4, () => scoped(env, () => {
      scope(innerScope, true);
      body(true);
    }));
    env.laneVar = undefined;
    after();
    if (full < extent) {
      forLoop(f, local, full, extent, 1, () => scoped(env, () => {
        scope(innerScope);
        body(false);
      }));
    }
  };

  const openPass = (p: Pass, pi: number, d: number) => {
    const l = p.loops[d]!;
    const innermost = d + 1 === p.loops.length;
    if (innermost && vector.passes[pi]) {
      const accs = p.kind === 'reduce' ? p.accs : [];
      laned(l.v, l.extent, `p${pi}:${d + 1}`, (lanes) => passBody(p, lanes), () => {
        for (const a of accs) {
          let v = laneAccs.get(a.acc);
          if (v === undefined) laneAccs.set(a.acc, (v = env.local('v128', 'acc_lanes')));
          f.op('v128.const', { f32x4: [INIT[a.op], INIT[a.op], INIT[a.op], INIT[a.op]] }).op('local.set', v);
        }
      }, () => {
        // Lanes into the scalar accumulator: ((a ⊕ l0) ⊕ l1) ⊕ l2) ⊕ l3
        for (const a of accs) {
          const s = env.accs.get(a.acc)!;
          for (let lane = 0; lane < 4; lane++) {
            f.op('local.get', s).op('local.get', laneAccs.get(a.acc)!).op('f32x4.extract_lane', lane);
            fold(f, a.op, 'f32', false);
            f.op('local.set', s);
          }
        }
      });
      return;
    }
    forLoop(f, env.varLocal(l.v), 0, l.extent, 1, () => scoped(env, () => {
      scope(`p${pi}:${d + 1}`);
      if (!innermost) openPass(p, pi, d + 1);
      else passBody(p, false);
    }));
  };

  const passes = () => {
    k.passes.forEach((p, pi) => {
      scope(`s${pi}`);
      if (p.kind === 'reduce') {
        for (const a of p.accs) {
          let l = env.accs.get(a.acc);
          if (l === undefined) env.accs.set(a.acc, (l = env.local(valType(a.value.dtype), 'acc')));
          constant(f, a.value.dtype, INIT[a.op]);
          f.op('local.set', l);
        }
      }
      if (p.loops.length === 0) passBody(p, false);
      else openPass(p, pi, 0);
    });
  };

  const openOuter = (d: number) => {
    if (d === nOuter) return passes();
    const l = k.outer[d]!;
    if (d + 1 === nOuter && vector.outer) {
      // One map pass without loops, four outer iterations at a time.
      laned(l.v, l.extent, 's0', (lanes) => passBody(k.passes[0]!, lanes), () => {}, () => {});
      return;
    }
    forLoop(f, env.varLocal(l.v), 0, l.extent, 1, () => scoped(env, () => {
      if (d + 1 < nOuter) scope(`o${d + 1}`);
      openOuter(d + 1);
    }));
  };

  if (nOuter > 0) scope('o0');
  openOuter(0);
}
