/** The public compile API: feeds, params, updates, names, fusion reports, memory, debugging. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { compile, constant, evaluate, grad, input, oneHot, param, softmax } from 'gradc';
import type { Tensor } from 'gradc';
import { relErr, uniform } from './compile-helpers.js';

describe('feeds are checked before any kernel runs', () => {
  const x = input('x', [2, 3]);
  const W = param('W', [3]);
  const exe = compile({ inputs: [x], outputs: { y: x.mul(W).sum(1) }, updates: [[W, W.add(1)]] });
  const good = Float32Array.of(1, 2, 3, 4, 5, 6);

  test.each([
    ['missing', {}, /run: missing feed for input 'x'; pass a Float32Array of 6 values \(shape \[2,3\]\)/],
    ['too short', { x: new Float32Array(5) }, /feed 'x' has 5 values but input 'x' \[2,3\] has 6/],
    ['wrong type', { x: new Int32Array(6) }, /feed 'x' is Int32Array; pass a Float32Array of 6 values/],
    ['a string', { x: 'abcdef' }, /feed 'x' is string; pass a Float32Array/],
    ['nested', { x: [[1, 2, 3], [4, 5, 6]] }, /feed 'x' is a nested array \(2 rows\); run takes flat data; pass a Float32Array of 6 values \(shape \[2,3\]\) \(e\.g\. Float32Array\.from\(rows\.flat\(\)\)\)/],
    ['non-numbers', { x: [1, 2, 3, 4, 5, '6'] }, /feed 'x' has a string at index 5/],
    ['unknown', { x: good, z: good }, /feed 'z' is not an input of this program; its inputs are 'x'/],
  ])('%s feed: a clear error, and nothing ran', (_, feeds, message) => {
    exe.setParam(W, [1, 1, 1]);
    expect(() => exe.run(feeds as never)).toThrow(message);
    expect(Array.from(exe.getParam(W))).toEqual([1, 1, 1]); // the update did not run
  });

  test('a good feed runs: outputs are arena views, plain number arrays work too', () => {
    exe.setParam(W, [1, 2, 3]);
    const out = exe.run({ x: good });
    expect(Array.from(out.y!)).toEqual([1 + 4 + 9, 4 + 10 + 18]);
    expect(Array.from(exe.getParam(W))).toEqual([2, 3, 4]);
    expect(exe.run({ x: [0, 0, 0, 0, 0, 0] })).toBe(out); // the same object, updated in place
    expect(Array.from(out.y!)).toEqual([0, 0]);
  });
});

describe('params', () => {
  const W = param('W', [2, 2]);
  const x = input('x', [2]);
  const exe = compile({ inputs: [x], outputs: { y: x.reshape([1, 2]).matmul(W) } });

  test('set by tensor, by name, or with an initializer; read back as a copy or into a buffer', () => {
    exe.setParam(W, Float32Array.of(1, 2, 3, 4));
    expect(Array.from(exe.run({ x: [1, 1] }).y!)).toEqual([4, 6]);
    exe.setParam('W', (i) => i * 10);
    expect(Array.from(exe.getParam('W'))).toEqual([0, 10, 20, 30]);
    const copy = exe.getParam(W);
    copy[0] = 99;
    expect(exe.getParam(W)[0]).toBe(0);
    const into = new Float32Array(4);
    expect(exe.getParam(W, into)).toBe(into);
    expect(exe.paramNames).toEqual(['W']);
  });

  test('errors name the param and what it needs', () => {
    expect(() => exe.setParam(W, [1, 2, 3])).toThrow(/setParam: param 'W' \[2,2\] needs 4 values, got 3/);
    expect(() => exe.setParam('V', [1])).toThrow(/setParam: 'V' is not a param of this program; its params are 'W'/);
    expect(() => exe.setParam(param('W', [3]), [1, 2, 3])).toThrow(/is not a param of this program/);
    expect(() => exe.setParam(W, () => 'a' as never)).toThrow(/initializer for 'W' returned string at index 0/);
  });

  test('an initializer value or float array that is not finite is refused, and the param keeps its value', () => {
    exe.setParam(W, [1, 2, 3, 4]);
    expect(() => exe.setParam(W, () => 1e999)).toThrow("setParam: the initializer for 'W' returned Infinity at index 0; params must be finite numbers");
    expect(() => exe.setParam(W, Float64Array.of(1, 2, 3, -Infinity))).toThrow("setParam: data for 'W' has -Infinity at index 3; params must be finite numbers");
    expect(() => exe.setParam(W, Float32Array.of(0, NaN, 3, 4))).toThrow("setParam: data for 'W' has NaN at index 1");
    expect(() => exe.setParam(W, [1, 2, undefined, 4] as never)).toThrow("setParam: data for 'W' has a undefined at index 2; pass 4 numbers, flat");
    expect(Array.from(exe.getParam(W))).toEqual([1, 2, 3, 4]);
    exe.setParam(W, Float64Array.of(0.5, -1, 1e-30, 4)); // finite float64 values, rounded to the param's float32
    expect(Array.from(exe.getParam(W))).toEqual(Array.from(Float32Array.of(0.5, -1, 1e-30, 4)));
  });
});

describe('updates are one step: every update and output reads the old values', () => {
  test('swapping two params', () => {
    const a = param('a', [2]);
    const b = param('b', [2]);
    const exe = compile({ inputs: [], outputs: { d: a.sub(b) }, updates: [[a, b], [b, a]] });
    exe.setParam(a, [1, 2]);
    exe.setParam(b, [10, 20]);
    const out = exe.run({});
    expect(Array.from(out.d!)).toEqual([-9, -18]);
    expect(Array.from(exe.getParam(a))).toEqual([10, 20]);
    expect(Array.from(exe.getParam(b))).toEqual([1, 2]);
  });

  test('a swap through a transpose: one update is in place, the other committed from its own copy', () => {
    const a = param('a', [2, 2]);
    const b = param('b', [2, 2]);
    const exe = compile({ inputs: [], outputs: {}, updates: [[a, b], [b, a.transpose()]] });
    exe.setParam(a, [1, 2, 3, 4]);
    exe.setParam(b, [10, 20, 30, 40]);
    exe.run({});
    expect(Array.from(exe.getParam(a))).toEqual([10, 20, 30, 40]);
    expect(Array.from(exe.getParam(b))).toEqual([1, 3, 2, 4]);
    expect(exe.kernels.map((k) => k.name)).toEqual(['copy', 'commit']);
  });

  test('a param that is also an output is read before its update', () => {
    const W = param('W', [3]);
    const exe = compile({ inputs: [], outputs: { old: W }, updates: [[W, W.add(1)]] });
    exe.setParam(W, [1, 2, 3]);
    expect(Array.from(exe.run({}).old!)).toEqual([1, 2, 3]);
    expect(Array.from(exe.getParam(W))).toEqual([2, 3, 4]);
  });

  test('an update that reads its param transposed is not done in place (it is committed last)', () => {
    const W = param('W', [2, 2]);
    const lines: string[] = [];
    const exe = compile({ inputs: [], outputs: { s: W.sum() }, updates: [[W, W.transpose().mul(2)]] }, { debug: 2, log: (l) => lines.push(l) });
    exe.setParam(W, [1, 2, 3, 4]);
    expect(Array.from(exe.run({}).s!)).toEqual([10]);
    expect(Array.from(exe.getParam(W))).toEqual([2, 6, 4, 8]);
    expect(lines.join('\n')).toMatch(/updates committed after the last reader: W/);
  });

  test('kernels reading a param run before the kernel that updates it in place', () => {
    // The update of W is fused into the matmul computing its gradient; the output still sees the old W.
    const x = input('x', [4, 3]);
    const W = param('W', [3, 2]);
    const y = x.matmul(W).tanh();
    const [g] = grad(y.sum(), [W]);
    const exe = compile({ inputs: [x], outputs: { y, u: W.mul(3) }, updates: [[W, W.sub(g!.mul(0.1))]] });
    const xv = uniform(12, 1);
    const wv = uniform(6, 2);
    exe.setParam(W, wv);
    const ref = evaluate([y, W.mul(3), W.sub(g!.mul(0.1))], { x: xv, W: wv });
    const out = exe.run({ x: xv });
    expect(relErr(out.y!, ref[0]!.data)).toBeLessThan(1e-5);
    expect(relErr(out.u!, ref[1]!.data)).toBeLessThan(1e-6);
    expect(relErr(exe.getParam(W), ref[2]!.data)).toBeLessThan(1e-5);
  });
});

describe('generated code never contains a user string', () => {
  test('a param, an input and an output named like code compile and run correctly', () => {
    const evil = '"]);process.exit(1);//';
    const W = param(evil, [3]);
    const x = input('x`); throw 1; //${', [3]);
    const exe = compile({ inputs: [x], outputs: { [evil]: x.mul(W).sum() }, updates: [[W, W.add(x)]] });
    exe.setParam(evil, [1, 2, 3]);
    const out = exe.run({ 'x`); throw 1; //${': [1, 1, 1] });
    expect(Array.from(out[evil]!)).toEqual([6]);
    expect(Array.from(exe.getParam(W))).toEqual([2, 3, 4]);
    expect(exe.source).not.toContain('process');
    expect(exe.source).not.toContain('throw');
    expect(exe.memory.buffers.find((b) => b.role === 'param')!.name).toBe(evil);
  });
});

describe('constants, one-hot labels, float64', () => {
  test('constant data lives in the arena; one-hot rows come from labels', () => {
    const labels = input('labels', [4]);
    const x = input('x', [4, 3]);
    const y = x.add(constant([[1, 2, 3]])).mul(oneHot(labels, 3));
    const exe = compile({ inputs: [labels, x], outputs: { y } });
    const xv = uniform(12, 1);
    const feeds = { labels: [2, 0, 1, 2], x: xv };
    expect(relErr(exe.run(feeds).y!, evaluate(y, feeds).data)).toBeLessThan(1e-6);
    expect(exe.memory.buffers.some((b) => b.role === 'constant')).toBe(true);
  });

  test('a float64 graph is computed and stored in float64', () => {
    const x = input('x', [5], {}, 'float64');
    const y = x.exp().sum().log();
    const exe = compile({ inputs: [x], outputs: { y } });
    const xv = Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5);
    const out = exe.run({ x: xv }).y!;
    expect(out).toBeInstanceOf(Float64Array);
    expect(Math.abs(out[0]! - Math.log(Array.from(xv).reduce((s, v) => s + Math.exp(v), 0)))).toBeLessThan(1e-15);
  });
});

describe('fusion, as exe.kernels reports it', () => {
  test('a chain of elementwise ops is one loop', () => {
    const x = input('x', [100]);
    const exe = compile({ inputs: [x], outputs: { y: x.mul(2).add(1).tanh().square().neg() } });
    expect(exe.kernels).toHaveLength(1);
    expect(exe.kernels[0]!.ops).toEqual(['mul', 'add', 'tanh', 'square', 'neg']);
  });

  test('a matmul takes its bias and activation as epilogue', () => {
    const x = input('x', [8, 5]);
    const W = param('W', [5, 4]);
    const b = param('b', [4]);
    const exe = compile({ inputs: [x], outputs: { h: x.matmul(W).add(b).relu() } }, { backend: 'js' });
    expect(exe.kernels.map((k) => [k.name, k.ops])).toEqual([['matmul_add_relu', ['matmul', 'add', 'relu']]]);
    expect(exe.kernels[0]!.loops).toBe('matmul 8×5·5×4');
    // JS target: small b is read by columns (dot), 4×4 register tiles, f32 products summed in f64
    expect(exe.kernels[0]!.plan).toBe('matmul 8×5·5×4: order dot, tile 4×4, scalar, acc f64, panel 4×4 in scratch');
    expect(exe.backend).toBe('js');
  });

  test('a reduction takes its elementwise producers and consumers: ‖x‖ per row is one kernel', () => {
    const x = input('x', [6, 7]);
    const exe = compile({ inputs: [x], outputs: { n: x.square().sum(1).sqrt() } }, { backend: 'js' });
    expect(exe.kernels).toHaveLength(1);
    expect(exe.kernels[0]!.loops).toBe('6 | reduce[7], map[]');
    expect(exe.kernels[0]!.plan).toBe('loops 6 | reduce[7], map[]');
  });

  test('softmax and its gradient are one row-wise kernel', () => {
    const z = input('z', [4, 10]);
    const c = input('c', [4, 10]);
    const y = softmax(z);
    const [dz] = grad(y.mul(c).sum(), [z]);
    const exe = compile({ inputs: [z, c], outputs: { dz: dz! } });
    expect(exe.kernels).toHaveLength(1);
    expect(exe.kernels[0]!.loops).toBe('4 | reduce[10], reduce[10], reduce[10], map[10]');
    const zv = uniform(40, 3), cv = uniform(40, 4);
    expect(relErr(exe.run({ z: zv, c: cv }).dz!, evaluate(dz!, { z: zv, c: cv }).data)).toBeLessThan(1e-5);
  });

  test('temporaries with disjoint lifetimes share arena space', () => {
    const x = input('x', [64, 64]);
    let h: Tensor = x;
    for (let i = 0; i < 4; i++) h = h.matmul(h).tanh();
    const exe = compile({ inputs: [x], outputs: { y: h.sum() } });
    const m = exe.memory;
    expect(m.tempBytesUnshared).toBeGreaterThan(m.tempBytesShared);
    const temps = m.buffers.filter((b) => b.role === 'temp');
    expect(new Set(temps.map((b) => b.offset)).size).toBeLessThan(temps.length);
    expect(m.arenaBytes).toBeGreaterThanOrEqual(m.buffers.reduce((a, b) => Math.max(a, b.offset + b.bytes), 0));
    const xv = uniform(64 * 64, 5, -0.2, 0.2);
    expect(relErr(exe.run({ x: xv }).y!, evaluate(h.sum(), { x: xv }).data)).toBeLessThan(1e-4);
  });
});

describe('debugging', () => {
  const x = input('x', [3]);
  const spec = { inputs: [x], outputs: { y: x.exp().sum() } };
  afterEach(() => { delete process.env.GRADC_DEBUG; });

  test('levels 1 to 4: summary, kernels, rewrites, generated code', () => {
    const at = (debug: number) => { const lines: string[] = []; compile(spec, { debug, backend: 'js', log: (l) => lines.push(l) }); return lines.join('\n'); };
    expect(at(0)).toBe('');
    expect(at(1)).toMatch(/^gradc compile \(js\): \d+ graph nodes -> 1 kernels; arena \d+ bytes .* ms \(check .*, simplify .*, schedule .*, lower .*, emit .*\)$/);
    // level 2 shows each kernel's plan
    expect(at(2)).toMatch(/\n {2}k0 sum_exp: loops scalar \| reduce\[3\], map\[\]; fuses sum exp$/);
    expect(at(3)).toMatch(/rewrites/);
    const lines: string[] = [];
    const a = input('a', [8, 5]), W = param('W_dbg', [5, 4]);
    compile({ inputs: [a], outputs: { h: a.matmul(W) } }, { debug: 2, backend: 'js', log: (l) => lines.push(l) });
    expect(lines[1]).toMatch(/^ {2}k0 matmul: matmul 8×5·5×4: order dot, tile 4×4, scalar, acc f64, panel 4×4 in scratch; fuses matmul$/);
    expect(at(4)).toContain('function k0_sum_exp()');
  });

  test('GRADC_DEBUG sets the level; a bad value is warned about once and ignored', () => {
    process.env.GRADC_DEBUG = '2';
    const lines: string[] = [];
    compile(spec, { log: (l) => lines.push(l) });
    expect(lines).toHaveLength(2);
    process.env.GRADC_DEBUG = 'lots';
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const quiet: string[] = [];
    compile(spec, { log: (l) => quiet.push(l) });
    compile(spec, { log: (l) => quiet.push(l) });
    expect(quiet).toEqual([]);
    expect(warned.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/GRADC_DEBUG must be 0, 1, 2, 3 or 4, got 'lots'; ignoring it/)]);
    warned.mockRestore();
    expect(() => compile(spec, { debug: 7 })).toThrow(/debug must be 0-4/);
  });
});

describe('compile refuses bad programs before doing any work', () => {
  const x = input('x', [2]);
  const W = param('W', [2]);
  test.each([
    ['an unlisted input', { inputs: [], outputs: { y: x.add(1) } }, /input 'x' \[2\] is used but not listed in inputs/],
    ['a param as input', { inputs: [W], outputs: { y: W.add(1) } }, /inputs\[0\] must be an input\(...\) tensor.*params are set with exe.setParam/],
    ['an update of an input', { inputs: [x], outputs: {}, updates: [[x, x.add(1)]] }, /updates\[0\]: the target must be a param/],
    ['a shape mismatch', { inputs: [], outputs: {}, updates: [[W, W.sum()]] }, /param 'W' has shape \[2\] but its new value has shape \[\]/],
    ['two updates of one param', { inputs: [], outputs: {}, updates: [[W, W.add(1)], [W, W.add(2)]] }, /param 'W' is updated twice/],
    ['a non-tensor output', { inputs: [x], outputs: { y: 3 } }, /outputs\['y'\] must be a Tensor, got number/],
    ['nothing to do', { inputs: [x], outputs: {} }, /nothing to compute/],
    ['two inputs with one name', { inputs: [x, input('x', [3])], outputs: { y: x.add(1) } }, /two different nodes are named 'x' \(\[2\] and \[3\]\)/],
    ['an input listed twice', { inputs: [x, x], outputs: { y: x.add(1) } }, /input 'x' is listed twice/],
    ['a param and an input with one name', { inputs: [x], outputs: { y: x.add(param('x', [2])) } }, /two different nodes are named 'x'/],
  ])('%s', (_, spec, message) => {
    expect(() => compile(spec as never)).toThrow(message);
  });
});

describe('long graphs', () => {
  test('a chain of 10,000 elementwise ops compiles without deep recursion, split into bounded kernels', () => {
    const x = input('x', [8]);
    let y: Tensor = x;
    for (let i = 0; i < 10_000; i++) y = i % 2 ? y.mul(0.999) : y.add(0.001);
    const exe = compile({ inputs: [x], outputs: { y } }, { simplify: false });
    expect(exe.kernels.length).toBeGreaterThan(100); // an expression at most ~48 ops deep per kernel
    const xv = uniform(8, 9);
    expect(relErr(exe.run({ x: xv }).y!, evaluate(y, { x: xv }).data)).toBeLessThan(1e-5);
  });
});
