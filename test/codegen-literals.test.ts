// Readable printing for exported kernels: exact literals (a rational where one is as short, else
// the shortest decimal), checked by evaluating them as JavaScript does; buffer names refused
// unless they are free identifiers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactLiteral, isFreeJsName } from 'gradc/codegen';

const evalLiteral = (code: string): number => (new Function('f', `return ${code};`) as (f: (x: number) => number) => number)(Math.fround);

describe('exactLiteral', () => {
  it('prints what a reader writes', () => {
    expect(exactLiteral(1 / 32, false).code).toBe('1 / 32');
    expect(exactLiteral(-1 / 3, false).code).toBe('-1 / 3');
    expect(exactLiteral(Math.fround(1 / 255), true).code).toBe('f(1 / 255)');
    expect(exactLiteral(Math.fround(0.9), true).code).toBe('f(0.9)');
    expect(exactLiteral(0.5, false).code).toBe('0.5');
    expect(exactLiteral(1e-7, false).code).toBe('1e-7');
    // (1 − 0.9)/32 in float64 is not 1/320: the decimal stays
    expect(exactLiteral(0.0031249999999999993, false).code).toBe('0.0031249999999999993');
  });

  it('gives back the very same float64 value', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0), (v) => Object.is(evalLiteral(exactLiteral(v, false).code), v)));
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 100000 }), (p, q) => p === 0 || Object.is(evalLiteral(exactLiteral(p / q, false).code), p / q)));
  });

  it('gives back the very same float32 value', () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0), (v) => Object.is(evalLiteral(exactLiteral(v, true).code), v)));
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100000 }), (p, q) => {
      const v = Math.fround(p / q);
      return Object.is(evalLiteral(exactLiteral(v, true).code), v);
    }));
  });
});

describe('isFreeJsName', () => {
  it('refuses keywords, globals and the names the emitted code declares', () => {
    for (const bad of ['b3', 'y', 'y0', 'x1', 'i', 'i2', 'j', 'k', 't0', 'a1', 's00', 'n0', 'panel4', 'k0_matmul', 'f', 'run', 'kernels', 'arena',
      'for', 'class', 'Math', 'NaN', 'Float32Array', 'a b', '1a', '', 'a-b']) expect(isFreeJsName(bad), bad).toBe(false);
    for (const ok of ['x', 't', 'loss', 'dense_1_kernel', 'relu', 'matmul_2', 'y_', 'b', 'panel', 'i_']) expect(isFreeJsName(ok), ok).toBe(true);
  });
});
