// Number formatting and Unicode sub/superscripts for the printers.

/** Up to 6 significant digits, a real minus sign, ∞ for infinities. */
export function fmtNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const s = String(Number.isInteger(v) && Math.abs(v) < 1e15 ? v : Number(v.toPrecision(6)));
  return s.replace('-', '−');
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';

export const subscript = (n: number): string => String(n).replace(/\d/g, (d) => SUB[Number(d)]).replace('-', '₋');
export const superscript = (n: number): string => String(n).replace(/\d/g, (d) => SUP[Number(d)]).replace('-', '⁻');
