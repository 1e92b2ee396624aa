/**
 * Numbers as a reader would write them, for readable sources (`gradc export`): a short exact
 * rational (`1 / 32`, `1 / 255`) where one gives the very same value, else the shortest decimal
 * that reads back. Every candidate is checked by evaluating it as JavaScript does (p / q is one
 * correctly rounded division; `f(p / q)` rounds that to float32), so printing never changes a bit.
 */

/** The shortest decimal that reads back as `v` in float64 (String does exactly this). */
function shortestF64(v: number): string {
  return String(v);
}

/** The shortest decimal whose float32 rounding is `v` (0.1, not 0.10000000149011612). */
export function shortestF32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

/** Continued-fraction convergents p/q of |v| with q ≤ 1e12, smallest first. */
function convergents(v: number): [number, number][] {
  const out: [number, number][] = [];
  let x = Math.abs(v);
  let [p0, q0, p1, q1] = [0, 1, 1, 0];
  for (let n = 0; n < 40; n++) {
    const a = Math.floor(x);
    const p = a * p1 + p0, q = a * q1 + q0;
    if (q > 1e12 || p > 1e15) break;
    out.push([p, q]);
    [p0, q0, p1, q1] = [p1, q1, p, q];
    const frac = x - a;
    if (frac === 0) break;
    x = 1 / frac;
  }
  return out;
}

export interface Literal {
  /** The code: `0.9`, `1 / 32`, `-1 / 3`; for float32 `f(1 / 255)` where the division needs rounding. */
  readonly code: string;
  /** True when the code is a division (binds like `*` and `/`), false when it is a single token or call. */
  readonly division: boolean;
}

/**
 * `v` (finite, nonzero) printed exactly: as a float64 value, or (`f32`) as a float32 value, where
 * `round` is the name of the float32 rounding function in scope.
 */
export function exactLiteral(v: number, f32: boolean, round = 'f'): Literal {
  const decimal = f32 ? shortestF32(v) : shortestF64(v);
  const decimalCode = f32 && Number(decimal) !== v ? `${round}(${decimal})` : decimal;
  const sign = v < 0 ? '-' : '';
  for (const [p, q] of convergents(v)) {
    if (q === 1) continue;
    const value = (v < 0 ? -p : p) / q;
    const exactF64 = value === v;
    if (!(exactF64 || (f32 && Math.fround(value) === v))) continue;
    const body = `${sign}${p} / ${q}`;
    const code = exactF64 ? body : `${round}(${body})`;
    // A rational where it is no longer than the decimal reads better (1 / 32, not 0.03125).
    if (code.length <= decimalCode.length) return { code, division: exactF64 };
    break;
  }
  return { code: decimalCode, division: false };
}
