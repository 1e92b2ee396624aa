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
import type { Kind } from './kinds.js';
import type { KernelSchedule, Schedule } from './schedule.js';
import type { Visitor } from './walk.js';
import { newWalk, walkAt } from './walk.js';

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
  const st: State = {
    // A value joins a kernel only if computing it there walks at most this deep.
    maxWalk: 2 * target.maxFusedHeight,
    groups: [], groupOf: new Map(), readers: new Map(), paramReaders: new Map(), nextVar: 0,
  };
  const stored = chooseStored(order, roots, target);
  for (const t of order) {
    if (isAnchor(kindOf(t))) placeAnchor(st, t);
    else if (stored.has(t)) placeValue(st, t);
  }
  const { ordered, inPlace } = order_(st.groups, st.groupOf, st.readers, st.paramReaders, updates);
  const inMemory = new Set(roots);
  for (const t of st.readers.keys()) inMemory.add(t);
  const kernels: KernelSchedule[] = [];
  for (const g of ordered) kernels.push(kernelSchedule(g, st.groupOf, inMemory));
  return { kernels, readByOthers: new Set(st.readers.keys()), inPlace };
}

/** Step 2's state: the groups so far, where each placed node went, and who reads what. */
interface State {
  readonly maxWalk: number;
  readonly groups: Group[];
  readonly groupOf: Map<Tensor, Group>;
  /** Stored values, and the kernels (other than their own) reading them. */
  readonly readers: Map<Tensor, Set<Group>>;
  readonly paramReaders: Map<Tensor, Set<Group>>;
  nextVar: number;
}

/** An index over fresh loop vars, one per axis of `shape`. */
function fullIx(st: State, shape: readonly number[]): Ix {
  const ix: Ix[number][] = [];
  for (let d = 0; d < shape.length; d++) ix.push(loopAff(st.nextVar++, shape[d]!));
  return ix;
}

/** What computing some values in a kernel reads: stored values, params, the kernel's own anchors. */
interface Reads { readonly refs: Set<Tensor>; readonly params: Set<Tensor>; readonly locals: Set<Tensor> }

const CHECK: Visitor<true, Reads> = {
  leaf: (w, t) => { if (t.op === 'param') w.state.params.add(t); return true; },
  stored: (w, t) => { w.state.refs.add(t); return true; },
  local: (w, t) => { w.state.locals.add(t); return true; },
  op: () => true,
  collects: false,
};

/** Walks `items` as if computed in `group` at `stage`; undefined when impossible there. */
function tryWalk(st: State, group: Group | undefined, stage: Stage, items: readonly (readonly [Tensor, Ix])[]): Reads | undefined {
  const reads: Reads = { refs: new Set(), params: new Set(), locals: new Set() };
  const w = newWalk(CHECK, reads, group, st.groupOf, stage);
  for (const [t, ix] of items) if (walkAt(w, t, ix) === undefined) return undefined;
  // Too deep inline (e.g. a long chain would fuse into one expression): not here.
  if (group !== undefined && w.maxDepth > st.maxWalk) return undefined;
  return reads;
}

/**
 * What computing `t` outside any kernel reads: the stored values and params below it through
 * views and inline ops (as a walk outside any kernel finds them, in the same order, without
 * its indices); undefined when it cannot be computed there.
 */
function probeReads(st: State, t: Tensor): Reads | undefined {
  const reads: Reads = { refs: new Set(), params: new Set(), locals: new Set() };
  return probeInto(st, reads, new Set(), t) ? reads : undefined;
}

function probeInto(st: State, reads: Reads, seen: Set<Tensor>, t: Tensor): boolean {
  if (seen.has(t)) return true;
  seen.add(t);
  const kind = kindOf(t);
  if (kind === 'leaf') {
    if (t.op === 'param') reads.params.add(t);
    return true;
  }
  if (st.groupOf.has(t)) {
    reads.refs.add(t);
    return true;
  }
  if (kind === 'reshape') {
    // Merging axes: its input must be in memory already.
    const x = t.inputs[0]!;
    if (kindOf(x) === 'leaf') {
      if (x.op === 'param') reads.params.add(x);
      return true;
    }
    if (!st.groupOf.has(x)) return false;
    reads.refs.add(x);
    return true;
  }
  if (kind === 'view') return probeInto(st, reads, seen, t.inputs[0]!);
  if (kind !== 'elementwise') return false;
  for (const x of t.inputs) if (!probeInto(st, reads, seen, x)) return false;
  return true;
}

function commit(st: State, group: Group, reads: Reads): void {
  for (const t of reads.refs) {
    const home = st.groupOf.get(t)!;
    if (home === group) continue;
    let s = st.readers.get(t);
    if (!s) st.readers.set(t, (s = new Set()));
    s.add(group);
  }
  for (const p of reads.params) {
    let s = st.paramReaders.get(p);
    if (!s) st.paramReaders.set(p, (s = new Set()));
    s.add(group);
  }
}

/** The group of highest id among those computing `refs`. */
function latest(st: State, refs: Iterable<Tensor>): Group | undefined {
  let g: Group | undefined;
  for (const t of refs) {
    const h = st.groupOf.get(t)!;
    if (g === undefined || h.id > g.id) g = h;
  }
  return g;
}

function create(st: State, kind: Group['kind'], shape: readonly number[], axes: readonly number[] = []): Group {
  const g = newGroup(st.groups.length, kind, shape, axes);
  st.groups.push(g);
  return g;
}

/** A rows group over these rows. */
const sameRows = (g: Group, shape: readonly number[], axes: readonly number[]) => g.kind === 'rows' && sameList(g.shape, shape) && sameList(g.axes, axes);

function placeAnchor(st: State, t: Tensor): void {
  const kind = kindOf(t);
  if (kind === 'reduce' || kind === 'row') {
    const { shape, axes } = rowSpace(t);
    const probe = probeReads(st, t.inputs[0]!)!;
    const after = latest(st, probe.refs);
    // The latest group it depends on first, then the newest rows groups over the same rows.
    const candidates: Group[] = [];
    if (after !== undefined && sameRows(after, shape, axes)) candidates.push(after);
    for (let n = st.groups.length - 1; n >= 0; n--) {
      const g = st.groups[n]!;
      if (after !== undefined && g.id < after.id) break;
      if (sameRows(g, shape, axes)) candidates.push(g);
    }
    for (const g of candidates) {
      const stage = rowsStage(g, fullIx(st, shape), fullIx(st, shape), FINAL);
      const reads = tryWalk(st, g, stage, [[t.inputs[0]!, (stage as { full: Ix }).full]]);
      if (reads === undefined) continue;
      let dep = 0;
      for (const a of reads.locals) dep = Math.max(dep, g.avail.get(a)!);
      g.anchors.push(t);
      g.pass.set(t, dep);
      g.avail.set(t, dep + passesOf(t));
      st.groupOf.set(t, g);
      commit(st, g, reads);
      return;
    }
    const g = create(st, 'rows', shape, axes);
    g.anchors.push(t);
    g.pass.set(t, 0);
    g.avail.set(t, passesOf(t));
    st.groupOf.set(t, g);
    commit(st, g, probe);
    return;
  }
  if (kind === 'matmul') {
    const g = create(st, 'matmul', t.shape);
    g.anchors.push(t);
    st.groupOf.set(t, g);
    const [a, b] = t.inputs as [Tensor, Tensor];
    const outBatch = t.shape.slice(0, -2);
    const batch = fullIx(st, outBatch);
    const [i, j, k] = fullIx(st, [t.shape[t.rank - 2]!, t.shape[t.rank - 1]!, a.shape[a.rank - 1]!]) as [Ix[0], Ix[0], Ix[0]];
    const ia = [...broadcastIx(batch, outBatch, a.shape.slice(0, -2)), i, k];
    const ib = [...broadcastIx(batch, outBatch, b.shape.slice(0, -2)), k, j];
    commit(st, g, tryWalk(st, g, PLAIN, [[a, ia], [b, ib]])!);
    return;
  }
  // pad / concat
  const g = create(st, 'assemble', t.shape);
  g.anchors.push(t);
  st.groupOf.set(t, g);
  const items: (readonly [Tensor, Ix])[] = [];
  for (const x of t.inputs) items.push([x, fullIx(st, x.shape)]);
  commit(st, g, tryWalk(st, g, PLAIN, items)!);
}

function placeValue(st: State, t: Tensor): void {
  const probe = probeReads(st, t);
  if (probe === undefined) throw new Error(`internal: stored value ${t} cannot be computed`);
  const after = latest(st, probe.refs);
  const tries: [Group, Stage, Ix, StoreStage?][] = [];
  if (after !== undefined && after.kind === 'rows') {
    for (const at of rowsStoreStages(after, t.shape)) {
      const stage = rowsStage(after, fullIx(st, after.shape), at === 'full' ? fullIx(st, after.shape) : undefined, FINAL);
      const s = stage as { full?: Ix; keep: Ix; drop: Ix };
      tries.push([after, stage, at === 'full' ? s.full! : at === 'keep' ? s.keep : s.drop, at]);
    }
  } else if (after !== undefined && after.kind === 'matmul' && sameList(after.shape, t.shape)) {
    const out = fullIx(st, t.shape);
    tries.push([after, { kind: 'epilogue', group: after, out }, out]);
  }
  for (let n = st.groups.length - 1; n >= 0; n--) {
    const g = st.groups[n]!;
    if (after !== undefined && g.id < after.id) break;
    if (g.kind === 'elementwise' && sameList(g.shape, t.shape)) {
      tries.push([g, PLAIN, fullIx(st, t.shape)]);
      break;
    }
  }
  for (const [g, stage, ix, at] of tries) {
    const reads = tryWalk(st, g, stage, [[t, ix]]);
    if (reads === undefined) continue;
    if (at !== undefined) g.storeAt.set(t, at);
    g.values.push(t);
    st.groupOf.set(t, g);
    commit(st, g, reads);
    return;
  }
  const g = create(st, 'elementwise', t.shape);
  g.values.push(t);
  st.groupOf.set(t, g);
  commit(st, g, probe);
}

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

/** Elementwise ops and views: computed inline where they are needed, unless stored. */
function isInline(k: Kind): boolean {
  return k === 'elementwise' || k === 'view' || k === 'reshape';
}

/** Step 1: inline or stored, for every elementwise op and view. */
function chooseStored(order: readonly Tensor[], roots: ReadonlySet<Tensor>, target: Target): Set<Tensor> {
  const n = order.length;
  const kinds: Kind[] = [];
  // Cost of one element of each node computed inline (0 for leaves and anchors: they are read).
  const cost = new Map<Tensor, number>();
  for (let i = 0; i < n; i++) {
    const t = order[i]!;
    const k = kindOf(t);
    kinds.push(k);
    let c = opCost(t, k);
    if (isInline(k)) for (const x of t.inputs) c += cost.get(x)!;
    cost.set(t, Math.min(c, 1000));
  }
  const stored = new Set<Tensor>();
  // In reverse graph order, so that every user of a node comes before it: the (up to two
  // distinct) kernels a node's value is needed in, and the nodes a user must read from memory.
  const sites = new Map<Tensor, Tensor[]>();
  const materialize = new Set<Tensor>();
  for (let i = n - 1; i >= 0; i--) {
    const t = order[i]!;
    const kind = kinds[i]!;
    let own: readonly Tensor[];
    if (isAnchor(kind) || roots.has(t)) {
      if (roots.has(t)) stored.add(t);
      own = [t];
    } else if (kind === 'leaf') {
      continue;
    } else {
      const s = sites.get(t) ?? NO_SITES;
      if (materialize.has(t) || (s.length > 1 && cost.get(t)! > DUP_COST)) {
        stored.add(t);
        own = [t];
      } else {
        own = s;
      }
    }
    for (const x of t.inputs) {
      if (kind === 'reshape' || (kind === 'matmul' && cost.get(x)! > PROLOGUE_COST)) materialize.add(x);
      let s = sites.get(x);
      if (!s) sites.set(x, (s = []));
      for (const site of own) if (s.length < 2 && !s.includes(site)) s.push(site);
    }
  }
  // Bound the depth of inline expressions.
  const height = new Map<Tensor, number>();
  for (let i = 0; i < n; i++) {
    const t = order[i]!;
    if (!isInline(kinds[i]!) || stored.has(t)) { height.set(t, 0); continue; }
    let below = 0;
    for (const x of t.inputs) below = Math.max(below, height.get(x) ?? 0);
    const h = opHeight(t, target) + below;
    if (h > target.maxFusedHeight) { stored.add(t); height.set(t, 0); } else height.set(t, h);
  }
  return stored;
}

const NO_SITES: readonly Tensor[] = [];

/**
 * Step 3: run order. Graph order (group ids) except that readers of a param run before the
 * kernel that overwrites it; when that is impossible (a cycle), the update is written to a
 * temporary and committed after every kernel instead.
 */
function order_(
  groups: readonly Group[], groupOf: ReadonlyMap<Tensor, Group>, readers: ReadonlyMap<Tensor, ReadonlySet<Group>>,
  paramReaders: ReadonlyMap<Tensor, ReadonlySet<Group>>, updates: readonly (readonly [Tensor, Tensor])[],
): { ordered: Group[]; inPlace: Set<Tensor> } {
  const inPlace = new Set<Tensor>();
  for (const [p] of updates) inPlace.add(p);
  for (;;) {
    const after = new Map<Group, Set<Group>>();
    for (const g of groups) after.set(g, new Set());
    // data: a kernel runs after the kernels whose stored values it reads
    for (const [t, rs] of readers) for (const r of rs) after.get(r)!.add(groupOf.get(t)!);
    // anti: the kernel overwriting a param runs after the kernels reading it
    for (const [p, v] of updates) {
      if (!inPlace.has(p)) continue;
      const w = groupOf.get(v)!;
      for (const r of paramReaders.get(p) ?? []) if (r !== w) after.get(w)!.add(r);
    }
    // Kahn's algorithm, always taking the ready kernel of lowest id (graph order where possible).
    const waiting = new Map<Group, number>();
    const users = new Map<Group, Group[]>();
    for (const g of groups) {
      waiting.set(g, after.get(g)!.size);
      users.set(g, []);
    }
    for (const [g, deps] of after) for (const d of deps) users.get(d)!.push(g);
    const ready: Group[] = [];
    for (const g of groups) if (waiting.get(g) === 0) heapPush(ready, g);
    const done = new Set<Group>();
    const ordered: Group[] = [];
    for (let g = heapPop(ready); g !== undefined; g = heapPop(ready)) {
      done.add(g);
      ordered.push(g);
      for (const u of users.get(g)!) {
        const left = waiting.get(u)! - 1;
        waiting.set(u, left);
        if (left === 0) heapPush(ready, u);
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

/** A binary min-heap of groups by id, in an array: add `g`. */
function heapPush(a: Group[], g: Group): void {
  a.push(g);
  for (let i = a.length - 1; i > 0;) {
    const p = (i - 1) >> 1;
    if (a[p]!.id <= a[i]!.id) break;
    [a[p], a[i]] = [a[i]!, a[p]!];
    i = p;
  }
}

/** Takes the group of lowest id out of the heap. */
function heapPop(a: Group[]): Group | undefined {
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

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
