/**
 * A drawn digit as MNIST prepares its digits (LeCun et al.): the ink's bounding box scaled, with its
 * aspect ratio kept, so that its longer side is 20 pixels (area-averaged, so edges come out grey),
 * then placed in a 28 × 28 field so that its centre of mass is at pixel (14, 14). Ink is 0 (none)
 * to 1 (full); the result is bytes 0..255, as the model was trained on. Pure arithmetic: the page
 * reads the ink from its canvas, and test/demo-digit.test.ts checks this against MNIST itself.
 */

export const FIELD = 28;
export const BOX = 20;

/** Where the ink is: the bounding box of pixels above `threshold` of the strongest one, or null. */
export function inkBox(ink: Float32Array, width: number, height: number, threshold = 0.05): { x0: number; y0: number; x1: number; y1: number } | null {
  let max = 0;
  for (let i = 0; i < ink.length; i++) if (ink[i]! > max) max = ink[i]!;
  if (max <= 0) return null;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > threshold * max) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Weights of a 1-D area resampling of `n` source pixels to `m` target pixels: w[i·n + j] is the
 * fraction of target pixel i covered by source pixel j (each row sums to 1).
 */
function areaWeights(n: number, m: number): Float32Array {
  const w = new Float32Array(m * n);
  const scale = n / m; // source pixels per target pixel
  for (let i = 0; i < m; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    for (let j = Math.floor(a); j < Math.min(n, Math.ceil(b)); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      if (overlap > 0) w[i * n + j] = overlap / scale;
    }
  }
  return w;
}

/** The 784 bytes of a drawn digit, or null when nothing is drawn. */
export function toMnist(ink: Float32Array, width: number, height: number): Uint8Array | null {
  if (ink.length !== width * height) throw new Error(`toMnist: ink holds ${ink.length} values, a ${width}×${height} image has ${width * height}`);
  const box = inkBox(ink, width, height);
  if (box === null) return null;
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const s = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s));
  const th = Math.max(1, Math.round(bh * s));
  // scaled = Wy · ink[box] · Wxᵀ (separable area averaging)
  const wx = areaWeights(bw, tw);
  const wy = areaWeights(bh, th);
  const rows = new Float32Array(bh * tw);
  for (let y = 0; y < bh; y++) {
    for (let i = 0; i < tw; i++) {
      let acc = 0;
      for (let x = 0; x < bw; x++) acc += wx[i * bw + x]! * ink[(box.y0 + y) * width + box.x0 + x]!;
      rows[y * tw + i] = acc;
    }
  }
  const scaled = new Float32Array(th * tw);
  for (let j = 0; j < th; j++) {
    for (let i = 0; i < tw; i++) {
      let acc = 0;
      for (let y = 0; y < bh; y++) acc += wy[j * bh + y]! * rows[y * tw + i]!;
      scaled[j * tw + i] = acc;
    }
  }
  // centre of mass of the scaled digit, in pixel indices, moved to pixel (14, 14) as in MNIST, staying inside
  let mass = 0, mx = 0, my = 0;
  for (let j = 0; j < th; j++) {
    for (let i = 0; i < tw; i++) {
      const v = scaled[j * tw + i]!;
      mass += v;
      mx += v * i;
      my += v * j;
    }
  }
  const clampOffset = (o: number, size: number) => Math.min(FIELD - size, Math.max(0, o));
  const ox = clampOffset(Math.round(FIELD / 2 - mx / mass), tw);
  const oy = clampOffset(Math.round(FIELD / 2 - my / mass), th);
  let peak = 0;
  for (let k = 0; k < scaled.length; k++) if (scaled[k]! > peak) peak = scaled[k]!;
  const out = new Uint8Array(FIELD * FIELD);
  for (let j = 0; j < th; j++) {
    for (let i = 0; i < tw; i++) {
      // full ink is 255, as in MNIST, whatever the pen's own intensity
      out[(oy + j) * FIELD + ox + i] = Math.round(Math.min(1, scaled[j * tw + i]! / peak) * 255);
    }
  }
  return out;
}
