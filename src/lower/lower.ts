/**
 * From a schedule to a kernel program: buffers for leaves and stored values, one kernel per
 * group, in-place updates where they are pointwise (else a commit kernel at the end), and the
 * static memory plan.
 */
import { affine, affineEqual, castIn, coalesceLoops, ExprPool, loadIn, newVarIn, reachable, STORAGE_BYTES, valueType } from '../../codegen/index.js';
import type { BufferDecl, Expr, Kernel, Pass, Program, Store, Target } from '../../codegen/index.js';
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import type { KernelSchedule, Schedule } from '../schedule/schedule.js';
import { lowerKernel } from './kernels.js';
import type { MemoryPlan } from './memory.js';
import { planMemory } from './memory.js';
import type { BufferInfo, LowerState } from './state.js';
import { newBuffer, ownBuffer } from './state.js';

export type { BufferInfo } from './state.js';

export interface LoweredKernel {
  readonly kernel: Kernel;
  /** The graph ops computed in it, one entry per graph node, in the order they were built. */
  readonly ops: readonly string[];
}

export interface Lowered {
  readonly program: Program;
  readonly buffers: readonly BufferInfo[];
  readonly kernels: readonly LoweredKernel[];
  readonly memory: MemoryPlan;
  /** Buffer of each leaf (inputs, params, constants) and of each output node. */
  readonly leafBuffer: ReadonlyMap<Tensor, number>;
  readonly outputBuffer: ReadonlyMap<Tensor, number>;
  /** Params whose update is copied from a temporary by the last kernel (not in place). */
  readonly committed: readonly Tensor[];
}

export interface LowerInput {
  readonly schedule: Schedule;
  /** Input leaves in slot order. */
  readonly inputs: readonly Tensor[];
  /** Every param the program reads or updates. */
  readonly params: readonly Tensor[];
  /** Distinct output nodes in slot order. */
  readonly outputs: readonly Tensor[];
  readonly updates: readonly (readonly [Tensor, Tensor])[];
  /** Inputs whose feeds `run` checks as oneHot labels (see labels.ts); other labels are checked in the kernel. */
  readonly checkedLabels: ReadonlySet<Tensor>;
  /** The target the program is for (its contraction accumulator types). */
  readonly target: Target;
  /** Params placed in a shared weight region: their byte offsets, and where the region ends. */
  readonly region?: { readonly offsetOf: (p: Tensor) => number | undefined; readonly bytes: number };
}

export function lower({ schedule, inputs, params, outputs, updates, checkedLabels, target, region }: LowerInput): Lowered {
  const buffers: BufferInfo[] = [];
  const updatesOf = new Map<Tensor, Tensor[]>();
  for (const [p, v] of updates) {
    const l = updatesOf.get(v);
    if (l) l.push(p); else updatesOf.set(v, [p]);
  }
  const st: LowerState = {
    e: new ExprPool((id) => buffers[id]?.dtype), buffers, leafBuffer: new Map(), valueBuffer: new Map(),
    outputs: new Set(outputs), readByOthers: schedule.readByOthers, updatesOf, inPlace: new Set(schedule.inPlace),
    checkedLabels, target, seen: [], seenSet: new Set(),
  };
  const { e, leafBuffer, valueBuffer, inPlace } = st;
  for (const t of inputs) leafBuffer.set(t, newBuffer(st, t, 'input'));
  for (const t of params) leafBuffer.set(t, newBuffer(st, t, 'param'));
  for (const t of outputs) ownBuffer(st, t);

  const kernels: LoweredKernel[] = [];
  for (const k of schedule.kernels) {
    for (;;) {
      st.seen = [];
      st.seenSet = new Set();
      const built = lowerKernel(k, 'k', st);
      if (built === undefined) break;
      const kernel = built.kind === 'loops' ? coalesceLoops(built, e) : built;
      // A param updated in place must be read only pointwise by its own kernel; else commit it later.
      const unsafe = unsafeInPlace(st, k.members, kernel);
      if (unsafe.length > 0) {
        for (const p of unsafe) inPlace.delete(p);
        continue;
      }
      const ops = st.seen.map((t) => t.op);
      const words = [...new Set([...anchorsOf(k).map((t) => t.op), ...ops])];
      kernels.push({ kernel: { ...kernel, name: kernelName(words) }, ops });
      break;
    }
  }

  const committed: Tensor[] = [];
  for (const [p] of updates) if (!inPlace.has(p)) committed.push(p);
  if (committed.length > 0) {
    // Copy each committed update from the buffer its kernel stored it in (its own, even for a
    // leaf: the leaf itself may have been updated since) into the param: last, after every reader.
    const passes: Pass[] = [];
    for (const [p, v] of updates) {
      if (inPlace.has(p)) continue;
      const v0 = newVarIn(e);
      const ix = affine(0, [[v0, 1]]);
      const to = leafBuffer.get(p)!;
      passes.push({ kind: 'map', loops: [{ v: v0, extent: p.size }], stores: [{ buffer: to, index: ix, value: castIn(e, loadIn(e, ownBuffer(st, v), ix), valueType(buffers[to]!.dtype)) }] });
    }
    kernels.push({ kernel: { kind: 'loops', name: 'commit', outer: [], passes }, ops: [] });
  }

  // Lifetimes, then the plan.
  const start = new Array<number>(buffers.length).fill(Infinity);
  const end = new Array<number>(buffers.length).fill(-1);
  for (let pos = 0; pos < kernels.length; pos++) {
    const kernel = kernels[pos]!.kernel;
    const roots: Expr[] = [];
    if (kernel.kind === 'matmul') {
      for (const s of kernel.stores) noteWrite(start, end, s, pos);
      roots.push(kernel.a, kernel.b);
      for (const s of kernel.stores) roots.push(s.value);
    } else {
      for (const p of kernel.passes) if (p.kind === 'map') for (const s of p.stores) noteWrite(start, end, s, pos);
      for (const p of kernel.passes) {
        if (p.kind === 'reduce') for (const a of p.accs) roots.push(a.value);
        else for (const s of p.stores) roots.push(s.value);
      }
    }
    for (const x of reachable(roots)) if (x.kind === 'load') end[x.buffer] = Math.max(end[x.buffer]!, pos);
  }
  const fixed = new Map<number, number>();
  if (region) {
    for (const p of params) {
      const at = region.offsetOf(p);
      if (at !== undefined) fixed.set(leafBuffer.get(p)!, at);
    }
  }
  const memory = planMemory(buffers.map((b) => ({
    id: b.id, role: b.role, bytes: b.length * STORAGE_BYTES[b.dtype],
    start: Number.isFinite(start[b.id]!) ? start[b.id]! : 0, end: Math.max(end[b.id]!, 0),
  })), fixed, region?.bytes ?? 0);
  const decls: BufferDecl[] = buffers.map((b) => ({ id: b.id, offset: memory.offsets[b.id]!, length: b.length, dtype: b.dtype }));
  const program: Program = {
    buffers: decls,
    kernels: kernels.map((k) => k.kernel),
    arenaBytes: memory.arenaBytes,
    inputs: inputs.map((t) => leafBuffer.get(t)!),
    outputs: outputs.map((t) => valueBuffer.get(t)!),
  };
  return { program, buffers, kernels, memory, leafBuffer, outputBuffer: new Map(outputs.map((t) => [t, valueBuffer.get(t)!])), committed };
}

/** A store of kernel `pos`: its buffer is live from its first writer on. */
function noteWrite(start: number[], end: number[], s: Store, pos: number): void {
  start[s.buffer] = Math.min(start[s.buffer]!, pos);
  end[s.buffer] = Math.max(end[s.buffer]!, pos);
}

/**
 * The loads of each part of a kernel that may write what it reads: each pass of a loop kernel;
 * for a matmul, its stores, with the operands' loads (which may never read an updated buffer) in `operands`.
 */
interface PassLoads {
  readonly loads: readonly LoadExpr[];
  readonly stores: readonly Store[];
  readonly operands?: readonly LoadExpr[];
}
type LoadExpr = Extract<Expr, { kind: 'load' }>;

/** The params `members` update in place that `kernel` also reads other than pointwise (those must be committed later). */
function unsafeInPlace(st: LowerState, members: readonly Tensor[], kernel: Kernel): Tensor[] {
  let parts: PassLoads[] | undefined;
  return members.flatMap((t) => (st.updatesOf.get(t) ?? []).filter((p) => st.inPlace.has(p)
    && !pointwiseOnly((parts ??= loadsOf(kernel)), st.leafBuffer.get(p)!)));
}

/** Computed once per kernel, for every param it may update in place. */
function loadsOf(k: Kernel): PassLoads[] {
  if (k.kind === 'matmul') return [{ loads: loadsIn(k.stores.map((s) => s.value)), stores: k.stores, operands: loadsIn([k.a, k.b]) }];
  return k.passes.map((p) => (p.kind === 'reduce'
    ? { loads: loadsIn(p.accs.map((a) => a.value)), stores: [] }
    : { loads: loadsIn(p.stores.map((s) => s.value)), stores: p.stores }));
}

function loadsIn(roots: readonly Expr[]): LoadExpr[] {
  return reachable(roots).filter((x): x is LoadExpr => x.kind === 'load');
}

/** True when every read of `buffer` is in the part that writes it, at the index written. */
function pointwiseOnly(parts: readonly PassLoads[], buffer: number): boolean {
  return parts.every(({ loads, stores, operands }) => {
    if (operands !== undefined && operands.some((l) => l.buffer === buffer)) return false;
    const writes = stores.filter((s) => s.buffer === buffer);
    return loads.every((l) => l.buffer !== buffer || writes.some((w) => affineEqual(w.index, l.index)));
  });
}

/** The anchors a kernel is built around (they name it first). */
function anchorsOf(k: KernelSchedule): readonly Tensor[] {
  switch (k.kind) {
    case 'elementwise': return [];
    case 'rows': return k.members.filter((t) => k.anchors.some((a) => a.node === t));
    case 'matmul': case 'assemble': return [k.node];
  }
}

/** The op name as a kernel-name word: logSoftmax → log_softmax. */
function opWord(op: OpName): string {
  return op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A kernel name from the ops it computes: matmul_add_relu. Our vocabulary only. */
function kernelName(ops: readonly OpName[]): string {
  const words = ops.map(opWord);
  let name = words.slice(0, 4).join('_') || 'copy';
  if (name.length > 60) name = name.slice(0, 60).replace(/_+$/, '');
  return name;
}
