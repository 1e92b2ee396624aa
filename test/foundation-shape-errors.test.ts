// Wrong calls fail when the node is built (or before evaluate does any work), with a
// GraphError whose full message names the op, the shapes or values, and the rule.
import { describe, expect, it } from 'vitest';
import {
  GraphError, add, binaryCrossEntropy, concat, constant, crossEntropy, evaluate, grad, input, logSoftmax, matmul,
  meanSquaredError, oneHot, ones, param, softmaxCrossEntropy, sum, vjp, where,
} from 'gradc';

/** Runs `call` and asserts it throws a GraphError with exactly `message`. */
function expectGraphError(call: () => unknown, message: string): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected: ${message}`).toBeInstanceOf(GraphError);
  expect((caught as Error).message).toBe(message);
}

const x = (shape: number[], name = 'x') => input(name, shape);

describe('shape errors at build time', () => {
  const table: [string, () => unknown, string][] = [
    ['matmul inner dims', () => matmul(x([32, 784]), x([783, 10], 'W')), 'matmul: inner dimensions differ: [32,784] · [783,10]'],
    ['matmul of a vector', () => x([3]).matmul(x([3, 2], 'W')), 'matmul: operands must have rank >= 2, got [3] · [3,2]; reshape a vector to [1,k] or [k,1]'],
    ['matmul batch dims', () => x([2, 3, 4]).matmul(x([5, 4, 2], 'W')), 'matmul: batch dimensions do not broadcast: [2,3,4] · [5,4,2]; leading sizes must match or be 1'],
    ['matmul with a number', () => matmul(x([2, 2]), 2 as never), 'matmul: operand 2 must be a Tensor, got the number 2; wrap it with constant(2)'],
    ['add without broadcast', () => x([2, 3]).add(x([4, 3], 'y')),
      'add: shapes [2,3] and [4,3] do not broadcast: size 2 vs 4 at axis -2; sizes must match or one of them must be 1 (reshape or broadcastTo first)'],
    ['where without broadcast', () => where(x([2]), x([3], 'a'), 0),
      'where: shapes [2] and [3] and [] do not broadcast: size 2 vs 3 at axis -1; sizes must match or one of them must be 1 (reshape or broadcastTo first)'],
    ['two numbers', () => add(1 as never, 2 as never), 'add: both operands are numbers (1, 2); make one a tensor with constant(...)'],
    ['an array operand', () => x([2]).add([1, 2] as never), 'add: operand 2 must be a Tensor or a number, got an array (wrap it with constant(...))'],
    ['reshape sizes', () => x([2, 3]).reshape([4, 2]), 'reshape: cannot reshape [2,3] (6 elements) to [4,2] (8 elements); the sizes must match'],
    ['reshape two -1', () => x([2, 3]).reshape([-1, -1]), 'reshape: shape [-1,-1] has more than one -1; at most one size can be inferred'],
    ['reshape -1 not inferable', () => x([2, 3]).reshape([4, -1]), 'reshape: cannot infer -1 in [4,-1] from 6 elements of [2,3]'],
    ['reshape negative size', () => x([2, 3]).reshape([-2, -3]), 'reshape: shape [-2,-3] has a dimension -2; dimensions must be non-negative integers'],
    ['transpose repeated axis', () => x([2, 3]).transpose([0, 0]), 'transpose: perm [0,0] is not a permutation of the 2 axes of [2,3]; list each axis 0..1 once'],
    ['transpose short perm', () => x([2, 3, 4]).transpose([1, 0]), 'transpose: perm [1,0] is not a permutation of the 3 axes of [2,3,4]; list each axis 0..2 once'],
    ['broadcastTo lower rank', () => x([2, 3]).broadcastTo([3]), "broadcastTo: cannot broadcast [2,3] to [3]; every size must match the target's or be 1"],
    ['broadcastTo other size', () => x([2, 3]).broadcastTo([2, 4]),
      'broadcastTo: shapes [2,3] and [2,4] do not broadcast: size 3 vs 4 at axis -1; sizes must match or one of them must be 1 (reshape or broadcastTo first)'],
    ['slice past the end', () => x([3, 4]).slice([2, 0], [2, 4]), 'slice: begin [2,0] size [2,4] is outside [3,4] at axis 0; need 0 <= begin and begin + size <= the axis size'],
    ['slice rank', () => x([3, 4]).slice([0], [1]), 'slice: begin [0] and size [1] must each have one entry per axis of [3,4]'],
    ['pad negative', () => x([3]).pad([-1], [0]), 'pad: before [-1] and after [0] need one non-negative integer per axis of [3]'],
    ['pad short', () => x([2, 3]).pad([0, 0], [0]), 'pad: before [0,0] and after [0] need one non-negative integer per axis of [2,3]'],
    ['concat off-axis sizes', () => concat([x([2, 3]), x([3, 4], 'y')], 0), 'concat: shapes [2,3], [3,4] differ off axis 0; all sizes but the concatenated axis must match'],
    ['concat nothing', () => concat([], 0), 'concat: needs a non-empty array of tensors'],
    ['concat axis', () => concat([x([2, 3]), x([2, 3], 'y')], 2), 'concat: axis 2 is out of range for rank 2; use an axis in [-2, 1]'],
    ['sum axis', () => x([2, 3]).sum(2), 'sum: axis 2 is out of range for rank 2; use an axis in [-2, 1]'],
    ['sum axis twice', () => x([2, 3]).sum([0, -2]), 'sum: axes [0,-2] name the same axis twice; list each axis once'],
    ['max axis', () => x([2, 3]).max(-3), 'max: axis -3 is out of range for rank 2; use an axis in [-2, 1]'],
    ['softmax axis', () => x([2, 3]).softmax(-3), 'softmax: axis -3 is out of range for rank 2; use an axis in [-2, 1]'],
    ['logSoftmax of a scalar', () => logSoftmax(x([])), 'logSoftmax: axis -1 is out of range: the operand is a scalar and has no axes'],
    ['sum of a number', () => sum(3 as never), 'sum: the operand must be a Tensor, got the number 3; wrap it with constant(3)'],
    ['crossEntropy shapes', () => crossEntropy(x([2, 3]), x([2, 4], 't')), 'crossEntropy: prediction [2,3] and target [2,4] differ; they must have the same shape'],
    ['crossEntropy of scalars', () => crossEntropy(x([]), x([], 't')), 'crossEntropy: needs at least one axis (the classes); got a scalar'],
    ['softmaxCrossEntropy shapes', () => softmaxCrossEntropy(x([2, 3]), x([3], 't')), 'softmaxCrossEntropy: prediction [2,3] and target [3] differ; they must have the same shape'],
    ['binaryCrossEntropy shapes', () => binaryCrossEntropy(x([4]), x([4, 1], 't')), 'binaryCrossEntropy: prediction [4] and target [4,1] differ; they must have the same shape'],
    ['meanSquaredError shapes', () => meanSquaredError(x([4, 1]), x([1, 4], 't')), 'meanSquaredError: prediction [4,1] and target [1,4] differ; they must have the same shape'],
    ['input negative size', () => input('z', [2, -1]), "input 'z': shape [2,-1] has a dimension -1; dimensions must be non-negative integers"],
    ['input fractional size', () => input('z', [2.5]), "input 'z': shape [2.5] has a dimension 2.5; dimensions must be non-negative integers"],
    ['input dtype', () => input('z', [2], {}, 'int8' as never), "input: dtype must be 'float32' or 'float64', got int8"],
    ['one-hot scalar input', () => input('z', [], { oneHot: true }), "input: 'z' is declared oneHot but is a scalar; one-hot rows need a last axis"],
    ['param shape not an array', () => param('w', 3 as never), "param 'w': shape must be an array of non-negative integers, got 3"],
    ['pow NaN', () => x([2]).pow(NaN), 'pow: the exponent must be a finite number, got number NaN'],
    ['oneHot depth', () => oneHot(x([2]), 0), 'oneHot: depth must be a positive integer, got 0'],
    ['constant ragged', () => constant([[1, 2], [3]]), 'constant: ragged nested array: length 1 at depth 1, expected 2'],
    ['constant ragged, number first', () => constant([1, [2]] as never), 'constant: ragged nested array: an array at depth 1, expected a number'],
    ['constant data vs shape', () => constant([1, 2, 3], [2, 2]), 'constant: 3 values do not fill shape [2,2] (4 elements); pass a matching shape'],
    ['constant nested vs shape', () => constant([[1, 2], [3, 4]], [4]),
      'constant: the nested array has shape [2,2] but shape [4] was passed; pass flat data with a shape, or a nested array alone'],
  ];
  for (const [name, call, message] of table) it(name, () => expectGraphError(call, message));
});

describe('grad and vjp misuse', () => {
  it('grad of a non-scalar loss', () => {
    const w = x([2, 3]);
    expectGraphError(() => grad(w.square(), [w]),
      'grad: loss must be a scalar, got shape [2,3]; reduce it first (loss.sum() or loss.mean()), or use vjp(outputs, wrt, cotangents) for a non-scalar output');
  });
  it('grad wrt not an array, loss not a tensor', () => {
    expectGraphError(() => grad(x([]).square(), x([]) as never), 'grad: wrt must be an array of Tensors');
    expectGraphError(() => grad(3 as never, []), 'grad: loss must be a Tensor');
  });
  it('vjp cotangents: one per output, of its shape', () => {
    expectGraphError(() => vjp([x([2])], [x([2])], []), 'vjp: 1 outputs but 0 cotangents; pass one cotangent per output');
    expectGraphError(() => vjp([x([2])], [x([2])], [ones([3])]), 'vjp: cotangent 0 has shape [3] but output 0 has shape [2]');
  });
});

describe('bad feeds and names, checked before any work', () => {
  const y = x([2, 2]).add(param('b', [2]));
  const b = [1, 2];
  const table: [string, Record<string, unknown>, string][] = [
    ['missing feed', { x: [1, 2, 3, 4] }, "evaluate: no feed for param 'b' [2]; pass feeds['b'] as a Float32Array or number array of 2 values (shape [2])"],
    ['typed array of the wrong length', { x: new Float32Array(3), b }, "evaluate: feed 'x' has 3 values but input 'x' has shape [2,2] (4 values)"],
    ['flat array of the wrong length', { x: [1, 2, 3], b }, "evaluate: feed 'x' has shape [3] but input 'x' has shape [2,2]"],
    ['nested array of the wrong shape', { x: [[1, 2, 3], [4, 5, 6]], b }, "evaluate: feed 'x' has shape [2,3] but input 'x' has shape [2,2]"],
    ['same size, other nesting', { x: [[1], [2], [3], [4]], b }, "evaluate: feed 'x' has shape [4,1] but input 'x' has shape [2,2]"],
    ['ragged nested array', { x: [[1, 2], [3]], b },
      "evaluate: feed 'x' is malformed (ragged nested array: length 1 at depth 1, expected 2); pass a Float32Array or number array of 4 values (shape [2,2])"],
    ['numbers then arrays', { x: [1, [2, 3]], b },
      "evaluate: feed 'x' is malformed (ragged nested array: an array at depth 1, expected a number); pass a Float32Array or number array of 4 values (shape [2,2])"],
    ['strings', { x: ['1', '2', '3', '4'], b },
      "evaluate: feed 'x' is malformed (expected numbers or arrays, got the string \"1\"); pass a Float32Array or number array of 4 values (shape [2,2])"],
    ['a number for a tensor', { x: 3, b }, "evaluate: feed 'x' is number; pass a Float32Array or number array of 4 values (shape [2,2])"],
  ];
  for (const [name, feeds, message] of table) it(name, () => expectGraphError(() => evaluate(y, feeds as never), message));

  it('typed arrays of any number type are accepted, scalars may be fed a number', () => {
    expect(Array.from(evaluate(y, { x: new Int32Array([1, 2, 3, 4]), b: new Uint8Array([10, 20]) }).data)).toEqual([11, 22, 13, 24]);
    expect(evaluate(input('s', []).mul(2), { s: 4 }).data[0]).toBe(8);
  });

  it('two different nodes with one name', () => {
    expectGraphError(() => evaluate(x([2]).add(input('x', [2], {}, 'float64')), { x: [1, 2] }),
      "evaluate: two different nodes are named 'x' (input [2] float32 and input [2] float64); give each input and param its own name");
    expectGraphError(() => evaluate(x([2]).add(param('x', [2])), { x: [1, 2] }),
      "evaluate: two different nodes are named 'x' (input [2] float32 and param [2] float32); give each input and param its own name");
    // The same declaration twice is one node, not two.
    expect(Array.from(evaluate(x([2]).add(x([2])), { x: [1, 2] }).data)).toEqual([2, 4]);
  });

  it('oneHot labels out of range, fractional or negative', () => {
    const labels = input('labels', [3]);
    const y1 = oneHot(labels, 10);
    expectGraphError(() => evaluate(y1, { labels: [1, 10, 2] }), 'oneHot: label 10 at index 1 is not an integer in [0, 10); labels must be class indices 0..9');
    expectGraphError(() => evaluate(y1, { labels: [1, 1.5, 2] }), 'oneHot: label 1.5 at index 1 is not an integer in [0, 10); labels must be class indices 0..9');
    expectGraphError(() => evaluate(y1, { labels: [-1, 1, 2] }), 'oneHot: label -1 at index 0 is not an integer in [0, 10); labels must be class indices 0..9');
  });

  it('feeds are all checked before any op runs', () => {
    // The bad label would fail inside oneHot; the missing feed is reported first.
    const y2 = oneHot(input('labels', [2]), 3).add(input('other', [2, 3]));
    expectGraphError(() => evaluate(y2, { labels: [7, 0] }),
      "evaluate: no feed for input 'other' [2,3]; pass feeds['other'] as a Float32Array or number array of 6 values (shape [2,3])");
  });

  it('outputs must be tensors', () => {
    expectGraphError(() => evaluate([y, 3 as never], { x: [1, 2, 3, 4], b }), 'evaluate: output 1 is not a Tensor');
  });
});
