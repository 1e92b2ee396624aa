// A stable structural order on nodes: the order commutative operands are sorted in.
// It depends only on the structure below a node (op, attrs, dtype, operands), never on ids,
// so two graphs built in different orders sort their operands the same way.
import type { Tensor } from '../graph/tensor.js';
import { postOrder } from '../graph/topo.js';

interface Key {
  /** Longest path to a leaf. */
  readonly height: number;
  /** 53-bit structural hash. */
  readonly hash: number;
}

const keys = new WeakMap<Tensor, Key>();

/**
 * cyrb53, a small, well-mixed 53-bit string hash, of `head + tail`. The state after `head` (op,
 * attributes, dtype: shared by many nodes) is cached, so only `tail` (the operands' hashes) is read.
 */
function hashString(head: string, tail: string): number {
  let state = heads.get(head);
  if (state === undefined) {
    if (heads.size >= 4096) heads.clear();
    heads.set(head, (state = absorb(0xdeadbeef, 0x41c6ce57, head)));
  }
  const ab = absorb(state[0], state[1], tail);
  const a = ab[0];
  const b = ab[1];
  const h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  const h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
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
  return JSON.stringify(t.attrs);
}

/** Height and hash of `t`, computed for every unkeyed node below it without recursion. */
export function structuralKey(t: Tensor): Key {
  const hit = keys.get(t);
  if (hit) return hit;
  // Children before parents, stopping at nodes already keyed.
  for (const node of postOrder([t], (x) => !keys.has(x))) {
    const ins = node.inputs;
    let height = 0;
    let tail = '';
    for (let i = 0; i < ins.length; i++) {
      const k = keys.get(ins[i]!)!;
      height = Math.max(height, k.height + 1);
      tail += i === 0 ? String(k.hash) : `,${k.hash}`;
    }
    keys.set(node, { height, hash: hashString(`${node.op}|${attrText(node)}|${node.dtype}|`, tail) });
  }
  return keys.get(t)!;
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
  const ka = structuralKey(a);
  const kb = structuralKey(b);
  if (ka.height !== kb.height) return kb.height - ka.height;
  if (ka.hash !== kb.hash) return ka.hash - kb.hash;
  // Equal hashes of different nodes: a 2⁻⁵³ event; fall back to creation order.
  return a.id - b.id;
}
