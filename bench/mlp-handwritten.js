// The seed MLP training step written by hand in plain JavaScript: 784 → 32 relu → 10 softmax,
// cross-entropy, Adam, over preallocated typed arrays, the big products register-blocked
// (4 rows at a time, i-k-j order). The speed a careful person reaches without a compiler;
// bench/train-step.js races it against the compiled step and tfjs.

const IN = 784;
const HID = 32;
const OUT = 10;
const R = 4;

export function handwrittenMlp(batch) {
  if (batch % R !== 0) throw new Error(`handwritten MLP: batch must be a multiple of ${R}`);
  const p = {
    W1: new Float32Array(IN * HID), b1: new Float32Array(HID), W2: new Float32Array(HID * OUT), b2: new Float32Array(OUT),
  };
  const m = { W1: new Float32Array(IN * HID), b1: new Float32Array(HID), W2: new Float32Array(HID * OUT), b2: new Float32Array(OUT) };
  const v = { W1: new Float32Array(IN * HID), b1: new Float32Array(HID), W2: new Float32Array(HID * OUT), b2: new Float32Array(OUT) };
  const z1 = new Float32Array(batch * HID);
  const h = new Float32Array(batch * HID);
  const y = new Float32Array(batch * OUT);
  const dz2 = new Float32Array(batch * OUT);
  const dz1 = new Float32Array(batch * HID);
  const gW2 = new Float64Array(HID * OUT);
  const gb = new Float64Array(HID);
  const acc = new Float64Array(R * HID);

  // w ← w − lr_t·m/(√v + ε) with m, v updated from gradient g (one element).
  function adam(w, mm, vv, i, g, lrT) {
    const m1 = 0.9 * mm[i] + 0.1 * g;
    const v1 = 0.999 * vv[i] + 0.001 * g * g;
    mm[i] = m1;
    vv[i] = v1;
    w[i] -= (lrT * m1) / (Math.sqrt(v1) + 1e-7);
  }

  /** One training step on x [batch, 784], t [batch, 10]; returns the loss. */
  function step(x, t, lrT) {
    const { W1, b1, W2, b2 } = p;
    // z1 = x·W1 + b1, h = relu(z1): 4 rows of x at a time, i-k-j.
    for (let i = 0; i < batch; i += R) {
      acc.fill(0);
      for (let k = 0; k < IN; k++) {
        const x0 = x[i * IN + k], x1 = x[(i + 1) * IN + k], x2 = x[(i + 2) * IN + k], x3 = x[(i + 3) * IN + k];
        const wk = k * HID;
        for (let j = 0; j < HID; j++) {
          const w = W1[wk + j];
          acc[j] += x0 * w;
          acc[HID + j] += x1 * w;
          acc[2 * HID + j] += x2 * w;
          acc[3 * HID + j] += x3 * w;
        }
      }
      for (let r = 0; r < R; r++) {
        for (let j = 0; j < HID; j++) {
          const z = acc[r * HID + j] + b1[j];
          z1[(i + r) * HID + j] = z;
          h[(i + r) * HID + j] = z > 0 ? z : 0;
        }
      }
    }
    // z2 = h·W2 + b2, y = softmax(z2), loss = −Σ t·log y / n, dz2 = (y − t)/n
    let loss = 0;
    for (let i = 0; i < batch; i++) {
      let mx = -Infinity;
      for (let j = 0; j < OUT; j++) {
        let s = b2[j];
        for (let k = 0; k < HID; k++) s += h[i * HID + k] * W2[k * OUT + j];
        y[i * OUT + j] = s;
        if (s > mx) mx = s;
      }
      let se = 0;
      for (let j = 0; j < OUT; j++) se += Math.exp(y[i * OUT + j] - mx);
      const lse = mx + Math.log(se);
      for (let j = 0; j < OUT; j++) {
        const z = y[i * OUT + j];
        const prob = Math.exp(z - lse);
        loss -= t[i * OUT + j] * (z - lse);
        y[i * OUT + j] = prob;
        dz2[i * OUT + j] = (prob - t[i * OUT + j]) / batch;
      }
    }
    // dh = dz2·W2ᵀ, dz1 = dh ⊙ [z1 > 0]  (uses W2 before its update)
    for (let i = 0; i < batch; i++) {
      for (let k = 0; k < HID; k++) {
        let s = 0;
        for (let j = 0; j < OUT; j++) s += dz2[i * OUT + j] * W2[k * OUT + j];
        dz1[i * HID + k] = z1[i * HID + k] > 0 ? s : 0;
      }
    }
    // dW2 = hᵀ·dz2, db2 = Σ rows dz2, and their Adam updates
    gW2.fill(0);
    for (let i = 0; i < batch; i++) {
      for (let k = 0; k < HID; k++) {
        const hk = h[i * HID + k];
        for (let j = 0; j < OUT; j++) gW2[k * OUT + j] += hk * dz2[i * OUT + j];
      }
    }
    for (let e = 0; e < HID * OUT; e++) adam(W2, m.W2, v.W2, e, gW2[e], lrT);
    for (let j = 0; j < OUT; j++) {
      let s = 0;
      for (let i = 0; i < batch; i++) s += dz2[i * OUT + j];
      adam(b2, m.b2, v.b2, j, s, lrT);
    }
    // dW1 = xᵀ·dz1 (4 input features at a time, i-k-j) with its Adam update, db1 = Σ rows dz1
    for (let k = 0; k < IN; k += R) {
      acc.fill(0);
      for (let i = 0; i < batch; i++) {
        const x0 = x[i * IN + k], x1 = x[i * IN + k + 1], x2 = x[i * IN + k + 2], x3 = x[i * IN + k + 3];
        for (let j = 0; j < HID; j++) {
          const d = dz1[i * HID + j];
          acc[j] += x0 * d;
          acc[HID + j] += x1 * d;
          acc[2 * HID + j] += x2 * d;
          acc[3 * HID + j] += x3 * d;
        }
      }
      for (let r = 0; r < R; r++) for (let j = 0; j < HID; j++) adam(W1, m.W1, v.W1, (k + r) * HID + j, acc[r * HID + j], lrT);
    }
    gb.fill(0);
    for (let i = 0; i < batch; i++) for (let j = 0; j < HID; j++) gb[j] += dz1[i * HID + j];
    for (let j = 0; j < HID; j++) adam(b1, m.b1, v.b1, j, gb[j], lrT);
    return loss / batch;
  }

  return { params: p, step, y };
}
