// toMermaid and toDot: the graph as a flowchart. Node ids are positions (n0, n1, …), never
// user strings; names appear only inside labels, escaped for each format.
import type { Tensor } from '../graph/tensor.js';
import { topoSort } from '../graph/topo.js';
import { describeOp, leafName, rootList } from './describe.js';

/** Operand order matters for these: their edges are numbered. */
const ORDERED = new Set(['sub', 'div', 'matmul', 'pow', 'greater', 'less', 'where', 'concat', 'maximum', 'minimum']);

interface Node {
  readonly id: string;
  /** Label lines, unescaped. */
  readonly lines: readonly string[];
  readonly output?: number;
}

function layout(ts: Tensor | readonly Tensor[], op: string): { nodes: Node[]; edges: [string, string, number | undefined][] } {
  const roots = rootList(op, ts);
  const order = topoSort(roots);
  const ids = new Map(order.map((t, i) => [t, `n${i}`]));
  const nodes = order.map((t): Node => {
    const name = leafName(t);
    const what = name === undefined ? describeOp(t) : `${t.op}${t.is('input') && t.attrs.facts.oneHot ? ' oneHot' : ''}`;
    const lines = name === undefined ? [what, `[${t.shape.join(',')}]`] : [name, `${what} [${t.shape.join(',')}]`];
    const output = roots.indexOf(t);
    return output >= 0 ? { id: ids.get(t)!, lines, output } : { id: ids.get(t)!, lines };
  });
  const edges = order.flatMap((t) => t.inputs.map((x, i): [string, string, number | undefined] => [ids.get(x)!, ids.get(t)!, ORDERED.has(t.op) ? i : undefined]));
  return { nodes, edges };
}

/**
 * Mermaid text: `"` and every character outside a small safe set become entity codes
 * (`#34;`), so a name cannot close the label, start markup, or inject HTML.
 */
export function escapeMermaid(s: string): string {
  return Array.from(s, (c) => (/^[A-Za-z0-9 _.,:+\-*/=[\]]$/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

/**
 * A Mermaid flowchart, inputs at the top, outputs as rounded nodes:
 * ```
 * flowchart TD
 *   n0["x<br/>input [32,784]"]
 *   n0 --> n2
 * ```
 */
export function toMermaid(ts: Tensor | readonly Tensor[]): string {
  const { nodes, edges } = layout(ts, 'toMermaid');
  const out = ['flowchart TD'];
  for (const n of nodes) {
    const label = n.lines.map(escapeMermaid).join('<br/>');
    const text = n.output === undefined ? label : `${label}<br/>output ${n.output}`;
    out.push(n.output === undefined ? `  ${n.id}["${text}"]` : `  ${n.id}(["${text}"])`);
  }
  for (const [from, to, k] of edges) out.push(k === undefined ? `  ${from} --> ${to}` : `  ${from} -->|${k}| ${to}`);
  return out.join('\n');
}

/**
 * DOT string text: backslash and quote escaped (so `\N` and friends stay literal), `&` as an
 * entity, and control characters as numeric entities.
 */
export function escapeDot(s: string): string {
  return Array.from(s, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '&') return '&amp;';
    const code = c.codePointAt(0)!;
    return code < 0x20 || code === 0x7f ? `&#${code};` : c;
  }).join('');
}

/** A Graphviz digraph, edges from operands to users, outputs drawn rounded. */
export function toDot(ts: Tensor | readonly Tensor[]): string {
  const { nodes, edges } = layout(ts, 'toDot');
  const out = ['digraph gradc {', '  node [shape=box, fontname="Helvetica"];'];
  for (const n of nodes) {
    const label = n.lines.map(escapeDot).join('\\n');
    const extra = n.output === undefined ? '' : `, style=rounded, xlabel="output ${n.output}"`;
    out.push(`  ${n.id} [label="${label}"${extra}];`);
  }
  for (const [from, to, k] of edges) out.push(k === undefined ? `  ${from} -> ${to};` : `  ${from} -> ${to} [label="${k}"];`);
  out.push('}');
  return out.join('\n');
}
