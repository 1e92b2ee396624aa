/**
 * A contraction as one JS function. For each block of R = 4 rows of the result, a panel of
 * R × n float64 sums is accumulated, then the epilogue (the stores, reading `acc`) runs over the
 * panel once per (i, j). The panel is filled in one of two loop orders, chosen from b's strides:
 *  - dot: register tiles of R × C (C = 4) dot products run down k together, each load of a
 *    shared by C sums and each load of b by R sums. Used when b is contiguous along k
 *    (transposed), or when b is small enough (k·n ≤ 64K elements) to stay in cache while
 *    its columns are read with a stride.
 *  - ikj: R values of a are held while one row of b streams past, added into the panel rows.
 *    Used for large row-contiguous b, which it reads once per block, sequentially.
 * Leftover rows (m mod R) and columns (n mod C) run the same code with R = 1 or C = 1.
 */
import { strideOf } from '../affine.js';
import { child, childCount, reachable } from '../expr.js';
import type { Expr, MatmulKernel, VarId } from '../ir.js';
import type { Env } from './expr.js';
import { exprCode } from './expr.js';
import { isTrivial, TempNamer, writeSharedTemps, writeStores } from './temps.js';
import type { Writer } from './writer.js';

const R = 4;
const C = 4;
/** b up to this many elements is read column-wise (dot order); beyond, row by row (ikj). */
const DOT_MAX_B = 65536;

export type MatmulOrder = 'ikj' | 'dot';

/** The loop order the emitter picks for this kernel (asked for by reports, comments and the emitter: computed once). */
export function matmulOrder(k: MatmulKernel): MatmulOrder {
  let order = orders.get(k);
  if (order === undefined) orders.set(k, (order = pickOrder(k)));
  return order;
}

const orders = new WeakMap<MatmulKernel, MatmulOrder>();

function pickOrder(k: MatmulKernel): MatmulOrder {
  const loads = reachable([k.b]).filter((e) => e.kind === 'load');
  const kContiguous = loads.length > 0 && loads.every((e) =>
    e.kind === 'load' && strideOf(e.index, k.k.v) === 1 && strideOf(e.index, k.j.v) !== 1);
  if (kContiguous || k.j.extent === 1) return 'dot';
  return k.k.extent * k.j.extent <= DOT_MAX_B ? 'dot' : 'ikj';
}

/** Module-level lines the kernel needs (its panel of sums), then the function. */
export function emitMatmulKernel(w: Writer, k: MatmulKernel, fnName: string, panel: string): string[] {
  const order = matmulOrder(k);
  const M = k.i.extent;
  const N = k.j.extent;
  const K = k.k.extent;
  const vars = new Map<VarId, string>();
  const namer = new TempNamer();
  const env = (row: string, col: string, acc: string | undefined, temps: Map<number, string>): Env => {
    const v = new Map(vars);
    v.set(k.i.v, row);
    v.set(k.j.v, col);
    return { vars: v, accs: new Map(acc === undefined ? [] : [[k.acc, acc]]), temps };
  };
  const names = (base: string, n: number) => Array.from({ length: n }, (_, r) => (r === 0 ? base : `${base}${r}`));
  const offset = (r: number, col: string) => (r === 0 ? col : `${r * N} + ${col}`);
  const roots = k.stores.map((s) => s.value);
  const declare = (ns: readonly string[], base: string) => {
    if (ns.length > 1) w.line(`const ${ns.slice(1).map((n, r) => `${n} = ${base} + ${r + 1}`).join(', ')};`);
  };
  /** `const name = <e>` for an operand, with its shared subexpressions first. */
  const operand = (name: string, e: Expr, en: Env) => {
    writeSharedTemps(w, [e], en, en.temps as Map<number, string>, namer);
    w.line(`const ${name} = ${exprCode(e, en)};`);
  };

  // The epilogue over the panel rows, column by column.
  const epilogue = (rows: readonly string[]) => {
    w.block(`for (let j = 0; j < ${N}; j++)`, () => {
      const shared = new Map<number, string>();
      if (rows.length > 1) {
        // Nodes that do not depend on the row are computed once for all rows.
        const invariant = rowInvariantRoots(roots, k.i.v);
        writeSharedTemps(w, invariant, env('i', 'j', undefined, shared), shared, namer, invariant);
      }
      rows.forEach((row, r) => {
        const acc = `s${r}`;
        w.line(`const ${acc} = ${panel}[${offset(r, 'j')}];`);
        const temps = new Map(shared);
        writeStores(w, k.stores, env(row, 'j', acc, temps), temps, namer);
      });
    });
  };

  // dot order: a tile of rows × cols sums, k innermost.
  const tile = (rows: readonly string[], cols: readonly string[]) => {
    const sums = rows.map((_, r) => cols.map((_, c) => `s${r}${c}`));
    w.line(`let ${sums.flat().map((s) => `${s} = 0`).join(', ')};`);
    w.block(`for (let k = 0; k < ${K}; k++)`, () => {
      cols.forEach((col, c) => operand(`y${c}`, k.b, env('i', col, undefined, new Map())));
      rows.forEach((row, r) => {
        operand(`x${r}`, k.a, env(row, 'j', undefined, new Map()));
        w.line(cols.map((_, c) => `${sums[r]![c]} += x${r} * y${c};`).join(' '));
      });
    });
    rows.forEach((_, r) => w.line(cols.map((col, c) => `${panel}[${offset(r, col)}] = ${sums[r]![c]};`).join(' ')));
  };

  const block = (nRows: number) => {
    const rows = names('i', nRows);
    declare(rows, 'i');
    if (order === 'dot') {
      const full = Math.floor(N / C) * C;
      if (full > 0) {
        w.line('let j = 0;');
        w.block(`for (; j < ${full}; j += ${C})`, () => {
          const cols = names('j', C);
          declare(cols, 'j');
          tile(rows, cols);
        });
        if (full < N) w.block(`for (; j < ${N}; j++)`, () => tile(rows, ['j']));
      } else {
        w.block(`for (let j = 0; j < ${N}; j++)`, () => tile(rows, ['j']));
      }
    } else {
      w.line(nRows === R ? `${panel}.fill(0);` : `${panel}.fill(0, 0, ${nRows * N});`);
      w.block(`for (let k = 0; k < ${K}; k++)`, () => {
        rows.forEach((row, r) => operand(`x${r}`, k.a, env(row, 'j', undefined, new Map())));
        w.block(`for (let j = 0; j < ${N}; j++)`, () => {
          operand('y', k.b, env('i', 'j', undefined, new Map()));
          rows.forEach((_, r) => w.line(`${panel}[${offset(r, 'j')}] += x${r} * y;`));
        });
      });
    }
    epilogue(rows);
  };

  w.block(`function ${fnName}()`, () => {
    vars.set(k.k.v, 'k');
    const openBatch = (d: number) => {
      if (d === k.batch.length) {
        if (M >= R) {
          w.line('let i = 0;');
          w.block(`for (; i < ${Math.floor(M / R) * R}; i += ${R})`, () => block(R));
          if (M % R !== 0) w.block(`for (; i < ${M}; i++)`, () => block(1));
        } else {
          w.block(`for (let i = 0; i < ${M}; i++)`, () => block(1));
        }
        return;
      }
      const l = k.batch[d]!;
      const name = `n${d}`;
      vars.set(l.v, name);
      w.block(`for (let ${name} = 0; ${name} < ${l.extent}; ${name}++)`, () => openBatch(d + 1));
    };
    openBatch(0);
  });
  return [`const ${panel} = new Float64Array(${Math.min(R, M) * N});`];
}

/** The largest subexpressions under `roots` that depend neither on var `i` nor on an accumulator. */
function rowInvariantRoots(roots: readonly Expr[], i: VarId): Expr[] {
  const varies = new Map<number, boolean>();
  for (const e of reachable(roots)) {
    let v = e.kind === 'acc' || (e.kind === 'var' && e.v === i)
      || (e.kind === 'load' && e.index.terms.some((t) => t.v === i));
    for (let c = 0, n = childCount(e); c < n; c++) v ||= varies.get(child(e, c).id)!;
    varies.set(e.id, v);
  }
  const out = new Map<number, Expr>();
  const stack = [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (!varies.get(e.id)) {
      if (!isTrivial(e)) out.set(e.id, e);
      continue;
    }
    for (let c = 0, n = childCount(e); c < n; c++) stack.push(child(e, c));
  }
  return [...out.values()];
}
