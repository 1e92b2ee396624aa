/**
 * The backends every differential test runs on, and how close each must come to the reference.
 *
 * A backend is under test when `gradc/codegen` lists it in `BACKENDS` and it can build and run a
 * trivial program here (wasm also needs an engine with SIMD). So the wasm suites join by
 * themselves the day `buildWasm` lands: nothing in the tests changes.
 */
import { BACKENDS, ProgramBuilder, affine, buildProgram, wasmSimdAvailable } from 'gradc/codegen';
import type { Backend } from 'gradc/codegen';

export type { Backend };

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export interface BackendTolerances {
  /** f32 arithmetic (+ − × ÷ √, casts, compares): every backend is exact float32, so only the reference's own rounding. */
  readonly f32: Tolerance;
  /** f32 chains through exp, log, tanh, sigmoid, softplus, pow (wasm decomposes them, ≤ 2 ulp each). */
  readonly f32Transcendental: Tolerance;
  /** f64 kernels. */
  readonly f64: Tolerance;
  /** f32 contractions (the sum's order and accumulator dtype are the plan's). */
  readonly f32Matmul: Tolerance;
  /** Whole compiled graphs (forward and gradient) against the float64 reference evaluator. */
  readonly graph: Tolerance;
}

export const TOLERANCES: { readonly [B in Backend]: BackendTolerances } = {
  js: {
    f32: { rtol: 1e-6, atol: 1e-7 },
    // JS keeps Math.exp & co. (float64, rounded once to f32): within 1 ulp of the true value.
    f32Transcendental: { rtol: 1e-6, atol: 1e-7 },
    f64: { rtol: 1e-12, atol: 1e-14 },
    // The JS target sums f32 products in f64: only the final rounding to f32.
    f32Matmul: { rtol: 1e-5, atol: 1e-6 },
    graph: { rtol: 1e-4, atol: 1e-5 },
  },
  wasm: {
    f32: { rtol: 1e-6, atol: 1e-7 },
    // ≤ 2 ulp per decomposed transcendental, a few in a chain.
    f32Transcendental: { rtol: 1e-5, atol: 1e-6 },
    f64: { rtol: 1e-12, atol: 1e-14 },
    // f32 accumulation in f32 lanes, in the plan's order.
    f32Matmul: { rtol: 1e-4, atol: 1e-5 },
    graph: { rtol: 3e-4, atol: 3e-5 },
  },
};

/** True when `backend` builds and runs out[i] = x[i] + 1 correctly in this environment. */
export function backendWorks(backend: Backend): boolean {
  if (backend === 'wasm' && !wasmSimdAvailable()) return false;
  try {
    const p = new ProgramBuilder();
    const e = p.e;
    const x = p.input(4), out = p.output(4);
    const i = e.newVar();
    const ix = affine(0, [[i, 1]]);
    p.kernel({ kind: 'loops', name: 'probe', outer: [{ v: i, extent: 4 }], passes: [{ kind: 'map', loops: [], stores: [{ buffer: out, index: ix, value: e.add(e.load(x, ix), 1) }] }] });
    const exe = buildProgram(p.finish(), { backend });
    exe.setInput(0, [1, 2, 3, 4]);
    exe.run();
    return Array.from(exe.outputs[0]!).join() === '2,3,4,5';
  } catch {
    return false;
  }
}

/** Backends the differential suites run on (today `['js']`; `'wasm'` joins once it builds). */
export const BACKENDS_UNDER_TEST: readonly Backend[] = BACKENDS.filter((b) => b === 'js' || backendWorks(b));
// js is never probed away: a broken JS backend must fail the suites, not empty them.

/** `describe.each` / `test.each` rows: `[backend, tolerances]`. */
export const BACKEND_ROWS: readonly (readonly [Backend, BackendTolerances])[] = BACKENDS_UNDER_TEST.map((b) => [b, TOLERANCES[b]] as const);
