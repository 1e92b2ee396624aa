import { GraphError } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * Every node reachable from `roots` (within `descend`), inputs before users: an iterative
 * post-order DFS, so a chain of any length is fine. The walk goes from a node into its input
 * `into` only when `descend(into, from)` holds (default: always); roots are always listed.
 * Plain loops and parallel stacks: the rewriter runs this for every sum and product, mostly
 * before V8 optimizes it.
 */
export function postOrder(roots: readonly Tensor[], descend?: (into: Tensor, from: Tensor) => boolean): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const nodes: Tensor[] = [];
  const next: number[] = [];
  for (let r = 0; r < roots.length; r++) {
    const root = roots[r]!;
    if (seen.has(root)) continue;
    seen.add(root);
    nodes.push(root);
    next.push(0);
    while (nodes.length > 0) {
      const d = nodes.length - 1;
      const node = nodes[d]!;
      const i = next[d]!;
      if (i < node.inputs.length) {
        next[d] = i + 1;
        const x = node.inputs[i]!;
        if (!seen.has(x) && (descend === undefined || descend(x, node))) {
          seen.add(x);
          nodes.push(x);
          next.push(0);
        }
      } else {
        order.push(node);
        nodes.pop();
        next.pop();
      }
    }
  }
  return order;
}

/** Every node the outputs depend on, inputs before users. */
export function topoSort(outputs: readonly Tensor[]): Tensor[] {
  return postOrder(outputs);
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
