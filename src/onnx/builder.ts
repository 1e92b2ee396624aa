/**
 * Writes a gradc graph (already checked and simplified) as an ONNX ModelProto: one pass over the
 * nodes in topological order, each written by its rule (rules.ts). Inputs, updated params and
 * params without a value are graph inputs; params with a value and no update are initializers
 * (constants of the model). Each output and each new value of an updated param is a graph output.
 */
import type { DType } from '../graph/attrs.js';
import { GraphError } from '../graph/errors.js';
import type { Tensor } from '../graph/tensor.js';
import { topoSort } from '../graph/topo.js';
import { Names } from './names.js';
import { AttributeType, DataType, IR_VERSION, OPSET, onnx, type OnnxTypes } from './proto.js';
import { floatType, type OnnxAttr, type OnnxEmitter, type OnnxRuleTable } from './rules.js';

export type OnnxDType = 'float32' | 'float64' | 'uint8';

/** One input or output of the exported graph. */
export interface OnnxValueInfo {
  /** Its name in the ONNX file (the gradc name where that is plain, see names.ts). */
  readonly name: string;
  /** The gradc name: the input's or param's name, or the output's key. */
  readonly gradc: string;
  readonly shape: readonly number[];
  readonly dtype: OnnxDType;
}

export interface OnnxGraph {
  readonly bytes: Uint8Array;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Training state: each updated param's input and the output holding its new value (feed it back at the next step). */
  readonly state: readonly { readonly input: string; readonly output: string }[];
}

export interface GraphToWrite {
  readonly name: string;
  readonly inputs: readonly Tensor<'input'>[];
  readonly outputs: readonly { readonly key: string; readonly node: Tensor }[];
  readonly updates: readonly { readonly param: Tensor<'param'>; readonly node: Tensor }[];
  /** Param values by param name. */
  readonly values: ReadonlyMap<string, Float32Array | Float64Array>;
  readonly rules: OnnxRuleTable;
  readonly metadata: Readonly<Record<string, string>>;
  readonly docString: string;
}

const onnxDType = (t: Tensor): OnnxDType => (t.op === 'input' && (t as Tensor<'input'>).attrs.facts.feed === 'uint8' ? 'uint8' : t.dtype);
const elemType = (d: OnnxDType): number => (d === 'uint8' ? DataType.UINT8 : floatType(d));

function valueInfo(name: string, shape: readonly number[], d: OnnxDType): OnnxTypes.IValueInfoProto {
  return { name, type: { tensorType: { elemType: elemType(d), shape: { dim: shape.map((n) => ({ dimValue: n })) } } } };
}

function attribute(name: string, v: OnnxAttr): OnnxTypes.IAttributeProto {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  return { name, type: AttributeType.INTS, ints: [...v] };
}

const bytesOf = (a: Float32Array | Float64Array | BigInt64Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

function floatTensor(name: string, values: ArrayLike<number>, shape: readonly number[], dtype: DType): OnnxTypes.ITensorProto {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return { name, dims: [...shape], dataType: floatType(dtype), rawData: bytesOf(data) };
}

/** The first unsupported op, named with its node and a user, before anything is written. */
function refuseUnsupported(order: readonly Tensor[], rules: OnnxRuleTable): void {
  for (const t of order) {
    if (rules[t.op] !== 'unsupported') continue;
    const user = order.find((u) => u.inputs.includes(t));
    throw new GraphError('toOnnx', `op '${t.op}' (node ${String(t)}${user ? `, read by ${String(user)}` : ''}) has no ONNX equivalent in this exporter; build the graph without '${t.op}' (docs/onnx.md lists the ops and their ONNX forms)`);
  }
}

export function buildOnnx(g: GraphToWrite): OnnxGraph {
  const roots = [...g.outputs.map((o) => o.node), ...g.updates.map((u) => u.node)];
  const order = topoSort([...roots, ...g.updates.map((u) => u.param), ...g.inputs]);
  refuseUnsupported(order, g.rules);

  const names = new Names();
  const nodeNames = new Names();
  const nodes: OnnxTypes.INodeProto[] = [];
  const initializers: OnnxTypes.ITensorProto[] = [];
  const graphInputs: OnnxTypes.IValueInfoProto[] = [];
  const graphOutputs: OnnxTypes.IValueInfoProto[] = [];
  const valueInfos: OnnxTypes.IValueInfoProto[] = [];
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const state: { input: string; output: string }[] = [];
  /** The value holding each gradc node's result. */
  const valueOf = new Map<Tensor, string>();
  const shared = new Map<string, string>();
  /** Every value some node reads. */
  const consumed = new Set<string>();

  const addNode = (type: string, ins: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}, out?: string): string => {
    const output = out ?? names.claim(type.toLowerCase());
    for (const i of ins) consumed.add(i);
    nodes.push({ opType: type, name: nodeNames.claim(type), input: [...ins], output: [output], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return output;
  };
  const emitter: OnnxEmitter = {
    op: (type, ins, attrs) => addNode(type, ins, attrs),
    ints: (values) => {
      const key = `i64:${values.join(',')}`;
      let name = shared.get(key);
      if (name === undefined) {
        name = names.claim('ints');
        initializers.push({ name, dims: [values.length], dataType: DataType.INT64, rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))) });
        shared.set(key, name);
      }
      return name;
    },
    floats: (values, shape, dtype) => {
      const key = values.length <= 64 ? `${dtype}:${shape.join('x')}:${Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',')}` : null;
      const hit = key === null ? undefined : shared.get(key);
      if (hit !== undefined) return hit;
      const name = names.claim('const');
      initializers.push(floatTensor(name, values, shape, dtype));
      if (key !== null) shared.set(key, name);
      return name;
    },
  };

  // Graph inputs: the listed inputs (bytes cast to floats once), then params.
  for (const t of g.inputs) {
    const name = names.claim(t.attrs.name);
    const d = onnxDType(t);
    graphInputs.push(valueInfo(name, t.shape, d));
    inputs.push({ name, gradc: t.attrs.name, shape: t.shape, dtype: d });
    valueOf.set(t, d === 'uint8' ? addNode('Cast', [name], { to: floatType(t.dtype) }, names.claim(`${t.attrs.name}/float`)) : name);
  }
  const updated = new Set<Tensor>(g.updates.map((u) => u.param));
  for (const t of order) {
    if (!t.is('param')) continue;
    const p = t as Tensor<'param'>;
    const name = names.claim(p.attrs.name);
    valueOf.set(p, name);
    const value = g.values.get(p.attrs.name);
    if (value !== undefined && value.length !== p.size) throw new GraphError('toOnnx', `the value of param '${p.attrs.name}' has ${value.length} elements, but the param ${String(p)} needs ${p.size}`);
    const isInput = updated.has(p) || value === undefined;
    // Never both an input and an initializer: onnxruntime 1.30 was seen to run such an input on
    // the initializer's value, ignoring the feed (and it warns it cannot constant-fold it).
    if (value !== undefined && !isInput) initializers.push(floatTensor(name, value, p.shape, p.dtype));
    if (isInput) {
      graphInputs.push(valueInfo(name, p.shape, p.dtype));
      inputs.push({ name, gradc: p.attrs.name, shape: p.shape, dtype: p.dtype });
    }
  }

  // Output names are claimed before the nodes, so a node that is an output writes it directly.
  const outs = [
    ...g.outputs.map((o) => ({ node: o.node, gradc: o.key, name: names.claim(o.key), of: null as string | null })),
    ...g.updates.map((u) => ({ node: u.node, gradc: `new/${u.param.attrs.name}`, name: names.claim(`new/${u.param.attrs.name}`), of: valueOf.get(u.param)! })),
  ];
  const direct = new Map<Tensor, string>();
  for (const o of outs) if (!o.node.is('input') && !o.node.is('param') && !direct.has(o.node)) direct.set(o.node, o.name);

  const casts = new Map<string, string>();
  const asDType = (x: Tensor, d: DType): string => {
    const v = valueOf.get(x)!;
    if (x.dtype === d) return v;
    const key = `${v}→${d}`;
    let c = casts.get(key);
    if (c === undefined) casts.set(key, (c = addNode('Cast', [v], { to: floatType(d) })));
    return c;
  };

  for (const t of order) {
    if (valueOf.has(t)) continue;
    const rule = g.rules[t.op];
    if (rule === 'leaf' || rule === 'unsupported') throw new GraphError('toOnnx', `${String(t)} is neither listed in inputs nor a param`);
    const first = nodes.length;
    let v = (rule as (n: Tensor, a: readonly string[], e: OnnxEmitter) => string)(t, t.inputs.map((x) => asDType(x, t.dtype)), emitter);
    const want = direct.get(t);
    if (want !== undefined) {
      const last = nodes[nodes.length - 1];
      // rename the rule's last node's output when nothing reads it yet; else an Identity
      if (nodes.length > first && last!.output![0] === v && !consumed.has(v)) last!.output = [want];
      else addNode('Identity', [v], {}, want);
      v = want;
    } else {
      valueInfos.push(valueInfo(v, t.shape, t.dtype));
    }
    valueOf.set(t, v);
  }

  for (const o of outs) {
    const v = valueOf.get(o.node)!;
    if (v !== o.name) addNode('Identity', [v], {}, o.name);
    graphOutputs.push(valueInfo(o.name, o.node.shape, o.node.dtype));
    outputs.push({ name: o.name, gradc: o.gradc, shape: o.node.shape, dtype: o.node.dtype });
    if (o.of !== null) state.push({ input: o.of, output: o.name });
  }

  const metadata = { ...g.metadata, 'gradc.state': JSON.stringify(state.map((s) => [s.input, s.output])) };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'gradc',
    docString: g.docString,
    graph: {
      name: escapeGraphName(g.name),
      node: nodes,
      initializer: initializers,
      input: graphInputs,
      output: graphOutputs,
      valueInfo: valueInfos,
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  // a copy of its own: protobufjs may return a view into a shared pool (bytes.buffer would be the pool)
  const bytes = Uint8Array.from(onnx.ModelProto.encode(model).finish());
  return { bytes, inputs, outputs, state };
}

const escapeGraphName = (n: string): string => new Names().claim(n);
