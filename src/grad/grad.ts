// Symbolic reverse mode: gradients are graphs built from the same ops, so they can be
// printed, simplified, compiled and differentiated again.
import { GraphError, fmtShape } from '../graph/errors.js';
import * as f from '../graph/functions.js';
import { sameShape } from '../graph/shape.js';
import { Tensor } from '../graph/tensor.js';
import { topoSort } from '../graph/topo.js';
import { vjps, type Vjp } from './vjps.js';

function checkList(op: string, xs: unknown, what: string): readonly Tensor[] {
  if (!Array.isArray(xs) || !xs.every((x) => x instanceof Tensor)) {
    throw new GraphError(op, `${what} must be an array of Tensors`);
  }
  return xs;
}

/**
 * Vector-Jacobian product: Σₖ cotangentₖ · ∂outputₖ/∂w for each w in `wrt`.
 * A `wrt` the outputs do not depend on gets a symbolic zero of its shape.
 */
export function vjp(outputs: readonly Tensor[], wrt: readonly Tensor[], cotangents: readonly Tensor[]): Tensor[] {
  checkList('vjp', outputs, 'outputs');
  checkList('vjp', wrt, 'wrt');
  checkList('vjp', cotangents, 'cotangents');
  if (cotangents.length !== outputs.length) {
    throw new GraphError('vjp', `${outputs.length} outputs but ${cotangents.length} cotangents; pass one cotangent per output`);
  }
  outputs.forEach((y, i) => {
    if (!sameShape(y.shape, cotangents[i].shape)) {
      throw new GraphError('vjp', `cotangent ${i} has shape ${fmtShape(cotangents[i].shape)} but output ${i} has shape ${fmtShape(y.shape)}`);
    }
  });

  const order = topoSort(outputs);
  checkSameNamedLeaves(order, wrt);
  // Only nodes that depend on some `wrt` need a cotangent.
  const wanted = new Set(wrt);
  const needed = new Set<Tensor>();
  for (const node of order) {
    if (wanted.has(node) || node.inputs.some((x) => needed.has(x))) needed.add(node);
  }

  const parts = new Map<Tensor, Tensor[]>();
  const contribute = (node: Tensor, g: Tensor): void => {
    const list = parts.get(node);
    if (list) list.push(g);
    else parts.set(node, [g]);
  };
  outputs.forEach((y, i) => needed.has(y) && contribute(y, cotangents[i]));

  const total = new Map<Tensor, Tensor>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const list = parts.get(node);
    if (list === undefined) continue;
    parts.delete(node);
    const g = list.reduce((a, b) => f.add(a, b));
    total.set(node, g);
    const rule = vjps[node.op] as Vjp<typeof node.op> | 'none';
    if (rule === 'none' || !node.inputs.some((x) => needed.has(x))) continue;
    const gs = rule(g, node as Tensor<never>);
    node.inputs.forEach((x, k) => {
      const gx = gs[k];
      if (gx && needed.has(x)) contribute(x, gx);
    });
  }
  return wrt.map((w) => total.get(w) ?? f.zeros(w.shape, w.dtype));
}

/**
 * A `wrt` leaf the outputs do not read, while they read another leaf of the same name, is almost
 * surely a second `param('W', …)` made by mistake: its gradient would be a silent zero. Refuse it.
 */
function checkSameNamedLeaves(order: readonly Tensor[], wrt: readonly Tensor[]): void {
  const leaves = wrt.filter((w) => w.op === 'input' || w.op === 'param') as Tensor<'input' | 'param'>[];
  if (leaves.length === 0) return;
  const inGraph = new Set(order);
  const byName = new Map<string, Tensor<'input' | 'param'>>();
  for (const t of order) if (t.op === 'input' || t.op === 'param') byName.set((t as Tensor<'input' | 'param'>).attrs.name, t as Tensor<'input' | 'param'>);
  for (const w of leaves) {
    if (inGraph.has(w)) continue;
    const other = byName.get(w.attrs.name);
    if (other === undefined) continue;
    const desc = (t: Tensor<'input' | 'param'>) => `${t.op} '${t.attrs.name}' ${fmtShape(t.shape)} ${t.dtype}`;
    throw new GraphError('grad', `wrt ${desc(w)} is not the node the loss reads: the loss reads ${desc(other)}, a different node of the same name; ` +
      `pass the node the loss was built from (the same param(...) object), or give the two different names`);
  }
}

/** ∂loss/∂w for each w in `wrt`, as graph nodes. `loss` must hold a single value. */
export function grad(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (!(loss instanceof Tensor)) throw new GraphError('grad', 'loss must be a Tensor');
  if (loss.size !== 1) {
    throw new GraphError(
      'grad',
      `loss must be a scalar, got shape ${fmtShape(loss.shape)}; reduce it first (loss.sum() or loss.mean()), or use vjp(outputs, wrt, cotangents) for a non-scalar output`,
    );
  }
  return vjp([loss], checkList('grad', wrt, 'wrt'), [f.ones(loss.shape, loss.dtype)]);
}
