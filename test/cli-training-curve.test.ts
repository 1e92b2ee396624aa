import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { niceTicks, trainingCurveSvg } from 'gradc/cli';

const loss = [0.33, 0.16, 0.12, 0.098, 0.082, 0.071, 0.063, 0.056, 0.05, 0.045];
const acc = [0.906, 0.953, 0.965, 0.971, 0.975, 0.978, 0.981, 0.983, 0.985, 0.986];

/** Tags balance: every opened element is closed, in order. */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) { if (stack.pop() !== m[2]) return false; } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

describe('trainingCurveSvg', () => {
  it('draws loss and accuracy panels with ticks for every epoch, a legend and the test line', () => {
    const svg = trainingCurveSvg({ loss, acc, testAcc: 0.9712 }, { title: 'MNIST', subtitle: 'adam · seed 42' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormed(svg)).toBe(true);
    for (const t of ['Loss', 'Accuracy', 'epoch', 'train loss', 'train accuracy', 'test 97.12%', 'MNIST', 'adam · seed 42', '(last 0.0450)', '(last 98.60%)']) {
      expect(svg).toContain(t);
    }
    for (let e = 1; e <= 10; e++) expect(svg).toContain(`font-size="12" fill="#6b7280">${e}</text>`);
    expect(svg.match(/<circle /g)).toHaveLength(20); // one marker per epoch per line
    expect(svg.match(/<path /g)).toHaveLength(2);
  });

  it('puts the points where the axes say: the first loss is higher on the page than the last', () => {
    const svg = trainingCurveSvg({ loss: [2, 1] });
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(2);
    expect(ys[0]).toBeLessThan(ys[1]!); // SVG y grows downwards
    expect(svg).not.toContain('Accuracy'); // no accuracy data, no accuracy panel
  });

  it('escapes text, breaks the line at non-finite values, and validates its input', () => {
    const svg = trainingCurveSvg({ loss: [1, NaN, 0.5], valLoss: [1.1, 0.9, 0.6] }, { title: '<script>&"' });
    expect(svg).toContain('&lt;script&gt;&amp;&quot;');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('validation loss');
    expect(svg.match(/<path d="M[^"]*M/g)).toHaveLength(1); // train loss: two pieces
    expect(() => trainingCurveSvg({ loss: [] })).toThrow(/no epochs to plot/);
    expect(() => trainingCurveSvg({ loss: [1, 2], acc: [0.5] })).toThrow(/acc has 1 values but loss has 2/);
    expect(() => trainingCurveSvg({ loss: [NaN] })).toThrow(/every loss value is NaN/);
    expect(() => trainingCurveSvg({ loss: [1], testAcc: 97 })).toThrow(/testAcc must be a fraction in \[0, 1\], got 97/);
  });

  it('niceTicks covers the range with 1-2-5 steps', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, span) => {
        const hi = lo + span;
        const t = niceTicks(lo, hi, 5);
        expect(t.lo).toBeLessThanOrEqual(lo);
        expect(t.hi).toBeGreaterThanOrEqual(hi);
        const mant = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-12);
        expect([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6)).toBe(true);
        expect(t.ticks.length).toBeGreaterThanOrEqual(2);
        expect(t.ticks.length).toBeLessThanOrEqual(12);
      }),
      { numRuns: 1000 },
    );
  });
});
