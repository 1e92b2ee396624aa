/**
 * Fusion: which graph nodes are stored, and which kernel computes each.
 *
 * 1. Anchors (reductions, softmaxes, matmuls, pad/concat) each need a kernel. Elementwise ops
 *    and views are inlined into whatever kernel needs them, unless they are outputs or updates,
 *    or feed several kernels and are not cheap to recompute, or a consumer needs them in memory.
 * 2. In graph order, each anchor and stored value joins the latest kernel it depends on when it
 *    can be computed there: a reduction over the same rows, a matmul's epilogue (bias,
 *    activation, the optimizer update of the weight it is the gradient of), a loop of the same
 *    shape. Otherwise it starts a kernel of its own.
 * 3. Kernels run in graph order, except that a kernel reading a parameter runs before the
 *    kernel that updates that parameter in place.
 * 4. Each group is described once as the kernel lowering builds (kernels.ts): the Schedule.
 */
import { TRANSCENDENTALS } from '../../codegen/index.js';
import type { Target, Transcendental } from '../../codegen/index.js';
import type { Tensor } from '../graph/tensor.js';
import { broadcastIx, loopAff } from './index-map.js';
import type { Ix } from './index-map.js';
import { FINAL, newGroup, passesOf, PLAIN, rowsStage, rowsStoreStages } from './group.js';
import type { Group, Stage, StoreStage } from './group.js';
import { kernelSchedule } from './kernels.js';
import { isAnchor, kindOf, opCost, rowSpace } from './kinds.js';
import type { Schedule } from './schedule.js';
import { Walker } from './walk.js';

/** Recomputing an inline value in several kernels is fine up to this cost per element. */
const DUP_COST = 3;
/** A matmul operand may be computed inline (a prologue) up to this cost per element. */
const PROLOGUE_COST = 2;

export interface ScheduleInput {
  /** Every node needed, inputs before users. */
  readonly order: readonly Tensor[];
  /** Outputs and update values: their values must be stored. */
  readonly roots: ReadonlySet<Tensor>;
  readonly updates: readonly (readonly [Tensor, Tensor])[];
  /** The target's limits: inline expressions deeper than `maxFusedHeight` graph ops are stored. */
  readonly target: Target;
}

export function schedule({ order, roots, updates, target }: ScheduleInput): Schedule {
  const maxHeight = target.maxFusedHeight;
  /** A value joins a kernel only if computing it there walks at most this deep. */
  const maxWalk = 2 * maxHeight;
  const stored = chooseStored(order, roots, target);
  const groups: Group[] = [];
  const groupOf = new Map<Tensor, Group>();
  const readers = new Map<Tensor, Set<Group>>();
  const paramReaders = new Map<Tensor, Set<Group>>();
  let nextVar = 0;
  const fullIx = (shape: readonly number[]): Ix => shape.map((d) => loopAff(nextVar++, d));

  interface Reads { refs: Set<Tensor>; params: Set<Tensor>; locals: Set<Tensor> }
  /** Walks `roots` as if computed in `group` at `stage`; undefined when impossible there. */
  const tryWalk = (group: Group | undefined, stage: Stage, items: readonly (readonly [Tensor, Ix])[]): Reads | undefined => {
    const reads: Reads = { refs: new Set(), params: new Set(), locals: new Set() };
    const w = new Walker<true>({
      leaf: (t) => { if (t.op === 'param') reads.params.add(t); return true; },
      stored: (t) => { reads.refs.add(t); return true; },
      local: (t) => { reads.locals.add(t); return true; },
      op: () => true,
    }, group, (t) => groupOf.get(t), stage);
    for (const [t, ix] of items) if (w.at(t, ix) === undefined) return undefined;
    // Too deep inline (e.g. a long chain would fuse into one expression): not here.
    if (group !== undefined && w.maxDepth > maxWalk) return undefined;
    return reads;
  };
  const commit = (group: Group, reads: Reads) => {
    for (const t of reads.refs) {
      const home = groupOf.get(t)!;
      if (home === group) continue;
      let s = readers.get(t);
      if (!s) readers.set(t, (s = new Set()));
      s.add(group);
    }
    for (const p of reads.params) {
      let s = paramReaders.get(p);
      if (!s) paramReaders.set(p, (s = new Set()));
      s.add(group);
    }
  };
  const latest = (refs: Iterable<Tensor>): Group | undefined => {
    let g: Group | undefined;
    for (const t of refs) {
      const h = groupOf.get(t)!;
      if (g === undefined || h.id > g.id) g = h;
    }
    return g;
  };
  const create = (kind: Group['kind'], shape: readonly number[], axes: readonly number[] = []) => {
    const g = newGroup(groups.length, kind, shape, axes);
    groups.push(g);
    return g;
  };

  for (const t of order) {
    const kind = kindOf(t);
    if (isAnchor(kind)) {
      placeAnchor(t);
    } else if (stored.has(t)) {
      placeValue(t);
    }
  }

  function placeAnchor(t: Tensor): void {
    const kind = kindOf(t);
    if (kind === 'reduce' || kind === 'row') {
      const { shape, axes } = rowSpace(t);
      const probe = tryWalk(undefined, PLAIN, [[t.inputs[0]!, fullIx(shape)]])!;
      const after = latest(probe.refs);
      const same = (g: Group) => g.kind === 'rows' && sameList(g.shape, shape) && sameList(g.axes, axes);
      const candidates = groups.filter((g) => same(g) && (after === undefined || g.id >= after.id)).reverse();
      if (after !== undefined && same(after)) candidates.unshift(after);
      for (const g of candidates) {
        const stage = rowsStage(g, fullIx(shape), fullIx(shape), FINAL);
        const reads = tryWalk(g, stage, [[t.inputs[0]!, (stage as { full: Ix }).full]]);
        if (reads === undefined) continue;
        const dep = Math.max(0, ...[...reads.locals].map((a) => g.avail.get(a)!));
        g.anchors.push(t);
        g.pass.set(t, dep);
        g.avail.set(t, dep + passesOf(t));
        groupOf.set(t, g);
        commit(g, reads);
        return;
      }
      const g = create('rows', shape, axes);
      g.anchors.push(t);
      g.pass.set(t, 0);
      g.avail.set(t, passesOf(t));
      groupOf.set(t, g);
      commit(g, probe);
      return;
    }
    if (kind === 'matmul') {
      const g = create('matmul', t.shape);
      g.anchors.push(t);
      groupOf.set(t, g);
      const [a, b] = t.inputs as [Tensor, Tensor];
      const outBatch = t.shape.slice(0, -2);
      const batch = fullIx(outBatch);
      const [i, j, k] = fullIx([t.shape[t.rank - 2]!, t.shape[t.rank - 1]!, a.shape[a.rank - 1]!]) as [Ix[0], Ix[0], Ix[0]];
      const ia = [...broadcastIx(batch, outBatch, a.shape.slice(0, -2)), i, k];
      const ib = [...broadcastIx(batch, outBatch, b.shape.slice(0, -2)), k, j];
      commit(g, tryWalk(g, PLAIN, [[a, ia], [b, ib]])!);
      return;
    }
    // pad / concat
    const g = create('assemble', t.shape);
    g.anchors.push(t);
    groupOf.set(t, g);
    commit(g, tryWalk(g, PLAIN, t.inputs.map((x) => [x, fullIx(x.shape)] as const))!);
  }

  function placeValue(t: Tensor): void {
    const probe = tryWalk(undefined, PLAIN, [[t, fullIx(t.shape)]]);
    if (probe === undefined) throw new Error(`internal: stored value ${t} cannot be computed`);
    const after = latest(probe.refs);
    const tries: [Group, Stage, Ix, StoreStage?][] = [];
    if (after !== undefined && after.kind === 'rows') {
      for (const at of rowsStoreStages(after, t.shape)) {
        const stage = rowsStage(after, fullIx(after.shape), at === 'full' ? fullIx(after.shape) : undefined, FINAL);
        const s = stage as { full?: Ix; keep: Ix; drop: Ix };
        tries.push([after, stage, at === 'full' ? s.full! : at === 'keep' ? s.keep : s.drop, at]);
      }
    } else if (after !== undefined && after.kind === 'matmul' && sameList(after.shape, t.shape)) {
      const out = fullIx(t.shape);
      tries.push([after, { kind: 'epilogue', group: after, out }, out]);
    }
    for (const g of [...groups].reverse()) {
      if (after !== undefined && g.id < after.id) break;
      if (g.kind === 'elementwise' && sameList(g.shape, t.shape)) {
        const ix = fullIx(t.shape);
        tries.push([g, PLAIN, ix]);
        break;
      }
    }
    for (const [g, stage, ix, at] of tries) {
      const reads = tryWalk(g, stage, [[t, ix]]);
      if (reads === undefined) continue;
      if (at !== undefined) g.storeAt.set(t, at);
      g.values.push(t);
      groupOf.set(t, g);
      commit(g, reads);
      return;
    }
    const g = create('elementwise', t.shape);
    g.values.push(t);
    groupOf.set(t, g);
    commit(g, probe);
  }

  const { ordered, inPlace } = order_(groups, groupOf, readers, paramReaders, updates);
  const home = (t: Tensor) => groupOf.get(t);
  const inMemory = (t: Tensor) => roots.has(t) || readers.has(t);
  return { kernels: ordered.map((g) => kernelSchedule(g, home, inMemory)), readByOthers: new Set(readers.keys()), inPlace };
}

/** Step 1: inline or stored, for every elementwise op and view. */
/**
 * Height of one fused graph op in the target's IR: a transcendental the target decomposes
 * counts as the depth of its polynomial (about 8 levels), anything else as 1.
 */
function opHeight(t: Tensor, target: Target): number {
  const op = t.op as string;
  if (!(TRANSCENDENTALS as readonly string[]).includes(op)) return 1;
  const choice = target.math[op as Transcendental][t.dtype === 'float64' ? 'f64' : 'f32'];
  return choice === 'decompose' ? 8 : 1;
}

function chooseStored(order: readonly Tensor[], roots: ReadonlySet<Tensor>, target: Target): Set<Tensor> {
  const users = new Map<Tensor, Tensor[]>();
  for (const t of order) for (const x of t.inputs) {
    const u = users.get(x);
    if (u) { if (!u.includes(t)) u.push(t); } else users.set(x, [t]);
  }
  const inlineKind = (t: Tensor) => { const k = kindOf(t); return k === 'elementwise' || k === 'view' || k === 'reshape'; };
  const cost = new Map<Tensor, number>();
  for (const t of order) {
    let c = opCost(t);
    if (inlineKind(t)) for (const x of t.inputs) if (inlineKind(x)) c += cost.get(x)!;
    cost.set(t, Math.min(c, 1000));
  }
  const stored = new Set<Tensor>();
  const sites = new Map<Tensor, Tensor[]>();
  for (let n = order.length - 1; n >= 0; n--) {
    const t = order[n]!;
    const kind = kindOf(t);
    if (isAnchor(kind) || roots.has(t)) {
      if (roots.has(t)) stored.add(t);
      sites.set(t, [t]);
      continue;
    }
    if (kind === 'leaf') continue;
    const s: Tensor[] = [];
    let materialize = false;
    for (const u of users.get(t) ?? []) {
      const uk = kindOf(u);
      if (uk === 'reshape') materialize = true;
      if (uk === 'matmul' && cost.get(t)! > PROLOGUE_COST) materialize = true;
      for (const site of sites.get(u) ?? [u]) if (!s.includes(site) && s.length < 2) s.push(site);
    }
    if (materialize || (s.length > 1 && cost.get(t)! > DUP_COST)) {
      stored.add(t);
      sites.set(t, [t]);
    } else {
      sites.set(t, s);
    }
  }
  // Bound the depth of inline expressions.
  const height = new Map<Tensor, number>();
  for (const t of order) {
    if (!inlineKind(t) || stored.has(t)) { height.set(t, 0); continue; }
    const h = opHeight(t, target) + Math.max(0, ...t.inputs.map((x) => height.get(x) ?? 0));
    if (h > target.maxFusedHeight) { stored.add(t); height.set(t, 0); } else height.set(t, h);
  }
  return stored;
}

/**
 * Step 3: run order. Graph order (group ids) except that readers of a param run before the
 * kernel that overwrites it; when that is impossible (a cycle), the update is written to a
 * temporary and committed after every kernel instead.
 */
function order_(
  groups: readonly Group[], groupOf: ReadonlyMap<Tensor, Group>, readers: ReadonlyMap<Tensor, ReadonlySet<Group>>,
  paramReaders: ReadonlyMap<Tensor, ReadonlySet<Group>>, updates: readonly (readonly [Tensor, Tensor])[],
): { ordered: Group[]; inPlace: Set<Tensor> } {
  const inPlace = new Set(updates.map(([p]) => p));
  for (;;) {
    const after = new Map<Group, Set<Group>>(groups.map((g) => [g, new Set<Group>()]));
    // data: a kernel runs after the kernels whose stored values it reads
    for (const [t, rs] of readers) for (const r of rs) after.get(r)!.add(groupOf.get(t)!);
    // anti: the kernel overwriting a param runs after the kernels reading it
    for (const [p, v] of updates) {
      if (!inPlace.has(p)) continue;
      const w = groupOf.get(v)!;
      for (const r of paramReaders.get(p) ?? []) if (r !== w) after.get(w)!.add(r);
    }
    // Kahn's algorithm, always taking the ready kernel of lowest id (graph order where possible).
    const waiting = new Map<Group, number>(groups.map((g) => [g, after.get(g)!.size]));
    const users = new Map<Group, Group[]>(groups.map((g) => [g, []]));
    for (const [g, deps] of after) for (const d of deps) users.get(d)!.push(g);
    const ready = new MinHeap();
    for (const g of groups) if (waiting.get(g) === 0) ready.push(g);
    const done = new Set<Group>();
    const ordered: Group[] = [];
    for (let g = ready.pop(); g !== undefined; g = ready.pop()) {
      done.add(g);
      ordered.push(g);
      for (const u of users.get(g)!) {
        const left = waiting.get(u)! - 1;
        waiting.set(u, left);
        if (left === 0) ready.push(u);
      }
    }
    if (ordered.length === groups.length) return { ordered, inPlace };
    // A cycle: commit the stuck in-place updates at the end instead.
    let demoted = false;
    for (const [p, v] of updates) {
      if (inPlace.has(p) && !done.has(groupOf.get(v)!)) { inPlace.delete(p); demoted = true; }
    }
    if (!demoted) throw new Error('internal: kernel dependencies form a cycle');
  }
}

/** Groups by ascending id. */
class MinHeap {
  private readonly a: Group[] = [];
  push(g: Group): void {
    const a = this.a;
    a.push(g);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]!.id <= a[i]!.id) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Group | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.id < a[m]!.id) m = l;
        if (r < a.length && a[r]!.id < a[m]!.id) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

