// Losses, composed from primitive ops so the simplifier sees every step.
import { GraphError, fmtShape } from './errors.js';
import * as f from './functions.js';
import { sameShape } from './shape.js';
import type { Tensor } from './tensor.js';

function rowsOf(op: string, y: Tensor, t: Tensor): number {
  if (!sameShape(y.shape, t.shape)) {
    throw new GraphError(op, `prediction ${fmtShape(y.shape)} and target ${fmtShape(t.shape)} differ; they must have the same shape`);
  }
  if (y.rank === 0) throw new GraphError(op, 'needs at least one axis (the classes); got a scalar');
  return y.size / y.shape[y.rank - 1];
}

/** CEE = −Σ t·log y / n over n rows: y are probabilities, t the targets. */
export function crossEntropy(y: Tensor, t: Tensor): Tensor {
  const n = rowsOf('crossEntropy', y, t);
  return f.div(f.neg(f.sum(f.mul(t, f.log(y)))), n);
}

/** −Σ t·logSoftmax(z) / n: cross-entropy of softmax(z), computed stably from logits z. */
export function softmaxCrossEntropy(logits: Tensor, t: Tensor): Tensor {
  const n = rowsOf('softmaxCrossEntropy', logits, t);
  return f.div(f.neg(f.sum(f.mul(t, f.logSoftmax(logits, -1)))), n);
}

/** −mean(t·log p + (1 − t)·log(1 − p)). */
export function binaryCrossEntropy(p: Tensor, t: Tensor): Tensor {
  if (!sameShape(p.shape, t.shape)) {
    throw new GraphError('binaryCrossEntropy', `prediction ${fmtShape(p.shape)} and target ${fmtShape(t.shape)} differ; they must have the same shape`);
  }
  return f.neg(f.mean(f.add(f.mul(t, f.log(p)), f.mul(f.sub(1, t), f.log(f.sub(1, p))))));
}

/** mean((y − t)²). */
export function meanSquaredError(y: Tensor, t: Tensor): Tensor {
  if (!sameShape(y.shape, t.shape)) {
    throw new GraphError('meanSquaredError', `prediction ${fmtShape(y.shape)} and target ${fmtShape(t.shape)} differ; they must have the same shape`);
  }
  return f.mean(f.square(f.sub(y, t)));
}
