/**
 * Scalar expressions as JavaScript. Operands are JS numbers (float64); a store into a
 * Float32Array rounds. Parentheses follow JS precedence so the output stays readable.
 */
import type { Affine, AffineTerm, Expr, VarId, AccId } from '../ir.js';

/** Names of things in scope: loop vars, accumulators, buffer views, materialized temps. */
export interface Env {
  readonly vars: ReadonlyMap<VarId, string>;
  readonly accs: ReadonlyMap<AccId, string>;
  /** Materialized expression id → local name. */
  readonly temps: ReadonlyMap<number, string>;
}

export function bufferName(id: number): string {
  return `b${id}`;
}

// JS precedence levels used here.
const P_COND = 2;
const P_REL = 10;
const P_ADD = 13;
const P_MUL = 14;
const P_UNARY = 15;
const P_PRIMARY = 20;

type Code = readonly [string, number];

/** How many times an op's code mentions each operand (square is x·x): forces a temp above 1. */
export function operandWeight(e: Expr): number {
  if (e.kind === 'unary' && (e.op === 'square' || e.op === 'softplus' || e.op === 'relu')) return 2;
  return 1;
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

/** The condition of a select as a JS boolean expression. */
export function condCode(e: Expr, env: Env): Code {
  if (e.kind === 'compare' && !env.temps.has(e.id)) return compareBool(e, env);
  return [`${wrap(code(e, env), P_REL + 1)} !== 0`, P_REL - 1];
}

function compareBool(e: Expr & { kind: 'compare' }, env: Env): Code {
  const op = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '===', ne: '!==' }[e.op];
  const prec = e.op === 'eq' || e.op === 'ne' ? P_REL - 1 : P_REL;
  return [`${wrap(code(e.a, env), prec)} ${op} ${wrap(code(e.b, env), prec + 1)}`, prec];
}

function wrap(c: Code, min: number): string {
  return c[1] >= min ? c[0] : `(${c[0]})`;
}

function constCode(v: number): Code {
  if (Object.is(v, -0)) return ['-0', P_UNARY];
  if (Number.isNaN(v)) return ['NaN', P_PRIMARY];
  if (v === Infinity) return ['Infinity', P_PRIMARY];
  if (v === -Infinity) return ['-Infinity', P_UNARY];
  const s = String(v);
  return [s, v < 0 ? P_UNARY : P_PRIMARY];
}

function call(fn: string, env: Env, a: Expr, b: Expr): Code {
  return [`${fn}(${code(a, env)[0]}, ${code(b, env)[0]})`, P_PRIMARY];
}

function code(e: Expr, env: Env): Code {
  const temp = env.temps.get(e.id);
  if (temp !== undefined) return [temp, P_PRIMARY];
  switch (e.kind) {
    case 'const': return constCode(e.value);
    case 'var': {
      const name = env.vars.get(e.v);
      if (name === undefined) throw new Error(`internal: var ${e.v} has no name in this scope`);
      return [name, P_PRIMARY];
    }
    case 'acc': {
      const name = env.accs.get(e.acc);
      if (name === undefined) throw new Error(`internal: accumulator ${e.acc} has no name in this scope`);
      return [name, P_PRIMARY];
    }
    case 'load': return [`${bufferName(e.buffer)}[${indexCode(e.index, env)}]`, P_PRIMARY];
    case 'unary': {
      const x = code(e.a, env);
      switch (e.op) {
        case 'neg': {
          const s = wrap(x, P_UNARY);
          return [s.startsWith('-') ? `-(${s})` : `-${s}`, P_UNARY];
        }
        case 'abs': return [`Math.abs(${x[0]})`, P_PRIMARY];
        case 'exp': return [`Math.exp(${x[0]})`, P_PRIMARY];
        case 'log': return [`Math.log(${x[0]})`, P_PRIMARY];
        case 'sqrt': return [`Math.sqrt(${x[0]})`, P_PRIMARY];
        case 'tanh': return [`Math.tanh(${x[0]})`, P_PRIMARY];
        case 'fround': return [`Math.fround(${x[0]})`, P_PRIMARY];
        case 'floor': return [`Math.floor(${x[0]})`, P_PRIMARY];
        case 'square': return [`${wrap(x, P_MUL)} * ${wrap(x, P_MUL + 1)}`, P_MUL];
        case 'relu': return [`${wrap(x, P_REL + 1)} > 0 ? ${wrap(x, P_COND)} : 0`, P_COND];
        case 'sigmoid': {
          const neg = wrap(x, P_UNARY);
          return [`1 / (1 + Math.exp(${neg.startsWith('-') ? `-(${neg})` : `-${neg}`}))`, P_MUL];
        }
        // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|)
        case 'softplus': return [`Math.max(${x[0]}, 0) + Math.log1p(Math.exp(-Math.abs(${x[0]})))`, P_ADD];
      }
      break;
    }
    case 'binary': {
      switch (e.op) {
        case 'add': return infix(e.a, '+', e.b, P_ADD, env);
        case 'sub': return infix(e.a, '-', e.b, P_ADD, env);
        case 'mul': return infix(e.a, '*', e.b, P_MUL, env);
        case 'div': return infix(e.a, '/', e.b, P_MUL, env);
        case 'max': return call('Math.max', env, e.a, e.b);
        case 'min': return call('Math.min', env, e.a, e.b);
        case 'pow': return call('Math.pow', env, e.a, e.b);
      }
      break;
    }
    case 'compare': {
      const c = compareBool(e, env);
      return [`${wrap(c, P_COND + 1)} ? 1 : 0`, P_COND];
    }
    case 'select': {
      const c = condCode(e.cond, env);
      return [`${wrap(c, P_COND + 1)} ? ${wrap(code(e.a, env), P_COND)} : ${wrap(code(e.b, env), P_COND)}`, P_COND];
    }
  }
  throw new Error(`internal: cannot emit expression kind ${(e as Expr).kind}`);
}

/** Left-associative infix: the right operand needs parentheses at equal precedence. */
function infix(a: Expr, op: string, b: Expr, prec: number, env: Env): Code {
  const left = wrap(code(a, env), prec);
  let right = wrap(code(b, env), prec + 1);
  if (right.startsWith('-')) right = `(${right})`;
  return [`${left} ${op} ${right}`, prec];
}
