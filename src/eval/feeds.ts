// Turning user feeds (typed arrays, flat or nested number arrays) into checked dense data.
import { GraphError, fmtShape } from '../graph/errors.js';
import { fromNested } from '../graph/functions.js';
import type { Tensor } from '../graph/tensor.js';
import { isDeclaredLeafName } from '../graph/names.js';

export type Nested = number | readonly Nested[];
/** Typed arrays of numbers (not BigInt64Array: its values are not numbers). */
export type NumberArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type Feed = NumberArray | readonly number[] | Nested;
export type Feeds = Readonly<Record<string, Feed>>;

function isNumberArray(v: unknown): v is NumberArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** The data fed for `leaf`, checked against its name and shape before any work is done. */
export function readFeed(where: string, leaf: Tensor<'input' | 'param'>, feeds: Feeds): Float64Array {
  const name = leaf.attrs.name;
  const kind = leaf.op === 'param' ? 'param' : 'input';
  const expect = `a Float32Array or number array of ${leaf.size} values (shape ${fmtShape(leaf.shape)})`;
  if (!Object.prototype.hasOwnProperty.call(feeds, name)) {
    const near = nearNames(name, Object.keys(feeds));
    const hint = near.length > 0 ? ` (feeds has ${near.map((k) => `'${k}'`).join(', ')}: misspelled?)` : '';
    throw new GraphError(where, `no feed for ${kind} '${name}' ${fmtShape(leaf.shape)}; pass feeds['${name}'] as ${expect}${hint}`);
  }
  const value = feeds[name];
  if (isNumberArray(value)) {
    if (value.length !== leaf.size) {
      throw new GraphError(where, `feed '${name}' has ${value.length} values but ${kind} '${name}' has shape ${fmtShape(leaf.shape)} (${leaf.size} values)`);
    }
    return Float64Array.from(value);
  }
  if (typeof value === 'number' && leaf.size === 1) return Float64Array.of(value);
  if (!Array.isArray(value)) throw new GraphError(where, `feed '${name}' is ${typeof value}; pass ${expect}`);
  const nested = value.some((v) => Array.isArray(v));
  let parsed: { data: Float64Array; shape: number[] };
  try {
    parsed = fromNested(value as Nested);
  } catch (e) {
    // fromNested speaks as 'constant'; say which feed is malformed instead.
    if (e instanceof GraphError) throw new GraphError(where, `feed '${name}' is malformed (${e.message.replace(/^constant: /, '')}); pass ${expect}`);
    throw e;
  }
  const { data, shape } = parsed;
  const shapeOk = nested ? shape.length === leaf.rank && shape.every((d, i) => d === leaf.shape[i]) : data.length === leaf.size;
  if (!shapeOk) {
    throw new GraphError(where, `feed '${name}' has shape ${fmtShape(shape)} but ${kind} '${name}' has shape ${fmtShape(leaf.shape)}`);
  }
  return data;
}

/**
 * An input declared `{ oneHot: true }` promises rows (last axis) of zeros and a single 1; the
 * simplifier relies on it (Σ rows = 1), so a feed that breaks the promise is refused, never
 * silently mis-differentiated. Reads values as the input's dtype holds them; allocates nothing.
 */
export function checkOneHotRows(where: string, name: string, values: ArrayLike<number>, rowLength: number, float32: boolean): void {
  if (rowLength === 0) return;
  for (let row = 0, at = 0; at < values.length; row++, at += rowLength) {
    let ones = 0;
    for (let j = 0; j < rowLength; j++) {
      const v = float32 ? Math.fround(values[at + j]!) : values[at + j]!;
      if (v === 1) ones++;
      else if (v !== 0) ones = -Infinity;
    }
    if (ones !== 1) {
      const shown = Array.from({ length: Math.min(rowLength, 6) }, (_, j) => values[at + j]).join(', ');
      throw new GraphError(
        where,
        `feed '${name}' row ${row} is not one-hot ([${shown}${rowLength > 6 ? ', …' : ''}]); input '${name}' is declared { oneHot: true }, ` +
          `so every row must hold a single 1 and zeros: fix the data, or declare the input without the fact`,
      );
    }
  }
}

/** Names among `candidates` that `name` is likely a misspelling of: the same but for case, or a letter or two off. */
export function nearNames(name: string, candidates: readonly string[]): string[] {
  return candidates.filter((k) => k !== name && (k.toLowerCase() === name.toLowerCase() || editDistance(k, name) <= Math.min(2, name.length >> 1)));
}

/** ` (did you mean 'W'?)` when a name is close to one of `known`, else ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = nearNames(name, known);
  return near.length > 0 ? ` (did you mean ${near.map((k) => `'${k}'`).join(' or ')}?)` : '';
}

/**
 * Feeds naming no leaf of the graph: refused when the name belongs to no input or param made in
 * this process (a misspelling: `run` refuses it too), or, with `strict` (`unusedFeeds: 'error'`),
 * refused whenever the graph does not read it, as `run` refuses a feed that is no input of its
 * program. By default a known leaf the graph does not read is allowed: a forward graph's feeds
 * serve its gradient and its simplified form, which may no longer read every leaf.
 */
export function checkExtraFeeds(where: string, feeds: Feeds, leaves: readonly string[], strict: boolean): void {
  for (const k in feeds) {
    if (!Object.prototype.hasOwnProperty.call(feeds, k) || leaves.includes(k)) continue;
    const known = isDeclaredLeafName(k);
    if (known && !strict) continue;
    const reads = `the graph reads ${leaves.map((n) => `'${n}'`).join(', ') || 'no input or param'}`;
    throw new GraphError(where, known
      ? `feed '${k}' is not read by the graph${didYouMean(k, leaves)}; ${reads}. Drop it, or leave unusedFeeds at its default to allow feeds the graph does not read`
      : `feed '${k}' names no input or param${didYouMean(k, leaves)}; ${reads}. Fix the name, or drop the feed`);
  }
}

/** Levenshtein distance (names are short). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
