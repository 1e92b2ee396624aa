import { elementwiseOps } from './elementwise.js';
import { leafOps } from './leaves.js';
import { linalgOps } from './linalg.js';
import { movementOps } from './movement.js';
import { reduceOps } from './reduce.js';
import { rowOps } from './softmax.js';
import type { OpTable } from './types.js';

/** Every op's shape rule, reference semantics and VJP. Missing an op is a type error. */
export const opTable: OpTable = {
  ...leafOps,
  ...elementwiseOps,
  ...reduceOps,
  ...movementOps,
  ...linalgOps,
  ...rowOps,
};
