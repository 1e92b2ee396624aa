/**
 * WasmFunc.op's short path: per instruction, an encoder that appends the opcode and an immediate
 * valid at a glance (a local index below the count, an i32, an f32, four f32 lanes, a memarg)
 * and returns true, or appends nothing and returns false: the general path then checks
 * everything and names what is wrong. Blocks, labels, calls and memory.* always take the general
 * path (they have more to track than bytes). One small function per immediate kind, each called
 * through the table: op itself stays small.
 */
import { OPCODES } from './opcodes.js';
import type { OpInfo } from './opcodes.js';
import type { Immediate } from './instr.js';
import { pushBits32, pushF32x4, pushMemArg } from './immediates.js';
import { pushSleb32, pushUleb } from './leb128.js';
import { f32Bits } from './floats.js';

/** Appends the instruction when its immediate is valid at a glance; false (nothing appended) otherwise. */
type Encode = (q: QuickOp, imm: Immediate, code: number[], nLocals: number) => boolean;

/** @internal an instruction as WasmFunc.op reads it. */
export interface QuickOp {
  readonly info: OpInfo;
  readonly bytes: readonly number[];
  /** A memory instruction (the module must import a memory). */
  readonly memory: boolean;
  readonly encode: Encode;
}

const never: Encode = () => false;

const none: Encode = (q, imm, code) => {
  if (imm !== undefined) return false;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  return true;
};

const local: Encode = (q, imm, code, nLocals) => {
  if (typeof imm !== 'number' || imm >>> 0 !== imm || imm >= nLocals) return false;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  if (imm < 128) code.push(imm);
  else pushUleb(code, imm);
  return true;
};

const i32: Encode = (q, imm, code) => {
  if (typeof imm !== 'number' || (imm | 0) !== imm) return false;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  pushSleb32(code, imm);
  return true;
};

const f32: Encode = (q, imm, code) => {
  if (typeof imm !== 'number') return false;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  pushBits32(code, f32Bits(imm));
  return true;
};

const v128: Encode = (q, imm, code) => {
  const start = code.length;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  if (pushF32x4(imm, code)) return true;
  code.length = start;
  return false;
};

const mem: Encode = (q, imm, code) => {
  const start = code.length;
  for (let i = 0, b = q.bytes; i < b.length; i++) code.push(b[i]!);
  try {
    pushMemArg(imm, q.info.align!, code);
    return true;
  } catch {
    code.length = start;
    return false;
  }
};

function encoderOf(op: string, info: OpInfo): Encode {
  switch (info.imm) {
    case 'none': return op === 'end' || op === 'else' || op.startsWith('memory.') ? never : none;
    case 'local': return local;
    case 'i32': return i32;
    case 'f32': return f32;
    case 'v128': return v128;
    case 'mem': return mem;
    default: return never;
  }
}

/** @internal every instruction by name (no prototype: any other name is undefined). */
export const QUICK_OPS: Readonly<Record<string, QuickOp | undefined>> = Object.create(null) as Record<string, QuickOp>;
for (const [op, info] of Object.entries(OPCODES) as [string, OpInfo][]) {
  (QUICK_OPS as Record<string, QuickOp>)[op] = { info, bytes: info.bytes, memory: info.imm === 'mem', encode: encoderOf(op, info) };
}
