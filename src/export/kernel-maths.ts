/**
 * What each kernel computes, as `show` prints it, in terms of the buffers it reads: every stored
 * value is cut where it reads another buffer (that buffer's name stands in for it), so a kernel's
 * maths reads `relu_1 = relu(matmul_0 / 255 + dense_1_bias)`, not the whole graph. Names are the
 * export's identifiers, so no user string reaches the text.
 */
import type { Kernel } from '../../codegen/index.js';
import { input } from '../graph/functions.js';
import { make, type Tensor } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';
import type { ProgramParts } from '../compile/parts.js';
import { show } from '../print/show.js';

function storesOf(k: Kernel): readonly number[] {
  const stores = k.kind === 'matmul' ? k.stores : k.passes.flatMap((p) => (p.kind === 'map' ? p.stores : []));
  return [...new Set(stores.map((s) => s.buffer))];
}

/** `root` with every other node that has a buffer replaced by an input leaf named for it. */
function cut(root: Tensor, named: ReadonlyMap<Tensor, string>): Tensor {
  const memo = new Map<Tensor, Tensor>();
  const stop = (t: Tensor) => t !== root && named.has(t);
  const of = (x: Tensor): Tensor => {
    let m = memo.get(x);
    if (m === undefined) memo.set(x, (m = input(named.get(x)!, x.shape, {}, x.dtype)));
    return m;
  };
  for (const n of postOrder([root], (into) => !stop(into))) {
    if (n.inputs.length === 0) memo.set(n, n);
    else memo.set(n, make(n.op, n.inputs.map(of), n.attrs as never, n.dtype));
  }
  return memo.get(root)!;
}

/** Per kernel: lines of maths, `name = …` for a stored value, `name ← …` for a param updated. */
export function kernelMaths(parts: ProgramParts, names: readonly string[]): string[][] {
  const named = new Map<Tensor, string>();
  for (const b of parts.buffers) if (b.role !== 'constant' && !named.has(b.node)) named.set(b.node, names[b.id]!);
  const update = new Map<Tensor, Tensor>(parts.updates.map(([p, v]) => [p, v]));
  return parts.kernels.program.kernels.map((k) => {
    const ids = storesOf(k);
    const roots: Tensor[] = [];
    const labels: string[] = [];
    for (const id of ids) {
      const b = parts.buffers[id]!;
      const value = b.role === 'param' ? update.get(b.node) : b.node;
      if (value === undefined) continue;
      roots.push(cut(value, named));
      labels.push(b.role === 'param' ? `${names[id]!} ←` : names[id]!);
    }
    if (roots.length === 0) return [];
    let text = show(roots, { labels: labels.map((_, i) => `§${i}`), width: 90 });
    if (roots.length === 1) text = text.replace(/[^\n]*$/, (last) => `§0 = ${last}`);
    // show writes `label = …`; an update reads `name ← …`.
    return text.split('\n').map((line) => line.replace(/^§(\d+) = /, (_, i: string) => `${labels[Number(i)]!.endsWith('←') ? labels[Number(i)]! : `${labels[Number(i)]!} =`} `)
      .replaceAll('*/', '* /'));
  });
}
