/** What every backend builds from a program plan over a memory. */
export interface BuiltKernels {
  /** Readable text of what runs (JS source, or the module's WAT). */
  readonly source: string;
  readonly run: () => void;
  readonly kernels: readonly (() => void)[];
  readonly functionNames: readonly string[];
}
