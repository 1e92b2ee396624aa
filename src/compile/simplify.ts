/**
 * Where compile simplifies the graph before scheduling it (src/rewrite): the outputs and the
 * update values are simplified together, so nodes they share stay shared.
 */
import type { Tensor } from '../graph/tensor.js';
import type { Step } from '../rewrite/driver.js';
import { simplifyWith } from '../rewrite/simplify.js';

export interface Simplified {
  readonly roots: readonly Tensor[];
  /** The rules that fired, in order, with how often (for GRADC_DEBUG=3); empty when not asked. */
  readonly fired: readonly string[];
}

export function simplifyRoots(roots: readonly Tensor[], record: boolean): Simplified {
  const log: Step[] | undefined = record ? [] : undefined;
  const out = simplifyWith(roots, log);
  if (log === undefined) return { roots: out, fired: [] };
  const counts = new Map<string, number>();
  for (const s of log) counts.set(s.rule, (counts.get(s.rule) ?? 0) + 1);
  return { roots: out, fired: [...counts].map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule)) };
}
