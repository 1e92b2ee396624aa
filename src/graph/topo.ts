import { GraphError } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * Every node the outputs depend on, inputs before users (post-order DFS).
 * Iterative, so a chain of any length is fine.
 */
export function topoSort(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Tensor[] = [];
  const next: number[] = [];
  for (const root of outputs) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      if (next[top] < node.inputs.length) {
        const child = node.inputs[next[top]++];
        if (!seen.has(child)) {
          seen.add(child);
          stack.push(child);
          next.push(0);
        }
      } else {
        order.push(node);
        stack.pop();
        next.pop();
      }
    }
  }
  return order;
}

/** Inputs and params reachable from the outputs, keyed by name; two different nodes with one name is an error. */
export function leavesByName(order: readonly Tensor[], where: string): Map<string, Tensor<'input' | 'param'>> {
  const byName = new Map<string, Tensor<'input' | 'param'>>();
  for (const t of order) {
    if (!t.is('input') && !t.is('param')) continue;
    const leaf = t as Tensor<'input' | 'param'>;
    const name = leaf.attrs.name;
    const other = byName.get(name);
    if (other !== undefined && other !== leaf) {
      throw new GraphError(
        where,
        `two different nodes are named '${name}' (${other.op} [${other.shape.join(',')}] ${other.dtype} and ${leaf.op} [${leaf.shape.join(',')}] ${leaf.dtype}); give each input and param its own name`,
      );
    }
    byName.set(name, leaf);
  }
  return byName;
}
