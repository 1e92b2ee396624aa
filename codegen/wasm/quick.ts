/**
 * WasmFunc.op's short path: an instruction whose immediate is valid at a glance (a local index
 * below the count, an i32, a float that is not NaN, four f32/i32 lanes, a memarg of offset and
 * align, a lane, a block type, a label in range, a call of this module's function) is written
 * straight into the body's bytes and true returned; anything else writes nothing and returns
 * false, and the general path then checks everything and names what is wrong. `else`, memory.*
 * and the immediates the compiler never emits (i64, v128 of f64x2/i64x2, shuffles) always take
 * the general path. One switch on the kind: no call per instruction beyond this one.
 */
import { OPCODES } from './opcodes.js';
import type { OpInfo } from './opcodes.js';
import type { Immediate, MemArg } from './instr.js';
import { writeSleb32, writeUleb } from './leb128.js';
import { writeF32, writeF64 } from './floats.js';
import { isValType, VALTYPE_CODE } from './types.js';

/** @internal what the short path reads and advances in the function being built. */
export interface QuickTarget {
  /** The body's bytes; room for MAX_INSTRUCTION_BYTES more at `size` when an instruction starts. */
  code: Uint8Array;
  size: number;
  /** Open blocks (labels 0..blocks are in range). */
  blocks: number;
  /** Where the body ended right after an else (an else directly followed by end is dropped). */
  elseEnd: number;
  /** Locals, params included. */
  readonly nLocals: number;
  /** The function index a call immediate names, or −1 unless it is one of this module's functions. */
  calleeIndex(x: Immediate): number;
}

/** More than any one instruction takes: 3 opcode bytes and 16 immediate bytes (v128.const). */
export const MAX_INSTRUCTION_BYTES = 32;

const NEVER = 0, NONE = 1, LOCAL = 2, I32 = 3, F32 = 4, F64 = 5, V128 = 6, MEM = 7, LANE = 8, BLOCK = 9, END = 10, LABEL = 11, CALL = 12;

/** @internal an instruction as WasmFunc.op reads it. */
export interface QuickOp {
  readonly info: OpInfo;
  readonly kind: number;
  /** The opcode: `n` bytes b0, b1, b2. */
  readonly n: number;
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  /** A memory instruction (the module must import a memory). */
  readonly memory: boolean;
  /** Natural alignment in bytes (memory instructions), lane count (lane instructions). */
  readonly align: number;
  readonly lanes: number;
}

/**
 * Writes the instruction when its immediate is valid at a glance; false (nothing written) otherwise.
 * The kinds are tested most frequent first (locals, then no immediate, then i32 constants: most
 * of a kernel), each writing its bytes and returning: few tests per instruction in cold code.
 */
export function writeQuick(f: QuickTarget, q: QuickOp, imm: Immediate): boolean {
  const kind = q.kind;
  const c = f.code;
  let at = f.size;
  if (kind === LOCAL) {
    if (typeof imm !== 'number' || imm >>> 0 !== imm || imm >= f.nLocals) return false;
    c[at] = q.b0;
    if (imm < 0x80) {
      c[at + 1] = imm;
      f.size = at + 2;
    } else f.size = writeUleb(c, at + 1, imm);
    return true;
  }
  if (kind === NONE) {
    if (imm !== undefined) return false;
    f.size = writeOpcode(c, at, q);
    return true;
  }
  if (kind === I32) {
    if (typeof imm !== 'number' || (imm | 0) !== imm) return false;
    c[at] = q.b0;
    if (imm >= -0x40 && imm < 0x40) {
      c[at + 1] = imm & 0x7f;
      f.size = at + 2;
    } else f.size = writeSleb32(c, at + 1, imm);
    return true;
  }
  switch (kind) {
    case F32: case F64:
      // NaN keeps its payload through the general path's DataView
      if (typeof imm !== 'number' || imm !== imm) return false;
      break;
    case V128:
      if (!isLanes4(imm)) return false;
      break;
    case MEM:
      if (imm !== undefined && !isMemArg(imm, q.align)) return false;
      break;
    case LANE:
      if (typeof imm !== 'number' || imm >>> 0 !== imm || imm >= q.lanes) return false;
      break;
    case BLOCK:
      if (imm !== undefined && !isValType(imm)) return false;
      f.blocks++;
      break;
    case END:
      if (f.blocks === 0) return false;
      f.blocks--;
      // An empty else adds nothing; wat2wasm drops it, and so do we (same bytes from the text).
      if (f.elseEnd === at) { at--; f.elseEnd = -1; }
      break;
    case LABEL:
      if (typeof imm !== 'number' || imm >>> 0 !== imm || imm > f.blocks) return false;
      break;
    case CALL:
      if (f.calleeIndex(imm) < 0) return false;
      break;
    default:
      return false;
  }
  at = writeOpcode(c, at, q);
  switch (kind) {
    case LABEL: at = writeUleb(c, at, imm as number); break;
    case F32: at = writeF32(c, at, imm as number); break;
    case F64: at = writeF64(c, at, imm as number); break;
    case V128: at = writeLanes4(c, at, imm as Lanes4); break;
    case MEM: at = writeMemArg(c, at, imm as MemArg | undefined, q.align); break;
    case LANE: c[at++] = imm as number; break;
    case BLOCK: c[at++] = imm === undefined ? 0x40 : VALTYPE_CODE[imm as keyof typeof VALTYPE_CODE]; break;
    case CALL: at = writeUleb(c, at, f.calleeIndex(imm)); break;
  }
  f.size = at;
  return true;
}

/** The opcode's 1–3 bytes at `at`; returns the position after them. */
function writeOpcode(c: Uint8Array, at: number, q: QuickOp): number {
  c[at++] = q.b0;
  if (q.n > 1) {
    c[at++] = q.b1;
    if (q.n > 2) c[at++] = q.b2;
  }
  return at;
}

type Lanes4 = { readonly f32x4: readonly number[] } | { readonly i32x4: readonly number[] };

/** { f32x4: [4 numbers] } or { i32x4: [4 i32s] }, nothing else in it. */
function isLanes4(x: Immediate): x is Lanes4 {
  if (typeof x !== 'object' || x === null || 'f64x2' in x || 'i64x2' in x) return false;
  const f = 'f32x4' in x, i = 'i32x4' in x;
  if (f === i) return false;
  const lanes = f ? (x as { f32x4: unknown }).f32x4 : (x as { i32x4: unknown }).i32x4;
  if (!Array.isArray(lanes) || lanes.length !== 4) return false;
  for (let k = 0; k < 4; k++) {
    const v: unknown = lanes[k];
    if (typeof v !== 'number' || (f ? v !== v : (v | 0) !== v)) return false;
  }
  return true;
}

function writeLanes4(c: Uint8Array, at: number, x: Lanes4): number {
  if ('f32x4' in x) {
    const l = x.f32x4;
    for (let k = 0; k < 4; k++) at = writeF32(c, at, l[k]!);
    return at;
  }
  const l = x.i32x4;
  for (let k = 0; k < 4; k++) {
    const v = l[k]!;
    c[at] = v & 0xff; c[at + 1] = (v >>> 8) & 0xff; c[at + 2] = (v >>> 16) & 0xff; c[at + 3] = v >>> 24;
    at += 4;
  }
  return at;
}

/** { offset?, align? } and nothing else, offset a u32, align a power of two up to `natural`. */
function isMemArg(x: Immediate, natural: number): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  for (const k in x) if (k !== 'offset' && k !== 'align') return false;
  const { offset, align } = x as MemArg;
  if (offset !== undefined && (typeof offset !== 'number' || offset >>> 0 !== offset)) return false;
  return align === undefined || (typeof align === 'number' && align >>> 0 === align && align >= 1 && align <= natural && (align & (align - 1)) === 0);
}

function writeMemArg(c: Uint8Array, at: number, x: MemArg | undefined, natural: number): number {
  const align = x?.align ?? natural;
  c[at++] = 31 - Math.clz32(align);
  return writeUleb(c, at, x?.offset ?? 0);
}

function kindOf(op: string, info: OpInfo): number {
  switch (info.imm) {
    case 'none': return op === 'end' ? END : op === 'else' || op.startsWith('memory.') ? NEVER : NONE;
    case 'local': return LOCAL;
    case 'i32': return I32;
    case 'f32': return F32;
    case 'f64': return F64;
    case 'v128': return V128;
    case 'mem': return MEM;
    case 'lane': return LANE;
    case 'block': return BLOCK;
    case 'label': return LABEL;
    case 'call': return CALL;
    default: return NEVER;
  }
}

/** @internal every instruction by name (no prototype: any other name is undefined). */
export const QUICK_OPS: Readonly<Record<string, QuickOp | undefined>> = Object.create(null) as Record<string, QuickOp>;
for (const [op, info] of Object.entries(OPCODES) as [string, OpInfo][]) {
  const b = info.bytes, kind = kindOf(op, info);
  if (b.length > 3 && kind !== NEVER) throw new Error(`internal: ${op} has ${b.length} opcode bytes`);
  if ((kind === LOCAL || kind === I32) && b.length !== 1) throw new Error(`internal: ${op} has ${b.length} opcode bytes (writeQuick writes one)`);
  (QUICK_OPS as Record<string, QuickOp>)[op] = {
    info, kind, n: b.length, b0: b[0]!, b1: b[1] ?? 0, b2: b[2] ?? 0,
    memory: info.imm === 'mem', align: info.align ?? 0, lanes: info.lanes ?? 0,
  };
}
