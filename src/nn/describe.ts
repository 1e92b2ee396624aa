/** Human-readable views of a model: the layer table and the layer diagram. */
import { isDense, widthOf, type BuiltLayer } from './layers.js';

function paramCount(l: BuiltLayer): number {
  return isDense(l) ? l.inputDim * l.spec.units + (l.bias ? l.spec.units : 0) : 0;
}

/** `Dense, relu` or `Rescaling, ×0.00392157 + 0` */
function typeText(l: BuiltLayer): string {
  return isDense(l) ? `Dense, ${l.spec.activation}` : `Rescaling, ×${+l.spec.scale.toPrecision(6)}${l.spec.offset !== 0 ? ` + ${l.spec.offset}` : ''}`;
}

/** Keras-style table: layer (type), output shape, params; totals. */
export function summaryText(name: string, layers: readonly BuiltLayer[]): string {
  const rows = layers.map((l) => [`${l.name} (${typeText(l)})`, `[null, ${widthOf(l)}]`, String(paramCount(l))]);
  const head = ['Layer (type)', 'Output shape', 'Param #'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(w[i]! - 2) : c.padEnd(w[i]!))).join('').trimEnd();
  const total = layers.reduce((s, l) => s + paramCount(l), 0);
  const rule = (ch: string) => ch.repeat(w.reduce((a, b) => a + b, 0) - 2);
  return [
    `Model: ${name}`,
    rule('_'),
    line(head),
    rule('='),
    ...rows.map(line),
    rule('='),
    `Input: [null, ${layers[0]!.inputDim}]`,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Trainable params: ${total.toLocaleString('en-US')}`,
    rule('_'),
  ].join('\n');
}

/** The layer diagram as a Mermaid flowchart: input → hidden → output. Names are checked identifiers. */
export function modelMermaid(layers: readonly BuiltLayer[]): string {
  const lines = ['flowchart LR', `  input["input<br/>${layers[0]!.inputDim} features"]`];
  layers.forEach((l, i) => {
    const role = i === layers.length - 1 ? 'output' : 'hidden';
    lines.push(isDense(l)
      ? `  L${i + 1}["${l.name}: dense ${l.spec.units}<br/>${l.spec.activation} · ${role}<br/>${paramCount(l).toLocaleString('en-US')} params"]`
      : `  L${i + 1}["${l.name}: rescaling<br/>×${+l.spec.scale.toPrecision(6)}${l.spec.offset !== 0 ? ` + ${l.spec.offset}` : ''}"]`);
  });
  lines.push(`  input --> L1`);
  for (let i = 1; i < layers.length; i++) lines.push(`  L${i} -->|${widthOf(layers[i - 1]!)}| L${i + 1}`);
  lines.push(`  L${layers.length} --> out(["${widthOf(layers.at(-1)!)} outputs"])`);
  return lines.join('\n');
}
