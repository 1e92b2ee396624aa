// simplify: the graph rewritten to its canonical, stable form; equality of graphs is identity
// of their simplified nodes.
import { GraphError } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { runRules, type Step } from './driver.js';
import type { Rule } from './rule.js';
import { arithRules } from './rules/arith.js';
import { foldRules } from './rules/fold.js';
import { movementRules } from './rules/movement.js';
import { reduceRules } from './rules/reduce.js';
import { specializeRules, stabilizeRules } from './rules/stabilize.js';
import { unaryRules } from './rules/unary.js';

/**
 * Every rule, in the order they are tried at a node. The normal forms of sums and products
 * come last so that the small named rules get to fire (and be named in explain) first.
 */
export const rewriteRules: readonly Rule[] = [
  ...foldRules,
  ...movementRules,
  ...reduceRules,
  ...unaryRules,
  ...arithRules,
  ...stabilizeRules,
  ...specializeRules,
];

function checkRoots(op: string, ts: unknown): Tensor[] {
  const list = Array.isArray(ts) ? ts : [ts];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new GraphError(op, `${Array.isArray(ts) ? `element ${i}` : 'the argument'} is not a Tensor; pass a graph node or an array of them`);
  });
  return list as Tensor[];
}

/** Runs the rules; the steps are recorded when `log` is given. */
export function simplifyWith(roots: readonly Tensor[], log?: Step[]): Tensor[] {
  return runRules(roots, rewriteRules, log);
}

/**
 * An equivalent graph in canonical form: constants folded, scalars collected, commutative
 * operands sorted by structure, identities removed, and numerically stable forms chosen.
 * Idempotent: simplify(simplify(t)) === simplify(t).
 */
export function simplify(t: Tensor): Tensor;
export function simplify(ts: readonly Tensor[]): Tensor[];
export function simplify(ts: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  const roots = checkRoots('simplify', ts);
  const out = simplifyWith(roots);
  return ts instanceof Tensor ? out[0] : out;
}

/** Whether two graphs compute the same thing as far as the rules can tell: simplify(a) === simplify(b). */
export function sameGraph(a: Tensor, b: Tensor): boolean {
  const [x, y] = simplifyWith(checkRoots('sameGraph', [a, b]));
  return x === y;
}
