// The exported ONNX file's structure, decoded with onnx-proto (no onnxruntime needed): opset and IR
// version, inputs, outputs and initializers, every node's inputs defined before it, readable and
// escaped names, the training state's pairs, the refusal of an unsupported op, option errors, and
// the atomic write.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { input, layers, model, param, sequential, softplus } from 'gradc';
import { exportOnnx, toOnnx, writeOnnx } from 'gradc/onnx';
import { exportOnnxWith, onnxRules, escapeOnnxName } from 'gradc/internals';
import { decodeOnnx as decode, dimsOf as dims, floatsOf, FLOAT, type DecodedGraph } from './helpers/onnx-decode.js';


function seed() {
  const m = sequential({ seed: 1 });
  m.add(layers.dense({ units: 6, inputDim: 5, activation: 'relu' }));
  m.add(layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  return m;
}

/** Every node reads only values defined before it: graph inputs, initializers, earlier nodes' outputs. */
function checkTopological(g: DecodedGraph): void {
  const defined = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)]);
  for (const n of g.node) {
    for (const i of n.input) expect(defined.has(i), `${n.opType} ${n.name} reads '${i}' before it is defined`).toBe(true);
    for (const o of n.output) {
      expect(defined.has(o), `'${o}' is defined twice`).toBe(false);
      defined.add(o);
    }
  }
  for (const o of g.output) expect(defined.has(o.name), `output '${o.name}' is never computed`).toBe(true);
}

describe('ONNX export: the file', () => {
  it('predict: opset 17, IR 8, the input, the output, the weights as initializers with their values', () => {
    const m = seed();
    const bytes = toOnnx(m, { batchSize: 4 });
    const p = decode(bytes);
    expect(Number(p.irVersion)).toBe(8);
    expect(p.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(p.producerName).toBe('gradc');
    const g = p.graph;
    expect(g.input.map((i) => [i.name, dims(i), i.type!.tensorType!.elemType])).toEqual([['x', [4, 5], FLOAT]]);
    expect(g.output.map((o) => [o.name, dims(o)])).toEqual([['y', [4, 3]]]);
    const weights = m.getWeights();
    for (const [name, value] of weights) {
      const init = g.initializer.find((t) => t.name === name)!;
      expect(init, name).toBeDefined();
      expect(init.dims.map(Number)).toEqual(m.params.find((q) => q.attrs.name === name)!.shape);
      expect(floatsOf(init)).toEqual(value);
    }
    checkTopological(g);
    expect(new Set(g.node.map((n) => n.opType))).toEqual(new Set(['MatMul', 'Add', 'Relu', 'Softmax']));
  });

  it('train: data, scalars, params and slots in; loss, y and every new value out; gradc.state pairs them', () => {
    const m = seed();
    const x = exportOnnx(m, { step: 'train', batchSize: 8 });
    const p = decode(x.bytes);
    const g = p.graph;
    const slots = ['m', 'v'];
    const params = ['dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias'];
    const state = [...params, ...params.flatMap((q) => slots.map((s) => `${q}/${s}`))];
    expect(g.input.map((i) => i.name).sort()).toEqual(['x', 'target', 'adam/lr_t', ...state].sort());
    expect(g.output.map((o) => o.name).sort()).toEqual(['loss', 'y', ...state.map((s) => `new/${s}`)].sort());
    expect(dims(g.input.find((i) => i.name === 'adam/lr_t')!)).toEqual([]);
    expect(dims(g.output.find((o) => o.name === 'loss')!)).toEqual([]);
    // state inputs are inputs only: no initializer of the same name
    expect(g.initializer.filter((t) => state.includes(t.name))).toEqual([]);
    const meta = Object.fromEntries(p.metadataProps.map((e) => [e.key, e.value]));
    expect(JSON.parse(meta['gradc.state']!)).toEqual(x.state.map((s) => [s.input, s.output]));
    expect(x.state.map((s) => [s.input, s.output]).sort()).toEqual(state.map((s) => [s, `new/${s}`]).sort());
    expect(JSON.parse(meta['gradc.optimizer']!)).toMatchObject({ name: 'adam', learningRate: 0.001, beta1: 0.9 });
    expect(JSON.parse(meta['gradc.scalars']!)).toEqual(['adam/lr_t']);
    checkTopological(g);
  });

  it('names: plain ones kept, others escaped, clashes made unique; the signature says which is which', () => {
    expect(escapeOnnxName('dense_1/kernel')).toBe('dense_1/kernel');
    expect(escapeOnnxName('a b"\n')).toBe('a_x20_b_x22__x0a_');
    const a = input('a b', [2, 2]);
    const b = input('a_x20_b', [2, 2]);
    const W = param('w\u00e9ight;', [2, 2]);
    const out = exportOnnx({ inputs: [a, b], outputs: { 'y"': a.add(b).matmul(W) } });
    expect(out.inputs.map((i) => [i.gradc, i.name])).toEqual([['a b', 'a_x20_b'], ['a_x20_b', 'a_x20_b_2'], ['w\u00e9ight;', 'w_xe9_ight_x3b_']]);
    expect(out.outputs.map((o) => [o.gradc, o.name])).toEqual([['y"', 'y_x22_']]);
    const g = decode(out.bytes).graph;
    for (const n of [...g.input.map((i) => i.name), ...g.output.map((o) => o.name), ...g.node.flatMap((n) => [...n.input, ...n.output])]) {
      expect(n).toMatch(/^[A-Za-z0-9_./:-]+$/);
    }
    checkTopological(g);
  });

  it('an output that is an input, or one node under two output names, is an Identity', () => {
    const x = input('x', [3]);
    const y = x.exp();
    const out = exportOnnx({ inputs: [x], outputs: { x, y, again: y } });
    const g = decode(out.bytes).graph;
    expect(out.outputs.map((o) => o.name)).toEqual(['x_2', 'y', 'again']);
    expect(g.node.map((n) => n.opType).sort()).toEqual(['Exp', 'Identity', 'Identity']);
    checkTopological(g);
  });

  it('refuses an op the table marks unsupported, naming the op and the node, before any rule runs', () => {
    const x = input('x', [2, 3]);
    const y = softplus(x.exp()).add(1);
    // every other rule counts its calls: the refusal comes before the first (the exp under softplus)
    let ran = 0;
    const counting = Object.fromEntries(Object.entries(onnxRules).map(([op, r]) => [op, typeof r === 'function' ? (...a: unknown[]) => (ran++, (r as (...b: unknown[]) => string)(...a)) : r]));
    expect(() => exportOnnxWith({ inputs: [x], outputs: { y } }, {}, { ...(counting as typeof onnxRules), softplus: 'unsupported' })).toThrow(
      /^toOnnx: op 'softplus' \(node Tensor\(softplus#\d+ \[2,3\] float32\), read by Tensor\(add#\d+ \[2,3\] float32\)\) has no ONNX equivalent in this exporter; build the graph without 'softplus'/,
    );
    expect(ran).toBe(0);
    exportOnnxWith({ inputs: [x], outputs: { y } }, {}, counting as typeof onnxRules);
    expect(ran).toBeGreaterThan(0); // the counting table itself runs its rules
  });

  it('says what is wrong with the graph or the options, as toOnnx', () => {
    const x = input('x', [2, 3]);
    const t = input('t', [2, 3]);
    expect(() => toOnnx({ inputs: [x], outputs: { y: x.add(t) } })).toThrow("toOnnx: input 't' [2,3] is used but not listed in inputs; add it to inputs");
    expect(() => toOnnx({ inputs: [x], outputs: { y: x } }, { params: { w: new Float32Array(1) } })).toThrow("toOnnx: params names 'w', which the graph does not read");
    expect(() => toOnnx({ inputs: [x], outputs: { y: x } }, { batchSize: 3 } as never)).toThrow("toOnnx: unknown option 'batchSize' for a graph; options are params, simplify, name");
    const W = param('W', [3, 3]);
    expect(() => toOnnx({ inputs: [x], outputs: { y: x.matmul(W) } }, { params: { W: new Float32Array(4) } })).toThrow("toOnnx: the value of param 'W' has 4 elements, but the param Tensor(param");
    const m = seed();
    expect(() => toOnnx(m, { step: 'fit' as never })).toThrow(`toOnnx: step must be 'predict' or 'train', got "fit"`);
    const fixed = model({ inputs: input('x', [4, 3]), outputs: input('x', [4, 3]).matmul(param('k', [3, 2])).softmax() });
    expect(() => toOnnx(fixed, { batchSize: 8 })).toThrow("toOnnx: the model's graph is built for batches of 4 rows; pass batchSize 4 or leave it out");
    expect(() => toOnnx(fixed, { step: 'train' })).toThrow('model.stepGraph: call model.compile');
  });

  it('writeOnnx writes the file atomically and returns the signature', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-onnx-'));
    const file = join(dir, 'seed.onnx');
    const m = seed();
    const g = writeOnnx(file, m, { batchSize: 2 });
    expect(new Uint8Array(readFileSync(file))).toEqual(g.bytes);
    expect(g.bytes.byteOffset === 0 && g.bytes.buffer.byteLength === g.bytes.length).toBe(true); // its own buffer, not a pool's
    expect(readdirSync(dir)).toEqual(['seed.onnx']);
    expect(() => writeOnnx(join(dir, 'no', 'such', 'dir.onnx'), m)).toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
