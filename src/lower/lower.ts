/**
 * From a schedule to a kernel program: buffers for leaves and stored values, one kernel per
 * group, in-place updates where they are pointwise (else a commit kernel at the end), and the
 * static memory plan.
 */
import { affine, affineEqual, coalesceLoops, ExprPool, reachable, STORAGE_BYTES, valueType } from '../../codegen/index.js';
import type { BufferDecl, Expr, Kernel, Program, Storage, Store, Target } from '../../codegen/index.js';
import type { OpName } from '../graph/attrs.js';
import type { Tensor } from '../graph/tensor.js';
import type { Schedule } from '../schedule/schedule.js';
import { lowerKernel } from './kernels.js';
import type { KernelContext } from './kernels.js';
import { labelInput } from './labels.js';
import type { BufferRole, MemoryPlan } from './memory.js';
import { planMemory } from './memory.js';

export interface BufferInfo {
  readonly id: number;
  readonly role: BufferRole;
  /** The leaf or value it holds (a param's buffer also receives the param's update). */
  readonly node: Tensor;
  readonly dtype: Storage;
  readonly length: number;
}

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

/** A buffer's storage: an input fed as bytes (`{ feed: 'uint8' }`) keeps one byte per element. */
const dtypeOf = (t: Tensor): Storage =>
  (t.is('input') && t.attrs.facts.feed === 'uint8' ? 'u8' : t.dtype === 'float64' ? 'f64' : 'f32');

export function lower({ schedule, inputs, params, outputs, updates, checkedLabels, target, region }: LowerInput): Lowered {
  const e = new ExprPool((id) => buffers[id]?.dtype);
  const buffers: BufferInfo[] = [];
  const leafBuffer = new Map<Tensor, number>();
  const valueBuffer = new Map<Tensor, number>();
  const outputSet = new Set(outputs);
  const newBuffer = (node: Tensor, role: BufferRole) => {
    const id = buffers.length;
    buffers.push({ id, role, node, dtype: dtypeOf(node), length: node.size });
    return id;
  };
  for (const t of inputs) leafBuffer.set(t, newBuffer(t, 'input'));
  for (const t of params) leafBuffer.set(t, newBuffer(t, 'param'));
  const leafBufferOf = (t: Tensor): number => {
    let id = leafBuffer.get(t);
    if (id === undefined) {
      if (t.op !== 'constant') throw new Error(`internal: leaf ${t} was not declared`);
      leafBuffer.set(t, (id = newBuffer(t, 'constant')));
    }
    return id;
  };
  const ownBuffer = (t: Tensor): number => {
    let id = valueBuffer.get(t);
    if (id === undefined) valueBuffer.set(t, (id = newBuffer(t, outputSet.has(t) ? 'output' : 'temp')));
    return id;
  };
  for (const t of outputs) ownBuffer(t);

  const inPlace = new Set(schedule.inPlace);
  const updatesOf = new Map<Tensor, Tensor[]>();
  for (const [p, v] of updates) {
    const l = updatesOf.get(v);
    if (l) l.push(p); else updatesOf.set(v, [p]);
  }
  const needsOwn = (t: Tensor) =>
    outputSet.has(t) || schedule.readByOthers.has(t) || (updatesOf.get(t) ?? []).some((p) => !inPlace.has(p));
  const dests = (t: Tensor): number[] => {
    const d = needsOwn(t) ? [ownBuffer(t)] : [];
    for (const p of updatesOf.get(t) ?? []) if (inPlace.has(p)) d.push(leafBuffer.get(p)!);
    return d;
  };

  const kernels: LoweredKernel[] = [];
  for (const k of schedule.kernels) {
    for (;;) {
      const seen: Tensor[] = [];
      const seenSet = new Set<Tensor>();
      const cx: KernelContext = {
        e, dests, leafBuffer: leafBufferOf, ownBuffer, storageOf: (b) => buffers[b]!.dtype,
        matmulAccumulator: (dtype) => (dtype === 'f64' ? target.matmulAccumulator.f64 : target.matmulAccumulator.f32),
        labelsChecked: (t) => { const x = labelInput(t); return x !== undefined && checkedLabels.has(x); },
        saw: (t) => { if (!seenSet.has(t)) { seenSet.add(t); seen.push(t); } },
      };
      const built = lowerKernel(k, 'k', cx);
      if (built === undefined) break;
      const kernel = built.kind === 'loops' ? coalesceLoops(built, e) : built;
      // A param updated in place must be read only pointwise by its own kernel; else commit it later.
      let reads: PassLoads[] | undefined;
      const unsafe = k.members.flatMap((t) => (updatesOf.get(t) ?? []).filter((p) => inPlace.has(p)
        && !pointwiseOnly(kernel, (reads ??= loadsOf(kernel)), leafBuffer.get(p)!)));
      if (unsafe.length > 0) {
        for (const p of unsafe) inPlace.delete(p);
        continue;
      }
      const ops = seen.map((t) => t.op);
      const words = [...new Set([...anchorsOf(k).map((t) => t.op), ...ops])];
      kernels.push({ kernel: { ...kernel, name: kernelName(words) }, ops });
      break;
    }
  }

  const committed = updates.filter(([p]) => !inPlace.has(p)).map(([p]) => p);
  if (committed.length > 0) {
    // Copy each committed update from the buffer its kernel stored it in (its own, even for a
    // leaf: the leaf itself may have been updated since) into the param: last, after every reader.
    const passes = updates.filter(([p]) => !inPlace.has(p)).map(([p, v]) => {
      const v0 = e.newVar();
      const ix = affine(0, [[v0, 1]]);
      return { kind: 'map' as const, loops: [{ v: v0, extent: p.size }], stores: [{ buffer: leafBuffer.get(p)!, index: ix, value: e.cast(e.load(ownBuffer(v), ix), valueType(buffers[leafBuffer.get(p)!]!.dtype)) }] };
    });
    kernels.push({ kernel: { kind: 'loops', name: 'commit', outer: [], passes }, ops: [] });
  }

  // Lifetimes, then the plan.
  const start = new Array<number>(buffers.length).fill(Infinity);
  const end = new Array<number>(buffers.length).fill(-1);
  kernels.forEach(({ kernel }, pos) => {
    for (const s of kernel.kind === 'loops' ? kernel.passes.flatMap((p) => (p.kind === 'map' ? p.stores : [])) : kernel.stores) {
      start[s.buffer] = Math.min(start[s.buffer]!, pos);
      end[s.buffer] = Math.max(end[s.buffer]!, pos);
    }
    for (const x of reachable(kernelRoots(kernel))) if (x.kind === 'load') end[x.buffer] = Math.max(end[x.buffer]!, pos);
  });
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

function kernelRoots(k: Kernel) {
  if (k.kind === 'matmul') return [k.a, k.b, ...k.stores.map((s) => s.value)];
  return k.passes.flatMap((p) => (p.kind === 'reduce' ? p.accs.map((a) => a.value) : p.stores.map((s) => s.value)));
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

/** Computed once per kernel, for every param it may update in place. */
function loadsOf(k: Kernel): PassLoads[] {
  const loads = (roots: readonly Expr[]) => reachable(roots).filter((x): x is LoadExpr => x.kind === 'load');
  if (k.kind === 'matmul') return [{ loads: loads(k.stores.map((s) => s.value)), stores: k.stores, operands: loads([k.a, k.b]) }];
  return k.passes.map((p) => (p.kind === 'reduce'
    ? { loads: loads(p.accs.map((a) => a.value)), stores: [] }
    : { loads: loads(p.stores.map((s) => s.value)), stores: p.stores }));
}

/** True when every read of `buffer` in `k` is in the pass that writes it, at the index written. */
function pointwiseOnly(k: Kernel, parts: readonly PassLoads[], buffer: number): boolean {
  return parts.every(({ loads, stores, operands }) => {
    if (operands !== undefined && operands.some((l) => l.buffer === buffer)) return false;
    const writes = stores.filter((s) => s.buffer === buffer);
    return loads.every((l) => l.buffer !== buffer || writes.some((w) => affineEqual(w.index, l.index)));
  });
}

/** The anchors a kernel is built around (they name it first). */
function anchorsOf(k: Schedule['kernels'][number]): readonly Tensor[] {
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
