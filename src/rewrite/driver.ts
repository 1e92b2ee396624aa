// Runs rules over a hash-consed graph to a fixed point, without recursion over the graph:
// each pass rebuilds the graph bottom-up (inputs before users), applying the phase's rules
// at every node until none fires; nodes a rule creates are normalised the same way at once.
import type { OpName } from '../graph/attrs.js';
import { GraphError, fmtShape } from '../graph/errors.js';
import { sameShape } from '../graph/shape.js';
import { Tensor, make } from '../graph/tensor.js';
import { isProductNode } from './products.js';
import { PHASES, type Because, type Family, type Phase, type Rule, type RuleContext } from './rule.js';
import { isSumNode } from './sums.js';

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
  const byOp = new Map<OpName, readonly Rule[]>();
  return (op) => {
    let list = byOp.get(op);
    if (list === undefined) byOp.set(op, (list = rules.filter((r) => r.ops === 'any' || r.ops.includes(op))));
    return list;
  };
}

/** Whether every user of a node flattens it (all users are sum nodes / product nodes). */
interface UsersInfo {
  readonly sum: boolean;
  readonly product: boolean;
}
const ROOT: UsersInfo = { sum: false, product: false };
const INFOS: readonly UsersInfo[] = [ROOT, { sum: true, product: false }, { sum: false, product: true }, { sum: true, product: true }];

/** Users summarised as bits: 1 = all users are sum nodes, 2 = all are product nodes. Nodes without users are absent. */
function userBits(order: readonly Tensor[], within?: ReadonlySet<Tensor>): Map<Tensor, number> {
  const bits = new Map<Tensor, number>();
  for (const n of order) {
    const mine = (isSumNode(n) ? 1 : 0) | (isProductNode(n) ? 2 : 0);
    for (const x of n.inputs) if (within === undefined || within.has(x)) bits.set(x, (bits.get(x) ?? 3) & mine);
  }
  return bits;
}
const infoOf = (bits: Map<Tensor, number>, n: Tensor): UsersInfo => INFOS[bits.get(n) ?? 0];

const rebuilt = (n: Tensor, ins: readonly Tensor[]): Tensor =>
  ins.every((x, i) => x === n.inputs[i]) ? n : make(n.op, ins, n.attrs as never, n.dtype);

class Pass {
  changed = false;
  private readonly settled = new Set<Tensor>();

  constructor(
    private readonly index: Index,
    private readonly phase: Phase,
    private readonly log: Step[] | undefined,
    /** Nodes no rule of this phase fires on. Rules see only the subgraph below a node, so this holds across passes and calls. */
    private readonly stable: WeakSet<Tensor>,
    /** Nodes whose whole subgraph is stable: a pass need not look below them. */
    private readonly fixed: WeakSet<Tensor>,
  ) {}

  run(roots: readonly Tensor[]): Tensor[] {
    const order = topoSort(roots, this.fixed);
    const users = userBits(order);
    const rootSet = new Set(roots);
    const memo = new Map<Tensor, Tensor>();
    for (const node of order) {
      if (this.fixed.has(node)) {
        memo.set(node, node);
        continue;
      }
      const cur = rebuilt(node, node.inputs.map((x) => memo.get(x)!));
      memo.set(node, this.settle(cur, rootSet.has(node) ? ROOT : infoOf(users, node)));
    }
    if (!this.changed) {
      for (const node of order) if (this.stable.has(node) && node.inputs.every((x) => this.fixed.has(x))) this.fixed.add(node);
    }
    return roots.map((r) => memo.get(r)!);
  }

  /** Applies rules at `node` (whose operands are settled) until none fires. */
  private settle(node: Tensor, info: UsersInfo): Tensor {
    if (this.settled.has(node)) return node;
    let cur = node;
    let skipped = false;
    const ctx: RuleContext = {
      interior: (family: Family) => {
        const inside = family === 'sum' ? info.sum && isSumNode(cur) : info.product && isProductNode(cur);
        skipped ||= inside;
        return inside;
      },
    };
    for (let fired = 0; cur.inputs.length > 0 && !this.stable.has(cur); fired++) {
      if (fired > MAX_LOCAL) break;
      skipped = false;
      const next = this.fire(cur, ctx);
      if (next === undefined) {
        if (!skipped) this.stable.add(cur);
        break;
      }
      cur = next;
    }
    this.settled.add(cur);
    return cur;
  }

  /** The first rule that fires at `cur`, its result normalised below the top; undefined if none fires. */
  private fire(cur: Tensor, ctx: RuleContext): Tensor | undefined {
    for (const r of this.index(cur.op)) {
      const out = r.apply(cur, ctx);
      if (out === undefined) continue;
      const to = out instanceof Tensor ? out : out.to;
      if (to === cur || to.dtype !== cur.dtype) continue;
      if (!sameShape(to.shape, cur.shape)) {
        throw new GraphError('simplify', `internal error: rule '${r.name}' turned ${fmtShape(cur.shape)} ${cur.op} into ${fmtShape(to.shape)} ${to.op}; please report this graph`);
      }
      this.changed = true;
      if (this.log) {
        // Logged before the new nodes are normalised, so the steps read in the order they follow from each other.
        const name = out instanceof Tensor ? r.name : (out.rule ?? r.name);
        const because = out instanceof Tensor ? undefined : out.because;
        this.log.push(because === undefined ? { rule: name, phase: this.phase, before: cur, after: to } : { rule: name, phase: this.phase, before: cur, after: to, because });
      }
      return this.normalizeBelow(to);
    }
    return undefined;
  }

  /** Settles the nodes a rule created below `top`, bottom-up, and rebuilds `top` on them. */
  private normalizeBelow(top: Tensor): Tensor {
    const fresh: Tensor[] = [];
    const seen = new Set<Tensor>();
    const stack: [Tensor, number][] = [[top, 0]];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const [n, i] = frame;
      if (i < n.inputs.length) {
        frame[1]++;
        const x = n.inputs[i];
        if (!this.settled.has(x) && !seen.has(x)) {
          seen.add(x);
          stack.push([x, 0]);
        }
      } else {
        stack.pop();
        if (n !== top) fresh.push(n);
      }
    }
    if (fresh.length === 0) return top;
    const users = userBits([...fresh, top], seen);
    const local = new Map<Tensor, Tensor>();
    const mapped = (n: Tensor): Tensor => rebuilt(n, n.inputs.map((x) => local.get(x) ?? x));
    for (const n of fresh) local.set(n, this.settle(mapped(n), infoOf(users, n)));
    return mapped(top);
  }
}

/**
 * Runs the phases in order, each to a fixed point, and repeats the round until a whole
 * round changes nothing: the result is a fixed point of every rule.
 */
export function runRules(roots: readonly Tensor[], rules: readonly Rule[], log?: Step[]): Tensor[] {
  let current = [...roots];
  let cache = stableCache.get(rules);
  if (cache === undefined) stableCache.set(rules, (cache = new Map(PHASES.map((p) => [p, { stable: new WeakSet<Tensor>(), fixed: new WeakSet<Tensor>() }]))));
  const phases = PHASES.map((phase) => ({ phase, index: indexRules(rules.filter((r) => r.phase === phase)), ...cache.get(phase)! }));
  // Phases that must run again: all at first; after a change in phase k, every other phase.
  let pending = new Set(PHASES);
  for (let cycle = 0; cycle < MAX_CYCLES && pending.size > 0; cycle++) {
    for (const { phase, index, stable, fixed } of phases) {
      if (!pending.has(phase)) continue;
      pending.delete(phase);
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const p = new Pass(index, phase, log, stable, fixed);
        current = p.run(current);
        if (!p.changed) break;
        pending = new Set(PHASES.filter((q) => q !== phase));
      }
    }
  }
  return current;
}

/** Per rule set and phase: the nodes known to be fixed points (see Pass.stable and Pass.fixed). */
const stableCache = new WeakMap<readonly Rule[], Map<Phase, { stable: WeakSet<Tensor>; fixed: WeakSet<Tensor> }>>();

/** Nodes below `roots`, inputs first, not descending below `stop` nodes (which are listed). Iterative. */
function topoSort(roots: readonly Tensor[], stop: WeakSet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const [node, i] = frame;
      if (i < node.inputs.length && !stop.has(node)) {
        frame[1]++;
        const x = node.inputs[i];
        if (!seen.has(x)) {
          seen.add(x);
          stack.push([x, 0]);
        }
      } else {
        order.push(node);
        stack.pop();
      }
    }
  }
  return order;
}
