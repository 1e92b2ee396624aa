/**
 * Typed scalar expressions as JavaScript. Numbers are float64; f32 values are kept exact by
 * rounding each inexact f32 op (`f`, Math.fround: see ops.ts), i32 values by `| 0`, and bools
 * are JS booleans. Parentheses follow JS precedence so the output stays readable.
 */
import type { Affine, AffineTerm, AccId, DType, Expr, VarId } from '../ir.js';
import type { ScalarOp } from '../ops.js';
import type { Code } from './ops.js';
import { JS_OPS, P, wrap } from './ops.js';
import { exactLiteral, shortestF32 } from './literals.js';

/** Names of things in scope: loop vars, accumulators, buffer views, materialized temps. */
export interface Env {
  readonly vars: ReadonlyMap<VarId, string>;
  readonly accs: ReadonlyMap<AccId, string>;
  /** Materialized expression id → local name. */
  readonly temps: ReadonlyMap<number, string>;
  /** Module helpers used (toInt, bitsOf, …; `f` is always there), collected while printing. */
  readonly helpers: Set<string>;
  /** How the module names buffers and prints numbers (see `JsStyle`). */
  readonly style: JsStyle;
}

/**
 * Printing choices: buffer names (`b3` by default; checked identifiers given by the caller for a
 * readable export) and constants as exact rationals (`1 / 32`) instead of shortest decimals.
 */
export interface JsStyle {
  readonly bufferNames?: readonly string[];
  readonly exactConstants?: boolean;
  /** Print no loop of extent 1: its variable is 0 (`x[i0 * 10 + 0]` becomes `x[i0 * 10]`). */
  readonly dropUnitLoops?: boolean;
}

/** The name a dropped loop's variable has: its only value. */
export const UNIT_VAR = '0';

export function bufferName(id: number, style: JsStyle = {}): string {
  return style.bufferNames?.[id] ?? `b${id}`;
}

export function indexCode(ix: Affine, env: Env): string {
  // Largest stride first reads like row-major: i0 * 784 + i1.
  const terms = inPrintOrder(ix.terms) ? ix.terms : [...ix.terms].sort(printOrder);
  let code = '';
  // `a + -b` is written `a - b`.
  const put = (part: string) => {
    code = code === '' ? part : part.startsWith('-') ? `${code} - ${part.slice(1)}` : `${code} + ${part}`;
  };
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    const name = env.vars.get(t.v);
    if (name === undefined) throw new Error(`internal: var ${t.v} has no name in this scope`);
    if (name === UNIT_VAR) continue;
    put(t.stride === 1 ? name : t.stride === -1 ? `-${name}` : `${name} * ${t.stride}`);
  }
  if (ix.offset !== 0 || terms.length === 0) put(String(ix.offset));
  return code;
}

const printOrder = (a: AffineTerm, b: AffineTerm): number => Math.abs(b.stride) - Math.abs(a.stride) || a.v - b.v;

function inPrintOrder(terms: readonly AffineTerm[]): boolean {
  for (let i = 1; i < terms.length; i++) if (printOrder(terms[i - 1]!, terms[i]!) > 0) return false;
  return true;
}

export function exprCode(e: Expr, env: Env): string {
  return code(e, env)[0];
}

/** The code of `e`, parenthesized unless it binds at least as tightly as precedence `min`. */
export function exprCodeAt(e: Expr, env: Env, min: number): string {
  return wrap(code(e, env), min);
}

function constCode(e: Expr & { kind: 'const' }, env: Env): Code {
  const v = e.value;
  if (e.dtype === 'bool') return [v ? 'true' : 'false', P.PRIMARY];
  if (Object.is(v, -0)) return ['-0', P.UNARY];
  if (Number.isNaN(v)) return ['NaN', P.PRIMARY];
  if (v === Infinity) return ['Infinity', P.PRIMARY];
  if (v === -Infinity) return ['-Infinity', P.UNARY];
  if (env.style.exactConstants && (e.dtype === 'f32' || e.dtype === 'f64') && v !== 0) {
    const lit = exactLiteral(v, e.dtype === 'f32');
    return [lit.code, lit.division ? P.MUL : lit.code.startsWith('-') ? P.UNARY : P.PRIMARY];
  }
  if (e.dtype === 'f32') {
    const s = shortestF32(v);
    // An f32 constant printed as its shortest decimal, rounded back where that decimal is not exact.
    if (Number(s) !== v) {
      return [`f(${s})`, P.PRIMARY];
    }
    return [s, v < 0 ? P.UNARY : P.PRIMARY];
  }
  const s = String(v);
  return [s, v < 0 ? P.UNARY : P.PRIMARY];
}

function code(e: Expr, env: Env): Code {
  const temp = env.temps.get(e.id);
  if (temp !== undefined) return [temp, P.PRIMARY];
  switch (e.kind) {
    case 'const': return constCode(e, env);
    case 'var': {
      const name = env.vars.get(e.v);
      if (name === undefined) throw new Error(`internal: var ${e.v} has no name in this scope`);
      return [name, P.PRIMARY];
    }
    case 'acc': {
      const name = env.accs.get(e.acc);
      if (name === undefined) throw new Error(`internal: accumulator ${e.acc} has no name in this scope`);
      return [name, P.PRIMARY];
    }
    case 'load': return [`${bufferName(e.buffer, env.style)}[${indexCode(e.index, env)}]`, P.PRIMARY];
    case 'unary': return spell(e.op, e.dtype, [code(e.a, env)], env);
    case 'binary': return spell(e.op, e.dtype, [code(e.a, env), code(e.b, env)], env);
    case 'compare': return spell(e.op, e.a.dtype, [code(e.a, env), code(e.b, env)], env);
    case 'select': {
      const c = code(e.cond, env);
      return [`${wrap(c, P.COND + 1)} ? ${wrap(code(e.a, env), P.COND)} : ${wrap(code(e.b, env), P.COND)}`, P.COND];
    }
    case 'cast': {
      const x = code(e.a, env);
      const from = e.a.dtype;
      if (from === 'bool') return [`${wrap(x, P.COND + 1)} ? 1 : 0`, P.COND];
      if (e.dtype === 'i32') {
        if (from === 'i32') return x;
        env.helpers.add('toInt');
        return [`toInt(${x[0]})`, P.PRIMARY];
      }
      if (e.dtype === 'f32') {
        return [`f(${x[0]})`, P.PRIMARY];
      }
      return x; // to f64: every f32 and i32 is exact in float64
    }
    case 'bitcast': {
      env.helpers.add('bits');
      const fn = e.dtype === 'i32' ? 'bitsOf' : 'fromBits';
      env.helpers.add(fn);
      return [`${fn}(${code(e.a, env)[0]})`, P.PRIMARY];
    }
  }
}

function spell(op: ScalarOp, dtype: DType, args: Code[], env: Env): Code {
  const c = JS_OPS[op](dtype, args[0]!, args[1] ?? ['', 0]);
  if (op === 'nearest') env.helpers.add('roundEven');
  return c;
}
