// What a rewrite rule is. Each rule is small, named, and states its pattern in its doc comment.
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';

/** Rules run in phases, each to a fixed point: tidy up, then make stable, then make fast. */
export type Phase = 'canonicalize' | 'stabilize' | 'specialize';
export const PHASES: readonly Phase[] = ['canonicalize', 'stabilize', 'specialize'];

/** The two kinds of arithmetic trees the normal forms flatten. */
export type Family = 'sum' | 'product';

export interface RuleContext {
  /**
   * True when every user of the node flattens it into its own sum (or product): normalising
   * it alone would be wasted work, since the user rebuilds the whole tree.
   */
  interior(family: Family): boolean;
}

/** Prints the fact a rule used; `print` renders an expression. */
export type Because = (print: (t: Tensor) => string) => string;

/** A rule's result with, optionally, a more specific name and the fact it relied on. */
export interface Rewrite {
  readonly to: Tensor;
  readonly rule?: string;
  /** The fact relied on, in words, with expressions printed by `print`; a function so it costs nothing unless explain asks. */
  readonly because?: Because;
}

export interface Rule {
  readonly name: string;
  readonly phase: Phase;
  /** Ops the rule may fire on; 'any' means every op with operands. */
  readonly ops: readonly OpName[] | 'any';
  /** The replacement (same shape and dtype), or undefined when the rule does not apply. Never mutates. */
  readonly apply: (t: Tensor, ctx: RuleContext) => Tensor | Rewrite | undefined;
  /**
   * The rule builds a normal form, a fixed point of the rule itself: applied to its own output
   * it does not fire (test/rewrite-rules.test.ts checks this), so the driver does not try.
   */
  readonly normalForm?: boolean;
}

export function rule(name: string, phase: Phase, ops: readonly OpName[] | 'any', apply: Rule['apply'], normalForm = false): Rule {
  return normalForm ? { name, phase, ops, apply, normalForm } : { name, phase, ops, apply };
}
