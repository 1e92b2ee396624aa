/** An error in how a graph was built or fed: names the op, the shapes or values, and the fix. */
export class GraphError extends Error {
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
    this.name = 'GraphError';
  }
}

/** `[32,784]`: shapes print the way users write them. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
