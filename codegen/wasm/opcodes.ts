/**
 * The opcode table: name → bytes, immediate kind and stack signature. The encoder, the WAT
 * printer and the stack checker all read this one table.
 */
import { uleb } from './leb128.js';
import type { ValType } from './types.js';

/** What follows the opcode bytes. */
export type ImmKind =
  | 'none' | 'block' | 'label' | 'local' | 'call' | 'mem'
  | 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'lane' | 'shuffle';

export interface OpInfo {
  /** Opcode bytes: one byte, or a prefix (0xFC, 0xFD) and a LEB128 sub-opcode (plus fixed memory indices). */
  readonly bytes: readonly number[];
  readonly imm: ImmKind;
  /** Operand types, bottom of stack first; absent for control and local ops (checked specially). */
  readonly pops?: readonly ValType[];
  readonly pushes?: readonly ValType[];
  /** Natural alignment in bytes (memory ops). */
  readonly align?: number;
  /** Lane count (lane ops). */
  readonly lanes?: number;
  /** Needs the relaxed-SIMD proposal. */
  readonly relaxed?: boolean;
}

type Code = number | readonly number[];
const bytesOf = (c: Code): readonly number[] => (typeof c === 'number' ? [c] : c);
const fc = (n: number): number[] => [0xfc, ...uleb(n)];
const fd = (n: number): number[] => [0xfd, ...uleb(n)];

const ctl = (c: Code, imm: ImmKind = 'none'): OpInfo => ({ bytes: bytesOf(c), imm });
const sig = (c: Code, pops: readonly ValType[], pushes: readonly ValType[], imm: ImmKind = 'none'): OpInfo =>
  ({ bytes: bytesOf(c), imm, pops, pushes });
const un = (t: ValType, c: Code) => sig(c, [t], [t]);
const bin = (t: ValType, c: Code) => sig(c, [t, t], [t]);
const test = (t: ValType, c: Code) => sig(c, [t], ['i32']);
const cmp = (t: ValType, c: Code) => sig(c, [t, t], ['i32']);
const cvt = (from: ValType, to: ValType, c: Code) => sig(c, [from], [to]);
const load = (t: ValType, c: Code, align: number): OpInfo => ({ ...sig(c, ['i32'], [t], 'mem'), align });
const store = (t: ValType, c: Code, align: number): OpInfo => ({ ...sig(c, ['i32', t], [], 'mem'), align });
const extract = (t: ValType, c: Code, lanes: number): OpInfo => ({ ...sig(c, ['v128'], [t], 'lane'), lanes });
const replace = (t: ValType, c: Code, lanes: number): OpInfo => ({ ...sig(c, ['v128', t], ['v128'], 'lane'), lanes });
const vshift = (c: Code) => sig(c, ['v128', 'i32'], ['v128']);
const v3 = (c: Code) => sig(c, ['v128', 'v128', 'v128'], ['v128']);
const relaxed = (info: OpInfo): OpInfo => ({ ...info, relaxed: true });

export const OPCODES = {
  // control
  'unreachable': ctl(0x00),
  'nop': ctl(0x01),
  'block': ctl(0x02, 'block'),
  'loop': ctl(0x03, 'block'),
  'if': ctl(0x04, 'block'),
  'else': ctl(0x05),
  'end': ctl(0x0b),
  'br': ctl(0x0c, 'label'),
  'br_if': ctl(0x0d, 'label'),
  'return': ctl(0x0f),
  'call': ctl(0x10, 'call'),
  'drop': ctl(0x1a),
  'select': ctl(0x1b),
  // locals
  'local.get': ctl(0x20, 'local'),
  'local.set': ctl(0x21, 'local'),
  'local.tee': ctl(0x22, 'local'),
  // memory
  'i32.load': load('i32', 0x28, 4),
  'i64.load': load('i64', 0x29, 8),
  'f32.load': load('f32', 0x2a, 4),
  'f64.load': load('f64', 0x2b, 8),
  'i32.load8_s': load('i32', 0x2c, 1),
  'i32.load8_u': load('i32', 0x2d, 1),
  'i32.load16_s': load('i32', 0x2e, 2),
  'i32.load16_u': load('i32', 0x2f, 2),
  'i64.load8_s': load('i64', 0x30, 1),
  'i64.load8_u': load('i64', 0x31, 1),
  'i64.load16_s': load('i64', 0x32, 2),
  'i64.load16_u': load('i64', 0x33, 2),
  'i64.load32_s': load('i64', 0x34, 4),
  'i64.load32_u': load('i64', 0x35, 4),
  'i32.store': store('i32', 0x36, 4),
  'i64.store': store('i64', 0x37, 8),
  'f32.store': store('f32', 0x38, 4),
  'f64.store': store('f64', 0x39, 8),
  'i32.store8': store('i32', 0x3a, 1),
  'i32.store16': store('i32', 0x3b, 2),
  'i64.store8': store('i64', 0x3c, 1),
  'i64.store16': store('i64', 0x3d, 2),
  'i64.store32': store('i64', 0x3e, 4),
  'memory.size': sig([0x3f, 0x00], [], ['i32']),
  'memory.grow': sig([0x40, 0x00], ['i32'], ['i32']),
  'memory.copy': sig([...fc(10), 0x00, 0x00], ['i32', 'i32', 'i32'], []),
  'memory.fill': sig([...fc(11), 0x00], ['i32', 'i32', 'i32'], []),
  // constants
  'i32.const': sig(0x41, [], ['i32'], 'i32'),
  'i64.const': sig(0x42, [], ['i64'], 'i64'),
  'f32.const': sig(0x43, [], ['f32'], 'f32'),
  'f64.const': sig(0x44, [], ['f64'], 'f64'),
  // i32 comparisons
  'i32.eqz': test('i32', 0x45),
  'i32.eq': cmp('i32', 0x46),
  'i32.ne': cmp('i32', 0x47),
  'i32.lt_s': cmp('i32', 0x48),
  'i32.lt_u': cmp('i32', 0x49),
  'i32.gt_s': cmp('i32', 0x4a),
  'i32.gt_u': cmp('i32', 0x4b),
  'i32.le_s': cmp('i32', 0x4c),
  'i32.le_u': cmp('i32', 0x4d),
  'i32.ge_s': cmp('i32', 0x4e),
  'i32.ge_u': cmp('i32', 0x4f),
  // i64 comparisons
  'i64.eqz': test('i64', 0x50),
  'i64.eq': cmp('i64', 0x51),
  'i64.ne': cmp('i64', 0x52),
  'i64.lt_s': cmp('i64', 0x53),
  'i64.lt_u': cmp('i64', 0x54),
  'i64.gt_s': cmp('i64', 0x55),
  'i64.gt_u': cmp('i64', 0x56),
  'i64.le_s': cmp('i64', 0x57),
  'i64.le_u': cmp('i64', 0x58),
  'i64.ge_s': cmp('i64', 0x59),
  'i64.ge_u': cmp('i64', 0x5a),
  // float comparisons
  'f32.eq': cmp('f32', 0x5b),
  'f32.ne': cmp('f32', 0x5c),
  'f32.lt': cmp('f32', 0x5d),
  'f32.gt': cmp('f32', 0x5e),
  'f32.le': cmp('f32', 0x5f),
  'f32.ge': cmp('f32', 0x60),
  'f64.eq': cmp('f64', 0x61),
  'f64.ne': cmp('f64', 0x62),
  'f64.lt': cmp('f64', 0x63),
  'f64.gt': cmp('f64', 0x64),
  'f64.le': cmp('f64', 0x65),
  'f64.ge': cmp('f64', 0x66),
  // i32 arithmetic and bits
  'i32.clz': un('i32', 0x67),
  'i32.ctz': un('i32', 0x68),
  'i32.popcnt': un('i32', 0x69),
  'i32.add': bin('i32', 0x6a),
  'i32.sub': bin('i32', 0x6b),
  'i32.mul': bin('i32', 0x6c),
  'i32.div_s': bin('i32', 0x6d),
  'i32.div_u': bin('i32', 0x6e),
  'i32.rem_s': bin('i32', 0x6f),
  'i32.rem_u': bin('i32', 0x70),
  'i32.and': bin('i32', 0x71),
  'i32.or': bin('i32', 0x72),
  'i32.xor': bin('i32', 0x73),
  'i32.shl': bin('i32', 0x74),
  'i32.shr_s': bin('i32', 0x75),
  'i32.shr_u': bin('i32', 0x76),
  'i32.rotl': bin('i32', 0x77),
  'i32.rotr': bin('i32', 0x78),
  // i64 arithmetic and bits
  'i64.clz': un('i64', 0x79),
  'i64.ctz': un('i64', 0x7a),
  'i64.popcnt': un('i64', 0x7b),
  'i64.add': bin('i64', 0x7c),
  'i64.sub': bin('i64', 0x7d),
  'i64.mul': bin('i64', 0x7e),
  'i64.div_s': bin('i64', 0x7f),
  'i64.div_u': bin('i64', 0x80),
  'i64.rem_s': bin('i64', 0x81),
  'i64.rem_u': bin('i64', 0x82),
  'i64.and': bin('i64', 0x83),
  'i64.or': bin('i64', 0x84),
  'i64.xor': bin('i64', 0x85),
  'i64.shl': bin('i64', 0x86),
  'i64.shr_s': bin('i64', 0x87),
  'i64.shr_u': bin('i64', 0x88),
  'i64.rotl': bin('i64', 0x89),
  'i64.rotr': bin('i64', 0x8a),
  // f32 arithmetic
  'f32.abs': un('f32', 0x8b),
  'f32.neg': un('f32', 0x8c),
  'f32.ceil': un('f32', 0x8d),
  'f32.floor': un('f32', 0x8e),
  'f32.trunc': un('f32', 0x8f),
  'f32.nearest': un('f32', 0x90),
  'f32.sqrt': un('f32', 0x91),
  'f32.add': bin('f32', 0x92),
  'f32.sub': bin('f32', 0x93),
  'f32.mul': bin('f32', 0x94),
  'f32.div': bin('f32', 0x95),
  'f32.min': bin('f32', 0x96),
  'f32.max': bin('f32', 0x97),
  'f32.copysign': bin('f32', 0x98),
  // f64 arithmetic
  'f64.abs': un('f64', 0x99),
  'f64.neg': un('f64', 0x9a),
  'f64.ceil': un('f64', 0x9b),
  'f64.floor': un('f64', 0x9c),
  'f64.trunc': un('f64', 0x9d),
  'f64.nearest': un('f64', 0x9e),
  'f64.sqrt': un('f64', 0x9f),
  'f64.add': bin('f64', 0xa0),
  'f64.sub': bin('f64', 0xa1),
  'f64.mul': bin('f64', 0xa2),
  'f64.div': bin('f64', 0xa3),
  'f64.min': bin('f64', 0xa4),
  'f64.max': bin('f64', 0xa5),
  'f64.copysign': bin('f64', 0xa6),
  // conversions
  'i32.wrap_i64': cvt('i64', 'i32', 0xa7),
  'i32.trunc_f32_s': cvt('f32', 'i32', 0xa8),
  'i32.trunc_f32_u': cvt('f32', 'i32', 0xa9),
  'i32.trunc_f64_s': cvt('f64', 'i32', 0xaa),
  'i32.trunc_f64_u': cvt('f64', 'i32', 0xab),
  'i64.extend_i32_s': cvt('i32', 'i64', 0xac),
  'i64.extend_i32_u': cvt('i32', 'i64', 0xad),
  'i64.trunc_f32_s': cvt('f32', 'i64', 0xae),
  'i64.trunc_f32_u': cvt('f32', 'i64', 0xaf),
  'i64.trunc_f64_s': cvt('f64', 'i64', 0xb0),
  'i64.trunc_f64_u': cvt('f64', 'i64', 0xb1),
  'f32.convert_i32_s': cvt('i32', 'f32', 0xb2),
  'f32.convert_i32_u': cvt('i32', 'f32', 0xb3),
  'f32.convert_i64_s': cvt('i64', 'f32', 0xb4),
  'f32.convert_i64_u': cvt('i64', 'f32', 0xb5),
  'f32.demote_f64': cvt('f64', 'f32', 0xb6),
  'f64.convert_i32_s': cvt('i32', 'f64', 0xb7),
  'f64.convert_i32_u': cvt('i32', 'f64', 0xb8),
  'f64.convert_i64_s': cvt('i64', 'f64', 0xb9),
  'f64.convert_i64_u': cvt('i64', 'f64', 0xba),
  'f64.promote_f32': cvt('f32', 'f64', 0xbb),
  'i32.reinterpret_f32': cvt('f32', 'i32', 0xbc),
  'i64.reinterpret_f64': cvt('f64', 'i64', 0xbd),
  'f32.reinterpret_i32': cvt('i32', 'f32', 0xbe),
  'f64.reinterpret_i64': cvt('i64', 'f64', 0xbf),
  'i32.extend8_s': un('i32', 0xc0),
  'i32.extend16_s': un('i32', 0xc1),
  'i64.extend8_s': un('i64', 0xc2),
  'i64.extend16_s': un('i64', 0xc3),
  'i64.extend32_s': un('i64', 0xc4),
  'i32.trunc_sat_f32_s': cvt('f32', 'i32', fc(0)),
  'i32.trunc_sat_f32_u': cvt('f32', 'i32', fc(1)),
  'i32.trunc_sat_f64_s': cvt('f64', 'i32', fc(2)),
  'i32.trunc_sat_f64_u': cvt('f64', 'i32', fc(3)),
  'i64.trunc_sat_f32_s': cvt('f32', 'i64', fc(4)),
  'i64.trunc_sat_f32_u': cvt('f32', 'i64', fc(5)),
  'i64.trunc_sat_f64_s': cvt('f64', 'i64', fc(6)),
  'i64.trunc_sat_f64_u': cvt('f64', 'i64', fc(7)),
  // SIMD: memory, constants, shuffles, splats
  'v128.load': load('v128', fd(0x00), 16),
  'v128.load8x8_s': load('v128', fd(0x01), 8),
  'v128.load8x8_u': load('v128', fd(0x02), 8),
  'v128.load16x4_s': load('v128', fd(0x03), 8),
  'v128.load16x4_u': load('v128', fd(0x04), 8),
  'v128.load32x2_s': load('v128', fd(0x05), 8),
  'v128.load32x2_u': load('v128', fd(0x06), 8),
  'v128.load8_splat': load('v128', fd(0x07), 1),
  'v128.load16_splat': load('v128', fd(0x08), 2),
  'v128.load32_splat': load('v128', fd(0x09), 4),
  'v128.load64_splat': load('v128', fd(0x0a), 8),
  'v128.store': store('v128', fd(0x0b), 16),
  'v128.const': sig(fd(0x0c), [], ['v128'], 'v128'),
  'i8x16.shuffle': sig(fd(0x0d), ['v128', 'v128'], ['v128'], 'shuffle'),
  'i8x16.swizzle': bin('v128', fd(0x0e)),
  'i8x16.splat': cvt('i32', 'v128', fd(0x0f)),
  'i16x8.splat': cvt('i32', 'v128', fd(0x10)),
  'i32x4.splat': cvt('i32', 'v128', fd(0x11)),
  'i64x2.splat': cvt('i64', 'v128', fd(0x12)),
  'f32x4.splat': cvt('f32', 'v128', fd(0x13)),
  'f64x2.splat': cvt('f64', 'v128', fd(0x14)),
  // SIMD lanes
  'i8x16.extract_lane_s': extract('i32', fd(0x15), 16),
  'i8x16.extract_lane_u': extract('i32', fd(0x16), 16),
  'i8x16.replace_lane': replace('i32', fd(0x17), 16),
  'i16x8.extract_lane_s': extract('i32', fd(0x18), 8),
  'i16x8.extract_lane_u': extract('i32', fd(0x19), 8),
  'i16x8.replace_lane': replace('i32', fd(0x1a), 8),
  'i32x4.extract_lane': extract('i32', fd(0x1b), 4),
  'i32x4.replace_lane': replace('i32', fd(0x1c), 4),
  'i64x2.extract_lane': extract('i64', fd(0x1d), 2),
  'i64x2.replace_lane': replace('i64', fd(0x1e), 2),
  'f32x4.extract_lane': extract('f32', fd(0x1f), 4),
  'f32x4.replace_lane': replace('f32', fd(0x20), 4),
  'f64x2.extract_lane': extract('f64', fd(0x21), 2),
  'f64x2.replace_lane': replace('f64', fd(0x22), 2),
  // SIMD comparisons (lane masks)
  'i32x4.eq': bin('v128', fd(0x37)),
  'i32x4.ne': bin('v128', fd(0x38)),
  'i32x4.lt_s': bin('v128', fd(0x39)),
  'i32x4.lt_u': bin('v128', fd(0x3a)),
  'i32x4.gt_s': bin('v128', fd(0x3b)),
  'i32x4.gt_u': bin('v128', fd(0x3c)),
  'i32x4.le_s': bin('v128', fd(0x3d)),
  'i32x4.le_u': bin('v128', fd(0x3e)),
  'i32x4.ge_s': bin('v128', fd(0x3f)),
  'i32x4.ge_u': bin('v128', fd(0x40)),
  'f32x4.eq': bin('v128', fd(0x41)),
  'f32x4.ne': bin('v128', fd(0x42)),
  'f32x4.lt': bin('v128', fd(0x43)),
  'f32x4.gt': bin('v128', fd(0x44)),
  'f32x4.le': bin('v128', fd(0x45)),
  'f32x4.ge': bin('v128', fd(0x46)),
  'f64x2.eq': bin('v128', fd(0x47)),
  'f64x2.ne': bin('v128', fd(0x48)),
  'f64x2.lt': bin('v128', fd(0x49)),
  'f64x2.gt': bin('v128', fd(0x4a)),
  'f64x2.le': bin('v128', fd(0x4b)),
  'f64x2.ge': bin('v128', fd(0x4c)),
  // SIMD bitwise
  'v128.not': un('v128', fd(0x4d)),
  'v128.and': bin('v128', fd(0x4e)),
  'v128.andnot': bin('v128', fd(0x4f)),
  'v128.or': bin('v128', fd(0x50)),
  'v128.xor': bin('v128', fd(0x51)),
  'v128.bitselect': v3(fd(0x52)),
  'v128.any_true': test('v128', fd(0x53)),
  'v128.load32_zero': load('v128', fd(0x5c), 4),
  'v128.load64_zero': load('v128', fd(0x5d), 8),
  'f32x4.demote_f64x2_zero': un('v128', fd(0x5e)),
  'f64x2.promote_low_f32x4': un('v128', fd(0x5f)),
  // SIMD i8x16 / i16x8 (the few a kernel needs)
  'i8x16.add': bin('v128', fd(0x6e)),
  'i8x16.sub': bin('v128', fd(0x71)),
  'i8x16.all_true': test('v128', fd(0x63)),
  'i8x16.bitmask': test('v128', fd(0x64)),
  'i16x8.add': bin('v128', fd(0x8e)),
  'i16x8.sub': bin('v128', fd(0x91)),
  'i16x8.mul': bin('v128', fd(0x95)),
  // SIMD float rounding (interleaved with the integer ops in the real numbering)
  'f32x4.ceil': un('v128', fd(0x67)),
  'f32x4.floor': un('v128', fd(0x68)),
  'f32x4.trunc': un('v128', fd(0x69)),
  'f32x4.nearest': un('v128', fd(0x6a)),
  'f64x2.ceil': un('v128', fd(0x74)),
  'f64x2.floor': un('v128', fd(0x75)),
  'f64x2.trunc': un('v128', fd(0x7a)),
  'f64x2.nearest': un('v128', fd(0x94)),
  // SIMD i32x4
  'i32x4.abs': un('v128', fd(0xa0)),
  'i32x4.extend_low_i16x8_u': un('v128', fd(0xa9)),
  'i32x4.extend_high_i16x8_u': un('v128', fd(0xaa)),
  'i32x4.neg': un('v128', fd(0xa1)),
  'i32x4.all_true': test('v128', fd(0xa3)),
  'i32x4.bitmask': test('v128', fd(0xa4)),
  'i32x4.shl': vshift(fd(0xab)),
  'i32x4.shr_s': vshift(fd(0xac)),
  'i32x4.shr_u': vshift(fd(0xad)),
  'i32x4.add': bin('v128', fd(0xae)),
  'i32x4.sub': bin('v128', fd(0xb1)),
  'i32x4.mul': bin('v128', fd(0xb5)),
  'i32x4.min_s': bin('v128', fd(0xb6)),
  'i32x4.min_u': bin('v128', fd(0xb7)),
  'i32x4.max_s': bin('v128', fd(0xb8)),
  'i32x4.max_u': bin('v128', fd(0xb9)),
  // SIMD i64x2
  'i64x2.add': bin('v128', fd(0xce)),
  'i64x2.sub': bin('v128', fd(0xd1)),
  'i64x2.mul': bin('v128', fd(0xd5)),
  // SIMD f32x4
  'f32x4.abs': un('v128', fd(0xe0)),
  'f32x4.neg': un('v128', fd(0xe1)),
  'f32x4.sqrt': un('v128', fd(0xe3)),
  'f32x4.add': bin('v128', fd(0xe4)),
  'f32x4.sub': bin('v128', fd(0xe5)),
  'f32x4.mul': bin('v128', fd(0xe6)),
  'f32x4.div': bin('v128', fd(0xe7)),
  'f32x4.min': bin('v128', fd(0xe8)),
  'f32x4.max': bin('v128', fd(0xe9)),
  'f32x4.pmin': bin('v128', fd(0xea)),
  'f32x4.pmax': bin('v128', fd(0xeb)),
  // SIMD f64x2
  'f64x2.abs': un('v128', fd(0xec)),
  'f64x2.neg': un('v128', fd(0xed)),
  'f64x2.sqrt': un('v128', fd(0xef)),
  'f64x2.add': bin('v128', fd(0xf0)),
  'f64x2.sub': bin('v128', fd(0xf1)),
  'f64x2.mul': bin('v128', fd(0xf2)),
  'f64x2.div': bin('v128', fd(0xf3)),
  'f64x2.min': bin('v128', fd(0xf4)),
  'f64x2.max': bin('v128', fd(0xf5)),
  'f64x2.pmin': bin('v128', fd(0xf6)),
  'f64x2.pmax': bin('v128', fd(0xf7)),
  // SIMD conversions
  'i32x4.trunc_sat_f32x4_s': un('v128', fd(0xf8)),
  'i32x4.trunc_sat_f32x4_u': un('v128', fd(0xf9)),
  'f32x4.convert_i32x4_s': un('v128', fd(0xfa)),
  'f32x4.convert_i32x4_u': un('v128', fd(0xfb)),
  'i32x4.trunc_sat_f64x2_s_zero': un('v128', fd(0xfc)),
  'i32x4.trunc_sat_f64x2_u_zero': un('v128', fd(0xfd)),
  'f64x2.convert_low_i32x4_s': un('v128', fd(0xfe)),
  'f64x2.convert_low_i32x4_u': un('v128', fd(0xff)),
  // relaxed SIMD (optional; feature-detect with relaxedSimdAvailable())
  'i32x4.relaxed_trunc_f32x4_s': relaxed(un('v128', fd(0x101))),
  'i32x4.relaxed_trunc_f32x4_u': relaxed(un('v128', fd(0x102))),
  'f32x4.relaxed_madd': relaxed(v3(fd(0x105))),
  'f32x4.relaxed_nmadd': relaxed(v3(fd(0x106))),
  'f64x2.relaxed_madd': relaxed(v3(fd(0x107))),
  'f64x2.relaxed_nmadd': relaxed(v3(fd(0x108))),
  'i32x4.relaxed_laneselect': relaxed(v3(fd(0x10b))),
  'f32x4.relaxed_min': relaxed(bin('v128', fd(0x10d))),
  'f32x4.relaxed_max': relaxed(bin('v128', fd(0x10e))),
  'f64x2.relaxed_min': relaxed(bin('v128', fd(0x10f))),
  'f64x2.relaxed_max': relaxed(bin('v128', fd(0x110))),
} satisfies Record<string, OpInfo>;

/** Every supported instruction name. */
export type WasmOp = keyof typeof OPCODES;

/** The same entries without a prototype: one property load per lookup, undefined for any other name. */
export const OP_TABLE: Readonly<Record<string, OpInfo | undefined>> = Object.assign(Object.create(null) as Record<string, OpInfo>, OPCODES);

export function opInfo(op: string): OpInfo | undefined {
  return OP_TABLE[op];
}
