/**
 * Immediates: checked against their kind and encoded in one place (as each instruction is
 * appended), and spelled for WAT in another (only when the text is printed).
 */
import type { OpInfo } from './opcodes.js';
import type { Callee, Immediate, MemArg } from './instr.js';
import { pushSleb32, pushUleb, sleb64 } from './leb128.js';
import { bytes32, bytes64, f32Bits, f64Bits, formatF32, formatF64 } from './floats.js';
import { VALTYPE_CODE, isValType } from './types.js';

/** What the function being built knows: open blocks, locals, callees. */
export interface ImmediateContext {
  readonly depth: number;
  readonly localCount: number;
  callee(x: Immediate): Callee;
}

/**
 * Validates an instruction's immediate and appends its bytes to `out`; returns the immediate as
 * stored for printing (a call's target resolved to its function).
 */
export function encodeImmediate(info: OpInfo, x: Immediate, at: ImmediateContext, out: number[]): Immediate {
  switch (info.imm) {
    case 'none':
      if (x !== undefined) throw new Error('takes no immediate, got 1');
      return undefined;
    case 'block':
      if (x === undefined) out.push(0x40);
      else if (!isValType(x)) throw new Error(`block type must be a value type or omitted, got ${String(x)}`);
      else out.push(VALTYPE_CODE[x]);
      return x;
    case 'label': {
      const d = int(x, 'label depth');
      if (d < 0 || d > at.depth) throw new Error(`label depth ${d} out of range (0..${at.depth})`);
      pushUleb(out, d);
      return d;
    }
    case 'local': {
      const i = int(x, 'local index');
      if (i < 0 || i >= at.localCount) {
        throw new Error(`unknown local ${i} (function has ${at.localCount} locals, params included)`);
      }
      pushUleb(out, i);
      return i;
    }
    case 'call': {
      const fn = at.callee(x);
      pushUleb(out, fn.index);
      return fn;
    }
    case 'mem':
      pushMemArg(x, info.align!, out);
      return x;
    case 'i32': {
      const v = int(x, 'i32 constant');
      if (v < -(2 ** 31) || v >= 2 ** 32) throw new Error(`i32 constant ${v} out of range`);
      pushSleb32(out, v);
      return v;
    }
    case 'i64': {
      const v = typeof x === 'bigint' ? x : BigInt(int(x, 'i64 constant'));
      if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new Error(`i64 constant ${v} out of range`);
      for (const b of sleb64(v)) out.push(b);
      return v;
    }
    case 'f32':
      pushBits32(out, f32Bits(num(x, 'f32 constant')));
      return x;
    case 'f64':
      for (const b of bytes64(f64Bits(num(x, 'f64 constant')))) out.push(b);
      return x;
    case 'v128':
      for (const b of v128(x, false).bytes) out.push(b);
      return x;
    case 'lane': {
      const l = int(x, 'lane index');
      if (l < 0 || l >= info.lanes!) throw new Error(`lane index ${l} out of range (0..${info.lanes! - 1})`);
      out.push(l);
      return l;
    }
    case 'shuffle': {
      if (!Array.isArray(x) || x.length !== 16) throw new Error('i8x16.shuffle takes an array of 16 lane indices');
      for (const l of x) {
        if (!Number.isInteger(l) || l < 0 || l > 31) throw new Error(`shuffle lane index ${l} out of range (0..31)`);
      }
      for (const l of x) out.push(l);
      return [...x];
    }
  }
  throw new Error(`unsupported immediate kind ${String(info.imm)}`);
}

/** The WAT spelling of an immediate `encodeImmediate` accepted (and returned). */
export function spellImmediate(info: OpInfo, x: Immediate, localName: (index: number) => string | undefined): string {
  switch (info.imm) {
    case 'none': return '';
    case 'block': return x === undefined ? '' : `(result ${x as string})`;
    case 'label': case 'lane': return String(x);
    case 'local': {
      const name = localName(x as number);
      return name ? `$${name}` : String(x);
    }
    case 'call': return `$${(x as Callee).name}`;
    case 'mem': {
      const { offset, align } = memarg(x, info.align!);
      return [offset ? `offset=${offset}` : '', align !== info.align ? `align=${align}` : ''].filter(Boolean).join(' ');
    }
    case 'i32': return String((x as number) | 0);
    case 'i64': return BigInt.asIntN(64, x as bigint).toString();
    case 'f32': return formatF32(f32Bits(x as number));
    case 'f64': return formatF64(f64Bits(x as number));
    case 'v128': return v128(x, true).text;
    case 'shuffle': return (x as number[]).join(' ');
  }
  throw new Error(`unsupported immediate kind ${String(info.imm)}`);
}

/** Appends the little-endian bytes of a 32-bit pattern. */
export function pushBits32(out: number[], bits: number): void {
  out.push(bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24);
}

function int(x: Immediate, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new Error(`${what} must be an integer, got ${String(x)}`);
  return x;
}

function num(x: Immediate, what: string): number {
  if (typeof x !== 'number') throw new Error(`${what} must be a number, got ${String(x)}`);
  return x;
}

/** Checks a memory immediate (natural alignment `natural` bytes) and appends its bytes: log2 align, offset. */
function pushMemArg(x: Immediate, natural: number, out: number[]): void {
  const { offset, align } = memarg(x, natural);
  out.push(Math.log2(align));
  pushUleb(out, offset);
}

function memarg(x: Immediate, natural: number): { offset: number; align: number } {
  if (x === undefined) return { offset: 0, align: natural };
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('memory immediate must be { offset?, align? }');
  for (const k in x) if (k !== 'offset' && k !== 'align') throw new Error('memory immediate must be { offset?, align? }');
  const m = x as MemArg;
  const offset = m.offset ?? 0, align = m.align ?? natural;
  if (!Number.isInteger(offset) || offset < 0 || offset >= 2 ** 32) throw new Error(`offset ${offset} is not a u32`);
  if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > natural) {
    throw new Error(`align ${align} must be a power of two no larger than ${natural} bytes`);
  }
  return { offset, align };
}

/** A v128.const's bytes, and its text when `spell` (the float spelling is not free). */
function v128(x: Immediate, spell: boolean): { bytes: number[]; text: string } {
  const c = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  const shapes = ['f32x4', 'i32x4', 'f64x2', 'i64x2'].filter((k) => k in c);
  if (shapes.length !== 1) {
    throw new Error('v128.const takes one of { f32x4: [4] }, { i32x4: [4] }, { f64x2: [2] }, { i64x2: [2 bigints] }');
  }
  const shape = shapes[0]!;
  const lanes = c[shape];
  const n = shape.endsWith('x4') ? 4 : 2;
  if (!Array.isArray(lanes) || lanes.length !== n) throw new Error(`v128.const ${shape} needs ${n} lanes`);
  const bytes: number[] = [], words: string[] = [];
  for (const v of lanes as unknown[]) {
    if (shape === 'f32x4') {
      const bits = f32Bits(num(v as number, 'f32x4 lane'));
      bytes.push(...bytes32(bits)); if (spell) words.push(formatF32(bits));
    } else if (shape === 'f64x2') {
      const bits = f64Bits(num(v as number, 'f64x2 lane'));
      bytes.push(...bytes64(bits)); if (spell) words.push(formatF64(bits));
    } else if (shape === 'i32x4') {
      const i = int(v as number, 'i32x4 lane');
      if (i < -(2 ** 31) || i >= 2 ** 32) throw new Error(`i32x4 lane ${i} out of range`);
      bytes.push(...bytes32(i >>> 0)); words.push(String(i | 0));
    } else {
      if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 64n) throw new Error(`i64x2 lane ${String(v)} must be a 64-bit bigint`);
      bytes.push(...bytes64(BigInt.asUintN(64, v))); words.push(BigInt.asIntN(64, v).toString());
    }
  }
  return { bytes, text: `${shape} ${words.join(' ')}` };
}
