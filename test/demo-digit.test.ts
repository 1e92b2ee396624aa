// The demo's drawn-digit preprocessing (docs/demo/digit.ts) against MNIST itself: an MNIST digit
// blown up to the drawing pad's 280 × 280 and brought back must look like the original, and any
// drawing comes out as MNIST's are (longer side 20 pixels, centre of mass at the centre, full ink 255).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mnist } from 'gradc';
import { BOX, FIELD, inkBox, toMnist } from '../docs/demo/digit.js';

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= a.length; mb /= b.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma, y = b[i]! - mb;
    ab += x * y; aa += x * x; bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Pixel (i, j) of a 28 × 28 image as a k × k block of ink (nearest-neighbour upscaling). */
function upscale(img: Uint8Array, k: number): Float32Array {
  const n = FIELD * k;
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = img[Math.floor(y / k) * FIELD + Math.floor(x / k)]! / 255;
  return out;
}

function centreOfMass(img: Uint8Array): [number, number] {
  let m = 0, cx = 0, cy = 0;
  for (let y = 0; y < FIELD; y++) for (let x = 0; x < FIELD; x++) {
    const v = img[y * FIELD + x]!;
    m += v; cx += v * x; cy += v * y;
  }
  return [cx / m, cy / m];
}

describe('the demo digit preprocessing', () => {
  it('brings MNIST digits blown up 10× back to themselves', () => {
    const { xTest } = mnist({ testSize: 200 });
    const rs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const img = xTest.data.subarray(i * 784, (i + 1) * 784);
      const back = toMnist(upscale(img, 10), 280, 280)!;
      rs.push(correlation(img, back));
    }
    rs.sort((a, b) => a - b);
    const mean = rs.reduce((a, b) => a + b, 0) / rs.length;
    // MNIST's own digits are boxed in 20 pixels and centred by mass: they come back all but unchanged
    expect(mean).toBeGreaterThan(0.999);
    expect(rs[0]!).toBeGreaterThan(0.99);
  });

  it('gives nothing for an empty pad, and refuses a wrong size', () => {
    expect(toMnist(new Float32Array(100), 10, 10)).toBeNull();
    expect(() => toMnist(new Float32Array(99), 10, 10)).toThrow(/99 values, a 10×10 image has 100/);
  });

  it('puts any drawing in a 20-pixel box, its centre of mass at the centre, full ink 255, wherever it is drawn', () => {
    const blob = fc.record({ w: fc.integer({ min: 1, max: 120 }), h: fc.integer({ min: 1, max: 120 }), dx: fc.integer({ min: 0, max: 60 }), dy: fc.integer({ min: 0, max: 60 }), shift: fc.integer({ min: 1, max: 50 }) });
    fc.assert(fc.property(blob, ({ w, h, dx, dy, shift }) => {
      // an ellipse of ink on a 240 × 240 pad, and the same ellipse moved by `shift` (both inside the pad)
      const draw = (ox: number, oy: number) => {
        const ink = new Float32Array(240 * 240);
        for (let y = 0; y < 240; y++) for (let x = 0; x < 240; x++) {
          const u = (x + 0.5 - ox - w / 2) / (w / 2), v = (y + 0.5 - oy - h / 2) / (h / 2);
          if (u * u + v * v <= 1) ink[y * 240 + x] = 0.8;
        }
        return ink;
      };
      const a = draw(dx, dy);
      if (inkBox(a, 240, 240) === null) return; // too thin to hold a pixel centre
      const out = toMnist(a, 240, 240)!;
      const box = inkBox(Float32Array.from(out, (v) => v / 255), FIELD, FIELD)!;
      expect(Math.max(box.x1 - box.x0, box.y1 - box.y0)).toBeLessThanOrEqual(BOX + 1);
      expect(Math.max(box.x1 - box.x0, box.y1 - box.y0)).toBeGreaterThanOrEqual(BOX - 1);
      expect(Math.max(...out)).toBe(255);
      const [cx, cy] = centreOfMass(out);
      expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(toMnist(draw(dx + shift, dy + shift), 240, 240)).toEqual(out);
    }), { numRuns: 40 });
  });
});
