import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from 'gradc/internals';

const fresh = () => mkdtempSync(join(tmpdir(), 'gradc-atomic-'));

describe('writeFileAtomic', () => {
  it('writes strings, bytes and chunk streams, replacing the old file, leaving no temporary file', () => {
    const dir = fresh();
    const p = join(dir, 'f.json');
    writeFileAtomic(p, '{"a":1}');
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    writeFileAtomic(p, [new Uint8Array([4]), new Uint8Array([5, 6])]);
    expect([...readFileSync(p)]).toEqual([4, 5, 6]);
    expect(readdirSync(dir)).toEqual(['f.json']);
  });

  it('leaves the previous file intact when writing fails half-way', () => {
    const dir = fresh();
    const p = join(dir, 'weights.bin');
    writeFileSync(p, 'previous');
    function* failing() {
      yield new Uint8Array(1 << 20); // a megabyte already written to the temporary file
      throw new Error('disk full (simulated)');
    }
    expect(() => writeFileAtomic(p, failing())).toThrow(/disk full/);
    expect(readFileSync(p, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['weights.bin']);
  });

  it('fails clearly when the directory does not exist', () => {
    expect(() => writeFileAtomic(join(fresh(), 'no', 'f'), 'x')).toThrow(/ENOENT/);
  });
});
