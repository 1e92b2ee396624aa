/** What a user knows about an input. Rewrites may use only these facts. */
export interface Facts {
  /** Every row (last axis) is one-hot: entries are 0 or 1 and each row sums to 1. */
  readonly oneHot?: boolean;
  /**
   * How the input is fed to a compiled program. 'uint8': as bytes (a Uint8Array; MNIST pixels,
   * images): its value in the graph is still the float of each byte, 0..255 (scale it with graph
   * maths, e.g. `x.mul(1 / 255)`), but `compile` keeps it as one byte per element and converts
   * in the kernel that reads it. Omitted: floats of the input's dtype.
   */
  readonly feed?: 'uint8';
}

export type DType = 'float32' | 'float64';

export interface ReduceAttrs {
  /** Sorted, distinct, non-negative. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

type None = Record<string, never>;

/** Every primitive op and its attributes: the one list all rule tables are keyed by. */
export interface OpAttrs {
  // leaves
  input: { readonly name: string; readonly shape: readonly number[]; readonly facts: Facts };
  param: { readonly name: string; readonly shape: readonly number[] };
  /** `values.length === 1`: one scalar broadcast to `shape`. */
  constant: { readonly values: Float64Array; readonly shape: readonly number[] };
  // unary elementwise
  neg: None;
  exp: None;
  log: None;
  sqrt: None;
  square: None;
  abs: None;
  relu: None;
  sigmoid: None;
  tanh: None;
  softplus: None;
  pow: { readonly exponent: number };
  // binary elementwise, NumPy broadcasting
  add: None;
  sub: None;
  mul: None;
  div: None;
  maximum: None;
  minimum: None;
  greater: None;
  less: None;
  equal: None;
  where: None;
  // reductions
  sum: ReduceAttrs;
  max: ReduceAttrs;
  logSumExp: ReduceAttrs;
  // shape
  reshape: { readonly shape: readonly number[] };
  transpose: { readonly perm: readonly number[] };
  broadcastTo: { readonly shape: readonly number[] };
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] };
  pad: { readonly before: readonly number[]; readonly after: readonly number[] };
  concat: { readonly axis: number };
  // linear algebra
  matmul: None;
  // composites with their own stable forward
  softmax: { readonly axis: number };
  logSoftmax: { readonly axis: number };
  oneHot: { readonly depth: number };
}

export type OpName = keyof OpAttrs;
