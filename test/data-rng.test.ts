import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from 'gradc';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference C implementation of xoshiro128** from a given state', () => {
    // Values printed by Blackman & Vigna's xoshiro128starstar.c next(), state {1, 2, 3, 4}.
    const r = Rng.fromState({ s: [1, 2, 3, 4], spare: null });
    expect(Array.from({ length: 8 }, () => r.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    // and after 1000 steps from state {0x9e3779b9, 0xdeadbeef, 0xffffffff, 0x80000000}
    const q = Rng.fromState({ s: [0x9e3779b9, 0xdeadbeef, 0xffffffff, 0x80000000], spare: null });
    for (let i = 0; i < 1000; i++) q.nextUint32();
    expect(Array.from({ length: 4 }, () => q.nextUint32())).toEqual([2737395883, 528184467, 3702794580, 218497378]);
  });

  it('is deterministic per seed, differs between seeds, and resumes exactly from a saved state', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(sa);
    const r = new Rng(7);
    r.normal(); // leaves a spare Box–Muller sample in the state
    const saved = JSON.parse(JSON.stringify(r.state()));
    const tail = [r.normal(), r.normal(), r.next(), r.int(10)];
    const resumed = Rng.fromState(saved);
    expect([resumed.normal(), resumed.normal(), resumed.next(), resumed.int(10)]).toEqual(tail);
  });

  it('gives uniform values in [0, 1): 20-bucket chi-square within bounds', () => {
    const r = new Rng(1);
    const n = 200_000, k = 20;
    const counts = new Array(k).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      else counts[Math.floor(u * k)]++;
    }
    expect(outside).toBe(0);
    const e = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(43.8); // 19 degrees of freedom, p = 0.001
  });

  it('gives standard normals (mean 0, variance 1, 4th moment 3) and unbiased integers', () => {
    const r = new Rng(3);
    const n = 200_000;
    let m1 = 0, m2 = 0, m4 = 0;
    for (let i = 0; i < n; i++) { const z = r.normal(); m1 += z; m2 += z * z; m4 += z ** 4; }
    expect(Math.abs(m1 / n)).toBeLessThan(0.01);
    expect(Math.abs(m2 / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400); // ~4 sigma
    expect(r.normal(5, 0)).toBe(5);
  });

  it('shuffles into a permutation, every position reachable', () => {
    const r = new Rng(9);
    const p = r.permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // where element 0 lands over many shuffles of 4: all 4 places, about equally often
    const at = [0, 0, 0, 0];
    for (let t = 0; t < 8000; t++) at[[...r.shuffle([0, 1, 2, 3])].indexOf(0)]++;
    for (const c of at) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('draws int(n) and shuffles as rejection sampling with % and Fisher–Yates on nextUint32 do', () => {
    // the reference: u % n of the raw words, rejecting u ≥ the largest multiple of n below 2^32
    const refInt = (r: Rng, n: number) => {
      const limit = 2 ** 32 - (2 ** 32 % n);
      for (;;) {
        const u = r.nextUint32();
        if (u < limit) return u % n;
      }
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 2 ** 32 })), (seed, n) => {
      const r = new Rng(seed), ref = new Rng(seed);
      for (let i = 0; i < 20; i++) expect(r.int(n)).toBe(refInt(ref, n));
    }));
    for (const n of [1, 2, 7, 1000, 60000]) {
      const r = new Rng(n), ref = new Rng(n);
      const want = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = refInt(ref, i + 1);
        [want[i], want[j]] = [want[j]!, want[i]!];
      }
      expect([...r.permutation(n)]).toEqual(want);
    }
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Rng(-1)).toThrow(/seed must be an integer in \[0, 2\^32\), got -1/);
    expect(() => new Rng(1.5)).toThrow(/got 1.5/);
    expect(() => Rng.fromState({ s: [0, 0, 0, 0], spare: null })).toThrow(/all-zero state/);
    expect(() => Rng.fromState({ s: [1, 2, 3], spare: null } as never)).toThrow(/four 32-bit words/);
    expect(() => Rng.fromState({ s: [1, 2, 3, 2 ** 32], spare: null })).toThrow(/state word 3/);
    expect(() => Rng.fromState({ s: [1, 2, 3, 4], spare: NaN })).toThrow(/spare/);
    expect(() => new Rng(1).int(0)).toThrow(/rng.int: n must be an integer/);
  });
});
