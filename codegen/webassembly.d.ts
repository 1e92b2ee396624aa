// The part of the WebAssembly JS API gradc uses (TypeScript declares it only in lib.dom; Node
// and browsers both provide it).
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  type ImportValue = Memory | ((...args: number[]) => number);
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, ImportValue>>);
    readonly exports: Record<string, unknown>;
  }
  /** What `new Module` throws for bytes that do not validate. */
  class CompileError extends Error {}
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
