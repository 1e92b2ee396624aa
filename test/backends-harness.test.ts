/** The backend harness itself: which backends the differential suites run on, and their tolerances. */
import { expect, test } from 'vitest';
import { BACKENDS, wasmSimdAvailable } from 'gradc/codegen';
import { BACKENDS_UNDER_TEST, BACKEND_ROWS, TOLERANCES, backendWorks } from './helpers/backends.js';

test('js is always under test; every backend under test is listed by gradc/codegen and builds here', () => {
  expect(BACKENDS_UNDER_TEST[0]).toBe('js');
  expect(backendWorks('js')).toBe(true);
  for (const b of BACKENDS_UNDER_TEST) expect(BACKENDS).toContain(b);
  // wasm joins exactly when it can build and run a trivial program (and the engine has SIMD)
  expect(BACKENDS_UNDER_TEST.includes('wasm')).toBe(wasmSimdAvailable() && backendWorks('wasm'));
  expect(BACKEND_ROWS.map(([b, t]) => [b, t])).toEqual(BACKENDS_UNDER_TEST.map((b) => [b, TOLERANCES[b]]));
});

test('every listed backend has tolerances; decomposed transcendentals (wasm) are allowed more than native ones', () => {
  for (const b of BACKENDS) expect(Object.keys(TOLERANCES[b]).sort()).toEqual(['f32', 'f32Matmul', 'f32Transcendental', 'f64', 'graph']);
  expect(TOLERANCES.wasm.f32Transcendental.rtol).toBeGreaterThan(TOLERANCES.js.f32Transcendental.rtol);
  // f32 arithmetic is exact on every backend: the same tolerance everywhere
  expect(TOLERANCES.wasm.f32).toEqual(TOLERANCES.js.f32);
});
