import { describe, expect, it } from 'vitest';
import { initializers, Rng } from 'gradc';

const moments = (a: Float32Array) => {
  let m = 0, v = 0;
  for (const x of a) m += x;
  m /= a.length;
  for (const x of a) v += (x - m) ** 2;
  return { mean: m, variance: v / a.length };
};

describe('initializers', () => {
  it('fans follow Keras: kernel [in, out], vector, conv-style leading dims', () => {
    expect(initializers.fans([784, 32])).toEqual({ fanIn: 784, fanOut: 32 });
    expect(initializers.fans([10])).toEqual({ fanIn: 10, fanOut: 10 });
    expect(initializers.fans([3, 3, 4, 8])).toEqual({ fanIn: 36, fanOut: 72 });
  });

  it('glorotUniform: inside ±√(6/(in+out)), mean 0, variance limit²/3', () => {
    const w = initializers.glorotUniform([784, 32], new Rng(1));
    const limit = Math.sqrt(6 / (784 + 32));
    expect(w.length).toBe(784 * 32);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    const { mean, variance } = moments(w);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(variance / (limit ** 2 / 3)).toBeCloseTo(1, 1);
  });

  it('heNormal: truncated at two raw standard deviations, variance 2/fanIn', () => {
    const w = initializers.heNormal([784, 64], new Rng(2));
    const target = 2 / 784;
    const rawStd = Math.sqrt(target) / 0.87962566103423978;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(2 * rawStd + 1e-7);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(1.9 * rawStd); // truncated at 2σ, not narrower
    const { mean, variance } = moments(w);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(variance / target).toBeCloseTo(1, 1);
  });

  it('the truncated-normal constant is the std of N(0,1) restricted to [−2, 2]', () => {
    // Var = 1 − 2·2·φ(2)/(Φ(2) − Φ(−2)), with φ(2) = e^{−2}/√(2π) and Φ(2) − Φ(−2) = erf(√2)
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const erfSqrt2 = 0.9544997361036416; // P(|Z| < 2)
    expect(Math.sqrt(1 - (4 * phi2) / erfSqrt2)).toBeCloseTo(initializers.TRUNCATED_NORMAL_STD, 12);
  });

  it('zeros, determinism per seed, unknown names', () => {
    expect([...initializers.zeros([2, 3])]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(initializers.initialize('glorotUniform', [5, 5], new Rng(4))).toEqual(initializers.initialize('glorotUniform', [5, 5], new Rng(4)));
    expect(initializers.initialize('heNormal', [5, 5], new Rng(4))).not.toEqual(initializers.initialize('heNormal', [5, 5], new Rng(5)));
    expect(() => initializers.initialize('xavier' as never, [2], new Rng(1))).toThrow(/unknown initializer "xavier"; use one of glorotUniform, heNormal, zeros/);
  });
});
