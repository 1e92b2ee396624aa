/**
 * Labels of `oneHot(labels, depth)` must be integers in [0, depth); the reference evaluator throws
 * otherwise. Compiled, two cases:
 * - fed labels: an input, or a reshape, transpose or broadcast of one (every fed value is a
 *   label). `run` checks the feed before any kernel runs and throws, naming the input, the value,
 *   its index and the range; the kernel then compares label and column directly.
 * - computed labels (anything else): nothing can be checked before the kernels run, so the
 *   kernel checks each label and writes a row of NaN for a bad one (see values.ts): never a row
 *   of zeros that looks like a valid "no class".
 */
import type { Tensor } from '../graph/tensor.js';

/** The input whose values `labels` are, through value-preserving views; undefined for computed labels. */
export function labelInput(labels: Tensor): Tensor<'input'> | undefined {
  let t = labels;
  while (t.op === 'reshape' || t.op === 'transpose' || t.op === 'broadcastTo') t = t.inputs[0]!;
  return t.op === 'input' ? (t as Tensor<'input'>) : undefined;
}

/**
 * Every input that feeds a oneHot in any of `graphs` (nodes in any order), with the smallest depth
 * it is read with: its values must be integers in [0, depth). Given the graph as written and as
 * simplified, so a label the reference evaluator would reject is rejected, and every oneHot left
 * in the kernels that reads an input has its labels checked.
 */
export function labelDepths(...graphs: readonly (readonly Tensor[])[]): Map<Tensor, number> {
  const depths = new Map<Tensor, number>();
  for (const nodes of graphs) {
    for (const t of nodes) {
      if (t.op !== 'oneHot') continue;
      const x = labelInput(t.inputs[0]!);
      if (x === undefined) continue;
      const depth = (t as Tensor<'oneHot'>).attrs.depth;
      depths.set(x, Math.min(depth, depths.get(x) ?? Infinity));
    }
  }
  return depths;
}
