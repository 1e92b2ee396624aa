#!/usr/bin/env node
// `npm run test:browser`: the demo end to end in real Chromium (playwright-core, Debian's build).
// Builds docs/demo, serves it on a free local port, loads the page, lets the worker train the seed
// MLP for a few hundred steps, and checks what the page shows: test accuracy on the held-out slice
// (≥ 85%), the Wasm backend in the worker, the main thread drawing frames while training, the
// simplified gradient and the generated code, and digits drawn with the mouse classified. Saves a
// screenshot to out/demo-screenshot.png. Prints one line per check and `browser: N passed, N failed`.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildDemo } from '../../docs/demo/build.mjs';
import { serveDemo } from '../../docs/demo/serve.mjs';
import { findChromium } from './chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EPOCHS = 3;
const TRAIN = 5000;
const STEPS = EPOCHS * Math.ceil(TRAIN / 32); // 471
const screenshot = process.env.GRADC_SCREENSHOT ?? join(root, 'out', 'demo-screenshot.png');

// The whole run is bounded: a page that hangs must not hang CI.
const deadline = setTimeout(() => {
  console.log('not ok - the browser test did not finish in 90 s');
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
}, 90_000);
deadline.unref();

let passed = 0;
let failed = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (ok) passed++;
  else failed++;
}

const found = findChromium();
if (!found.path) {
  console.log(`not ok - ${found.missing}`);
  console.log('browser: 0 passed, 1 failed');
  process.exit(1);
}

const t0 = performance.now();
const outDir = join(root, 'out', 'demo');
await buildDemo({ outDir, trainSize: TRAIN, testSize: 1000, log: (l) => console.log(`# ${l}`) });
const { server, url } = await serveDemo({ dir: outDir, port: 0 });
let browser = null;
try {
  browser = await chromium.launch({ executablePath: found.path, args: ['--no-sandbox'], timeout: 30_000 });
  console.log(`# ${found.path} (Chromium ${browser.version()}), page ${url}`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  await page.goto(`${url}?epochs=${EPOCHS}&backend=auto&seed=42`);

  // Training: done, or an error the page shows.
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: 60_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const error = await page.textContent('#error');
  check(state === 'done', `the page trained to the end (state ${state}${error ? `: ${error}` : ''})`);

  const acc = Number(await page.getAttribute('#accuracy', 'data-value'));
  check(acc >= 0.85, `test accuracy on the 1,000 held-out images ${(acc * 100).toFixed(1)}% ≥ 85%`);
  const steps = Number(await page.textContent('#steps'));
  check(steps === STEPS, `trained ${steps} steps (${EPOCHS} epochs of ${TRAIN} images, batch 32: ${STEPS})`);
  const drawn = await page.evaluate(() => { const c = document.querySelector('#loss'); return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0); });
  const epochLines = await page.$$eval('#epoch-log li', (li) => li.map((l) => l.textContent));
  check(drawn && epochLines.length === EPOCHS + 1, `the loss curve is drawn and each epoch logged (${epochLines.at(-1)})`);

  const backend = await page.getAttribute('#backend-used', 'data-value');
  const source = await page.textContent('#source');
  check(backend === 'wasm' && source.startsWith('(module'), `the worker ran the Wasm backend (${backend}; the step's code is a module of ${source.split('\n').length} lines of WAT)`);
  const kernels = (await page.textContent('#kernels')).split('\n');
  check(kernels.length >= 3 && kernels.some((k) => /matmul/.test(k)), `the fused kernels are listed (${kernels.length})`);

  const gradient = await page.textContent('#gradient');
  // reverse mode gives a long graph; simplified, ∂L/∂W1 is the textbook xᵀ · (((y − t) · W2ᵀ) ⊙ [z1 > 0]) / (32 · 255)
  check(/^let a = x · dense_1\/kernel \/ 255 \+ dense_1\/bias\nxᵀ · \(\(\(softmax\(.*\) − t\) · dense_2\/kernelᵀ\) ⊙ \[a > 0\]\) \/ 8160$/.test(gradient),
    `the first layer's gradient is shown simplified: ${gradient.split('\n').at(-1)}`);

  const frames = Number(await page.getAttribute('#responsive', 'data-frames'));
  const gap = Number(await page.getAttribute('#responsive', 'data-longest-gap'));
  const ms = Number(await page.getAttribute('#responsive', 'data-ms'));
  // at 60 frames a second a blocked main thread would draw none until training ends
  check(frames >= Math.max(3, ms / 100) && gap < 250, `the main thread kept drawing frames while the worker trained (${frames} frames in ${ms} ms, longest gap ${gap} ms)`);

  // Digits drawn with the mouse, classified through the page's MNIST-style preprocessing.
  const pad = await page.locator('#pad').boundingBox();
  const stroke = async (points) => {
    await page.mouse.move(pad.x + points[0][0], pad.y + points[0][1]);
    await page.mouse.down();
    for (const [x, y] of points.slice(1)) await page.mouse.move(pad.x + x, pad.y + y, { steps: 2 });
    await page.mouse.up();
  };
  const prediction = async () => {
    await page.waitForFunction(() => document.querySelector('#predicted').dataset.digit !== '', null, { timeout: 10_000 });
    const el = await page.$('#predicted');
    return { digit: await el.getAttribute('data-digit'), probs: JSON.parse(await el.getAttribute('data-probs')) };
  };
  const line = Array.from({ length: 12 }, (_, i) => [140 + i * 1.5, 50 + i * 16]); // a slightly slanted 1
  await stroke(line);
  const one = await prediction();
  const sum = one.probs.reduce((a, b) => a + b, 0);
  check(one.digit === '1' && Math.abs(sum - 1) < 1e-4, `a drawn stroke | is classified ${one.digit} (p = ${one.probs[1].toFixed(2)}; probabilities sum to ${sum.toFixed(5)})`);
  const seen = await page.evaluate(() => document.querySelector('#seen').getContext('2d').getImageData(0, 0, 28, 28).data.filter((v, i) => i % 4 === 0 && v > 128).length);
  check(seen > 20 && seen < 200, `the 28 × 28 input the model saw holds the stroke (${seen} bright pixels)`);

  await page.click('#clear');
  await page.waitForFunction(() => document.querySelector('#predicted').dataset.digit === '');
  const ring = Array.from({ length: 41 }, (_, i) => [140 + 60 * Math.sin((i / 40) * 2 * Math.PI), 140 - 95 * Math.cos((i / 40) * 2 * Math.PI)]);
  await stroke(ring);
  const zero = await prediction();
  check(zero.digit === '0', `a drawn ring O is classified ${zero.digit} (p = ${zero.probs[0].toFixed(2)})`);

  check(problems.length === 0, `no page or console errors${problems.length ? `: ${problems.join('; ')}` : ''}`);

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true, ...(/\.jpe?g$/i.test(screenshot) ? { type: 'jpeg', quality: 80 } : {}) });
  console.log(`# screenshot: ${screenshot}`);
} catch (e) {
  check(false, `the browser test threw: ${e.message.split('\n')[0]}`);
} finally {
  await browser?.close();
  server.close();
}
console.log(`# ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
