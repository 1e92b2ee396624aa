/**
 * A seeded random number generator: xoshiro128** (Blackman & Vigna), seeded through
 * splitmix32. Four 32-bit words of state, so it is exact in JavaScript (Math.imul, >>> 0)
 * and its whole state can be saved in a checkpoint and restored bit for bit.
 */

/** The full state of an `Rng`: four state words, plus the spare Box–Muller sample if one is held. */
export interface RngState {
  readonly s: readonly [number, number, number, number];
  readonly spare: number | null;
}

const TWO_POW_M32 = 1 / 4294967296;

/** A random seed in [0, 2^32) from the platform's Web Crypto (a global in Node ≥ 19 and in browsers). */
export function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** splitmix32 step: spreads a 32-bit seed over the state words (never all zero). */
function splitmix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function checkWord(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`rng: ${what} must be an integer in [0, 2^32), got ${String(value)}`);
  }
  return value;
}

/**
 * a mod n for integers 0 ≤ a ≤ 2^32, 1 ≤ n ≤ 2^32, exactly, without a float `%` (a library call
 * in V8 once a exceeds int32): a/n is never within 2^-32 (relative) of the next integer above it
 * unless it is one, far more than a double's rounding, so floor(a/n) is the true quotient.
 */
function mod(a: number, n: number): number {
  return a - Math.floor(a / n) * n;
}

export class Rng {
  /** The four state words; a typed array, so stepping never boxes a number. */
  private readonly s = new Uint32Array(4);
  private spare: number | null = null;

  /** `seed` is any integer in [0, 2^32); the same seed gives the same sequence on every platform. */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`rng: seed must be an integer in [0, 2^32), got ${String(seed)}; pass e.g. { seed: 42 }`);
    }
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      const [nx, w] = splitmix32(x);
      x = nx;
      this.s[i] = w;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1; // all-zero state is a fixed point
  }

  /** A generator that continues exactly from a saved `state()`. */
  static fromState(state: RngState): Rng {
    if (state === null || typeof state !== 'object' || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new Error('rng: a saved state needs { s: [four 32-bit words], spare: number | null }');
    }
    const r = new Rng(0);
    for (let i = 0; i < 4; i++) r.s[i] = checkWord(state.s[i], `state word ${i}`);
    if ((r.s[0]! | r.s[1]! | r.s[2]! | r.s[3]!) === 0) throw new Error('rng: an all-zero state is invalid for xoshiro128**');
    if (state.spare !== null && (typeof state.spare !== 'number' || !Number.isFinite(state.spare))) {
      throw new Error(`rng: saved spare normal sample must be a finite number or null, got ${String(state.spare)}`);
    }
    r.spare = state.spare;
    return r;
  }

  state(): RngState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  /** Next 32-bit unsigned integer (xoshiro128**: rotl(s1 * 5, 7) * 9). */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s[2] ^= s[0]!;
    s[3] ^= s[1]!;
    s[1] ^= s[2]!;
    s[0] ^= s[3]!;
    s[2] ^= t;
    const s3 = s[3]!;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() * TWO_POW_M32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), unbiased (rejects the top partial range). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new Error(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    return this.below(n);
  }

  /** `int(n)` unchecked (n an integer in [1, 2^32]): what shuffle draws, once per element. */
  private below(n: number): number {
    const limit = 0x100000000 - mod(0x100000000, n); // largest multiple of n that fits
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return mod(u, n);
    }
  }

  /**
   * Standard normal by Box–Muller: with u1 in (0, 1], u2 in [0, 1),
   * r = sqrt(−2 ln u1), z0 = r cos 2πu2, z1 = r sin 2πu2 (z1 is kept for the next call).
   */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.next(); // (0, 1]: log stays finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    return mean + std * r * Math.cos(a);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A permutation of 0..n−1 as an Int32Array. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
