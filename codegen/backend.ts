/** What every backend builds from a program plan over a memory. */
export interface BuiltKernels {
  /** Readable text of what runs (JS source, or the module's WAT). */
  readonly source: string;
  /** The binary module (wasm). */
  readonly bytes?: Uint8Array;
  /** The host functions the binary module imports from `math` (wasm: f64 transcendentals), by op name. */
  readonly hostMath?: readonly string[];
  readonly run: () => void;
  readonly kernels: readonly (() => void)[];
  readonly functionNames: readonly string[];
  /** The same kernels over another memory of the same layout (the code is not rebuilt). */
  rebind(memory: ArrayBuffer | WebAssembly.Memory): BuiltKernels;
}
