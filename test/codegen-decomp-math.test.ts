/**
 * Transcendental decompositions (gradc/codegen DECOMPOSITIONS) run on the float32 interpreter,
 * against the float64 Math functions rounded to float32: within each entry's stated ulp bound
 * over all float32 inputs, exact at the special values.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DECOMPOSITIONS, f32Interpreter as m, log1p } from 'gradc/codegen';

const f32 = Math.fround;
const word = new Float32Array(1);
const bitsOfWord = new Int32Array(word.buffer);

/** Float32 bit pattern mapped to an integer line where adjacent floats differ by 1 (±0 → 0). */
function ordinal(x: number): number {
  word[0] = x;
  const b = bitsOfWord[0]!;
  return b < 0 ? -(b & 0x7fffffff) : b;
}

/** Distance in float32 ulps; NaN only matches NaN, ±∞ only itself, ±0 must agree in sign. */
function ulpDistance(got: number, want: number): number {
  const a = f32(got), b = f32(want);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === 0 && b === 0) return Object.is(a, b) ? 0 : Infinity;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

const REFERENCE = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  softplus: (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  log1p: Math.log1p,
};
type Unary = keyof typeof REFERENCE;
const apply = (name: Unary, x: number) => (name === 'log1p' ? log1p(m, x) : DECOMPOSITIONS[name].apply(m, x));
const bound = (name: Unary) => (name === 'log1p' ? 1 : DECOMPOSITIONS[name].ulp);

function within(name: Unary, x: number): void {
  expect(ulpDistance(apply(name, x), REFERENCE[name](x)), `${name}(${x}) = ${apply(name, x)}, want ${f32(REFERENCE[name](x))}`)
    .toBeLessThanOrEqual(bound(name));
}

/** Float32s in [lo, hi] (rounded to float32), no NaN. */
const range = (lo: number, hi: number) => fc.float({ min: f32(lo), max: f32(hi), noNaN: true });
const symmetric = (lo: number, hi: number) => fc.oneof(range(lo, hi), range(-hi, -lo));
const RUNS = { numRuns: 10000 };

const TARGETED: Record<Unary, fc.Arbitrary<number>> = {
  exp: fc.oneof(range(85, 90), range(-106, -85), symmetric(0, 1), range(-20, 20), range(88.72, 88.73), range(-103.98, -103.96)),
  log: fc.oneof(range(0.5, 2), range(0.99, 1.01), range(0, 2 ** -126), range(0, 1e-30), range(1e30, 3.4e38)),
  tanh: fc.oneof(symmetric(0, 1e-3), symmetric(0.5, 0.75), symmetric(0, 10), symmetric(8, 10)),
  sigmoid: fc.oneof(range(-105, -80), symmetric(0, 1), range(-20, 20), range(10, 20)),
  softplus: fc.oneof(range(-105, -80), symmetric(0, 1), range(-20, 20), range(10, 20), range(1e7, 1e9)),
  log1p: fc.oneof(range(-1, -0.25), range(-0.3, 0.42), range(0.4, 3), symmetric(0, 1e-5), range(1e6, 1e30)),
};

describe('f32Interpreter', () => {
  it('has wasm float32/int32 semantics', () => {
    expect([0.5, 1.5, 2.5, -0.5, -2.5, 3.7].map(m.nearest)).toEqual([0, 2, 2, -0, -2, 4]);
    expect(Object.is(m.nearest(-0.5), -0)).toBe(true);
    expect(Object.is(m.min(0, -0), -0) && Object.is(m.max(-0, 0), 0)).toBe(true);
    expect(m.min(NaN, 1)).toBeNaN();
    expect(m.max(1, NaN)).toBeNaN();
    expect([NaN, 3e9, -3e9, -2.7, Infinity].map(m.toInt)).toEqual([0, 2147483647, -2147483648, -2, 2147483647]);
    expect(m.add(1, 2 ** -24)).toBe(1);
    expect(m.bitsOf(1)).toBe(0x3f800000);
    expect(m.fromBits(1)).toBe(2 ** -149);
    expect(m.shrU(-1, 28)).toBe(15);
    expect(m.iadd(0x7fffffff, 1)).toBe(-0x80000000);
    expect(() => m.f(0.1)).toThrow(/not exactly representable/);
    expect(() => m.i(2 ** 31)).toThrow(/int32/);
  });
});

describe.each(['exp', 'log', 'tanh', 'sigmoid', 'softplus', 'log1p'] as const)('%s', (name) => {
  it(`is within its ulp bound over all float32`, () => {
    fc.assert(fc.property(fc.float(), (x) => within(name, x)), RUNS);
  });
  it(`is within its ulp bound near thresholds and where it curves most`, () => {
    fc.assert(fc.property(TARGETED[name], (x) => within(name, x)), RUNS);
  });
});

/** Exact results (Object.is, so the sign of zero counts). */
function exact(name: Unary, cases: [number, number][]): void {
  for (const [x, want] of cases) expect(apply(name, x), `${name}(${x})`).toSatisfy((got: number) => Object.is(got, want));
}

describe('special values', () => {
  it('exp', () => {
    exact('exp', [[0, 1], [-0, 1], [Infinity, Infinity], [-Infinity, 0], [NaN, NaN], [88.72284, Infinity], [1e30, Infinity],
      [-104, 0], [-1e30, 0], [-103.278929903431851, 2 ** -149]]);
    expect(apply('exp', f32(88.72283))).toBe(f32(Math.exp(f32(88.72283))));
    expect(apply('exp', -100)).toBe(f32(Math.exp(-100))); // subnormal
  });
  it('log', () => {
    exact('log', [[1, 0], [0, -Infinity], [-0, -Infinity], [Infinity, Infinity], [-Infinity, NaN], [-1, NaN], [-1e-45, NaN], [NaN, NaN]]);
    expect(apply('log', 2 ** -149)).toBe(f32(-149 * Math.LN2));
    expect(apply('log', 3.4028234663852886e38)).toBe(f32(Math.log(3.4028234663852886e38)));
  });
  it('log1p', () => {
    exact('log1p', [[0, 0], [-0, -0], [-1, -Infinity], [-2, NaN], [Infinity, Infinity], [-Infinity, NaN], [NaN, NaN], [2 ** -149, 2 ** -149]]);
  });
  it('tanh', () => {
    exact('tanh', [[0, 0], [-0, -0], [Infinity, 1], [-Infinity, -1], [NaN, NaN], [10, 1], [-10, -1], [2 ** -149, 2 ** -149], [-(2 ** -140), -(2 ** -140)]]);
  });
  it('sigmoid', () => {
    exact('sigmoid', [[0, 0.5], [-0, 0.5], [Infinity, 1], [-Infinity, 0], [NaN, NaN], [20, 1], [-110, 0]]);
    expect(apply('sigmoid', -100)).toBe(f32(Math.exp(-100)));
  });
  it('softplus', () => {
    exact('softplus', [[Infinity, Infinity], [-Infinity, 0], [NaN, NaN], [3e38, 3e38 === f32(3e38) ? 3e38 : f32(3e38)], [-110, 0]]);
    expect(apply('softplus', 0)).toBe(f32(Math.LN2));
    expect(apply('softplus', -100)).toBe(f32(Math.exp(-100)));
  });
});

describe('pow', () => {
  const bound = DECOMPOSITIONS.pow.ulp;
  const check = (x: number, y: number) => {
    const got = DECOMPOSITIONS.pow.apply(m, x, y), want = Math.pow(x, y);
    expect(ulpDistance(got, want), `pow(${x}, ${y}) = ${got}, want ${f32(want)}`).toBeLessThanOrEqual(bound);
  };
  const integers = fc.integer({ min: -200, max: 200 });
  const halves = fc.integer({ min: -200, max: 200 }).map((k) => k + 0.5);
  /** y chosen so that y·ln x lands near the overflow or underflow threshold. */
  const nearLimits = fc.tuple(range(0.01, 100), fc.constantFrom(88.7228, -87.33, -103.97), range(-0.05, 0.05))
    .map(([x, edge, d]) => [x, f32((edge + d) / Math.log(x))] as const);

  it('is within its ulp bound over all float32 pairs', () => {
    fc.assert(fc.property(fc.float(), fc.float(), check), RUNS);
  });
  it('is within its ulp bound for moderate, large and integer exponents', () => {
    fc.assert(fc.property(fc.oneof(
      fc.tuple(range(0.5, 2), range(-300, 300)),
      fc.tuple(range(0, 3.4e38), range(-4, 4)),
      fc.tuple(range(0.999, 1.001), range(-2e5, 2e5)),
      fc.tuple(range(0.9999999, 1.0000001), range(-2e9, 2e9)),
      fc.tuple(symmetric(0.01, 100), fc.oneof(integers, halves)),
      fc.tuple(fc.float(), fc.oneof(integers, halves)),
      nearLimits,
    ), ([x, y]) => check(x, y)), RUNS);
  });
  it('matches Math.pow exactly at every special value', () => {
    const xs = [0, -0, 1, -1, 0.5, -0.5, 2, -2, -3, Infinity, -Infinity, NaN, 2 ** -149, -(2 ** -149), 3.4028234663852886e38];
    const ys = [0, -0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 2.5, Infinity, -Infinity, NaN, 2 ** 24 + 2, 2 ** 31, 2 ** 40, -(2 ** 40), 1e-40];
    for (const x of xs) for (const y of ys) {
      const got = DECOMPOSITIONS.pow.apply(m, x, y), want = f32(Math.pow(x, y));
      expect(got, `pow(${x}, ${y})`).toSatisfy((g: number) => Object.is(g, want) || (g !== 0 && ulpDistance(g, want) <= bound));
    }
  });
});
