/** A loop kernel as one JS function, printing the plan's placement (plan/placement.ts). */
import type { AccId, DType, Expr, LoopKernel, Pass, VarId } from '../ir.js';
import type { LoopPlacement } from '../plan/placement.js';
import type { Env } from './expr.js';
import { bufferName, exprCode, exprCodeAt, indexCode, UNIT_VAR } from './expr.js';
import type { JsStyle } from './expr.js';
import { P } from './ops.js';
import { TempNamer, writeTemps } from './temps.js';
import type { Writer } from './writer.js';

const INIT = { sum: '0', max: '-Infinity', min: 'Infinity' } as const;

/** acc ⊕ v in the accumulator's dtype. */
function fold(op: 'sum' | 'max' | 'min', dtype: DType, acc: string, value: Expr, env: Env): string {
  if (op !== 'sum') return `${acc} = Math.${op}(${acc}, ${exprCode(value, env)});`;
  const v = exprCodeAt(value, env, P.ADD + 1);
  if (dtype === 'f32') return `${acc} = f(${acc} + ${v});`;
  if (dtype === 'i32') return `${acc} = (${acc} + ${v}) | 0;`;
  return `${acc} += ${v};`;
}

export function emitLoopKernel(w: Writer, k: LoopKernel, fnName: string, placement: LoopPlacement, helpers: Set<string>, style: JsStyle = {}): void {
  const nOuter = k.outer.length;
  const vars = new Map<VarId, string>();
  const accs = new Map<AccId, string>();
  const names = new Map<number, string>();
  const env: Env = { vars, accs, temps: names, helpers, style };
  /** `for (…) { body }`, or the body alone (its variable 0) for a loop of one step when the style drops them. */
  const loop = (v: VarId, name: string, extent: number, body: () => void) => {
    if (extent === 1 && style.dropUnitLoops) {
      vars.set(v, UNIT_VAR);
      body();
      return;
    }
    vars.set(v, name);
    w.block(`for (let ${name} = 0; ${name} < ${extent}; ${name}++)`, body);
  };
  const namer = new TempNamer();
  let nAcc = 0;
  const emitScope = (s: string) => writeTemps(w, placement.temps.get(s) ?? [], env, names, namer);

  const emitPassBody = (p: Pass) => {
    if (p.kind === 'reduce') {
      for (const a of p.accs) w.line(fold(a.op, a.value.dtype, accs.get(a.acc)!, a.value, env));
    } else {
      for (const s of p.stores) w.line(`${bufferName(s.buffer, env.style)}[${indexCode(s.index, env)}] = ${exprCode(s.value, env)};`);
    }
  };
  const openPass = (p: Pass, pi: number, d: number) => {
    const l = p.loops[d]!;
    loop(l.v, `j${d}`, l.extent, () => {
      emitScope(`p${pi}:${d + 1}`);
      if (d + 1 < p.loops.length) openPass(p, pi, d + 1);
      else emitPassBody(p);
    });
  };
  const emitPasses = () => {
    k.passes.forEach((p, pi) => {
      emitScope(`s${pi}`);
      if (p.kind === 'reduce') {
        for (const a of p.accs) {
          const name = `a${nAcc++}`;
          accs.set(a.acc, name);
          w.line(`let ${name} = ${INIT[a.op]};`);
        }
      }
      if (p.loops.length === 0) emitPassBody(p);
      else openPass(p, pi, 0);
    });
    emitScope(`s${k.passes.length}`);
  };
  const openOuter = (d: number) => {
    if (d === nOuter) return emitPasses();
    const l = k.outer[d]!;
    loop(l.v, `i${d}`, l.extent, () => {
      if (d + 1 < nOuter) emitScope(`o${d + 1}`);
      openOuter(d + 1);
    });
  };

  w.block(`function ${fnName}()`, () => {
    if (nOuter > 0) emitScope('o0');
    openOuter(0);
  });
}
