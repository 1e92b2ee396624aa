/**
 * The training curve as a standalone SVG: two panels, loss and accuracy per epoch, with axes,
 * ticks, grid, legend, the final value of each line, and the test accuracy as a dashed line.
 */

export interface CurveData {
  loss: readonly number[];
  acc?: readonly number[];
  valLoss?: readonly number[];
  valAcc?: readonly number[];
  /** Test accuracy in [0, 1], drawn as a dashed horizontal line. */
  testAcc?: number;
}

export interface CurveOptions {
  title?: string;
  subtitle?: string;
}

const W = 960;
const H = 460;
const PANEL = { top: 112, bottom: 60, left: 72, right: 40, gap: 90 };
const COLORS = { train: '#2563eb', val: '#ea580c', test: '#16a34a', grid: '#e5e7eb', axis: '#374151', text: '#111827', muted: '#6b7280' };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Ticks covering [lo, hi] at a nice step; the domain is widened to the outer ticks. */
export function niceTicks(lo: number, hi: number, count = 5): { lo: number; hi: number; step: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  let a = Math.floor(lo / step) * step;
  if (a > lo) a -= step; // rounding in lo / step
  let b = Math.ceil(hi / step) * step;
  if (b < hi) b += step;
  const ticks: number[] = [];
  for (let i = 0; a + i * step <= b + step * 1e-9; i++) ticks.push(a + i * step);
  return { lo: a, hi: b, step, ticks };
}

function fmt(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(digits, 6));
}

interface Series { label: string; color: string; values: readonly number[]; dash?: string }

function checkSeries(name: string, v: readonly number[] | undefined, n: number): void {
  if (v !== undefined && v.length !== n) {
    throw new Error(`trainingCurveSvg: ${name} has ${v.length} values but loss has ${n} (one per epoch)`);
  }
}

function panel(x0: number, width: number, title: string, series: Series[], epochs: number, opts: { percent: boolean; hline?: { value: number; label: string } }): string {
  const y0 = PANEL.top;
  const height = H - PANEL.top - PANEL.bottom;
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  if (opts.hline) finite.push(opts.hline.value);
  const scale = opts.percent ? 100 : 1;
  let lo = Math.min(...finite) * scale;
  let hi = Math.max(...finite) * scale;
  if (!opts.percent) lo = Math.min(0, lo); // loss from 0
  const span = hi - lo || Math.abs(hi) || 1;
  if (opts.percent) { lo -= span * 0.08; hi = Math.min(100, hi + span * 0.08); }
  else hi += span * 0.05;
  const yt = niceTicks(lo, hi, 5);
  if (opts.percent) { yt.hi = Math.min(yt.hi, 100); yt.ticks = yt.ticks.filter((t) => t <= 100); }
  const xLo = epochs === 1 ? 0.5 : 1;
  const xHi = epochs === 1 ? 1.5 : epochs;
  const xs = (e: number) => x0 + ((e - xLo) / (xHi - xLo)) * width;
  const ys = (v: number) => y0 + height - ((v * scale - yt.lo) / (yt.hi - yt.lo)) * height;
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${y0 - 26}" font-size="16" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`);
  // grid and y ticks
  for (const t of yt.ticks) {
    const y = ys(t / scale).toFixed(1);
    out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${x0 - 8}" y="${y}" dy="4" text-anchor="end" font-size="12" fill="${COLORS.muted}">${fmt(t, yt.step)}${opts.percent ? '%' : ''}</text>`);
  }
  // x ticks: integer epochs at a nice step
  const xStep = epochs <= 12 ? 1 : niceStep(epochs, 8);
  const xTicks = xStep === 1 ? [] : [1];
  for (let e = xStep; e <= epochs; e += xStep) xTicks.push(e);
  for (const e of xTicks) {
    const x = xs(e).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0 + height}" y2="${y0 + height + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${x}" y="${y0 + height + 20}" text-anchor="middle" font-size="12" fill="${COLORS.muted}">${e}</text>`);
  }
  out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y0 + height}" y2="${y0 + height}" stroke="${COLORS.axis}"/>`);
  out.push(`<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y0 + height}" stroke="${COLORS.axis}"/>`);
  out.push(`<text x="${x0 + width / 2}" y="${y0 + height + 42}" text-anchor="middle" font-size="13" fill="${COLORS.axis}">epoch</text>`);
  if (opts.hline) {
    const y = ys(opts.hline.value).toFixed(1);
    out.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="${COLORS.test}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${x0 + 6}" y="${y}" dy="-6" font-size="12" fill="${COLORS.test}">${esc(opts.hline.label)}</text>`);
  }
  for (const s of series) {
    // the line, broken where a value is not finite
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${xs(i + 1).toFixed(1)},${ys(v).toFixed(1)}`;
      pen = true;
    });
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    if (epochs <= 25) s.values.forEach((v, i) => {
      if (Number.isFinite(v)) out.push(`<circle cx="${xs(i + 1).toFixed(1)}" cy="${ys(v).toFixed(1)}" r="3.5" fill="#fff" stroke="${s.color}" stroke-width="2"/>`);
    });
  }
  // legend, top right, with each series' last finite value
  series.forEach((s, i) => {
    const last = [...s.values].reverse().find(Number.isFinite);
    const value = last === undefined ? 'n/a' : opts.percent ? `${(last * 100).toFixed(2)}%` : last.toFixed(4);
    const lx = x0 + width - 190;
    const ly = y0 - 40 + i * 18;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dy="4" font-size="12" fill="${COLORS.text}">${esc(s.label)} <tspan fill="${COLORS.muted}">(last ${value})</tspan></text>`);
  });
  return out.join('\n');
}

/** Renders the curves of a training run as an SVG document. */
export function trainingCurveSvg(data: CurveData, options: CurveOptions = {}): string {
  const n = data.loss.length;
  if (n === 0) throw new Error('trainingCurveSvg: no epochs to plot (loss is empty)');
  checkSeries('acc', data.acc, n);
  checkSeries('valLoss', data.valLoss, n);
  checkSeries('valAcc', data.valAcc, n);
  if (!data.loss.some(Number.isFinite)) throw new Error('trainingCurveSvg: every loss value is NaN or infinite; nothing to plot');
  if (data.testAcc !== undefined && !(data.testAcc >= 0 && data.testAcc <= 1)) {
    throw new Error(`trainingCurveSvg: testAcc must be a fraction in [0, 1], got ${data.testAcc}`);
  }
  const hasAcc = data.acc !== undefined || data.valAcc !== undefined || data.testAcc !== undefined;
  const panels = hasAcc ? 2 : 1;
  const width = (W - PANEL.left - PANEL.right - (panels - 1) * PANEL.gap) / panels;
  const lossSeries: Series[] = [{ label: 'train loss', color: COLORS.train, values: data.loss }];
  if (data.valLoss) lossSeries.push({ label: 'validation loss', color: COLORS.val, values: data.valLoss, dash: '7 4' });
  const parts = [panel(PANEL.left, width, 'Loss', lossSeries, n, { percent: false })];
  if (hasAcc) {
    const accSeries: Series[] = [];
    if (data.acc) accSeries.push({ label: 'train accuracy', color: COLORS.train, values: data.acc });
    if (data.valAcc) accSeries.push({ label: 'validation accuracy', color: COLORS.val, values: data.valAcc, dash: '7 4' });
    const hline = data.testAcc === undefined ? undefined : { value: data.testAcc, label: `test ${(data.testAcc * 100).toFixed(2)}%` };
    parts.push(panel(PANEL.left + width + PANEL.gap, width, 'Accuracy', accSeries, n, { percent: true, hline }));
  }
  const title = options.title ?? 'Training curve';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PANEL.left}" y="30" font-size="19" font-weight="700" fill="${COLORS.text}">${esc(title)}</text>`,
    options.subtitle ? `<text x="${PANEL.left}" y="50" font-size="13" fill="${COLORS.muted}">${esc(options.subtitle)}</text>` : '',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
