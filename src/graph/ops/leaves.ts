// Leaves: placeholders and params are fed by name; constants hold their values.
import type { OpDef } from './types.js';

export const leafOps = {
  input: { shape: (_, { shape }) => [...shape], evaluate: 'fed', vjp: 'none' } satisfies OpDef<'input'>,
  param: { shape: (_, { shape }) => [...shape], evaluate: 'fed', vjp: 'none' } satisfies OpDef<'param'>,
  constant: {
    shape: (_, { shape }) => [...shape],
    evaluate: (_, node) => {
      const { values } = node.attrs;
      return values.length === node.size ? values.slice() : new Float64Array(node.size).fill(values[0]);
    },
    vjp: 'none',
  } satisfies OpDef<'constant'>,
};
