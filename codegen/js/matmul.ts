/**
 * A contraction as one JS function, printing its plan (plan/matmul.ts): for each block of rows,
 * the sums (in the plan's accumulator dtype) go to a panel in scratch, by register tiles running
 * down k (`dot`) or by rows of b streaming past (`ikj`); then the epilogue (the stores, reading
 * `acc`) runs over the panel once per (i, j).
 */
import type { DType, Expr, MatmulKernel, VarId } from '../ir.js';
import type { MatmulPlan } from '../plan/matmul.js';
import { invariantRoots } from '../plan/placement.js';
import type { Env } from './expr.js';
import { exprCode, UNIT_VAR } from './expr.js';
import type { JsStyle } from './expr.js';
import { TempNamer, writeSharedTemps, writeStores } from './temps.js';
import type { Writer } from './writer.js';

/** acc += x·y in the accumulator's dtype (f32 × f32 is exact in float64). */
function addProduct(acc: string, x: string, y: string, dtype: DType): string {
  return dtype === 'f32' ? `${acc} = f(${acc} + f(${x} * ${y}));` : `${acc} += ${x} * ${y};`;
}

export function emitMatmulKernel(w: Writer, k: MatmulKernel, fnName: string, plan: MatmulPlan, panel: string, helpers: Set<string>, style: JsStyle = {}): void {
  const order = plan.order;
  const R = plan.tile.rows;
  const C = plan.order === 'dot' ? plan.tile.cols : 1;
  const acc = plan.accType;
  const M = k.i.extent;
  const N = k.j.extent;
  const K = k.k.extent;
  const vars = new Map<VarId, string>();
  const namer = new TempNamer();
  const env = (row: string, col: string, accName: string | undefined, temps: Map<number, string>): Env => {
    const v = new Map(vars);
    v.set(k.i.v, row);
    v.set(k.j.v, col);
    return { vars: v, accs: new Map(accName === undefined ? [] : [[k.acc, accName]]), temps, helpers, style };
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
        const invariant = invariantRoots(roots, k.i.v);
        writeSharedTemps(w, invariant, env('i', 'j', undefined, shared), shared, namer, invariant);
      }
      rows.forEach((row, r) => {
        const sum = `s${r}`;
        w.line(`const ${sum} = ${panel}[${offset(r, 'j')}];`);
        const temps = new Map(shared);
        writeStores(w, k.stores, env(row, 'j', sum, temps), temps, namer);
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
        w.line(cols.map((_, c) => addProduct(sums[r]![c]!, `x${r}`, `y${c}`, acc)).join(' '));
      });
    });
    rows.forEach((_, r) => w.line(cols.map((col, c) => `${panel}[${offset(r, col)}] = ${sums[r]![c]};`).join(' ')));
  };

  const block = (nRows: number, only = false) => {
    // The only row of a one-row matmul is row 0: no variable at all (`x[k]`, not `x[i * 784 + k]`).
    const rows = only ? [UNIT_VAR] : names('i', nRows);
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
      w.line(`${panel}.fill(0, 0, ${nRows * N});`);
      w.block(`for (let k = 0; k < ${K}; k++)`, () => {
        rows.forEach((row, r) => operand(`x${r}`, k.a, env(row, 'j', undefined, new Map())));
        w.block(`for (let j = 0; j < ${N}; j++)`, () => {
          operand('y', k.b, env('i', 'j', undefined, new Map()));
          rows.forEach((_, r) => w.line(addProduct(`${panel}[${offset(r, 'j')}]`, `x${r}`, 'y', acc)));
        });
      });
    }
    epilogue(rows);
  };

  w.block(`function ${fnName}()`, () => {
    vars.set(k.k.v, 'k');
    const openBatch = (d: number) => {
      if (d === k.batch.length) {
        if (style.dropUnitLoops && M === 1) {
          block(1, true);
        } else if (style.dropUnitLoops && M === R) {
          // One block of rows: no loop around it.
          w.line('const i = 0;');
          block(R);
        } else if (M >= R) {
          w.line('let i = 0;');
          w.block(`for (; i < ${Math.floor(M / R) * R}; i += ${R})`, () => block(R));
          if (M % R !== 0) w.block(`for (; i < ${M}; i++)`, () => block(1));
        } else {
          w.block(`for (let i = 0; i < ${M}; i++)`, () => block(1));
        }
        return;
      }
      const l = k.batch[d]!;
      if (l.extent === 1 && style.dropUnitLoops) {
        vars.set(l.v, UNIT_VAR);
        openBatch(d + 1);
        return;
      }
      const name = `n${d}`;
      vars.set(l.v, name);
      w.block(`for (let ${name} = 0; ${name} < ${l.extent}; ${name}++)`, () => openBatch(d + 1));
    };
    openBatch(0);
  });
}

