// The reference evaluator: interprets a graph node by node. Slow, obviously correct, the ground truth.
import type { DType } from '../graph/attrs.js';
import { GraphError } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { leavesByName, topoSort } from '../graph/topo.js';
import { checkExtraFeeds, checkOneHotRows, readFeed, type Feeds } from './feeds.js';
import { reference, type Reference } from './reference.js';

export interface Evaluated {
  readonly shape: number[];
  readonly data: Float32Array | Float64Array;
}

export interface EvaluateOptions {
  /** 'float64' computes every node in double precision; by default each node rounds to its own dtype. */
  readonly dtype?: DType;
  /**
   * A feed naming no input or param at all is always refused (a misspelling, as `run` refuses it).
   * 'allow' (default): a feed naming a leaf this graph does not read is fine (a forward graph's
   * feeds serve its gradient and its simplified form, which may not read every leaf); 'error':
   * refused too, as strict as `run` with the graph's leaves as its inputs.
   */
  readonly unusedFeeds?: 'allow' | 'error';
}

export function evaluate(outputs: Tensor, feeds?: Feeds, options?: EvaluateOptions): Evaluated;
export function evaluate(outputs: readonly Tensor[], feeds?: Feeds, options?: EvaluateOptions): Evaluated[];
export function evaluate(outputs: Tensor | readonly Tensor[], feeds: Feeds = {}, options: EvaluateOptions = {}): Evaluated | Evaluated[] {
  const list = outputs instanceof Tensor ? [outputs] : [...outputs];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new GraphError('evaluate', `output ${i} is not a Tensor`);
  });
  const order = topoSort(list);
  const f64 = options.dtype === 'float64';
  // Check every feed before computing anything.
  const fed = new Map<Tensor, Float64Array>();
  if (feeds === null || typeof feeds !== 'object') throw new GraphError('evaluate', `feeds must be an object keyed by input and param name, got ${feeds === null ? 'null' : typeof feeds}`);
  const unused = options.unusedFeeds ?? 'allow';
  if (unused !== 'allow' && unused !== 'error') throw new GraphError('evaluate', `unusedFeeds must be 'allow' or 'error', got ${JSON.stringify(unused)}`);
  const leaves = leavesByName(order, 'evaluate');
  for (const leaf of leaves.values()) {
    const data = readFeed('evaluate', leaf, feeds);
    if (leaf.is('input') && leaf.attrs.facts.oneHot) checkOneHotRows('evaluate', leaf.attrs.name, data, leaf.shape[leaf.rank - 1], leaf.dtype === 'float32');
    fed.set(leaf, data);
  }
  checkExtraFeeds('evaluate', feeds, [...leaves.keys()], unused === 'error');

  const users = new Map<Tensor, number>();
  for (const t of order) for (const x of t.inputs) users.set(x, (users.get(x) ?? 0) + 1);
  const keep = new Set(list);
  const values = new Map<Tensor, Float64Array>();
  for (const node of order) {
    const semantics = reference[node.op] as Reference<typeof node.op>;
    let v =
      semantics === 'fed'
        ? fed.get(node)!
        : semantics(
            node.inputs.map((x) => values.get(x)!),
            node as Tensor<never>,
          );
    if (!f64 && node.dtype === 'float32') v = roundToFloat32(v);
    values.set(node, v);
    for (const x of node.inputs) {
      const left = users.get(x)! - 1;
      users.set(x, left);
      if (left === 0 && !keep.has(x)) values.delete(x);
    }
  }
  const results = list.map((t) => ({
    shape: [...t.shape],
    data: f64 || t.dtype === 'float64' ? values.get(t)! : Float32Array.from(values.get(t)!),
  }));
  return outputs instanceof Tensor ? results[0] : results;
}

function roundToFloat32(v: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] = Math.fround(v[i]);
  return v;
}
