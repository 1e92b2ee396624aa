// explain: simplify, keeping the record of which rule fired where, and why.
import { GraphError } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { show, type ShowOptions } from '../print/show.js';
import type { Step as RawStep } from './driver.js';
import type { Phase } from './rule.js';
import { simplifyWith } from './simplify.js';

/** One rule firing: the node it fired on, what that node became, and the fact it used. */
export interface Step {
  readonly rule: string;
  readonly phase: Phase;
  readonly before: Tensor;
  readonly after: Tensor;
  /** The fact the rule relied on (`y ∈ (0, 1)`, `t is declared oneHot`), if any. */
  readonly because?: string;
}

export interface Explanation {
  /** The graphs as given. */
  readonly before: readonly Tensor[];
  /** The simplified graphs. */
  readonly after: readonly Tensor[];
  /** Every rule firing, in order. */
  readonly steps: readonly Step[];
  /** The distinct rules that fired, in the order they first fired. */
  readonly rules: readonly string[];
  /** Before, the numbered steps, after, and the rule counts, as text. */
  text(options?: ExplainTextOptions): string;
}

export interface ExplainTextOptions {
  /** Names for intermediate nodes (`{ h, y }`), used in every expression printed. */
  readonly names?: ShowOptions['names'];
  /** Labels for the outputs (`['L', '∂L/∂W']`). */
  readonly labels?: readonly string[];
  /** Longest subterm printed inline in a step before it is cut to …. Default 70. */
  readonly width?: number;
}

/** Simplifies `ts` and records the derivation. */
export function explain(ts: Tensor | readonly Tensor[]): Explanation {
  const before = Array.isArray(ts) ? [...ts] : [ts as Tensor];
  if (before.length === 0) throw new GraphError('explain', 'needs a Tensor or a non-empty array of Tensors');
  before.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new GraphError('explain', `${Array.isArray(ts) ? `element ${i}` : 'the argument'} is not a Tensor`);
  });
  const raw: RawStep[] = [];
  const after = simplifyWith(before, raw);
  const plain = (t: Tensor): string => show(t, { lets: false, width: 70 });
  const steps = raw.map((s): Step => {
    const { because, ...rest } = s;
    return because === undefined ? rest : { ...rest, because: because(plain) };
  });
  const rules = [...new Set(steps.map((s) => s.rule))];
  return { before, after, steps, rules, text: (options = {}) => explanationText(before, after, raw, options) };
}

function explanationText(before: readonly Tensor[], after: readonly Tensor[], steps: readonly RawStep[], options: ExplainTextOptions): string {
  const { names, labels, width = 70 } = options;
  const full = (ts: readonly Tensor[]): string =>
    show(ts, { ...(names ? { names } : {}), ...(labels ? { labels } : {}) }).replace(/^/gm, '    ');
  const inline = (t: Tensor): string => show(t, { lets: false, width, ...(names ? { names } : {}) });
  // Facts speak of a node itself: print it by its name when it has one.
  const byNode = new Map(Object.entries(names ?? {}).map(([k, v]) => [v, k]));
  const named = (t: Tensor): string => byNode.get(t) ?? inline(t);
  const lines = ['Before:', full(before), '', 'Steps:'];
  // A step whose two sides print alike only changed the representation (e.g. where a sign sits).
  const shown = steps.map((s) => ({ s, from: inline(s.before), to: inline(s.after) })).filter((x) => x.from !== x.to);
  const digits = String(shown.length).length;
  shown.forEach(({ s, from, to }, i) => {
    const why = s.because === undefined ? '' : `   [${s.because(named)}]`;
    lines.push(`  ${String(i + 1).padStart(digits)}. ${s.rule}: ${from} → ${to}${why}`);
  });
  const hidden = steps.length - shown.length;
  if (hidden > 0) lines.push(`  (and ${hidden} step${hidden > 1 ? 's' : ''} changing only the representation, not the printed maths)`);
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.rule, (counts.get(s.rule) ?? 0) + 1);
  lines.push('', 'After:', full(after), '', `Rules fired: ${[...counts].map(([r, n]) => (n > 1 ? `${r} ×${n}` : r)).join(', ')}`);
  return lines.join('\n');
}
