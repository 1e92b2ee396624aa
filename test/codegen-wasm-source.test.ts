/**
 * `exe.source` of the wasm backend is printed lazily: a compile emits the module as bytes only, and
 * the first read of the source emits it again with text. That text is what the text path prints,
 * the text path writes the very same bytes, and wabt assembles the text to the running module's bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, crossEntropy, grad, input, param } from 'gradc';
import { ProgramBuilder, WasmModule, affine, buildProgram } from 'gradc/codegen';
import type { LoadedProgram } from 'gradc/codegen';
import { emitWasm } from '../codegen/wasm/emit.js';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
let wabt: Wabt;
beforeAll(async () => {
  wabt = await (await import('wabt')).default();
});

const FEATURES = { simd: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true, multi_value: true };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function assemble(wat: string): Uint8Array {
  const mod = wabt.parseWat('m.wat', wat, FEATURES);
  try {
    (mod as unknown as { validate(features: object): void }).validate(FEATURES);
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** A small MLP training step (matmuls, loops, lanes, Adam) compiled for wasm. */
function step(tag: string) {
  const x = input(`x_${tag}`, [8, 20]);
  const t = input(`t_${tag}`, [8, 10], { oneHot: true });
  const W1 = param(`W1_${tag}`, [20, 12]), b1 = param(`b1_${tag}`, [12]);
  const W2 = param(`W2_${tag}`, [12, 10]), b2 = param(`b2_${tag}`, [10]);
  const y = x.matmul(W1).add(b1).relu().matmul(W2).add(b2).softmax();
  const loss = crossEntropy(y, t);
  const ps = [W1, b1, W2, b2];
  const updates = grad(loss, ps).map((g, k) => [ps[k]!, ps[k]!.sub(g.mul(0.1))] as const);
  return compile({ inputs: [x, t], outputs: { loss, y }, updates }, { backend: 'wasm' });
}

describe('wasm source printed lazily', () => {
  it('equals the text path, whose bytes are the module’s, and assembles to those bytes', () => {
    const exe = step('lazy');
    const loaded = (exe as unknown as { loaded: LoadedProgram }).loaded;
    const bytes = loaded.wasm!.bytes;
    const pages = Math.max(1, Math.ceil(loaded.plan.memoryBytes / 65536));
    const source = exe.source;
    expect(exe.source).toBe(source); // printed once
    const textPath = emitWasm(loaded.plan, pages, false, true).module;
    expect(source).toBe(textPath.toWat());
    expect(hex(textPath.toBytes())).toBe(hex(bytes));
    // checked or not, the same module
    expect(hex(emitWasm(loaded.plan, pages, true, false).module.toBytes())).toBe(hex(bytes));
    expect(hex(assemble(source))).toBe(hex(bytes));
    expect(source).toContain(';; k0_');
  });

  it('a module without text has bytes only', () => {
    const m = new WasmModule({ text: false });
    const f = m.func('k', ['i32'], ['i32'], ['n']);
    f.local('f32', 'unused');
    f.comment('not kept').op('local.get', 0).op('i32.const', 1).op('i32.add');
    m.export('k', f);
    const withText = new WasmModule();
    const g = withText.func('k', ['i32'], ['i32'], ['n']);
    g.local('f32', 'unused');
    g.comment('kept').op('local.get', 0).op('i32.const', 1).op('i32.add');
    withText.export('k', g);
    expect(hex(m.toBytes())).toBe(hex(withText.toBytes()));
    expect(() => m.toWat()).toThrow(/keeps bytes only \(text: false\)/);
  });

  it('an empty else is dropped, and only that one: the ends after it stay', () => {
    // if … else end end: wat2wasm writes no else byte and both ends
    const build = (text: boolean): WasmModule => {
      const m = new WasmModule({ text });
      const f = m.func('k', ['i32'], ['i32']);
      f.op('block', 'i32').op('loop', 'i32')
        .op('local.get', 0).op('local.get', 0).op('if').op('nop').op('else').op('end')
        .op('end').op('end');
      m.export('k', f);
      return m;
    };
    const bytes = build(true).toBytes();
    expect(hex(assemble(build(true).toWat()))).toBe(hex(bytes));
    expect(hex(build(false).toBytes())).toBe(hex(bytes));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect((inst.exports['k'] as (n: number) => number)(7)).toBe(7);
  });

  it('imports exactly the host functions its f64 kernels call, sorted (and none when they call none)', () => {
    const hostProgram = (host: boolean) => {
      const p = new ProgramBuilder();
      const e = p.e;
      const x = p.input(4, { dtype: 'f64' });
      const o = p.output(4, { dtype: 'f64' });
      const i = e.newVar();
      const ix = affine(0, [[i, 1]]);
      const v = e.load(x, ix);
      const value = host ? e.add(e.pow(e.exp(v), v), e.log(v)) : e.mul(v, v);
      p.kernel({ kind: 'loops', name: 'k', outer: [{ v: i, extent: 4 }], passes: [{ kind: 'map', loops: [], stores: [{ buffer: o, index: ix, value }] }] });
      const exe = buildProgram(p.finish(), { backend: 'wasm' });
      exe.setInput(0, [0.5, 1, 2, 3]);
      exe.run();
      return exe;
    };
    const host = hostProgram(true);
    expect(host.wasm!.hostMath).toEqual(['exp', 'log', 'pow']);
    [0.5, 1, 2, 3].forEach((v, k) => expect(host.outputs[0]![k]).toBeCloseTo(Math.pow(Math.exp(v), v) + Math.log(v), 12));
    expect(host.source).toContain('(import "math" "exp"');
    expect(hex(assemble(host.source))).toBe(hex(host.wasm!.bytes));
    const plain = hostProgram(false);
    expect(plain.wasm!.hostMath).toEqual([]);
    expect(plain.source).not.toContain('"math"');
  });
});
