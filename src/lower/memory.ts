/**
 * The static memory plan: every buffer gets a byte offset in one arena. Inputs, params,
 * constants and outputs keep their space for the whole run; temporaries whose lifetimes (first
 * writing kernel to last reading kernel) do not overlap share space (first fit, in run order).
 */
export type BufferRole = 'input' | 'param' | 'constant' | 'output' | 'temp';

export interface BufferRequest {
  readonly id: number;
  readonly bytes: number;
  readonly role: BufferRole;
  /** Kernel positions: written first at `start`, read last at `end` (temps only). */
  readonly start: number;
  readonly end: number;
}

export interface MemoryPlan {
  readonly offsets: readonly number[];
  readonly arenaBytes: number;
  /** Bytes of all temporaries if each had its own space, and what they take shared. */
  readonly tempBytesUnshared: number;
  readonly tempBytesShared: number;
}

/** 16-byte alignment: room for 128-bit SIMD loads in the Wasm backend. */
export const ALIGN = 16;

const up = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * `fixed` gives buffers whose place is decided elsewhere (params in a region several programs
 * share, at [0, base)); everything else goes from `base` up.
 */
export function planMemory(requests: readonly BufferRequest[], fixed: ReadonlyMap<number, number> = new Map(), base0 = 0): MemoryPlan {
  const offsets = new Array<number>(requests.length).fill(-1);
  let end = up(base0);
  for (const r of requests) {
    const at = fixed.get(r.id);
    if (at !== undefined) {
      offsets[r.id] = at;
      continue;
    }
    if (r.role === 'temp') continue;
    offsets[r.id] = end;
    end += up(r.bytes);
  }
  const base = end;
  const temps = requests.filter((r) => r.role === 'temp').sort((a, b) => a.start - b.start || b.bytes - a.bytes);
  const live: { offset: number; size: number; end: number }[] = [];
  let top = base;
  let unshared = 0;
  for (const t of temps) {
    // Space of temps dead before this one is written is free again.
    for (let i = live.length - 1; i >= 0; i--) if (live[i]!.end < t.start) live.splice(i, 1);
    live.sort((a, b) => a.offset - b.offset);
    const size = up(t.bytes);
    unshared += size;
    let at = base;
    for (const l of live) {
      if (l.offset - at >= size) break;
      at = Math.max(at, l.offset + l.size);
    }
    offsets[t.id] = at;
    live.push({ offset: at, size, end: t.end });
    top = Math.max(top, at + size);
  }
  return { offsets, arenaBytes: Math.max(ALIGN, top), tempBytesUnshared: unshared, tempBytesShared: top - base };
}
