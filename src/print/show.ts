// show: a graph as infix maths in Unicode, shared subexpressions named once with `let`.
import { GraphError } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { topoSort } from '../graph/topo.js';
import { rootList } from './describe.js';
import { fmtNumber, subscript, superscript } from './symbols.js';

export interface ShowOptions {
  /** Print shapes: of the leaves on a first line, of every `let`, and of the result. */
  readonly shapes?: boolean;
  /** Names for intermediate nodes (`{ h, y }`): each named node is printed once as `let h = …`. */
  readonly names?: Readonly<Record<string, Tensor>>;
  /** Labels for the outputs when several are shown (default `[0]`, `[1]`, …). */
  readonly labels?: readonly string[];
  /** `false`: one expression, no `let`s: named nodes print as their name, long subterms as …. Default true. */
  readonly lets?: boolean;
  /** Inline text longer than this gets its own `let` (or is cut). Default 100. */
  readonly width?: number;
}

/** Precedence of what a node prints as: higher binds tighter. */
const enum Prec {
  Sum = 1,
  Product = 2,
  Prefix = 3,
  Postfix = 4,
  Atom = 5,
}

interface Text {
  readonly s: string;
  readonly prec: Prec;
  /** The op at the top, for deciding brackets between ·, ⊙ and /. */
  readonly op: string;
}

const atom = (s: string): Text => ({ s, prec: Prec.Atom, op: 'atom' });
const paren = (t: Text, need: boolean): string => (need ? `(${t.s})` : t.s);

function constantText(t: Tensor<'constant'>, shapes: boolean): Text {
  const v = t.attrs.values;
  if (v.length === 1) {
    const s = fmtNumber(v[0]);
    const text = shapes && t.rank > 0 ? `fill(${s}, [${t.shape.join(',')}])` : s;
    return { s: text, prec: s.startsWith('−') && !shapes ? Prec.Prefix : Prec.Atom, op: 'const' };
  }
  if (t.rank === 1 && v.length <= 8) return atom(`[${Array.from(v, fmtNumber).join(', ')}]`);
  return atom(`constant[${t.shape.join(',')}]`);
}

const isScalar = (t: Tensor): boolean => t.is('constant') && t.attrs.values.length === 1 && t.rank === 0;

const axesSub = (axes: readonly number[], rank: number): string =>
  axes.length === rank ? '' : axes.map((a) => subscript(a)).join(',');

const isLast2Swap = (t: Tensor<'transpose'>): boolean => {
  const p = t.attrs.perm;
  const r = p.length;
  return r >= 2 && p[r - 2] === r - 1 && p[r - 1] === r - 2 && p.slice(0, r - 2).every((v, i) => v === i);
};

const SYMBOL: Record<string, string> = { add: '+', sub: '−', mul: '⊙', div: '/', matmul: '·' };

/** The text of one node from the texts of its operands. */
function format(t: Tensor, ins: readonly Text[], shapes: boolean): Text {
  const [a, b] = ins;
  const call = (name: string, ...args: string[]): Text => atom(`${name}(${args.join(', ')})`);
  const unaryFn = (name: string): Text => call(name, a.s);
  switch (t.op) {
    case 'input':
    case 'param':
      return atom((t as Tensor<'input'>).attrs.name);
    case 'constant':
      return constantText(t as Tensor<'constant'>, shapes);
    case 'neg':
      // −(a / b) = (−a) / b: over a product the sign needs no brackets (but a constant keeps them: −(2)).
      if (a.prec === Prec.Product) return { s: `−${a.s}`, prec: Prec.Product, op: a.op };
      return { s: `−${paren(a, a.prec < Prec.Postfix || t.inputs[0].is('constant'))}`, prec: Prec.Prefix, op: 'neg' };
    case 'add':
    case 'sub':
      return { s: `${paren(a, a.prec < Prec.Sum)} ${SYMBOL[t.op]} ${paren(b, b.prec <= Prec.Sum)}`, prec: Prec.Sum, op: t.op };
    case 'mul':
    case 'div':
    case 'matmul': {
      // Same-level operands on the left need no brackets when the ops agree, or under a division.
      const leftOk = a.prec > Prec.Product || (a.prec === Prec.Product && (a.op === t.op || t.op === 'div'));
      const scalarMul = t.is('mul') && (isScalar(t.inputs[0]) || isScalar(t.inputs[1]));
      const sym = scalarMul ? '·' : SYMBOL[t.op];
      return { s: `${paren(a, !leftOk)} ${sym} ${paren(b, b.prec <= Prec.Product)}`, prec: Prec.Product, op: t.op };
    }
    case 'square':
      return { s: `${paren(a, a.prec < Prec.Atom)}²`, prec: Prec.Postfix, op: 'pow' };
    case 'pow': {
      const p = (t as Tensor<'pow'>).attrs.exponent;
      const sup = Number.isInteger(p) ? superscript(p) : `^${fmtNumber(p)}`;
      return { s: `${paren(a, a.prec < Prec.Atom)}${sup}`, prec: Prec.Postfix, op: 'pow' };
    }
    case 'sqrt':
      return { s: `√${paren(a, a.prec < Prec.Postfix)}`, prec: Prec.Prefix, op: 'sqrt' };
    case 'abs':
      return atom(`|${a.s}|`);
    case 'sigmoid':
      return unaryFn('σ');
    case 'exp':
    case 'log':
    case 'relu':
    case 'tanh':
    case 'softplus':
      return unaryFn(t.op);
    case 'maximum':
      return call('max', a.s, b.s);
    case 'minimum':
      return call('min', a.s, b.s);
    case 'greater':
      return atom(`[${a.s} > ${b.s}]`);
    case 'less':
      return atom(`[${a.s} < ${b.s}]`);
    case 'equal':
      return atom(`[${a.s} = ${b.s}]`);
    case 'where':
      return call('where', a.s, b.s, ins[2].s);
    case 'sum':
    case 'max':
    case 'logSumExp': {
      const { axes } = (t as Tensor<'sum'>).attrs;
      const name = t.op === 'sum' ? 'Σ' : t.op === 'max' ? 'max' : 'logSumExp';
      return atom(`${name}${axesSub(axes, t.inputs[0].rank)}(${a.s})`);
    }
    case 'reshape':
      return call('reshape', a.s, `[${t.shape.join(',')}]`);
    case 'transpose': {
      const tr = t as Tensor<'transpose'>;
      if (isLast2Swap(tr)) return { s: `${paren(a, a.prec < Prec.Atom)}ᵀ`, prec: Prec.Postfix, op: 'transpose' };
      return call('transpose', a.s, `[${tr.attrs.perm.join(',')}]`);
    }
    case 'broadcastTo':
      return call('broadcast', a.s, `[${t.shape.join(',')}]`);
    case 'slice': {
      const { begin, size } = (t as Tensor<'slice'>).attrs;
      return atom(`${paren(a, a.prec < Prec.Atom)}[${begin.map((b0, i) => `${b0}:${b0 + size[i]}`).join(', ')}]`);
    }
    case 'pad': {
      const { before, after } = (t as Tensor<'pad'>).attrs;
      return call('pad', a.s, `[${before.join(',')}]`, `[${after.join(',')}]`);
    }
    case 'concat':
      return call('concat', ...ins.map((x) => x.s), `axis ${(t as Tensor<'concat'>).attrs.axis}`);
    case 'softmax':
    case 'logSoftmax': {
      const axis = (t as Tensor<'softmax'>).attrs.axis;
      return axis === t.rank - 1 ? unaryFn(t.op) : call(t.op, a.s, String(axis));
    }
    case 'oneHot':
      return call('oneHot', a.s, String((t as Tensor<'oneHot'>).attrs.depth));
  }
}

const AUTO_NAMES = 'abcdefgkmpqruvw'.split('');

/**
 * The graph as maths: `hᵀ · (y − t) / 32`. Nodes used more than once (or named in
 * `options.names`, or too long to read inline) are printed once as `let name = …`.
 */
export function show(ts: Tensor | readonly Tensor[], options: ShowOptions = {}): string {
  const roots = rootList('show', ts);
  const { shapes = false, lets = true, width = 100 } = options;
  const order = topoSort(roots);
  const uses = new Map<Tensor, number>();
  for (const n of order) for (const x of n.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);

  const named = new Map<Tensor, string>();
  const taken = new Set<string>();
  for (const n of order) if (n.is('input') || n.is('param')) taken.add(n.attrs.name);
  for (const [name, node] of Object.entries(options.names ?? {})) {
    if (!(node instanceof Tensor)) throw new GraphError('show', `names.${name} is not a Tensor`);
    if (!node.is('input') && !node.is('param')) {
      named.set(node, name);
      taken.add(name);
    }
  }
  let auto = 0;
  const freshName = (): string => {
    for (;;) {
      const k = auto++;
      const name = k < AUTO_NAMES.length ? AUTO_NAMES[k] : `v${k - AUTO_NAMES.length + 1}`;
      if (!taken.has(name)) return (taken.add(name), name);
    }
  };

  const texts = new Map<Tensor, Text>();
  const lines: string[] = [];
  const shapeOf = (t: Tensor): string => `[${t.shape.join(',')}]`;
  for (const n of order) {
    let text = format(n, n.inputs.map((x) => texts.get(x)!), shapes);
    const leafLike = n.inputs.length === 0;
    const shared = (uses.get(n) ?? 0) >= 2 && text.s.length > 6;
    const isRoot = roots.includes(n);
    if (!lets) {
      // One expression: a named node prints as its name (the caller defines it), long subterms as ….
      if (!isRoot && named.has(n)) text = atom(named.get(n)!);
      else if (!isRoot && text.s.length > width) text = atom('…');
    } else if (!leafLike && (named.has(n) || ((shared || text.s.length > width) && !isRoot))) {
      const name = named.get(n) ?? freshName();
      lines.push(`let ${name}${shapes ? `: ${shapeOf(n)}` : ''} = ${text.s}`);
      text = atom(name);
    }
    texts.set(n, text);
  }
  if (shapes) {
    const leaves = order.filter((n) => n.is('input') || n.is('param'));
    if (leaves.length > 0) lines.unshift(leaves.map((n) => `${(n as Tensor<'input'>).attrs.name}: ${shapeOf(n)}`).join(', '));
  }
  const suffix = (t: Tensor): string => (shapes ? ` : ${shapeOf(t)}` : '');
  if (roots.length === 1) lines.push(texts.get(roots[0])!.s + suffix(roots[0]));
  else roots.forEach((r, i) => lines.push(`${options.labels?.[i] ?? `[${i}]`} = ${texts.get(r)!.s}${suffix(r)}`));
  return lines.join('\n');
}
