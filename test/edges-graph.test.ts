/** Edges users hit in the graph API (issue 11): each reproduction from the issue, as a test. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { checkGrad, compile, describeGradCheck, evaluate, grad, input, param, Rng } from 'gradc';

afterEach(() => vi.restoreAllMocks());

describe('grad refuses a wrt leaf that is not the one the loss reads', () => {
  it('names both nodes when a second param of the same name has another shape', () => {
    const x = input('x', [4, 3]);
    const W = param('W', [3, 2]);
    const L = x.matmul(W).square().sum();
    expect(() => grad(L, [param('W', [2, 3])])).toThrow(
      "grad: wrt param 'W' [2,3] float32 is not the node the loss reads: the loss reads param 'W' [3,2] float32, a different node of the same name; pass the node the loss was built from",
    );
    expect(() => grad(L, [param('W', [3, 2], 'float64')])).toThrow(/the loss reads param 'W' \[3,2\] float32/);
    // the same node (hash-consed: the same name, shape and dtype) is fine, and an unrelated leaf still gets zeros
    const [gW, gZ] = grad(L, [param('W', [3, 2]), param('Z', [5])]);
    expect(gW!.shape).toEqual([3, 2]);
    expect(Array.from(evaluate(gZ!).data)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('checkGrad on functions with kinks', () => {
  const net = (x: Parameters<Parameters<typeof checkGrad>[0]>[0], a: typeof x, b: typeof x) => x.matmul(a).relu().matmul(b).square().mean();
  const point = (seed: number) => {
    const r = new Rng(seed);
    const t = (shape: number[], s: number) => ({ shape, data: Float64Array.from({ length: shape[0]! * shape[1]! }, () => r.normal() * s) });
    return [t([16, 6], 1), t([6, 12], 0.5), t([12, 3], 0.5)];
  };

  it('passes a relu network at random points: a step that crosses a kink is retried smaller', () => {
    // seed 13 gave a false 1.2e-1 error with the default step before retries
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
      const r = checkGrad(net, point(seed), { seed });
      if (!r.ok) throw new Error(describeGradCheck(r));
      expect(r.nonSmooth).toBe(false);
    }), { numRuns: 12 });
    const r13 = checkGrad(net, point(13));
    expect(r13.ok).toBe(true);
    expect(r13.refined).toBeGreaterThan(0);
  });

  it('a step far larger than the distance to the kink is retried down to one that fits', () => {
    const r = checkGrad((x) => x.abs().sum(), [[0.3, -0.7, 1.1]], { step: 1 }); // step 1 crosses 0 from each point
    expect(r.ok).toBe(true);
    expect(r.refined).toBeGreaterThan(0);
  });

  it('says the function is not smooth when the point sits on a kink', () => {
    const r = checkGrad((x) => x.relu().sum(), [[0, 1, -1]]);
    expect(r.ok).toBe(false);
    expect(r.nonSmooth).toBe(true);
    expect(describeGradCheck(r)).toMatch(/the function is not smooth at this point \(one-sided differences disagree even at step\/1000.*move the point off the kink/);
  });
});

describe('compiled programs: params and feeds', () => {
  const x = input('x', [2, 3]);
  const W = param('W', [3]);
  const exe = compile({ inputs: [x], outputs: { y: x.mul(W).sum(1) } });

  it('setParam refuses NaN and ±Infinity, as setWeights does, and changes nothing', () => {
    exe.setParam(W, [1, 2, 3]);
    expect(() => exe.setParam(W, [1, NaN, 3])).toThrow("setParam: data for 'W' has NaN at index 1; params must be finite numbers");
    expect(() => exe.setParam(W, Float32Array.of(1, 2, Infinity))).toThrow("setParam: data for 'W' has Infinity at index 2");
    expect(() => exe.setParam(W, (i) => (i === 2 ? NaN : 0))).toThrow("setParam: the initializer for 'W' returned NaN at index 2; params must be finite numbers");
    expect(() => exe.setParam(W, Float64Array.of(-Infinity, 2, 3))).toThrow("setParam: data for 'W' has -Infinity at index 0");
    expect(() => exe.setParam(W, Float32Array.of(1, NaN, NaN))).toThrow("setParam: data for 'W' has NaN at index 1");
    expect(() => exe.setParam(W, NaN)).toThrow("setParam: cannot fill 'W' with NaN; params must be finite numbers");
    expect(() => exe.setParam(W, -Infinity)).toThrow("setParam: cannot fill 'W' with -Infinity");
    expect(() => exe.setParam(W, 'x' as never)).toThrow("setParam: data for 'W' must be a Float32Array or number array of 3 values, one number to fill with, or a function of the index");
    expect(Array.from(exe.getParam(W))).toEqual([1, 2, 3]);
  });

  it('setParam with one number fills the param (as torch fill_), and counts as set', () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const V = param('V', [3]);
    const filled = compile({ inputs: [x], outputs: { y: x.mul(V).sum(1) } });
    filled.setParam(V, 0.25);
    expect(Array.from(filled.getParam(V))).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(filled.run({ x: Float32Array.of(1, 2, 3, 4, 5, 6) }).y)).toEqual([1.5, 3.75]);
    filled.setParam('V', 0);
    expect(Array.from(filled.getParam(V))).toEqual([0, 0, 0]);
    expect(warned).not.toHaveBeenCalled();
    warned.mockRestore();
  });

  it('run names a nested array as such, not by its row count', () => {
    exe.setParam(W, [1, 1, 1]);
    expect(() => exe.run({ x: [[1, 2, 3], [4, 5, 6]] as never })).toThrow(/feed 'x' is a nested array \(2 rows\); run takes flat data; pass a Float32Array of 6 values \(shape \[2,3\]\)/);
  });

  it('warns once when a program runs on params never set (zeros), naming them and the fix', () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const V = param('V', [3]);
    const fresh = compile({ inputs: [x], outputs: { y: x.mul(V).sum(1) } });
    fresh.run({ x: new Float32Array(6) });
    fresh.run({ x: new Float32Array(6) });
    expect(warned.mock.calls.map((c) => String(c[0]))).toEqual([
      "run: param 'V' never set, so it holds zeros; call exe.setParam(name, values) first (exe.setParam(name, 0) if zeros are meant)",
    ]);
    const set = compile({ inputs: [x], outputs: { y: x.mul(V).sum(1).add(1) } });
    set.setParam(V, () => 0);
    set.run({ x: new Float32Array(6) });
    expect(warned).toHaveBeenCalledTimes(1);
  });

  it('a misspelled feed is named when evaluate misses the input it was meant for', () => {
    const w = param('weight', [3]);
    expect(() => evaluate(x.mul(w).sum(), { x: new Float32Array(6), wieght: [1, 2, 3] })).toThrow(
      "evaluate: no feed for param 'weight' [3]; pass feeds['weight'] as a Float32Array or number array of 3 values (shape [3]) (feeds has 'wieght': misspelled?)",
    );
  });

  it('evaluate refuses a misspelled extra feed, as run does, with a did-you-mean hint; a known leaf the graph does not read is allowed', () => {
    const w = param('weight', [3]);
    const y = x.mul(w).sum();
    const feeds = { x: new Float32Array(6), weight: [1, 2, 3] };
    expect(() => evaluate(y, { ...feeds, weigth: [1, 2, 3] })).toThrow(
      /^evaluate: feed 'weigth' names no input or param \(did you mean 'weight'\?\); the graph reads '(x', 'weight|weight', 'x)'\. Fix the name, or drop the feed$/,
    );
    // the forward graph's feeds serve a graph that reads fewer leaves (a gradient, a simplified form)
    expect(Array.from(evaluate(x.sum(), feeds).data)).toEqual([0]);
    expect(() => evaluate(x.sum(), feeds, { unusedFeeds: 'error' })).toThrow(/^evaluate: feed 'weight' is not read by the graph; the graph reads 'x'\. Drop it/);
    // run: every feed must be an input of the program; a near name is offered
    exe.setParam(W, [1, 1, 1]);
    expect(() => exe.run({ x: new Float32Array(6), w: [1, 2, 3] } as never)).toThrow(
      "run: feed 'w' is not an input of this program (did you mean 'W'?); its inputs are 'x' (set params with setParam)",
    );
  });

  it('GRADC_DEBUG=abc warns and is ignored instead of breaking every compile', () => {
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    process.env.GRADC_DEBUG = 'abc';
    try {
      const lines: string[] = [];
      const e = compile({ inputs: [x], outputs: { y: x.sum() } }, { log: (l) => lines.push(l) });
      expect(Array.from(e.run({ x: [1, 2, 3, 4, 5, 6] }).y!)).toEqual([21]);
      expect(lines).toEqual([]);
      expect(String(warned.mock.calls[0]?.[0])).toMatch(/GRADC_DEBUG must be 0, 1, 2, 3 or 4, got 'abc'; ignoring it/);
    } finally {
      delete process.env.GRADC_DEBUG;
    }
  });
});
