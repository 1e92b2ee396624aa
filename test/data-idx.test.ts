import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx, parseIdx, readIdx, type IdxType } from 'gradc';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('IDX reader', () => {
  it('reads a uint8 file written byte by byte from the format description', () => {
    // magic 00 00 08 (uint8) 02 (rank 2), dims 2 and 3 big-endian, then 6 values
    const f = bytes(0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255);
    const a = parseIdx(f);
    expect(a.type).toBe('uint8');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('decodes big-endian int16, int32, float32 and float64', () => {
    expect([...parseIdx(bytes(0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe)).data]).toEqual([258, -2]);
    expect([...parseIdx(bytes(0, 0, 0x0c, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfd)).data]).toEqual([-3]);
    // 0x3fc00000 = 1.5f, 0xc0200000 = -2.5f
    expect([...parseIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0)).data]).toEqual([1.5, -2.5]);
    // 0x3ff0000000000000 = 1.0
    expect([...parseIdx(bytes(0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0)).data]).toEqual([1]);
    expect([...parseIdx(bytes(0, 0, 0x09, 1, 0, 0, 0, 2, 0x80, 0x7f)).data]).toEqual([-128, 127]);
  });

  it('round-trips random arrays of every type', () => {
    const types: IdxType[] = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'];
    const ranges: Record<IdxType, [number, number]> = {
      uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], float32: [-1e6, 1e6], float64: [-1e6, 1e6],
    };
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer(), (type, shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const [lo, hi] = ranges[type];
        const vals = Array.from({ length: n }, (_, i) => {
          const u = ((seed + i * 2654435761) >>> 0) / 2 ** 32;
          const v = lo + u * (hi - lo);
          return type.startsWith('float') ? Math.fround(v) : Math.round(v) + 0; // + 0 turns −0 into 0
        });
        const a = parseIdx(encodeIdx(type, shape, vals));
        expect(a.type).toBe(type);
        expect(a.shape).toEqual(shape);
        expect([...a.data]).toEqual(vals);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects altered and truncated files with a message naming the problem', () => {
    const good = encodeIdx('uint8', [3, 2], [1, 2, 3, 4, 5, 6]);
    const alter = (i: number, v: number) => { const c = good.slice(); c[i] = v; return c; };
    expect(() => parseIdx(alter(0, 0x1f), 'f')).toThrow(/IDX f: bad magic number 0x1f000802.*two zero bytes/);
    expect(() => parseIdx(alter(2, 0x07), 'f')).toThrow(/unknown element type byte 0x07/);
    expect(() => parseIdx(alter(3, 0), 'f')).toThrow(/rank 0/);
    expect(() => parseIdx(good.subarray(0, 6), 'f')).toThrow(/truncated header: rank 2 needs 12 header bytes, file has 6/);
    expect(() => parseIdx(good.subarray(0, 2), 'f')).toThrow(/too short for the 4-byte magic/);
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'f')).toThrow(/truncated: header says 3×2 uint8 = 6 data bytes after the 12-byte header, file has 5/);
    expect(() => parseIdx(new Uint8Array([...good, 0, 0]), 'f')).toThrow(/2 unexpected bytes after the data/);
    expect(() => parseIdx(alter(7, 4), 'f')).toThrow(/truncated: header says 4×2 uint8/); // a dimension altered
  });

  it('checks the expected type and shape', () => {
    const f = encodeIdx('uint8', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(f, 'f', { type: 'float32' })).toThrow(/element type is uint8, expected float32/);
    expect(() => parseIdx(f, 'f', { shape: [-1, 3] })).toThrow(/shape is \[3, 2\], expected \[any, 3\]/);
    expect(() => parseIdx(f, 'f', { shape: [-1] })).toThrow(/shape is \[3, 2\], expected \[any\]/);
    expect(parseIdx(f, 'f', { shape: [-1, 2], limit: 2 })).toMatchObject({ shape: [2, 2] });
    expect(() => parseIdx(f, 'f', { limit: -1 })).toThrow(/limit must be a non-negative integer/);
  });

  it('reads files from disk, only the records asked for, and still checks the whole size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-idx-'));
    const path = join(dir, 'a-idx2-ubyte');
    const values = Array.from({ length: 40 }, (_, i) => i);
    writeFileSync(path, encodeIdx('int16', [10, 4], values.map((v) => v - 20)));
    const all = readIdx(path);
    expect(all.shape).toEqual([10, 4]);
    expect([...all.data]).toEqual(values.map((v) => v - 20));
    const first = readIdx(path, { limit: 3 });
    expect(first.shape).toEqual([3, 4]);
    expect([...first.data]).toEqual(values.slice(0, 12).map((v) => v - 20));
    writeFileSync(path, readFileSync(path).subarray(0, 40)); // cut inside the data
    expect(() => readIdx(path, { limit: 1 })).toThrow(/IDX a-idx2-ubyte: truncated: header says 10×4 int16 = 80 data bytes/);
    expect(() => readIdx(join(dir, 'missing'))).toThrow(/IDX missing: cannot open .*missing \(ENOENT\)/);
  });

  it('refuses bad arguments to the encoder', () => {
    expect(() => encodeIdx('uint8', [2, 2], [1, 2, 3])).toThrow(/shape \[2, 2\] holds 4 values, got 3/);
  });
});
