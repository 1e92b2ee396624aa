import type { OpAttrs, OpName } from '../attrs.js';
import type { Tensor } from '../tensor.js';

/**
 * Reverse-mode rule: given the cotangent `g` of `node` (same shape), return one
 * cotangent per input (null: no contribution), built from ops so it can be
 * differentiated again.
 */
export type Vjp<P extends OpName> = (g: Tensor, node: Tensor<P>) => readonly (Tensor | null)[];

/** Everything about one op, declared once. */
export interface OpDef<P extends OpName> {
  /** Output shape, or a GraphError naming the op, the shapes and the fix. */
  shape(inputs: readonly Tensor[], attrs: OpAttrs[P]): number[];
  /** Reference semantics on dense row-major float64 data; `'fed'` for inputs and params. */
  evaluate: ((args: readonly Float64Array[], node: Tensor<P>) => Float64Array) | 'fed';
  /** The derivative; `'none'` for ops whose result is piecewise constant or a leaf. */
  vjp: Vjp<P> | 'none';
}

/** The rule table: exhaustive by type, so a missing op or derivative fails `tsc`. */
export type OpTable = { readonly [P in OpName]: OpDef<P> };
