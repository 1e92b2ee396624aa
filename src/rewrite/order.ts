// A stable structural order on nodes: the order commutative operands are sorted in.
// It depends only on the structure below a node (op, attrs, dtype, operands), never on ids,
// so two graphs built in different orders sort their operands the same way.
import { attrText as attrsKeyText, type Tensor } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';

/** A node's structural hash, and the hash in decimal (what a user's hash reads). */
interface Hash {
  readonly hash: number;
  readonly text: string;
}

/** Longest path to a leaf, per node. */
const heights = new WeakMap<Tensor, number>();
/** 53-bit structural hash, per node: computed only for nodes whose heights tie in a comparison. */
const hashes = new WeakMap<Tensor, Hash>();

/**
 * cyrb53, a small, well-mixed 53-bit string hash, of `head + tail`, where head is op, attributes
 * and dtype (`op|attrs|dtype|`, shared by many nodes: the state after it is cached) and tail the
 * operands' hashes in decimal, comma-separated. The tail is absorbed from the operands' texts
 * directly, without building it.
 */
function hashNode(node: Tensor): Hash {
  const ins = node.inputs;
  const head = `${node.op}|${attrText(node)}|${node.dtype}|`;
  let state = heads.get(head);
  if (state === undefined) {
    if (heads.size >= 4096) heads.clear();
    heads.set(head, (state = absorb(0xdeadbeef, 0x41c6ce57, head)));
  }
  let a = state[0];
  let b = state[1];
  for (let i = 0; i < ins.length; i++) {
    const k = hashes.get(ins[i]!)!;
    if (i > 0) {
      a = Math.imul(a ^ 44, 2654435761); // ','
      b = Math.imul(b ^ 44, 1597334677);
    }
    const s = k.text;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      a = Math.imul(a ^ c, 2654435761);
      b = Math.imul(b ^ c, 1597334677);
    }
  }
  const h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  const h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return { hash, text: String(hash) };
}

function absorb(h1: number, h2: number, s: string): [number, number] {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return [h1, h2];
}

const heads = new Map<string, [number, number]>();

function attrText(t: Tensor): string {
  if (t.is('constant')) {
    const v = t.attrs.values;
    return `${t.attrs.shape.join('x')}:${Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}`;
  }
  return attrsKeyText(t.attrs);
}

/** The height of `t`, computed for every node below it not yet measured, without recursion. */
function heightOf(t: Tensor): number {
  const hit = heights.get(t);
  if (hit !== undefined) return hit;
  const ins = t.inputs;
  let height = 0;
  for (let i = 0; i < ins.length; i++) {
    const h = heights.get(ins[i]!);
    if (h === undefined) {
      // Children before parents, stopping at nodes already measured.
      const order = postOrder([t], (x) => !heights.has(x));
      for (let k = 0; k < order.length; k++) heights.set(order[k]!, heightFrom(order[k]!));
      return heights.get(t)!;
    }
    if (h + 1 > height) height = h + 1;
  }
  heights.set(t, height);
  return height;
}

/** 1 + the largest height of the operands (measured), 0 for a leaf. */
function heightFrom(t: Tensor): number {
  let height = 0;
  for (let i = 0; i < t.inputs.length; i++) height = Math.max(height, heights.get(t.inputs[i]!)! + 1);
  return height;
}

/** The structural hash of `t`, computed for every node below it not yet hashed, without recursion. */
function hashOf(t: Tensor): Hash {
  const hit = hashes.get(t);
  if (hit !== undefined) return hit;
  const ins = t.inputs;
  let ready = true;
  for (let i = 0; i < ins.length && ready; i++) ready = hashes.has(ins[i]!);
  if (!ready) {
    // Children before parents, stopping at nodes already hashed.
    const order = postOrder([t], (x) => !hashes.has(x));
    for (let k = 0; k < order.length; k++) hashes.set(order[k]!, hashNode(order[k]!));
    return hashes.get(t)!;
  }
  const h = hashNode(t);
  hashes.set(t, h);
  return h;
}

/**
 * Sort order for operands of commutative ops: constants first, then taller
 * expressions before shorter ones (`x·W + b`, `y − t`), then by hash.
 */
export function compareNodes(a: Tensor, b: Tensor): number {
  if (a === b) return 0;
  const ca = a.is('constant') ? 0 : 1;
  const cb = b.is('constant') ? 0 : 1;
  if (ca !== cb) return ca - cb;
  const ha = heightOf(a);
  const hb = heightOf(b);
  if (ha !== hb) return hb - ha;
  const ka = hashOf(a);
  const kb = hashOf(b);
  if (ka.hash !== kb.hash) return ka.hash - kb.hash;
  // Equal hashes of different nodes: a 2⁻⁵³ event; fall back to creation order.
  return a.id - b.id;
}
