// One-line descriptions of a node's op and attributes, shared by the tree and diagram printers.
import { GraphError } from '../graph/errors.js';
import { Tensor } from '../graph/tensor.js';
import { fmtNumber } from './symbols.js';

/** The op and its attributes, without operands: `sum axes=[1] keepDims`, `input "x" oneHot`. */
export function describeOp(t: Tensor): string {
  const a = t.attrs as Record<string, unknown>;
  switch (t.op) {
    case 'input': {
      const { name, facts } = (t as Tensor<'input'>).attrs;
      return `input ${JSON.stringify(name)}${facts.oneHot ? ' oneHot' : ''}${facts.feed ? ` feed=${facts.feed}` : ''}`;
    }
    case 'param':
      return `param ${JSON.stringify((t as Tensor<'param'>).attrs.name)}`;
    case 'constant': {
      const v = (t as Tensor<'constant'>).attrs.values;
      if (v.length === 1) return `constant ${fmtNumber(v[0])}`;
      return v.length <= 6 ? `constant [${Array.from(v, fmtNumber).join(', ')}]` : `constant (${v.length} values)`;
    }
    case 'sum':
    case 'max':
    case 'logSumExp':
      return `${t.op} axes=[${(a.axes as number[]).join(',')}]${a.keepDims ? ' keepDims' : ''}`;
    default: {
      const parts = Object.entries(a).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`);
      return [t.op, ...parts].join(' ');
    }
  }
}

/** The name of an input or param, or undefined. */
export const leafName = (t: Tensor): string | undefined => (t.is('input') || t.is('param') ? t.attrs.name : undefined);

export function rootList(op: string, ts: Tensor | readonly Tensor[]): Tensor[] {
  const list = ts instanceof Tensor ? [ts] : Array.isArray(ts) ? [...ts] : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new GraphError(op, 'expects a Tensor or a non-empty array of Tensors');
  return list;
}
