// Runs rules over a hash-consed graph to a fixed point, without recursion over the graph:
// each pass rebuilds the graph bottom-up (inputs before users), applying the phase's rules
// at every node until none fires; nodes a rule creates are normalised the same way at once.
import type { OpName } from '../graph/attrs.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import { sameShape } from '../graph/shape.js';
import { Tensor, make } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';
import { isProductNode, isSumNode } from './families.js';
import { PHASES, type Because, type Family, type Phase, type Rule, type RuleContext } from './rule.js';

/** One rule firing: which rule, where, and the fact it relied on. */
export interface Step {
  readonly rule: string;
  readonly phase: Phase;
  readonly before: Tensor;
  readonly after: Tensor;
  /** The fact the rule used, printed with the given expression printer. */
  readonly because?: Because;
}

/** Rules firing more often than this at one node mean two rules undo each other. */
const MAX_LOCAL = 200;
const MAX_PASSES = 50;
const MAX_CYCLES = 10;

/** The rules that may fire on an op, in declaration order. */
type Index = (op: OpName) => readonly Rule[];

function indexRules(rules: readonly Rule[]): Index {
  // One pass over the rules: an op's list starts as the 'any' rules declared before its first rule.
  const any: Rule[] = [];
  const byOp = new Map<OpName, Rule[]>();
  for (let k = 0; k < rules.length; k++) {
    const r = rules[k]!;
    if (r.ops === 'any') {
      any.push(r);
      byOp.forEach((list) => list.push(r));
      continue;
    }
    for (let i = 0; i < r.ops.length; i++) {
      const op = r.ops[i]!;
      let list = byOp.get(op);
      if (list === undefined) byOp.set(op, (list = any.slice()));
      if (list[list.length - 1] !== r) list.push(r); // an op listed twice by one rule
    }
  }
  return (op) => byOp.get(op) ?? any;
}

/** Whether every user of a node flattens it (all users are sum nodes / product nodes). */
interface UsersInfo {
  readonly sum: boolean;
  readonly product: boolean;
}
const ROOT: UsersInfo = { sum: false, product: false };
const INFOS: readonly UsersInfo[] = [ROOT, { sum: true, product: false }, { sum: false, product: true }, { sum: true, product: true }];

/** Users summarised as bits: 1 = all users are sum nodes, 2 = all are product nodes. Nodes without users are absent. */
function userBits(order: readonly Tensor[], within: ReadonlySet<Tensor> | undefined): Map<Tensor, number> {
  const bits = new Map<Tensor, number>();
  for (let k = 0; k < order.length; k++) {
    const n = order[k]!;
    if (n.inputs.length === 0) continue;
    const mine = (isSumNode(n) ? 1 : 0) | (isProductNode(n) ? 2 : 0);
    for (let i = 0; i < n.inputs.length; i++) {
      const x = n.inputs[i]!;
      if (within === undefined || within.has(x)) bits.set(x, (bits.get(x) ?? 3) & mine);
    }
  }
  return bits;
}

/**
 * Where the users of the nodes being settled are read from: a pass's order (whose roots count as
 * used elsewhere), or the order of a rule's new nodes (only their users among them count).
 * Summarised on first use: only the normal forms ask (Context.interior), so most phases never do.
 */
class Users {
  declare readonly order: readonly Tensor[];
  declare readonly roots: readonly Tensor[] | undefined;
  declare readonly fresh: readonly Tensor[] | undefined;
  declare bits: Map<Tensor, number> | undefined;
  declare rootSet: Set<Tensor> | undefined;

  constructor(order: readonly Tensor[], roots: readonly Tensor[] | undefined, fresh: readonly Tensor[] | undefined) {
    this.order = order;
    this.roots = roots;
    this.fresh = fresh;
    this.bits = undefined;
    this.rootSet = undefined;
  }
}

function usersOf(u: Users, n: Tensor): UsersInfo {
  if (u.roots !== undefined) {
    u.rootSet ??= new Set(u.roots);
    if (u.rootSet.has(n)) return ROOT;
  }
  u.bits ??= userBits(u.order, u.fresh === undefined ? undefined : new Set(u.fresh));
  return INFOS[u.bits.get(n) ?? 0]!;
}

/** The rule context of the node being settled: `interior` notes when it made a rule skip. */
interface Context extends RuleContext {
  node: Tensor;
  /** The users that count for `node` are those of `key` in `users`. */
  users: Users;
  key: Tensor;
  /** The users' summary once read. */
  info: UsersInfo | undefined;
  skipped: boolean;
}

function newContext(): Context {
  const ctx: Context = {
    node: undefined as never, users: undefined as never, key: undefined as never, info: undefined, skipped: false,
    interior: (family) => {
      const info = (ctx.info ??= usersOf(ctx.users, ctx.key));
      const inside = family === 'sum' ? info.sum && isSumNode(ctx.node) : info.product && isProductNode(ctx.node);
      if (inside) ctx.skipped = true;
      return inside;
    },
  };
  return ctx;
}

/** `n` on its operands as `map` has replaced them: `n` itself when none was (no array built then). */
function rebuilt(n: Tensor, map: ReadonlyMap<Tensor, Tensor>): Tensor {
  const xs = n.inputs;
  for (let i = 0; i < xs.length; i++) {
    const y = map.get(xs[i]!);
    if (y === undefined || y === xs[i]) continue;
    const ins = xs.slice();
    ins[i] = y;
    for (let k = i + 1; k < xs.length; k++) ins[k] = map.get(xs[k]!) ?? xs[k]!;
    return make(n.op, ins, n.attrs as never, n.dtype);
  }
  return n;
}

/** One pass of a phase over the graph: its state (plain functions below work on it, compiled with the module). */
class Pass {
  declare readonly index: Index;
  declare readonly phase: Phase;
  declare readonly log: Step[] | undefined;
  /** Nodes no rule of this phase fires on. Rules see only the subgraph below a node, so this holds across passes and calls. */
  declare readonly stable: WeakSet<Tensor>;
  /** Nodes whose whole subgraph is stable (leaves count as stable): a pass need not look below them. */
  declare readonly fixed: WeakSet<Tensor>;
  /**
   * Nodes no rule fired on only because they are interior (see Context), with the users they
   * had then: with the same users, trying the rules again gives the same nothing.
   */
  declare readonly quiet: WeakMap<Tensor, UsersInfo>;
  declare readonly settled: Set<Tensor>;
  /** What rules ask about the node being settled (one object per pass, not one per node). */
  declare readonly ctx: Context;
  declare changed: boolean;
  /** The normal-form rule whose output the last fire() returned as it was: no need to try it on that again. */
  declare repeat: Rule | undefined;

  constructor(index: Index, phase: Phase, log: Step[] | undefined, stable: WeakSet<Tensor>, fixed: WeakSet<Tensor>, quiet: WeakMap<Tensor, UsersInfo>) {
    this.index = index;
    this.phase = phase;
    this.log = log;
    this.stable = stable;
    this.fixed = fixed;
    this.quiet = quiet;
    this.settled = new Set();
    this.ctx = newContext();
    this.changed = false;
    this.repeat = undefined;
  }
}

function runPass(pass: Pass, roots: readonly Tensor[]): Tensor[] {
  // Fixed nodes are listed, but nothing below them.
  const fixed = pass.fixed;
  const order = postOrder(roots, (_into, from) => !fixed.has(from));
  const users = new Users(order, roots, undefined);
  const memo = new Map<Tensor, Tensor>();
  for (let k = 0; k < order.length; k++) {
    const node = order[k]!;
    if (node.inputs.length === 0 || fixed.has(node)) continue; // maps to itself
    memo.set(node, settle(pass, rebuilt(node, memo), users, node));
  }
  const out: Tensor[] = [];
  for (let i = 0; i < roots.length; i++) out.push(memo.get(roots[i]!) ?? roots[i]!);
  return out;
}

/** Leaves, and stable nodes whose operands are all fixed: nothing below them can change. */
function isFixed(pass: Pass, n: Tensor): boolean {
  return n.inputs.length === 0 || pass.fixed.has(n);
}

function operandsFixed(pass: Pass, n: Tensor): boolean {
  for (let i = 0; i < n.inputs.length; i++) if (!isFixed(pass, n.inputs[i]!)) return false;
  return true;
}

/**
 * Applies rules at `node` (whose operands are settled; its users are those of `key` in `users`)
 * until none fires. A normal-form rule is not tried again on its own output (it would not fire:
 * see Rule.normalForm; nor would it skip as interior, since it fired on a node of its family in
 * the same place).
 */
function settle(pass: Pass, node: Tensor, users: Users, key: Tensor): Tensor {
  const settled = pass.settled;
  if (settled.has(node)) return node;
  const { stable, quiet, ctx } = pass;
  let cur = node;
  let info: UsersInfo | undefined;
  let again: Rule | undefined;
  for (let fired = 0; cur.inputs.length > 0 && !stable.has(cur); fired++) {
    if (fired > MAX_LOCAL) break;
    const q = quiet.get(cur);
    if (q !== undefined && q === (info ??= usersOf(users, key))) break;
    // fire() settles nodes below (which reuses ctx), so set it up again for every try.
    ctx.node = cur;
    ctx.users = users;
    ctx.key = key;
    ctx.info = info;
    ctx.skipped = false;
    const next = fire(pass, cur, again);
    if (next === undefined) {
      // ctx still describes cur: no rule fired, so nothing below was settled.
      if (!ctx.skipped) stable.add(cur);
      else quiet.set(cur, ctx.info!);
      break;
    }
    again = pass.repeat;
    cur = next;
  }
  settled.add(cur);
  // Settled bottom-up, so the operands' marks are final: mark here, in every pass, so that
  // the next pass (and the next call) skips the whole subgraph.
  if (stable.has(cur) && operandsFixed(pass, cur)) pass.fixed.add(cur);
  return cur;
}

/** The first rule that fires at `cur`, its result normalised below the top; undefined if none fires. */
function fire(pass: Pass, cur: Tensor, again: Rule | undefined): Tensor | undefined {
  const rules = pass.index(cur.op);
  const ctx = pass.ctx;
  for (let k = 0; k < rules.length; k++) {
    const r = rules[k]!;
    if (r === again) continue;
    const out = r.apply(cur, ctx);
    if (out === undefined) continue;
    const to = out instanceof Tensor ? out : out.to;
    if (to === cur || to.dtype !== cur.dtype) continue;
    if (!sameShape(to.shape, cur.shape)) {
      throw new GraphError('simplify', `internal error: rule '${r.name}' turned ${fmtShape(cur.shape)} ${cur.op} into ${fmtShape(to.shape)} ${to.op}; please report this graph`);
    }
    pass.changed = true;
    if (pass.log) {
      // Logged before the new nodes are normalised, so the steps read in the order they follow from each other.
      const name = out instanceof Tensor ? r.name : (out.rule ?? r.name);
      const because = out instanceof Tensor ? undefined : out.because;
      pass.log.push(because === undefined ? { rule: name, phase: pass.phase, before: cur, after: to } : { rule: name, phase: pass.phase, before: cur, after: to, because });
    }
    const next = normalizeBelow(pass, to);
    pass.repeat = next === to && r.normalForm === true ? r : undefined;
    return next;
  }
  return undefined;
}

/** Settles the nodes a rule created below `top`, bottom-up, and rebuilds `top` on them. */
function normalizeBelow(pass: Pass, top: Tensor): Tensor {
  // The new nodes: below top, neither settled nor fixed; inputs first, top last.
  const settled = pass.settled;
  const fixed = pass.fixed;
  const order = postOrder([top], (x) => !settled.has(x) && x.inputs.length > 0 && !fixed.has(x));
  if (order.length === 1) return top;
  const fresh = order.slice(0, -1);
  const users = new Users(order, undefined, fresh);
  const local = new Map<Tensor, Tensor>();
  for (let k = 0; k < fresh.length; k++) {
    const n = fresh[k]!;
    local.set(n, settle(pass, rebuilt(n, local), users, n));
  }
  return rebuilt(top, local);
}

/**
 * Runs the phases in order, each to a fixed point, and repeats the round until a whole
 * round changes nothing: the result is a fixed point of every rule.
 */
export function runRules(roots: readonly Tensor[], rules: readonly Rule[], log?: Step[]): Tensor[] {
  let current = [...roots];
  let phases = phaseCache.get(rules);
  if (phases === undefined) {
    phaseCache.set(rules, (phases = PHASES.map((phase) => ({
      phase, index: indexRules(rules.filter((r) => r.phase === phase)), stable: new WeakSet<Tensor>(), fixed: new WeakSet<Tensor>(), quiet: new WeakMap<Tensor, UsersInfo>(),
    }))));
  }
  // Phases that must run again: all at first; after a change in phase k, every other phase.
  let pending = new Set(PHASES);
  for (let cycle = 0; cycle < MAX_CYCLES && pending.size > 0; cycle++) {
    for (const { phase, index, stable, fixed, quiet } of phases) {
      if (!pending.has(phase)) continue;
      pending.delete(phase);
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const p = new Pass(index, phase, log, stable, fixed, quiet);
        current = runPass(p, current);
        if (!p.changed) break;
        pending = new Set(PHASES.filter((q) => q !== phase));
      }
    }
  }
  return current;
}

/** Per rule set and phase: its rules by op, and the nodes known to be fixed points (see Pass: stable, fixed and quiet). */
const phaseCache = new WeakMap<readonly Rule[], readonly { phase: Phase; index: Index; stable: WeakSet<Tensor>; fixed: WeakSet<Tensor>; quiet: WeakMap<Tensor, UsersInfo> }[]>();
