/** Human-readable views of a model: the layer table and the layer diagram. */
import type { BuiltDense } from './layers.js';

function paramCount(l: BuiltDense): number {
  return l.inputDim * l.spec.units + (l.bias ? l.spec.units : 0);
}

/** Keras-style table: layer (type), output shape, params; totals. */
export function summaryText(name: string, layers: readonly BuiltDense[]): string {
  const rows = layers.map((l) => [`${l.name} (Dense, ${l.spec.activation})`, `[null, ${l.spec.units}]`, String(paramCount(l))]);
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
export function modelMermaid(layers: readonly BuiltDense[]): string {
  const lines = ['flowchart LR', `  input["input<br/>${layers[0]!.inputDim} features"]`];
  layers.forEach((l, i) => {
    const role = i === layers.length - 1 ? 'output' : 'hidden';
    lines.push(`  L${i + 1}["${l.name}: dense ${l.spec.units}<br/>${l.spec.activation} · ${role}<br/>${paramCount(l).toLocaleString('en-US')} params"]`);
  });
  lines.push(`  input --> L1`);
  for (let i = 1; i < layers.length; i++) lines.push(`  L${i} -->|${layers[i - 1]!.spec.units}| L${i + 1}`);
  lines.push(`  L${layers.length} --> out(["${layers.at(-1)!.spec.units} outputs"])`);
  return lines.join('\n');
}
