/**
 * What lowering carries: the program being built (its expression pool, its buffers, where each
 * node's value is written) and the kernel being built (its loop vars, its terms so far). Plain
 * data and top-level functions over it: a first compile runs each of them a few times, so no
 * closures per kernel.
 */
import { affine, newVarIn } from '../../codegen/index.js';
import type { AccId, Affine, DType, Expr, ExprPool, Loop, Storage, Target, VarId } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Term } from '../schedule/schedule.js';
import { labelInput } from './labels.js';
import type { BufferRole } from './memory.js';

export interface BufferInfo {
  readonly id: number;
  readonly role: BufferRole;
  /** The leaf or value it holds (a param's buffer also receives the param's update). */
  readonly node: Tensor;
  readonly dtype: Storage;
  readonly length: number;
}

/** The program being lowered. */
export interface LowerState {
  readonly e: ExprPool;
  readonly buffers: BufferInfo[];
  /** Buffer of each leaf (inputs, params, constants), and of each stored value. */
  readonly leafBuffer: Map<Tensor, number>;
  readonly valueBuffer: Map<Tensor, number>;
  readonly outputs: ReadonlySet<Tensor>;
  readonly readByOthers: ReadonlySet<Tensor>;
  /** The params each value is the update of, and those updated in place (shrinks as kernels are built). */
  readonly updatesOf: ReadonlyMap<Tensor, readonly Tensor[]>;
  readonly inPlace: Set<Tensor>;
  /** Inputs whose feeds `run` checks as oneHot labels (see labels.ts). */
  readonly checkedLabels: ReadonlySet<Tensor>;
  readonly target: Target;
  /** The graph ops of the kernel being built, in the order first seen (for its report). */
  seen: Tensor[];
  seenSet: Set<Tensor>;
}

/** A buffer's storage: an input fed as bytes (`{ feed: 'uint8' }`) keeps one byte per element. */
const dtypeOf = (t: Tensor): Storage =>
  (t.is('input') && t.attrs.facts.feed === 'uint8' ? 'u8' : t.dtype === 'float64' ? 'f64' : 'f32');

export function newBuffer(st: LowerState, node: Tensor, role: BufferRole): number {
  const id = st.buffers.length;
  st.buffers.push({ id, role, node, dtype: dtypeOf(node), length: node.size });
  return id;
}

/** The buffer of a leaf (input, param, constant); a constant's is made when first read. */
export function leafBufferOf(st: LowerState, t: Tensor): number {
  let id = st.leafBuffer.get(t);
  if (id === undefined) {
    if (t.op !== 'constant') throw new Error(`internal: leaf ${t} was not declared`);
    st.leafBuffer.set(t, (id = newBuffer(st, t, 'constant')));
  }
  return id;
}

/** The buffer a placed node's value is stored in, numbered when first asked for. */
export function ownBuffer(st: LowerState, t: Tensor): number {
  let id = st.valueBuffer.get(t);
  if (id === undefined) st.valueBuffer.set(t, (id = newBuffer(st, t, st.outputs.has(t) ? 'output' : 'temp')));
  return id;
}

/** Buffers a node's value is written to: its own (an output, read by another kernel, or an update committed later) and params updated in place. */
export function dests(st: LowerState, t: Tensor): number[] {
  const ps = st.updatesOf.get(t);
  let own = st.outputs.has(t) || st.readByOthers.has(t);
  if (!own && ps !== undefined) for (const p of ps) if (!st.inPlace.has(p)) own = true;
  const d = own ? [ownBuffer(st, t)] : [];
  if (ps !== undefined) for (const p of ps) if (st.inPlace.has(p)) d.push(st.leafBuffer.get(p)!);
  return d;
}

export function saw(st: LowerState, t: Tensor): void {
  if (!st.seenSet.has(t)) {
    st.seenSet.add(t);
    st.seen.push(t);
  }
}

/** Whether these oneHot labels are an input whose feed `run` checks. */
export function labelsChecked(st: LowerState, labels: Tensor): boolean {
  const x = labelInput(labels);
  return x !== undefined && st.checkedLabels.has(x);
}

/** The accumulator dtype the target gives a contraction over operands of `dtype`. */
export function matmulAccumulator(st: LowerState, dtype: DType): DType {
  return dtype === 'f64' ? st.target.matmulAccumulator.f64 : st.target.matmulAccumulator.f32;
}

/** The kernel being lowered. */
export interface KernelBuild {
  readonly st: LowerState;
  readonly e: ExprPool;
  /** The pool's var of each of the schedule's loop vars (numbered per kernel). */
  readonly vars: VarId[];
  /** Terms as expressions, each built once per stage. */
  memo: Map<Term, Expr>;
  /** How the kernel's own anchors read: a rows kernel's accumulators, a matmul's sum; none elsewhere. */
  anchors: AnchorReads | undefined;
}

export type AnchorReads =
  | { readonly kind: 'rows'; readonly accs: Map<Tensor, { m?: AccId; s: AccId }> }
  | { readonly kind: 'sum'; readonly acc: AccId; readonly dtype: DType };

export function newBuild(st: LowerState): KernelBuild {
  return { st, e: st.e, vars: [], memo: new Map(), anchors: undefined };
}

/** Declares a loop of the schedule with a var of the pool. */
export function declareLoop(b: KernelBuild, l: Loop): Loop {
  const v = newVarIn(b.e);
  b.vars[l.v] = v;
  return { v, extent: l.extent };
}

export function declareLoops(b: KernelBuild, ls: readonly Loop[]): Loop[] {
  const out: Loop[] = [];
  for (const l of ls) out.push(declareLoop(b, l));
  return out;
}

/** An index over the schedule's loop vars as an index over the pool's. */
export function poolAffine(b: KernelBuild, a: Affine): Affine {
  if (a.terms.length === 0) return a;
  const terms: (readonly [VarId, number])[] = [];
  for (const t of a.terms) terms.push([b.vars[t.v]!, t.stride]);
  return affine(a.offset, terms);
}
