/** Feature detection: does this engine validate SIMD (and relaxed-SIMD) modules? */
import { WasmModule } from './module.js';

interface WasmGlobal { validate(bytes: Uint8Array): boolean }

let simd: boolean | undefined;
let relaxed: boolean | undefined;

function validates(build: (m: WasmModule) => void): boolean {
  const wasm = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  if (!wasm || typeof wasm.validate !== 'function') return false;
  const m = new WasmModule();
  build(m);
  try {
    return wasm.validate(m.toBytes());
  } catch {
    return false;
  }
}

/** True when the engine accepts 128-bit SIMD (cached). */
export function wasmSimdAvailable(): boolean {
  return (simd ??= validates((m) => {
    m.func('probe', [], ['f32'])
      .op('v128.const', { f32x4: [1, 2, 3, 4] }).op('f32x4.extract_lane', 3);
  }));
}

/** True when the engine accepts relaxed SIMD, e.g. f32x4.relaxed_madd (cached). */
export function relaxedSimdAvailable(): boolean {
  return (relaxed ??= validates((m) => {
    m.func('probe', [], ['f32'])
      .op('f32.const', 1).op('f32x4.splat').op('f32.const', 2).op('f32x4.splat').op('f32.const', 3).op('f32x4.splat')
      .op('f32x4.relaxed_madd').op('f32x4.extract_lane', 0);
  }));
}

/** The bytes of the SIMD probe module (what `wasmSimdAvailable` validates), for code that probes elsewhere. */
export function simdProbeBytes(): Uint8Array {
  const m = new WasmModule();
  m.func('probe', [], ['f32']).op('v128.const', { f32x4: [1, 2, 3, 4] }).op('f32x4.extract_lane', 3);
  return m.toBytes();
}
