/**
 * A contraction as one WebAssembly function, printing its plan (plan/matmul.ts).
 * Vector plan (`vector j`): for each block of R rows and each tile of C columns (C/4 vectors),
 * R·C/4 f32x4 sums run down k together: per k, each row's a(i, k) is loaded once and splatted,
 * each vector of b(k, j..j+3) loaded once, and every sum takes one multiply and one add. Plain
 * operand loads walk by pointer increments; an a with a prologue is first computed into scratch
 * (plan.prologueA) and walked there. Leftover columns run one vector, then scalar columns (a cold
 * tail: its rows a loop, not unrolled); leftover rows run the same tiles with fewer rows. The
 * epilogue runs on the lanes of each sum where it can (every access contiguous or constant along
 * j), else lane by lane: one copy per sum, or, long on a small output (plan.sums), one copy in a loop
 * over the tile's sums stored to scratch.
 * Scalar plan: one sum per (i, j), k innermost.
 */
import { strideOf } from '../affine.js';
import { reachable } from '../expr.js';
import type { Expr, MatmulKernel } from '../ir.js';
import { STORAGE_BYTES } from '../ir.js';
import type { MatmulPlan } from '../plan/matmul.js';
import { sharedNodes } from '../plan/placement.js';
import { WASM_TARGET } from '../target.js';
import type { WasmEnv } from './exprs.js';
import { forLoop, scoped, writeStores, writeTemps } from './loops.js';

export function emitMatmulKernel(env: WasmEnv, k: MatmulKernel, plan: MatmulPlan, scratchOffset: number): void {
  const f = env.f;
  k.batch.forEach((l, d) => env.vars.set(l.v, env.local('i32', `n${d}_`)));
  env.vars.set(k.i.v, f.local('i32', 'i'));
  env.vars.set(k.j.v, f.local('i32', 'j'));
  env.vars.set(k.k.v, f.local('i32', 'k'));
  const iL = env.varLocal(k.i.v);
  const jL = env.varLocal(k.j.v);
  const kL = env.varLocal(k.k.v);
  const roots = k.stores.map((s) => s.value);
  const epilogueNodes = reachable(roots);
  const accNode = epilogueNodes.find((e) => e.kind === 'acc');
  env.laneAccs.add(k.acc);

  // The epilogue's shared nodes depend only on which ids are temps already (the acc): the same
  // for every tile, so found once per kind of code (scalar, lanes) while those ids stay the same.
  const shared: ({ named: number[]; nodes: Expr[] } | undefined)[] = [undefined, undefined];
  const sharedOf = (temps: ReadonlyMap<number, number>, lanes: boolean): Expr[] => {
    const hit = shared[lanes ? 1 : 0];
    if (hit !== undefined && hit.named.length === temps.size && hit.named.every((id) => temps.has(id))) return hit.nodes;
    const nodes = sharedNodes(roots, temps, WASM_TARGET);
    shared[lanes ? 1 : 0] = { named: [...temps.keys()], nodes };
    return nodes;
  };
  /** The stores with their values computed first (a store may overwrite what another reads). */
  const stores = (lanes: boolean) => {
    writeTemps(env, sharedOf(lanes ? env.vectorTemps : env.scalarTemps, lanes), lanes);
    writeStores(env, k.stores, lanes);
  };
  const withAcc = (local: number, lanes: boolean, body: () => void) => scoped(env, () => {
    const temps = lanes ? env.vectorTemps : env.scalarTemps;
    if (accNode) {
      // Added, never replaced: scoped forgets what a scope added.
      if (temps.has(accNode.id)) throw new Error(`internal: the accumulator of ${k.name} is already a temp`);
      temps.set(accNode.id, local);
    }
    // i and j are fixed for the epilogue of one tile: its addresses are computed once.
    env.addressCache = new Map();
    body();
    env.addressCache = undefined;
  });

  /** acc = Σ_k a·b for the current i and j, in scalar code. */
  const scalarSum = (acc: number, a?: () => void) => {
    const t = plan.accType === 'f64' ? 'f64' : 'f32';
    f.op(`${t}.const`, 0).op('local.set', acc);
    forLoop(f, kL, 0, k.k.extent, 1, () => {
      f.op('local.get', acc);
      if (a) a();
      else env.scalar(k.a);
      if (t === 'f64' && k.a.dtype === 'f32') f.op('f64.promote_f32');
      env.scalar(k.b);
      if (t === 'f64' && k.b.dtype === 'f32') f.op('f64.promote_f32');
      f.op(`${t}.mul`).op(`${t}.add`).op('local.set', acc);
    });
  };

  const body = () => {
    if (plan.vector === 'none') {
      const acc = env.local(plan.accType === 'f64' ? 'f64' : 'f32', 'sum');
      forLoop(f, iL, 0, k.i.extent, 1, () => forLoop(f, jL, 0, k.j.extent, 1, () => {
        scalarSum(acc);
        withAcc(acc, false, () => stores(false));
      }));
      return;
    }
    emitVectorMatmul(env, k, plan, scratchOffset, { iL, jL, kL, epilogueNodes, stores, withAcc, scalarSum });
  };

  const openBatch = (d: number) => {
    if (d === k.batch.length) return body();
    forLoop(f, env.varLocal(k.batch[d]!.v), 0, k.batch[d]!.extent, 1, () => openBatch(d + 1));
  };
  openBatch(0);
}

interface Parts {
  iL: number; jL: number; kL: number;
  /** Every node of the stored values, ascending id. */
  epilogueNodes: readonly Expr[];
  stores: (lanes: boolean) => void;
  withAcc: (local: number, lanes: boolean, body: () => void) => void;
  /** `a`, if given, pushes a(i, k) (else a is computed from the kernel's expression). */
  scalarSum: (acc: number, a?: () => void) => void;
}

/** A plain load of a buffer (no prologue): walked by a pointer. */
function plainLoad(e: Expr): (Expr & { kind: 'load' }) | undefined {
  return e.kind === 'load' ? e : undefined;
}

function emitVectorMatmul(env: WasmEnv, k: MatmulKernel, plan: MatmulPlan, scratchOffset: number, p: Parts): void {
  const f = env.f;
  const { iL, jL, kL } = p;
  const M = k.i.extent;
  const N = k.j.extent;
  const K = k.k.extent;
  const R = plan.tile.rows;
  const C = plan.tile.cols;

  // b packed into scratch as K × N row-major (when it is not contiguous along j).
  const packed = plan.packB;
  if (packed) {
    forLoop(f, kL, 0, K, 1, () => forLoop(f, jL, 0, N, 1, () => {
      f.op('local.get', kL).op('i32.const', N).op('i32.mul').op('local.get', jL).op('i32.add').op('i32.const', 2).op('i32.shl');
      env.scalar(k.b);
      f.op('f32.store', { offset: scratchOffset, align: 4 });
    }));
  }
  const bLoad = packed ? undefined : plainLoad(k.b);
  // Bytes converted to f32 in scratch (plan.convertA, a = cast(load of u8)): a is then read from
  // that copy at the same index, 4 bytes an element.
  const converted = plan.convertA;
  const aLoad = converted ? (k.a as Expr & { kind: 'cast' }).a as Expr & { kind: 'load' } : plainLoad(k.a);
  const convertedAt = converted ? scratchOffset + converted.offset : 0;
  if (converted) {
    const src = env.buffers[converted.buffer]!;
    const e8 = env.local('i32', 'byte');
    const half = env.local('v128', 'bytes16');
    forLoop(f, e8, 0, Math.ceil(converted.length / 8) * 8, 8, () => {
      // 8 bytes → 8 lanes of u16 → two f32x4 (values 0..255 are exact)
      f.op('local.get', e8).op('i32.const', 2).op('i32.shl');
      f.op('local.get', e8).op('v128.load8x8_u', { offset: src.offset, align: 1 }).op('local.tee', half);
      f.op('i32x4.extend_low_i16x8_u').op('f32x4.convert_i32x4_s').op('v128.store', { offset: convertedAt, align: 4 });
      f.op('local.get', e8).op('i32.const', 2).op('i32.shl');
      f.op('local.get', half).op('i32x4.extend_high_i16x8_u').op('f32x4.convert_i32x4_s').op('v128.store', { offset: convertedAt + 16, align: 4 });
    });
  }
  // a with a prologue computed into scratch (plan.prologueA) as M × K f32, row-major: then read there.
  const made = plan.prologueA;
  const madeAt = made ? scratchOffset + made.offset : 0;
  /** Pushes the byte address of a(i, k) in that copy (relative to madeAt). */
  const madeAddress = () => f.op('local.get', iL).op('i32.const', K).op('i32.mul').op('local.get', kL).op('i32.add').op('i32.const', 2).op('i32.shl');
  if (made) {
    forLoop(f, iL, 0, M, 1, () => forLoop(f, kL, 0, K, 1, () => {
      madeAddress();
      env.scalar(k.a);
      f.op('f32.store', { offset: madeAt, align: 4 });
    }));
  }
  const madeA = made ? () => { madeAddress(); f.op('f32.load', { offset: madeAt, align: 4 }); } : undefined;
  const aBytes = converted ? 4 : aLoad ? STORAGE_BYTES[env.buffers[aLoad.buffer]!.dtype] : 0;
  const aStrideK = made ? 4 : aLoad ? strideOf(aLoad.index, k.k.v) * aBytes : 0;
  const aStrideI = made ? K * 4 : aLoad ? strideOf(aLoad.index, k.i.v) * aBytes : 0;
  const bStrideK = packed ? N * 4 : bLoad ? strideOf(bLoad.index, k.k.v) * 4 : 0;
  // A plain f32 a walked by one pointer (rows and steps of k at constant non-negative offsets).
  const aWalk = made !== undefined
    || (aLoad !== undefined && (converted !== undefined || env.buffers[aLoad.buffer]!.dtype === 'f32') && aStrideK >= 0 && aStrideI >= 0);

  /** A tile of `rows` rows from row iL, `vecs` vectors of columns from column jL. */
  const tile = (rows: number, vecs: number) => {
    const sums = Array.from({ length: rows }, (_, r) => Array.from({ length: vecs }, (_, c) => env.local('v128', `sum${r}_${c}_`)));
    const aPtr = env.local('i32', 'a_ptr');
    const bPtr = env.local('i32', 'b_ptr');
    const aLanes = env.local('v128', 'a_lanes');
    const bVec = Array.from({ length: vecs }, (_, c) => env.local('v128', `b${c}_`));
    for (const row of sums) for (const s of row) f.op('v128.const', { f32x4: [0, 0, 0, 0] }).op('local.set', s);
    // Pointers at (i, k = 0) and (k = 0, j), advanced once per step of k: rows and columns are
    // constant memarg offsets from them. (Unrolling k measured slower: V8's code for x·W1 went
    // from 44 to 61 µs unrolled by 2.)
    let aArg = { offset: 0, align: 4 };
    if (made) {
      f.op('local.get', iL).op('i32.const', K * 4).op('i32.mul').op('local.set', aPtr);
      aArg = { offset: madeAt, align: 4 };
    } else if (aWalk && converted) {
      // Σ var·stride·4 into the f32 copy.
      f.op('i32.const', 0).op('local.set', kL);
      const ix = aLoad!.index;
      f.op('i32.const', 0);
      for (const t of ix.terms) f.op('local.get', env.varLocal(t.v)).op('i32.const', t.stride * 4).op('i32.mul').op('i32.add');
      f.op('local.set', aPtr);
      aArg = { offset: convertedAt + ix.offset * 4, align: 4 };
    } else if (aWalk) {
      f.op('i32.const', 0).op('local.set', kL);
      aArg = env.address(aLoad!.buffer, aLoad!.index) as { offset: number; align: number };
      f.op('local.set', aPtr);
    }
    let bArg = { offset: 0, align: 4 };
    if (packed) {
      f.op('local.get', jL).op('i32.const', 2).op('i32.shl').op('local.set', bPtr);
      bArg = { offset: scratchOffset, align: 4 };
    } else if (bLoad) {
      f.op('i32.const', 0).op('local.set', kL);
      bArg = env.address(bLoad.buffer, bLoad.index) as { offset: number; align: number };
      f.op('local.set', bPtr);
    }
    const j0 = env.local('i32', 'j_tile');
    f.op('local.get', jL).op('local.set', j0);
    // One step of k: R·C/4 multiply-adds.
    forLoop(f, kL, 0, K, 1, () => {
      for (let c = 0; c < vecs; c++) {
        if (packed || bLoad) {
          f.op('local.get', bPtr).op('v128.load', { offset: bArg.offset + 16 * c, align: 4 });
        } else {
          // b with a prologue, on the lanes of columns j0 + 4c …
          f.op('local.get', j0).op('i32.const', 4 * c).op('i32.add').op('local.set', jL);
          env.laneVar = k.j.v;
          env.vector(k.b);
          env.laneVar = undefined;
        }
        f.op('local.set', bVec[c]!);
      }
      for (let r = 0; r < rows; r++) {
        if (aWalk) {
          f.op('local.get', aPtr).op('v128.load32_splat', { offset: aArg.offset + r * aStrideI, align: 4 });
        } else {
          // a with a prologue: computed at row i0 + r, then splat.
          const iOld = env.local('i32', 'i_saved');
          f.op('local.get', iL).op('local.tee', iOld);
          if (r > 0) f.op('i32.const', r).op('i32.add');
          f.op('local.set', iL);
          env.scalar(k.a);
          f.op('f32x4.splat');
          f.op('local.get', iOld).op('local.set', iL);
        }
        f.op('local.set', aLanes);
        for (let c = 0; c < vecs; c++) {
          f.op('local.get', sums[r]![c]!).op('local.get', aLanes).op('local.get', bVec[c]!).op('f32x4.mul').op('f32x4.add').op('local.set', sums[r]![c]!);
        }
      }
      if (aWalk) f.op('local.get', aPtr).op('i32.const', aStrideK).op('i32.add').op('local.set', aPtr);
      if (packed || bLoad) f.op('local.get', bPtr).op('i32.const', bStrideK).op('i32.add').op('local.set', bPtr);
    });
    f.op('local.get', j0).op('local.set', jL);
    const i0 = env.local('i32', 'i_tile');
    f.op('local.get', iL).op('local.set', i0);
    if (plan.sums && rows * vecs > 1) {
      looped(rows, vecs, sums, i0, j0, scratchOffset + plan.sums.offset);
    } else {
      unrolled(rows, vecs, sums, i0, j0);
    }
    f.op('local.get', i0).op('local.set', iL);
    f.op('local.get', j0).op('local.set', jL);
  };

  /** The epilogue of every sum of the tile at (i0, j0), one copy per sum (per lane if not on lanes). */
  const unrolled = (rows: number, vecs: number, sums: number[][], i0: number, j0: number) => {
    for (let r = 0; r < rows; r++) {
      f.op('local.get', i0).op('i32.const', r).op('i32.add').op('local.set', iL);
      for (let c = 0; c < vecs; c++) {
        f.op('local.get', j0).op('i32.const', 4 * c).op('i32.add').op('local.set', jL);
        if (epilogueLanes) {
          env.laneVar = k.j.v;
          p.withAcc(sums[r]![c]!, true, () => p.stores(true));
          env.laneVar = undefined;
        } else {
          const lane = env.local('f32', 'lane');
          const jc = env.local('i32', 'j_lane');
          f.op('local.get', jL).op('local.set', jc);
          for (let l = 0; l < 4; l++) {
            f.op('local.get', sums[r]![c]!).op('f32x4.extract_lane', l).op('local.set', lane);
            f.op('local.get', jc).op('i32.const', l).op('i32.add').op('local.set', jL);
            p.withAcc(lane, false, () => p.stores(false));
          }
        }
      }
    }
  };

  /**
   * The sums stored at `at` (rows × 4·vecs f32, row-major), then one copy of the epilogue in a
   * loop over the rows and the sums of a row (its lanes, if not on lanes): sum (r, c) is read
   * back in the same order the unrolled code takes them.
   */
  const looped = (rows: number, vecs: number, sums: number[][], i0: number, j0: number, at: number) => {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < vecs; c++) f.op('i32.const', 0).op('local.get', sums[r]![c]!).op('v128.store', { offset: at + (r * vecs + c) * 16, align: 4 });
    }
    const ptr = env.local('i32', 'sum_ptr');
    f.op('i32.const', 0).op('local.set', ptr);
    // On lanes: vecs sums of 4 columns a row; else 4·vecs columns one at a time.
    const width = epilogueLanes ? vecs : 4 * vecs;
    const step = epilogueLanes ? 4 : 1;
    const acc = env.local(epilogueLanes ? 'v128' : 'f32', epilogueLanes ? 'sum_lanes' : 'lane');
    const one = () => {
      f.op('local.get', ptr).op(epilogueLanes ? 'v128.load' : 'f32.load', { offset: at, align: 4 }).op('local.set', acc);
      if (epilogueLanes) env.laneVar = k.j.v;
      p.withAcc(acc, epilogueLanes, () => p.stores(epilogueLanes));
      env.laneVar = undefined;
      f.op('local.get', ptr).op('i32.const', 4 * step).op('i32.add').op('local.set', ptr);
    };
    const row = () => {
      if (width === 1) {
        f.op('local.get', j0).op('local.set', jL);
        one();
        return;
      }
      const c = env.local('i32', 'col');
      forLoop(f, c, 0, width, 1, () => {
        f.op('local.get', j0).op('local.get', c);
        if (step > 1) f.op('i32.const', Math.log2(step)).op('i32.shl');
        f.op('i32.add').op('local.set', jL);
        one();
      });
    };
    if (rows === 1) return row();
    const r = env.local('i32', 'row');
    forLoop(f, r, 0, rows, 1, () => {
      f.op('local.get', i0).op('local.get', r).op('i32.add').op('local.set', iL);
      row();
    });
  };

  // Whether the epilogue runs on lanes: every access moves by 0 or 1 along j, no j as a value, no f64.
  const epilogueNodes = p.epilogueNodes;
  const epilogueLanes = k.stores.every((s) => strideOf(s.index, k.j.v) === 1)
    && epilogueNodes.every((e) => e.dtype !== 'f64' && !(e.kind === 'var' && e.v === k.j.v)
      && !(e.kind === 'load' && (![0, 1].includes(strideOf(e.index, k.j.v)) || env.buffers[e.buffer]!.dtype === 'u8')));

  const nFull = N - (N % C);
  const nVec = N - (N % 4);
  /** Scalar columns [nVec, N) for `rows` rows from row iL (a cold tail: rows as a loop, not unrolled). */
  const scalarColumns = (rows: number) => {
    const acc = env.local('f32', 'sum');
    const columns = () => forLoop(f, jL, nVec, N, 1, () => {
      p.scalarSum(acc, madeA);
      p.withAcc(acc, false, () => p.stores(false));
    });
    if (rows === 1) return columns();
    const i0 = env.local('i32', 'i_tail');
    const r = env.local('i32', 'row');
    f.op('local.get', iL).op('local.set', i0);
    forLoop(f, r, 0, rows, 1, () => {
      f.op('local.get', i0).op('local.get', r).op('i32.add').op('local.set', iL);
      columns();
    });
    f.op('local.get', i0).op('local.set', iL);
  };
  const mFull = M - (M % R);
  /** `body(rows)` over every block of rows: full blocks of R, then the leftover rows. */
  const rowBlocks = (body: (rows: number) => void) => {
    if (mFull > 0) forLoop(f, iL, 0, mFull, R, () => body(R));
    if (mFull < M) {
      f.op('i32.const', mFull).op('local.set', iL);
      body(M - mFull);
    }
  };
  /** `body(vecs)` over every tile of columns: full tiles of C, one vector, then scalar columns. */
  const columnTiles = (body: (vecs: number) => void, scalar: () => void) => {
    if (nFull > 0) forLoop(f, jL, 0, nFull, C, () => body(C / 4));
    for (let j = nFull; j + 4 <= nVec; j += 4) {
      f.op('i32.const', j).op('local.set', jL);
      body(1);
    }
    if (nVec < N) scalar();
  };
  if (plan.outer === 'columns') {
    // A column panel of b (K × C) stays in cache while every block of rows passes it.
    columnTiles((vecs) => rowBlocks((rows) => tile(rows, vecs)), () => rowBlocks(scalarColumns));
  } else {
    rowBlocks((rows) => columnTiles((vecs) => tile(rows, vecs), () => scalarColumns(rows)));
  }
}
