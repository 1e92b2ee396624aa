/** Checking what `compile` is given, before any work: every error names the culprit and the fix. */
import { GraphError, fmtShape } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { leavesByName, topoSort } from '../graph/topo.js';

export interface CompileSpec {
  /** The inputs fed at each run, by name. Their order is the slot order. */
  readonly inputs: readonly Tensor[];
  /** Named outputs: views into the arena after each run. */
  readonly outputs: Readonly<Record<string, Tensor>>;
  /** [param, new value]: applied after all outputs are computed, as one step (stored in the param's dtype). */
  readonly updates?: readonly (readonly [Tensor, Tensor])[];
}

export interface CheckedSpec {
  readonly inputs: readonly Tensor<'input'>[];
  readonly outputNames: readonly string[];
  readonly outputNodes: readonly Tensor[];
  readonly updates: readonly (readonly [Tensor<'param'>, Tensor])[];
  /** Every node needed, inputs before users. */
  readonly order: readonly Tensor[];
  /** Every param read or updated. */
  readonly params: readonly Tensor<'param'>[];
}

const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : x instanceof Tensor ? String(x) : typeof x;

export function checkSpec(spec: unknown): CheckedSpec {
  const op = 'compile';
  if (spec === null || typeof spec !== 'object') {
    throw new GraphError(op, `expected { inputs, outputs, updates? }, got ${describe(spec)}`);
  }
  const s = spec as Partial<CompileSpec>;
  if (!Array.isArray(s.inputs)) throw new GraphError(op, `inputs must be an array of input tensors, got ${describe(s.inputs)}`);
  const inputs = s.inputs.map((t, i) => {
    if (!(t instanceof Tensor) || t.op !== 'input') {
      throw new GraphError(op, `inputs[${i}] must be an input(...) tensor, got ${describe(t)}${t instanceof Tensor && t.op === 'param' ? ' (params are set with exe.setParam, not fed)' : ''}`);
    }
    return t as Tensor<'input'>;
  });
  const names = new Map<string, Tensor>();
  for (const t of inputs) {
    const other = names.get(t.attrs.name);
    if (other === t) throw new GraphError(op, `input '${t.attrs.name}' is listed twice in inputs`);
    if (other !== undefined) {
      throw new GraphError(op, `two different nodes are named '${t.attrs.name}' (${fmtShape(other.shape)} and ${fmtShape(t.shape)}); give each input its own name`);
    }
    names.set(t.attrs.name, t);
  }
  if (s.outputs === null || typeof s.outputs !== 'object' || Array.isArray(s.outputs)) {
    throw new GraphError(op, `outputs must be an object of named tensors like { loss }, got ${describe(s.outputs)}`);
  }
  const outputNames = Object.keys(s.outputs);
  const outputNodes = outputNames.map((k) => {
    const t = (s.outputs as Record<string, unknown>)[k];
    if (!(t instanceof Tensor)) throw new GraphError(op, `outputs['${k}'] must be a Tensor, got ${describe(t)}`);
    return t;
  });
  const rawUpdates = s.updates ?? [];
  if (!Array.isArray(rawUpdates)) throw new GraphError(op, `updates must be an array of [param, newValue] pairs, got ${describe(rawUpdates)}`);
  const updated = new Set<Tensor>();
  const updates = rawUpdates.map((u, i) => {
    if (!Array.isArray(u) || u.length !== 2) throw new GraphError(op, `updates[${i}] must be a [param, newValue] pair`);
    const [p, v] = u as [unknown, unknown];
    if (!(p instanceof Tensor) || p.op !== 'param') {
      throw new GraphError(op, `updates[${i}]: the target must be a param(...) tensor, got ${describe(p)}`);
    }
    if (!(v instanceof Tensor)) throw new GraphError(op, `updates[${i}]: the new value must be a Tensor, got ${describe(v)}`);
    const name = (p as Tensor<'param'>).attrs.name;
    if (p.shape.join() !== v.shape.join() || p.rank !== v.rank) {
      throw new GraphError(op, `updates[${i}]: param '${name}' has shape ${fmtShape(p.shape)} but its new value has shape ${fmtShape(v.shape)}`);
    }
    if (updated.has(p)) throw new GraphError(op, `param '${name}' is updated twice; give it one new value`);
    updated.add(p);
    return [p as Tensor<'param'>, v] as const;
  });
  if (outputNodes.length === 0 && updates.length === 0) {
    throw new GraphError(op, 'nothing to compute: give at least one output or update');
  }
  const order = topoSort([...outputNodes, ...updates.flatMap(([p, v]) => [p, v])]);
  const leaves = leavesByName([...order, ...inputs], op);
  const listed = new Set<Tensor>(inputs);
  for (const leaf of leaves.values()) {
    if (leaf.op === 'input' && !listed.has(leaf)) {
      throw new GraphError(op, `input '${leaf.attrs.name}' ${fmtShape(leaf.shape)} is used but not listed in inputs; add it to inputs`);
    }
  }
  for (const t of order) {
    if (t.size === 0) {
      throw new GraphError(op, `${t.op} node of shape ${fmtShape(t.shape)} has no elements; the kernel compiler needs non-empty tensors`);
    }
  }
  const params = [...leaves.values()].filter((t): t is Tensor<'param'> => t.op === 'param');
  return { inputs, outputNames, outputNodes, updates, order, params };
}
