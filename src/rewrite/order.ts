// A stable structural order on nodes: the order commutative operands are sorted in.
// It depends only on the structure below a node (op, attrs, dtype, operands), never on ids,
// so two graphs built in different orders sort their operands the same way.
import type { Tensor } from '../graph/tensor.js';

interface Key {
  /** Longest path to a leaf. */
  readonly height: number;
  /** 53-bit structural hash. */
  readonly hash: number;
}

const keys = new WeakMap<Tensor, Key>();

/** cyrb53: a small, well-mixed 53-bit string hash. */
function hashString(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

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
  const stack: Tensor[] = [t];
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (keys.has(node)) {
      stack.pop();
      continue;
    }
    const missing = node.inputs.filter((x) => !keys.has(x));
    if (missing.length > 0) {
      stack.push(...missing);
      continue;
    }
    stack.pop();
    const ins = node.inputs.map((x) => keys.get(x)!);
    const height = ins.reduce((h, k) => Math.max(h, k.height + 1), 0);
    const hash = hashString(`${node.op}|${attrText(node)}|${node.dtype}|${ins.map((k) => k.hash).join(',')}`);
    keys.set(node, { height, hash });
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
