/**
 * toOnnx: a gradc graph or model as an ONNX model of standard ops (opset 17), for onnxruntime and
 * the serving stacks that read ONNX.
 *   toOnnx({ inputs, outputs, updates? }, { params? })    any graph, as `compile` takes it
 *   toOnnx(model)                                         its forward graph (predict), weights inside
 *   toOnnx(model, { step: 'train' })                      one whole training step, as a plain inference graph:
 *       params and optimizer slots are inputs, their new values outputs
 * The graph is simplified first, as `compile` does, so the file holds what gradc's kernels compute.
 * No Node import here (the browser entry exports it); writing a file is write.ts.
 */
import { checkSpec } from '../compile/spec.js';
import type { CompileSpec } from '../compile/spec.js';
import { simplifyRoots } from '../compile/simplify.js';
import { GraphError } from '../graph/errors.js';
import type { Tensor } from '../graph/tensor.js';
import { Model } from '../nn/model.js';
import { buildOnnx, type OnnxGraph } from './builder.js';
import { onnxRules, type OnnxRuleTable } from './rules.js';

export type { OnnxGraph, OnnxValueInfo, OnnxDType } from './builder.js';

type Values = ReadonlyMap<string, Float32Array | Float64Array> | Readonly<Record<string, Float32Array | Float64Array>>;

/** Options for a graph given as `{ inputs, outputs, updates? }`. */
export interface OnnxGraphOptions {
  /** Param values by name: a param with a value and no update becomes a constant of the model (an initializer); without one, a graph input. An updated param is always a graph input. */
  params?: Values;
  /** Simplify first, as compile does (default true). */
  simplify?: boolean;
  /** The ONNX graph's name (default 'gradc'). */
  name?: string;
}

/** Options for a model. */
export interface OnnxModelOptions {
  /** 'predict' (default): the forward graph, weights as constants. 'train': one training step (forward, loss, gradient, optimizer update). */
  step?: 'predict' | 'train';
  /** Rows per run (shapes in gradc are static): the model's fixed batch, else 32. */
  batchSize?: number;
  /** Targets' rows are one-hot (a fact the simplifier uses; default: for categoricalCrossentropy, as fit does); one flag, or one per output with a loss. */
  oneHot?: boolean | readonly boolean[];
  /** The input fed as bytes (UINT8, cast to float in the graph) where the model builds its input; one flag, or one per input. */
  bytes?: boolean | readonly boolean[];
  simplify?: boolean;
  name?: string;
}

export type OnnxSource = CompileSpec | Model<unknown>;

const MODEL_KEYS = ['step', 'batchSize', 'oneHot', 'bytes', 'simplify', 'name'];
const GRAPH_KEYS = ['params', 'simplify', 'name'];

function checkKeys(given: object, keys: readonly string[], what: string): void {
  for (const k of Object.keys(given)) if (!keys.includes(k)) throw new GraphError('toOnnx', `unknown option '${k}' for ${what}; options are ${keys.join(', ')}`);
}

function valueMap(v: Values | undefined): Map<string, Float32Array | Float64Array> {
  if (v === undefined) return new Map();
  if (v === null || typeof v !== 'object') throw new GraphError('toOnnx', `params must be a Map or an object of Float32Arrays by param name, got ${String(v)}`);
  return new Map(v instanceof Map ? v : Object.entries(v));
}

/** The graph as `compile` takes it, checked and simplified, written with `rules`. */
function fromSpec(spec: CompileSpec, values: ReadonlyMap<string, Float32Array | Float64Array>, o: { simplify?: boolean; name?: string }, metadata: Record<string, string>, rules: OnnxRuleTable): OnnxGraph {
  let checked;
  try {
    checked = checkSpec(spec);
  } catch (e) {
    // the same checks as compile's, reported as toOnnx's
    if (e instanceof GraphError) throw new GraphError('toOnnx', e.message.replace(/^compile: /, ''));
    throw e;
  }
  const simplify = o.simplify ?? true;
  if (typeof simplify !== 'boolean') throw new GraphError('toOnnx', `simplify must be true or false, got ${String(simplify)}`);
  const given = [...checked.outputNodes, ...checked.updates.map(([, v]) => v)];
  const roots = simplify ? simplifyRoots(given, false).roots : given;
  const n = checked.outputNodes.length;
  for (const [k, v] of values) {
    if (!checked.params.some((p) => p.attrs.name === k)) throw new GraphError('toOnnx', `params names '${k}', which the graph does not read; its params are ${checked.params.map((p) => `'${p.attrs.name}'`).join(', ') || 'none'}`);
    if (!(v instanceof Float32Array || v instanceof Float64Array)) throw new GraphError('toOnnx', `params['${k}'] must be a Float32Array or Float64Array, got ${typeof v}`);
  }
  return buildOnnx({
    name: o.name ?? 'gradc',
    inputs: checked.inputs,
    outputs: checked.outputNames.map((key, i) => ({ key, node: roots[i]! })),
    updates: checked.updates.map(([param], i) => ({ param, node: roots[n + i]! })),
    values,
    rules,
    metadata,
    docString: 'Exported by gradc (symbolic autograd compiler). gradc.state lists [input, output] pairs: feed each output back as that input at the next step.',
  });
}

/**
 * A model with several outputs: each output under the model's own name (gradc's programs key them
 * y, y1, …) and each head's loss as `loss/<output name>`; one output stays `y`, as predict's.
 */
function outputsByName(model: Model<unknown>, outputs: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const outs = model.outputInfo;
  if (outs.length <= 1) return { ...outputs };
  const heads = model.config?.heads ?? [];
  const renamed = new Map<string, Tensor>();
  // an output named like another (`loss`) gets `_2`: no key is lost
  const put = (name: string, t: Tensor): void => {
    let k = name;
    for (let i = 2; renamed.has(k); i++) k = `${name}_${i}`;
    renamed.set(k, t);
  };
  for (const [key, t] of Object.entries(outputs)) {
    const y = /^y(\d*)$/.exec(key), l = /^loss(\d+)$/.exec(key);
    if (y) put(outs[Number(y[1] || 0)]!.name, t);
    else if (l) put(`loss/${outs[heads[Number(l[1])]!.output]!.name}`, t);
    else put(key, t);
  }
  return Object.fromEntries(renamed);
}

function fromModel(model: Model<unknown>, o: OnnxModelOptions, rules: OnnxRuleTable): OnnxGraph {
  checkKeys(o, MODEL_KEYS, 'a model');
  const step = o.step ?? 'predict';
  if (step !== 'predict' && step !== 'train') throw new GraphError('toOnnx', `step must be 'predict' or 'train', got ${JSON.stringify(step)}`);
  const batch = o.batchSize ?? model.fixedBatch ?? 32;
  if (!Number.isInteger(batch) || batch < 1) throw new GraphError('toOnnx', `batchSize must be a positive integer, got ${String(batch)}`);
  if (model.fixedBatch !== null && batch !== model.fixedBatch) throw new GraphError('toOnnx', `the model's graph is built for batches of ${model.fixedBatch} rows; pass batchSize ${model.fixedBatch} or leave it out`);
  const built = model.stepGraph(step, batch, { oneHot: o.oneHot, bytes: o.bytes });
  const { train } = built;
  const spec = { ...built.spec, outputs: outputsByName(model, built.spec.outputs) };
  // current weights (and, for a training step, the optimizer slots) by name
  const values = new Map<string, Float32Array | Float64Array>(train ? model.saveState().tensors.map((t) => [t.name, t.value] as const) : model.getWeights());
  const metadata: Record<string, string> = { 'gradc.model': model.name, 'gradc.step': step, 'gradc.batch': String(batch) };
  if (train) {
    const cfg = model.config!;
    metadata['gradc.optimizer'] = JSON.stringify(cfg.optimizer.config);
    metadata['gradc.loss'] = cfg.loss;
    metadata['gradc.steps_taken'] = String(model.step);
    metadata['gradc.scalars'] = JSON.stringify(train.plan.scalars.map((s: Tensor<'input'>) => s.attrs.name));
  }
  return fromSpec(spec, values, o, metadata, rules);
}

/** Internal: the exporter with a rule table of one's own (tests of the refusal path). */
export function exportOnnxWith(source: OnnxSource, options: OnnxGraphOptions | OnnxModelOptions, rules: OnnxRuleTable): OnnxGraph {
  if (options === null || typeof options !== 'object') throw new GraphError('toOnnx', `options must be an object, got ${String(options)}`);
  if (source instanceof Model) return fromModel(source, options as OnnxModelOptions, rules);
  checkKeys(options, GRAPH_KEYS, 'a graph');
  const o = options as OnnxGraphOptions;
  return fromSpec(source, valueMap(o.params), o, {}, rules);
}

/** The ONNX model and its signature: input and output names, shapes, dtypes, and the training state's input → output pairs. */
export function exportOnnx(model: Model<unknown>, options?: OnnxModelOptions): OnnxGraph;
export function exportOnnx(graph: CompileSpec, options?: OnnxGraphOptions): OnnxGraph;
export function exportOnnx(source: OnnxSource, options: OnnxGraphOptions | OnnxModelOptions = {}): OnnxGraph {
  return exportOnnxWith(source, options, onnxRules);
}

/** The ONNX model's bytes (a serialized ModelProto). */
export function toOnnx(model: Model<unknown>, options?: OnnxModelOptions): Uint8Array;
export function toOnnx(graph: CompileSpec, options?: OnnxGraphOptions): Uint8Array;
export function toOnnx(source: OnnxSource, options: OnnxGraphOptions | OnnxModelOptions = {}): Uint8Array {
  return exportOnnxWith(source, options, onnxRules).bytes;
}
