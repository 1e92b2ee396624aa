/**
 * The name of every input and param made in this process (strings only, never collected). A
 * feed to `evaluate` naming none of them is certainly a misspelling or a stale name; one naming
 * a leaf the evaluated graph does not read may be the forward graph's feed serving its gradient.
 */
const declared = new Set<string>();

export function declareLeafName(name: string): void {
  declared.add(name);
}

export function isDeclaredLeafName(name: string): boolean {
  return declared.has(name);
}
