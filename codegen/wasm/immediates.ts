/** Immediates: checked against their kind, then encoded and spelled for WAT in one place. */
import type { OpInfo } from './opcodes.js';
import type { Callee, Immediate, MemArg } from './instr.js';
import { sleb32, sleb64, uleb } from './leb128.js';
import { bytes32, bytes64, f32Bits, f64Bits, formatF32, formatF64 } from './floats.js';
import { VALTYPE_CODE, isValType } from './types.js';

/** What the function being built knows: open blocks, locals, callees. */
export interface ImmediateContext {
  readonly depth: number;
  readonly localCount: number;
  localName(index: number): string | undefined;
  callee(x: Immediate): Callee;
}

/** Validates an instruction's immediates; returns their bytes and their WAT spelling. */
export function encodeImmediate(info: OpInfo, imm: readonly Immediate[], at: ImmediateContext): [number[], string] {
  const kind = info.imm;
  const max = kind === 'none' ? 0 : 1;
  if (imm.length > max) throw new Error(`takes ${max === 0 ? 'no immediate' : 'one immediate'}, got ${imm.length}`);
  const x = imm[0];
  switch (kind) {
    case 'none': return [[], ''];
    case 'block': {
      if (x === undefined) return [[0x40], ''];
      if (!isValType(x)) throw new Error(`block type must be a value type or omitted, got ${String(x)}`);
      return [[VALTYPE_CODE[x]], `(result ${x})`];
    }
    case 'label': {
      const d = int(x, 'label depth');
      if (d < 0 || d > at.depth) throw new Error(`label depth ${d} out of range (0..${at.depth})`);
      return [uleb(d), String(d)];
    }
    case 'local': {
      const i = int(x, 'local index');
      if (i < 0 || i >= at.localCount) {
        throw new Error(`unknown local ${i} (function has ${at.localCount} locals, params included)`);
      }
      const name = at.localName(i);
      return [uleb(i), name ? `$${name}` : String(i)];
    }
    case 'call': {
      const fn = at.callee(x);
      return [uleb(fn.index), `$${fn.name}`];
    }
    case 'mem': return memarg(x, info.align!);
    case 'i32': {
      const v = int(x, 'i32 constant');
      if (v < -(2 ** 31) || v >= 2 ** 32) throw new Error(`i32 constant ${v} out of range`);
      return [sleb32(v), String(v | 0)];
    }
    case 'i64': {
      const v = typeof x === 'bigint' ? x : BigInt(int(x, 'i64 constant'));
      if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new Error(`i64 constant ${v} out of range`);
      return [sleb64(v), BigInt.asIntN(64, v).toString()];
    }
    case 'f32': {
      const bits = f32Bits(num(x, 'f32 constant'));
      return [bytes32(bits), formatF32(bits)];
    }
    case 'f64': {
      const bits = f64Bits(num(x, 'f64 constant'));
      return [bytes64(bits), formatF64(bits)];
    }
    case 'v128': return v128(x);
    case 'lane': {
      const l = int(x, 'lane index');
      if (l < 0 || l >= info.lanes!) throw new Error(`lane index ${l} out of range (0..${info.lanes! - 1})`);
      return [[l], String(l)];
    }
    case 'shuffle': {
      if (!Array.isArray(x) || x.length !== 16) throw new Error('i8x16.shuffle takes an array of 16 lane indices');
      for (const l of x) {
        if (!Number.isInteger(l) || l < 0 || l > 31) throw new Error(`shuffle lane index ${l} out of range (0..31)`);
      }
      return [[...x], x.join(' ')];
    }
  }
  throw new Error(`unsupported immediate kind ${kind}`);
}

function int(x: Immediate, what: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new Error(`${what} must be an integer, got ${String(x)}`);
  return x;
}

function num(x: Immediate, what: string): number {
  if (typeof x !== 'number') throw new Error(`${what} must be a number, got ${String(x)}`);
  return x;
}

function memarg(x: Immediate, natural: number): [number[], string] {
  if (x !== undefined && (typeof x !== 'object' || x === null || Array.isArray(x) || Object.keys(x).some((k) => k !== 'offset' && k !== 'align'))) {
    throw new Error('memory immediate must be { offset?, align? }');
  }
  const m = (x ?? {}) as MemArg;
  const offset = m.offset ?? 0, align = m.align ?? natural;
  if (!Number.isInteger(offset) || offset < 0 || offset >= 2 ** 32) throw new Error(`offset ${offset} is not a u32`);
  if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > natural) {
    throw new Error(`align ${align} must be a power of two no larger than ${natural} bytes`);
  }
  const text = [offset ? `offset=${offset}` : '', align !== natural ? `align=${align}` : ''].filter(Boolean).join(' ');
  return [[Math.log2(align), ...uleb(offset)], text];
}

function v128(x: Immediate): [number[], string] {
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
      bytes.push(...bytes32(bits)); words.push(formatF32(bits));
    } else if (shape === 'f64x2') {
      const bits = f64Bits(num(v as number, 'f64x2 lane'));
      bytes.push(...bytes64(bits)); words.push(formatF64(bits));
    } else if (shape === 'i32x4') {
      const i = int(v as number, 'i32x4 lane');
      if (i < -(2 ** 31) || i >= 2 ** 32) throw new Error(`i32x4 lane ${i} out of range`);
      bytes.push(...bytes32(i >>> 0)); words.push(String(i | 0));
    } else {
      if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 64n) throw new Error(`i64x2 lane ${String(v)} must be a 64-bit bigint`);
      bytes.push(...bytes64(BigInt.asUintN(64, v))); words.push(BigInt.asIntN(64, v).toString());
    }
  }
  return [bytes, `${shape} ${words.join(' ')}`];
}
