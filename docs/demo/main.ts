/**
 * The page: starts the training worker, draws the loss curve as the losses arrive, shows what the
 * worker compiled, and classifies what is drawn on the pad. Training never runs here, so the page
 * keeps drawing frames: it measures the longest gap between animation frames while training and
 * says so (test/browser/demo.mjs reads it).
 */
import { toMnist } from './digit.js';
import type { BackendChoice, FromWorker, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

type State = 'loading' | 'compiling' | 'training' | 'done' | 'error';
function setState(s: State, status: string): void {
  document.body.dataset.state = s;
  $('status').textContent = status;
  ($<HTMLButtonElement>('train')).disabled = s === 'loading' || s === 'compiling';
}

// ---- the loss curve ----

let losses = new Float32Array(4096);
let count = 0;
const epochStarts: number[] = [];
let dirty = true;

function pushLosses(first: number, chunk: Float32Array): void {
  const end = first - 1 + chunk.length;
  if (end > losses.length) {
    const grown = new Float32Array(Math.max(end, losses.length * 2));
    grown.set(losses.subarray(0, count));
    losses = grown;
  }
  losses.set(chunk, first - 1);
  count = end;
  dirty = true;
}

function drawLoss(): void {
  const canvas = $<HTMLCanvasElement>('loss');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * ratio)) { canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio); }
  const g = canvas.getContext('2d')!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 44, right = 12, top = 12, bottom = 30;
  const pw = w - left - right, ph = h - top - bottom;
  let yMax = 0.5;
  for (let i = 0; i < Math.min(count, 20); i++) yMax = Math.max(yMax, losses[i]!);
  yMax = Math.ceil(yMax * 2) / 2;
  const steps = Math.max(count, 100);
  const X = (s: number) => left + (s / steps) * pw;
  const Y = (v: number) => top + ph - (Math.min(v, yMax) / yMax) * ph;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#5b6470';
  g.strokeStyle = '#d8dde3';
  g.lineWidth = 1;
  g.textAlign = 'right';
  const yTick = yMax <= 1 ? 0.25 : 0.5;
  for (let k = 0; k * yTick <= yMax + 1e-9; k++) {
    const v = k * yTick;
    g.beginPath(); g.moveTo(left, Y(v) + 0.5); g.lineTo(left + pw, Y(v) + 0.5); g.stroke();
    g.fillText(String(v), left - 6, Y(v) + 4);
  }
  g.textAlign = 'center';
  for (const s of epochStarts) {
    if (s === 0) continue;
    g.beginPath(); g.moveTo(X(s) + 0.5, top); g.lineTo(X(s) + 0.5, top + ph); g.stroke();
  }
  const tick = steps > 2000 ? 500 : steps > 800 ? 200 : 100;
  for (let s = 0; s <= steps; s += tick) g.fillText(String(s), X(s), top + ph + 16);
  g.fillText('step', left + pw / 2, h - 2);
  g.save();
  g.translate(11, top + ph / 2); g.rotate(-Math.PI / 2); g.fillText('loss', 0, 0);
  g.restore();
  if (count === 0) return;
  // each step's loss, faint; its moving mean over 25 steps, strong
  g.strokeStyle = 'rgba(37, 99, 235, 0.25)';
  g.beginPath();
  for (let i = 0; i < count; i++) (i === 0 ? g.moveTo : g.lineTo).call(g, X(i + 1), Y(losses[i]!));
  g.stroke();
  g.strokeStyle = '#1d4ed8';
  g.lineWidth = 2;
  g.beginPath();
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum += losses[i]!;
    if (i >= 25) sum -= losses[i - 25]!;
    const mean = sum / Math.min(i + 1, 25);
    (i === 0 ? g.moveTo : g.lineTo).call(g, X(i + 1), Y(mean));
  }
  g.stroke();
}

// ---- the main thread's frames: drawn every animation frame, timed while training ----

let training = false;
let frames = 0;
let longestGap = 0;
let lastFrame = 0;
let trainStart = 0;
function frame(t: number): void {
  if (training && lastFrame > 0) {
    frames++;
    longestGap = Math.max(longestGap, t - lastFrame);
  }
  lastFrame = t;
  if (dirty) {
    dirty = false;
    drawLoss();
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function reportFrames(): void {
  const el = $('responsive');
  el.dataset.frames = String(frames);
  el.dataset.longestGap = longestGap.toFixed(1);
  const ms = trainStart > 0 ? performance.now() - trainStart : 0;
  el.dataset.ms = ms.toFixed(0);
  el.textContent = `main thread while training: ${frames} frames drawn in ${ms.toFixed(0)} ms, longest gap between frames ${longestGap.toFixed(0)} ms (training runs in a Web Worker)`;
}

// ---- messages from the worker ----

let testSize = 0;
worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'data':
      testSize = m.testSize;
      $('test-size').textContent = m.testSize.toLocaleString('en-US');
      setState('compiling', `loaded ${m.trainSize.toLocaleString('en-US')} training and ${m.testSize.toLocaleString('en-US')} test images (${(m.bytes / 1e6).toFixed(1)} MB) in ${m.ms.toFixed(0)} ms`);
      start();
      break;
    case 'model': {
      $('backend-used').textContent = m.backend;
      $('backend-used').dataset.value = m.backend;
      $('gradient').textContent = m.gradient;
      $('summary').textContent = m.summary;
      $('kernels').textContent = m.kernels.join('\n');
      $('kernels-note').textContent = `forward, gradient and Adam update fused into ${m.kernels.length} kernels (${m.backend === 'wasm' ? 'one WebAssembly module, shown as its WAT text' : 'JavaScript'}; ${m.source.split('\n').length.toLocaleString('en-US')} lines, compiled in ${m.compileMs.toFixed(0)} ms with the eval and predict steps):`;
      $('source').textContent = m.source;
      showAccuracy(m.testAcc);
      $('epoch-log').innerHTML = '';
      logEpoch(`before training: test accuracy ${(m.testAcc * 100).toFixed(1)}%, loss ${m.testLoss.toFixed(3)}`);
      training = false; frames = 0; longestGap = 0; lastFrame = 0; trainStart = 0;
      setState('training', `training on ${m.backend} (${m.requested === 'auto' ? (m.backend === 'wasm' ? 'this browser has WebAssembly SIMD' : 'no WebAssembly SIMD here') : 'as asked'})…`);
      break;
    }
    case 'losses':
      if (!training) { training = true; trainStart = performance.now(); } // timed from the first step on
      if (m.epoch >= epochStarts.length) epochStarts.push(m.firstStep - 1);
      pushLosses(m.firstStep, m.losses);
      $('steps').textContent = String(count);
      $('speed').textContent = m.stepsPerSecond.toFixed(0);
      reportFrames();
      break;
    case 'epoch':
      showAccuracy(m.testAcc);
      logEpoch(`epoch ${m.epoch + 1}/${m.epochs}: train loss ${m.loss.toFixed(3)}, train acc ${(m.acc * 100).toFixed(1)}%, test acc ${(m.testAcc * 100).toFixed(1)}% (step ${m.steps}, ${(m.ms / 1000).toFixed(1)} s)`);
      break;
    case 'done':
      reportFrames();
      training = false;
      showAccuracy(m.testAcc);
      $('steps').textContent = String(m.steps);
      $('speed').textContent = ((m.steps / m.ms) * 1000).toFixed(0);
      setState('done', `trained ${m.steps} steps in ${(m.ms / 1000).toFixed(2)} s; draw a digit`);
      classify();
      break;
    case 'prediction':
      if (m.id === asked) showPrediction(m.probs);
      break;
    case 'error':
      training = false;
      $('error').textContent = m.message;
      setState('error', 'failed');
      break;
  }
};
worker.onerror = (e) => {
  $('error').textContent = `worker: ${e.message}`;
  setState('error', 'failed');
};

function showAccuracy(acc: number): void {
  const el = $('accuracy');
  el.textContent = `${(acc * 100).toFixed(1)}%`;
  el.dataset.value = String(acc);
  el.title = `${Math.round(acc * testSize)} of ${testSize} test images`;
}

function logEpoch(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  $('epoch-log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

const params = new URLSearchParams(location.search);
for (const k of ['epochs', 'backend', 'seed']) {
  const v = params.get(k);
  if (v !== null) ($<HTMLInputElement>(k)).value = v;
}

function start(): void {
  const epochs = Math.max(1, Math.min(100, Math.floor(Number(($<HTMLInputElement>('epochs')).value)) || 10));
  const seed = Math.max(0, Math.floor(Number(($<HTMLInputElement>('seed')).value)) || 0) % 2 ** 32;
  const backend = ($<HTMLSelectElement>('backend')).value as BackendChoice;
  losses.fill(0); count = 0; epochStarts.length = 0; epochStarts.push(0); dirty = true;
  $('steps').textContent = '0';
  $('error').textContent = '';
  setState('compiling', 'compiling the training step…');
  send({ type: 'train', epochs, backend, seed });
}
$('train').addEventListener('click', start);

// ---- the drawing pad ----

const pad = $<HTMLCanvasElement>('pad');
const pen = pad.getContext('2d', { willReadFrequently: true })!;
let drawing = false;
let asked = 0;

function point(e: PointerEvent): [number, number] {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * pad.width, ((e.clientY - r.top) / r.height) * pad.height];
}
pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  const [x, y] = point(e);
  pen.lineCap = 'round'; pen.lineJoin = 'round'; pen.lineWidth = 20; pen.strokeStyle = '#000';
  pen.beginPath(); pen.moveTo(x, y); pen.lineTo(x, y); pen.stroke();
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const [x, y] = point(e);
  pen.lineTo(x, y); pen.stroke();
});
const end = () => {
  if (!drawing) return;
  drawing = false;
  classify();
};
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);
$('clear').addEventListener('click', () => {
  pen.clearRect(0, 0, pad.width, pad.height);
  classify();
});

/** The pad's ink (its alpha: the pen is opaque black on a transparent canvas), MNIST-style, to the worker. */
function classify(): void {
  const img = pen.getImageData(0, 0, pad.width, pad.height).data;
  const ink = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < ink.length; i++) ink[i] = img[4 * i + 3]! / 255;
  const pixels = toMnist(ink, pad.width, pad.height);
  showSeen(pixels);
  asked++;
  if (pixels === null) {
    showPrediction(null);
    return;
  }
  send({ type: 'classify', id: asked, pixels }, [pixels.buffer]);
}

function showSeen(pixels: Uint8Array | null): void {
  const g = $<HTMLCanvasElement>('seen').getContext('2d')!;
  const img = g.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = pixels ? pixels[i]! : 0;
    img.data.set([v, v, v, 255], 4 * i);
  }
  g.putImageData(img, 0, 0);
}

const bars = $('bars');
for (let d = 0; d < 10; d++) bars.insertAdjacentHTML('beforeend', `<span>${d}</span><div class="bar"><i id="bar-${d}"></i></div><span id="p-${d}">–</span>`);

function showPrediction(probs: number[] | null): void {
  const el = $('predicted');
  let best = -1;
  if (probs) for (let d = 0; d < 10; d++) if (best < 0 || probs[d]! > probs[best]!) best = d;
  el.textContent = best < 0 ? '?' : String(best);
  el.dataset.digit = best < 0 ? '' : String(best);
  el.dataset.probs = probs ? JSON.stringify(probs) : '';
  for (let d = 0; d < 10; d++) {
    const p = probs ? probs[d]! : 0;
    $(`bar-${d}`).style.width = `${(p * 100).toFixed(1)}%`;
    $(`p-${d}`).textContent = probs ? `${(p * 100).toFixed(0)}%` : '–';
    $(`p-${d}`).className = d === best ? 'top' : '';
  }
}
showPrediction(null);
