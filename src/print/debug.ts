// debugPrint: the graph as an indented tree, one node per line with op, attributes, shape and dtype.
import type { Tensor } from '../graph/tensor.js';
import { describeOp, rootList } from './describe.js';

/** Deeper nodes keep this indentation and show their depth instead, so deep graphs print in linear space. */
const MAX_INDENT = 40;

/**
 * ```
 * %0 div [784,10] float32
 * ├─ %1 matmul [784,10] float32
 * │  ├─ …
 * └─ %7 constant 32 [] float32
 * ```
 * Nodes are numbered in print order; a node already printed appears again as `%k ↑`.
 */
export function debugPrint(ts: Tensor | readonly Tensor[]): string {
  const roots = rootList('debugPrint', ts);
  const numbers = new Map<Tensor, number>();
  const lines: string[] = [];
  // Frames: node, the prefix for its own line, the prefix for its children's lines, depth.
  const stack: [Tensor, string, string, number][] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push([roots[r], '', '', 0]);
  while (stack.length > 0) {
    const [node, own, below, depth] = stack.pop()!;
    const deep = depth > MAX_INDENT ? `[depth ${depth}] ` : '';
    const seen = numbers.get(node);
    if (seen !== undefined) {
      lines.push(`${own}${deep}%${seen} ↑`);
      continue;
    }
    const k = numbers.size;
    numbers.set(node, k);
    lines.push(`${own}${deep}%${k} ${describeOp(node)} [${node.shape.join(',')}] ${node.dtype}`);
    const n = node.inputs.length;
    for (let i = n - 1; i >= 0; i--) {
      const last = i === n - 1;
      const indent = depth >= MAX_INDENT;
      stack.push([node.inputs[i], below + (last ? '└─ ' : '├─ '), indent ? below : below + (last ? '   ' : '│  '), depth + 1]);
    }
  }
  return lines.join('\n');
}
