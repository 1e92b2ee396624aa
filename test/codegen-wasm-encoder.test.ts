/**
 * The Wasm module builder: the WAT we print assembles with wabt to exactly our bytes (every
 * opcode, and random well-typed programs), the bytes validate and run, and errors are clear.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WASM_OPCODES, WasmModule, relaxedSimdAvailable, wasmSimdAvailable } from 'gradc/codegen';
import type { Immediate, ValType, WasmFunc, WasmOp, WasmOpInfo } from 'gradc/codegen';

// lib is ES2022 without DOM: just the WebAssembly surface these tests use.
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, (...args: unknown[]) => unknown> };
};

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
let wabt: Wabt;
beforeAll(async () => {
  wabt = await (await import('wabt')).default();
});

// wabt 1.0.39 enables SIMD, saturating truncation, sign extension, bulk memory and multi-value by
// default; relaxed SIMD and threads (shared memory) must be asked for, in parseWat and validate alike.
const FEATURES = { simd: true, relaxed_simd: true, threads: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true, multi_value: true };

/** wat2wasm of our text, after wabt's own validation. */
function assemble(wat: string): Uint8Array {
  const mod = wabt.parseWat('m.wat', wat, FEATURES);
  try {
    // validate takes its own feature set (its .d.ts omits the parameter)
    (mod as unknown as { validate(features: object): void }).validate(FEATURES);
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** Our bytes equal wabt's assembly of our text (and, unless told otherwise, the engine validates them). */
function expectRoundTrip(m: WasmModule, engine = true): Uint8Array {
  const bytes = m.toBytes();
  const wat = m.toWat();
  expect(hex(assemble(wat)), wat).toBe(hex(bytes));
  if (engine) expect(WebAssembly.validate(bytes)).toBe(true);
  return bytes;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const ENTRIES = Object.entries(WASM_OPCODES) as [WasmOp, WasmOpInfo][];

/** A typical immediate for ops that need one. */
function sampleImmediate(info: WasmOpInfo, r = 0): Immediate[] {
  switch (info.imm) {
    case 'mem': return r % 3 === 0 ? [] : [{ offset: 16 * r, align: r % 2 ? info.align! : 1 }];
    case 'lane': return [r % info.lanes!];
    case 'i32': return [[0, -1, 2 ** 31 - 1, -(2 ** 31), 0xffffffff, 123456][r % 6]!];
    case 'i64': return [[0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 1234567890123n][r % 6]!];
    case 'f32': return [[1.5, -0, NaN, Infinity, -Infinity, 0.1, 1e-45, 3.4e38][r % 8]!];
    case 'f64': return [[1.5, -0, NaN, Infinity, -Infinity, 0.1, 5e-324, 1.7e308][r % 8]!];
    case 'v128': return [[{ f32x4: [1, -0, NaN, 0.1] }, { i32x4: [1, -1, 0xffffffff, 7] }, { f64x2: [Infinity, 2.5] }, { i64x2: [-1n, 2n ** 63n] }][r % 4]!];
    case 'shuffle': return [Array.from({ length: 16 }, (_, i) => (i * 7 + r) % 32)];
    default: return [];
  }
}

describe('every opcode: our WAT assembles to our bytes', () => {
  it('each op with a stack signature, in a function of its operands', () => {
    const m = new WasmModule();
    m.importMemory(1, 4);
    const plain = new WasmModule();
    let n = 0;
    for (const [op, info] of ENTRIES) {
      if (!info.pops || !info.pushes) continue;
      for (const target of info.relaxed ? [m] : [m, plain]) {
        if (target === plain && (info.imm === 'mem' || op.startsWith('memory.'))) continue;
        const f = target.func(`f${n++}`, info.pops, info.pushes);
        info.pops.forEach((_, i) => f.op('local.get', i));
        f.op(op, ...sampleImmediate(info, n));
      }
    }
    expect(n).toBeGreaterThan(300);
    expectRoundTrip(m, relaxedSimdAvailable());
    expectRoundTrip(plain);
  });

  it('control flow, locals, calls and select in a hand-written module', () => {
    const m = new WasmModule();
    const sq = m.func('sq', ['f64'], ['f64'], ['x']);
    sq.op('local.get', 0).op('local.get', 0).op('f64.mul');
    const f = m.func('count_down', ['i32'], ['i32', 'f64'], ['n']);
    const acc = f.local('f64', 'acc');
    const tmp = f.local('i32');
    f.comment('acc = sum of sq(i) for i = n..1');
    f.op('block').op('loop')
      .op('local.get', 0).op('i32.eqz').op('br_if', 1)
      .op('local.get', acc).op('local.get', 0).op('f64.convert_i32_s').op('call', sq).op('f64.add').op('local.set', acc)
      .op('local.get', 0).op('i32.const', 1).op('i32.sub').op('local.tee', tmp).op('local.set', 0)
      .op('br', 0)
      .op('end').op('end');
    f.op('local.get', 0).op('i32.const', 0).op('i32.lt_s')
      .op('if', 'i32').op('i32.const', -1).op('else').op('local.get', 0).op('end')
      .op('block', 'f64').op('local.get', acc).op('f64.const', 0).op('local.get', 0).op('i32.eqz').op('select').op('end')
      .op('nop')
      .op('return');
    const g = m.func('dead', [], ['f32']);
    g.op('unreachable').op('drop').op('f32.add');
    const h = m.func('early', ['i32'], ['f32']);
    h.op('local.get', 0).op('if').op('f32.const', 1).op('return').op('end')
      .op('i32.const', 2).op('call', 1).op('drop').op('drop').op('f32.const', 2);
    m.export('count_down', f);
    m.export('sq', sq);
    const bytes = expectRoundTrip(m);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect(inst.exports['count_down']!(3)).toEqual([0, 14]);
    expect(inst.exports['sq']!(1.5)).toBe(2.25);
  });

  it('WAT is readable: nesting indents, comments and names show', () => {
    const m = new WasmModule();
    m.importMemory(1);
    const f = m.func('k', ['i32'], [], ['ptr']);
    const v = f.local('v128', 'acc');
    f.comment('zero the accumulator').op('v128.const', { f32x4: [0, 0, 0, 0] }).op('local.set', v)
      .op('block').op('loop').op('local.get', 0).op('v128.load', { offset: 16 }).op('drop').op('end').op('end');
    expect(m.toWat()).toBe([
      '(module',
      '  (import "env" "memory" (memory 1))',
      '  (type (;0;) (func (param i32)))',
      '  (func $k (type 0) (param $ptr i32)',
      '    (local $acc v128)',
      '    ;; zero the accumulator',
      '    v128.const f32x4 0 0 0 0',
      '    local.set $acc',
      '    block',
      '      loop',
      '        local.get $ptr',
      '        v128.load offset=16',
      '        drop',
      '      end',
      '    end',
      '  )',
      ')',
      '',
    ].join('\n'));
    expectRoundTrip(m);
  });

  it('function imports next to a memory import: text, bytes and indices agree', () => {
    const m = new WasmModule();
    m.importMemory(1, 2);
    const exp = m.importFunc('math', 'exp', ['f64'], ['f64']);
    const pow = m.importFunc('math', 'pow', ['f64', 'f64'], ['f64']);
    const log = m.importFunc('host', 'log_i32', ['i32'], []);
    expect([exp.index, pow.index, log.index]).toEqual([0, 1, 2]);
    const f = m.func('k', ['i32', 'f64'], ['f64'], ['ptr', 'x']);
    const g = m.func('g', ['f64'], ['f64']);
    expect([f.index, g.index]).toEqual([3, 4]);
    expect([0, 1, 2, 3, 4, 5].map((i) => m.funcAt(i))).toEqual([exp, pow, log, f, g, undefined]);
    f.op('local.get', 0).op('call', log)
      .op('local.get', 1).op('call', exp).op('local.get', 0).op('f64.load').op('call', 1)
      .op('call', g); // a defined function declared later, by handle
    g.op('local.get', 0).op('call', 0).op('f64.const', 2).op('call', pow); // math_exp by index, math_pow by handle
    m.export('k', f);
    m.export('g', g);
    m.export('exp', exp);
    const wat = m.toWat();
    expect(wat).toContain('  (import "env" "memory" (memory 1 2))\n');
    expect(wat).toContain('  (import "math" "exp" (func $math_exp (type 0)))\n');
    expect(wat).toContain('  (import "math" "pow" (func $math_pow (type 1)))\n');
    expect(wat).toContain('  (import "host" "log_i32" (func $host_log_i32 (type 2)))\n');
    expect(wat).toContain('call $math_exp\n');
    expect(wat).toContain('call $math_pow\n');
    expect(wat).toContain('(export "exp" (func $math_exp))');
    expect(wat.indexOf('(import "host"')).toBeLessThan(wat.indexOf('(func $k'));
    const bytes = expectRoundTrip(m);
    // The import section: four entries, memory first (kind 2), then the functions (kind 0, type index).
    const enc = (s: string) => [s.length, ...Buffer.from(s)];
    const entries = [
      [...enc('env'), ...enc('memory'), 0x02, 0x01, 1, 2],
      [...enc('math'), ...enc('exp'), 0x00, 0],
      [...enc('math'), ...enc('pow'), 0x00, 1],
      [...enc('host'), ...enc('log_i32'), 0x00, 2],
    ].flat();
    expect(hex(bytes)).toContain(hex(Uint8Array.from([0x02, entries.length + 1, 4, ...entries])));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const logged: number[] = [];
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory }, math: { exp: Math.exp, pow: Math.pow }, host: { log_i32: (v: number) => logged.push(v) },
    }).exports;
    new Float64Array(memory.buffer, 8, 1)[0] = 3;
    // k(8, x) = g(exp(x) ** mem[8]) = exp(exp(x) ** 3) ** 2
    expect(ex['k']!(8, 0.25)).toBe(Math.pow(Math.exp(Math.pow(Math.exp(0.25), 3)), 2));
    expect(logged).toEqual([8]);
    expect(ex['exp']!(1)).toBe(Math.exp(1));
  });

  it('memory limits: min only, min/max, shared', () => {
    for (const [min, max, shared] of [[0, undefined, false], [2, 300, false], [1, 16, true]] as const) {
      const m = new WasmModule();
      m.importMemory(min, max, shared);
      m.func('size', [], ['i32']).op('memory.size');
      expectRoundTrip(m);
    }
  });
});

/** Simple ops usable in random programs (no relaxed SIMD: the engine must validate them). */
const SIMPLE = ENTRIES.filter(([, info]) => info.pops && info.pushes && !info.relaxed);
const TYPES: ValType[] = ['i32', 'i64', 'f32', 'f64', 'v128'];

interface Frame { result: ValType | undefined; height: number; kind: 'block' | 'loop' | 'if' | 'else' }

/** One random decision: what to do (kind) and independent numbers to choose with. */
interface Choice { kind: number; a: number; b: number; f: number; d: number }

/** Builds a well-typed random function body from choices, tracking the operand stack as it goes. */
function randomBody(f: WasmFunc, helper: WasmFunc, choices: readonly Choice[]): void {
  const stack: ValType[] = [];
  const frames: Frame[] = [];
  const locals = Array.from({ length: f.localCount }, (_, i) => f.localType(i)!);
  const height = () => (frames.length ? frames[frames.length - 1]!.height : 0);
  const localsOf = (t: ValType) => locals.flatMap((lt, i) => (lt === t ? [i] : []));
  const push = (t: ValType, c: Choice) => {
    const ls = localsOf(t);
    if (c.a % 3 === 0 && ls.length) f.op('local.get', ls[c.b % ls.length]!);
    else {
      const imm: Immediate = t === 'i32' ? c.b - 2 ** 19 : t === 'i64' ? BigInt(c.b) * -(7919n ** 3n)
        : t === 'f32' ? c.f : t === 'f64' ? c.d : { f32x4: [c.f, c.d, -c.f, c.b] };
      f.op(`${t}.const` as WasmOp, imm);
    }
    stack.push(t);
  };
  const drop = () => { f.op('drop'); stack.pop(); };
  /** Leaves exactly `want` above the current frame's base. */
  const settle = (want: ValType | undefined, c: Choice) => {
    while (stack.length > height() + (want ? 1 : 0)) drop();
    if (want && stack.length === height() + 1 && stack[stack.length - 1] !== want) drop();
    if (want && stack.length === height()) push(want, c);
  };
  const close = (c: Choice) => {
    const fr = frames[frames.length - 1]!;
    settle(fr.result, c);
    if (c.a % 4 === 0 && fr.kind !== 'loop') f.op('br', 0); // the end then sees an unreachable stack
    stack.length = fr.height;
    if (fr.kind === 'if') {
      f.op('else');
      frames[frames.length - 1] = { ...fr, kind: 'else' };
      return;
    }
    f.op('end');
    frames.pop();
    if (fr.result) stack.push(fr.result);
  };
  for (const c of choices) {
    const top = stack.slice(height());
    const fits = (pops: readonly ValType[]) => pops.length <= top.length && pops.every((t, i) => top[top.length - pops.length + i] === t);
    const t = top[top.length - 1];
    if (c.kind <= 1 || t === undefined) { push(TYPES[c.a % TYPES.length]!, c); continue; }
    if (c.kind <= 4) {
      const ok = SIMPLE.filter(([, info]) => fits(info.pops!));
      const [op, info] = ok[c.a % ok.length]!;
      f.op(op, ...sampleImmediate(info, c.b));
      stack.length -= info.pops!.length;
      stack.push(...info.pushes!);
      continue;
    }
    if (c.kind === 5) {
      const ls = localsOf(t);
      if (!ls.length) { drop(); continue; }
      const tee = c.a % 2 === 0;
      f.op(tee ? 'local.tee' : 'local.set', ls[c.b % ls.length]!);
      if (!tee) stack.pop();
      continue;
    }
    if (c.kind === 6) {
      if (t === 'i32' && top.length >= 3 && top[top.length - 2] === top[top.length - 3] && c.a % 2 === 0) {
        f.op('select');
        stack.length -= 2;
      } else if (t === 'i32') {
        // Branch only to labels that carry nothing: loops, result-less blocks, a result-less function.
        const depths = frames.flatMap((fr, k) => (fr.kind === 'loop' || !fr.result ? [frames.length - 1 - k] : []));
        if (!f.results.length) depths.push(frames.length);
        if (depths.length) f.op('br_if', depths[c.b % depths.length]!);
        else f.op('drop');
        stack.pop();
      } else if (fits(helper.params)) {
        f.op('call', helper);
        stack.length -= helper.params.length;
        stack.push(...helper.results);
      } else drop();
      continue;
    }
    if (c.kind === 7 && frames.length < 5) {
      const result = c.a % 2 ? TYPES[c.b % TYPES.length] : undefined;
      const k = (['block', 'loop', 'if'] as const)[c.a % 3]!;
      if (k === 'if') {
        if (t !== 'i32') push('i32', c);
        stack.pop();
      }
      f.op(k, result);
      frames.push({ result, height: stack.length, kind: k });
      continue;
    }
    if (frames.length) close(c);
    else if (c.kind === 9) f.op('nop');
  }
  const last: Choice = { kind: 0, a: 1, b: 1, f: 0.5, d: 0.25 };
  while (frames.length) close(last);
  while (stack.length) drop();
  for (const r of f.results) push(r, last);
}

describe('random well-typed programs', () => {
  const choice = fc.record({ kind: fc.nat({ max: 9 }), a: fc.nat({ max: 1 << 20 }), b: fc.nat({ max: 1 << 20 }), f: fc.float(), d: fc.double() });
  it('assemble to the same bytes and validate', () => {
    fc.assert(fc.property(
      fc.array(choice, { minLength: 10, maxLength: 80 }),
      fc.array(fc.constantFrom(...TYPES), { maxLength: 3 }),
      fc.array(fc.constantFrom(...TYPES), { maxLength: 2 }),
      (choices, params, results) => {
        const build = (checked: boolean) => {
          const m = new WasmModule({ checked });
          m.importMemory(1);
          const helper = m.func('helper', ['f32', 'i32'], ['f64']);
          helper.op('local.get', 0).op('f64.promote_f32');
          const f = m.func('main', params, results);
          f.local('i32', 'i');
          f.local('f32');
          f.local('v128', 'vec');
          randomBody(f, helper, choices);
          m.export('main', f);
          return m;
        };
        const checked = build(true);
        const bytes = expectRoundTrip(checked);
        // The unchecked builder (the compiler's fast path) writes the very same module.
        const unchecked = build(false);
        expect(hex(unchecked.toBytes())).toBe(hex(bytes));
        expect(unchecked.toWat()).toBe(checked.toWat());
      }), { numRuns: 120 });
  });

  it('i32 constants over the whole range encode as wabt does', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 30 }), (xs) => {
      const m = new WasmModule();
      const f = m.func('consts', [], []);
      for (const x of xs) f.op('i32.const', x).op('drop');
      expectRoundTrip(m);
    }), { numRuns: 100 });
  });

  it('float constants of every kind print and parse back to the same bits', () => {
    fc.assert(fc.property(fc.array(fc.float(), { maxLength: 20 }), fc.array(fc.double(), { maxLength: 20 }), (fs, ds) => {
      const m = new WasmModule();
      const f = m.func('consts', [], []);
      for (const x of fs) f.op('f32.const', x).op('drop');
      for (const x of ds) f.op('f64.const', x).op('drop');
      for (let i = 0; i + 4 <= fs.length; i += 4) f.op('v128.const', { f32x4: fs.slice(i, i + 4) }).op('drop');
      expectRoundTrip(m);
    }), { numRuns: 100 });
  });
});

describe('running our bytes', () => {
  it('an f32x4 kernel y = a·x + b over imported memory matches plain JS', () => {
    const m = new WasmModule();
    m.importMemory(1, 1);
    const f = m.func('axpb', ['i32', 'i32', 'i32', 'f32', 'f32'], [], ['x', 'y', 'n', 'a', 'b']);
    const i = f.local('i32', 'i'), va = f.local('v128', 'va'), vb = f.local('v128', 'vb');
    f.op('local.get', 3).op('f32x4.splat').op('local.set', va)
      .op('local.get', 4).op('f32x4.splat').op('local.set', vb);
    f.comment('four lanes at a time');
    f.op('block').op('loop')
      .op('local.get', i).op('i32.const', 4).op('i32.add').op('local.get', 2).op('i32.gt_u').op('br_if', 1)
      .op('local.get', 1).op('local.get', i).op('i32.const', 2).op('i32.shl').op('i32.add')
      .op('local.get', 0).op('local.get', i).op('i32.const', 2).op('i32.shl').op('i32.add').op('v128.load', { align: 4 })
      .op('local.get', va).op('f32x4.mul').op('local.get', vb).op('f32x4.add')
      .op('v128.store', { align: 4 })
      .op('local.get', i).op('i32.const', 4).op('i32.add').op('local.set', i)
      .op('br', 0).op('end').op('end');
    f.comment('scalar tail');
    f.op('block').op('loop')
      .op('local.get', i).op('local.get', 2).op('i32.ge_u').op('br_if', 1)
      .op('local.get', 1).op('local.get', i).op('i32.const', 2).op('i32.shl').op('i32.add')
      .op('local.get', 0).op('local.get', i).op('i32.const', 2).op('i32.shl').op('i32.add').op('f32.load')
      .op('local.get', 3).op('f32.mul').op('local.get', 4).op('f32.add')
      .op('f32.store')
      .op('local.get', i).op('i32.const', 1).op('i32.add').op('local.set', i)
      .op('br', 0).op('end').op('end');
    m.export('axpb', f);
    const bytes = expectRoundTrip(m);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports['axpb']!;
    const n = 23, a = 1.7, b = -0.3;
    const xs = new Float32Array(memory.buffer, 0, n), ys = new Float32Array(memory.buffer, 256, n);
    xs.forEach((_, k) => (xs[k] = Math.sin(k) * 10));
    run(0, 256, n, a, b);
    const fa = Math.fround(a), fb = Math.fround(b);
    expect(Array.from(ys)).toEqual(Array.from(xs, (x) => Math.fround(Math.fround(fa * x) + fb)));
  });

  it('a module calling the host Math.exp gives the right value', () => {
    const m = new WasmModule();
    m.importMemory(1);
    const exp = m.importFunc('math', 'exp', ['f64'], ['f64']);
    // sigmoid(x) = 1 / (1 + exp(-x)), written to memory at ptr and returned
    const f = m.func('sigmoid', ['i32', 'f64'], ['f64'], ['ptr', 'x']);
    const y = f.local('f64', 'y');
    f.op('f64.const', 1).op('f64.const', 1).op('local.get', 1).op('f64.neg').op('call', exp).op('f64.add').op('f64.div')
      .op('local.set', y).op('local.get', 0).op('local.get', y).op('f64.store').op('local.get', y);
    m.export('sigmoid', f);
    const bytes = expectRoundTrip(m);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory }, math: { exp: Math.exp } }).exports['sigmoid']!;
    for (const x of [-3, 0, 0.5, 7]) {
      const want = 1 / (1 + Math.exp(-x));
      expect(run(16, x)).toBe(want);
      expect(new Float64Array(memory.buffer, 16, 1)[0]).toBe(want);
    }
  });

  it('NaN, −0 and ±Infinity constants keep their exact bits', () => {
    const m = new WasmModule();
    const values = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -3.4028234663852886e38, 0.1];
    values.forEach((x, k) => {
      m.export(`f32_${k}`, m.func(`f32_${k}`, [], ['i32']).op('f32.const', x).op('i32.reinterpret_f32'));
      m.export(`f64_${k}`, m.func(`f64_${k}`, [], ['i64']).op('f64.const', x).op('i64.reinterpret_f64'));
    });
    const lanes = m.func('lane', ['i32'], ['i32'], ['k']);
    lanes.op('v128.const', { f32x4: [NaN, -0, Infinity, -Infinity] }).op('local.set', lanes.local('v128', 'v'));
    for (let l = 0; l < 4; l++) lanes.op('local.get', 0).op('i32.const', l).op('i32.eq').op('if').op('local.get', 1).op('i32x4.extract_lane', l).op('return').op('end');
    lanes.op('i32.const', 0);
    m.export('lane', lanes);
    const bytes = expectRoundTrip(m);
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    const dv = new DataView(new ArrayBuffer(8));
    values.forEach((x, k) => {
      dv.setFloat32(0, x, true);
      expect(ex[`f32_${k}`]!()).toBe(dv.getInt32(0, true));
      dv.setFloat64(0, x, true);
      expect(ex[`f64_${k}`]!()).toBe(dv.getBigInt64(0, true));
    });
    expect([0, 1, 2, 3].map((l) => (ex['lane']!(l) as number) >>> 0)).toEqual([0x7fc00000, 0x80000000, 0x7f800000, 0xff800000]);
  });

  it('wasmSimdAvailable() is true on Node 20; both probes are cached booleans', () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(wasmSimdAvailable()).toBe(true);
    expect(typeof relaxedSimdAvailable()).toBe('boolean');
    expect(relaxedSimdAvailable()).toBe(relaxedSimdAvailable());
  });
});

describe('errors name the function and the instruction', () => {
  const fresh = () => {
    const m = new WasmModule();
    return { m, f: m.func('kern', ['i32'], []) };
  };

  it('unknown local', () => {
    expect(() => fresh().f.op('local.get', 3)).toThrow(/function kern, instruction #0 \(local.get\): unknown local 3/);
  });

  it('block / end imbalance', () => {
    expect(() => fresh().f.op('end')).toThrow(/function kern, instruction #0 \(end\): end without an open block/);
    expect(() => fresh().f.op('else')).toThrow(/else without a matching if/);
    const { m, f } = fresh();
    f.op('block').op('loop').op('end');
    expect(() => m.toBytes()).toThrow(/function kern: 1 block\(s\) left open/);
    expect(() => m.toWat()).toThrow(/left open/);
    expect(() => fresh().f.op('br', 1)).toThrow(/\(br\): label depth 1 out of range \(0..0\)/);
  });

  it('lane index out of range', () => {
    const { f } = fresh();
    f.op('v128.const', { i32x4: [1, 2, 3, 4] });
    expect(() => f.op('f32x4.extract_lane', 4)).toThrow(/instruction #1 \(f32x4.extract_lane\): lane index 4 out of range \(0..3\)/);
    expect(() => f.op('i8x16.shuffle', [32, ...Array<number>(15).fill(0)])).toThrow(/shuffle lane index 32 out of range/);
  });

  it('bad names (function, local, param, export) and duplicates', () => {
    const m = new WasmModule();
    expect(() => m.func('my kernel', [], [])).toThrow(/bad function name "my kernel"/);
    expect(() => m.func('9a', [], [])).toThrow(/bad function name/);
    const f = m.func('ok', [], []);
    expect(() => f.local('f32', 'x) (drop')).toThrow(/bad local in function ok name/);
    expect(() => m.func('p', ['i32'], [], ['$x'])).toThrow(/bad param in function p name "\$x"/);
    expect(() => m.export('a"b', f)).toThrow(/bad export name/);
    expect(() => m.func('ok', [], [])).toThrow(/duplicate function name ok/);
    f.local('i32', 'x');
    expect(() => f.local('f32', 'x')).toThrow(/duplicate local name x/);
  });

  it('a local name is accepted exactly when it is an ASCII identifier', () => {
    // Names are checked by character codes: compare with the rule as a regular expression.
    const edge = ['a', 'z', 'A', 'Z', '_', '0', '9', '@', '[', '`', '{', '/', ':', '$', ' ', '\n', 'é', '\u212a', '\u017f', '\u0141', '\u0161'];
    const name = fc.oneof(
      fc.array(fc.constantFrom(...edge), { maxLength: 6 }).map((cs) => cs.join('')),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(fc.property(name, (s) => {
      const f = new WasmModule().func('f', [], []);
      let accepted = true;
      try {
        f.local('i32', s);
      } catch (e) {
        accepted = false;
        expect((e as Error).message).toMatch(/bad local in function f name/);
      }
      expect(accepted).toBe(/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s));
    }), { numRuns: 500 });
  });

  it('function imports: names, order, types and ownership are checked', () => {
    const m = new WasmModule();
    expect(() => m.importFunc('Math', 'exp"x', ['f64'], ['f64'])).toThrow(/bad import field name "exp\\"x"/);
    expect(() => m.importFunc('my mod', 'exp', ['f64'], ['f64'])).toThrow(/bad import module name "my mod"/);
    expect(() => m.importFunc('math', 'exp', ['f65' as ValType], [])).toThrow(/import math.exp: unknown value type f65/);
    const exp = m.importFunc('math', 'exp', ['f64'], ['f64']);
    expect(() => m.importFunc('math', 'exp', ['f64'], ['f64'])).toThrow(/duplicate function name math_exp/);
    expect(() => m.func('math_exp', [], [])).toThrow(/duplicate function name math_exp/);
    const f = m.func('f', ['f32'], ['f64']);
    expect(() => m.importFunc('math', 'log', ['f64'], ['f64'])).toThrow(/import math.log: declare function imports before the first func .*f is already index 1/);
    f.op('local.get', 0);
    expect(() => f.op('call', exp)).toThrow(/\(call\): expects f64 on the stack, found f32/);
    expect(() => f.op('call', 0)).toThrow(/expects f64 on the stack, found f32/);
    const other = new WasmModule().importFunc('math', 'exp', ['f64'], ['f64']);
    f.op('f64.promote_f32');
    expect(() => f.op('call', other)).toThrow(/call target math_exp is not a function of this module/);
    expect(() => f.op('call', 2)).toThrow(/call target 2 is not a function of this module/);
    expect(() => new WasmModule().export('e', exp)).toThrow(/function math_exp belongs to another module/);
    f.op('call', exp);
    expectRoundTrip(m);
  });

  it('operand types, immediates and missing memory', () => {
    const { m, f } = fresh();
    expect(() => f.op('f32.add')).toThrow(/\(f32.add\): expects f32 f32 on the stack, found nothing/);
    f.op('local.get', 0);
    expect(() => f.op('f32.neg')).toThrow(/expects f32 on the stack, found i32/);
    expect(() => f.op('i32.const', 1.5)).toThrow(/i32 constant must be an integer/);
    expect(() => f.op('f32.load', { align: 8 })).toThrow(/align 8 must be a power of two no larger than 4 bytes/);
    expect(() => f.op('nop', 1)).toThrow(/takes no immediate/);
    expect(() => f.op('v128.const', 3)).toThrow(/v128.const takes one of/);
    expect(() => f.op('v128.const', { f32x4: [1, 2] })).toThrow(/f32x4 needs 4 lanes/);
    expect(() => f.op('i32.load', { offset: 4, alignment: 2 } as never)).toThrow(/memory immediate must be/);
    expect(() => f.op('i32.fancy' as WasmOp)).toThrow(/unknown instruction/);
    f.op('f32.load');
    f.op('drop');
    expect(() => m.toBytes()).toThrow(/function kern uses memory \(f32.load\) but the module has none/);
    const g = new WasmModule().func('g', [], ['f32']);
    expect(() => g.op('if', 'f32')).toThrow(/expects i32 on the stack/);
  });

  it('unchecked: immediates, locals, labels and nesting are still checked; operand types are left to the engine', () => {
    const m = new WasmModule({ checked: false });
    const f = m.func('kern', ['i32'], []);
    expect(() => f.op('local.get', 3)).toThrow(/function kern, instruction #0 \(local.get\): unknown local 3/);
    expect(() => f.op('br', 1)).toThrow(/\(br\): label depth 1 out of range \(0..0\)/);
    expect(() => f.op('end')).toThrow(/end without an open block/);
    expect(() => f.op('i32.const', 1.5)).toThrow(/i32 constant must be an integer/);
    expect(() => f.op('nop', 1)).toThrow(/takes no immediate/);
    expect(() => f.op('i32.fancy' as WasmOp)).toThrow(/unknown instruction/);
    f.op('block');
    expect(() => m.toBytes()).toThrow(/function kern: 1 block\(s\) left open/);
    f.op('end');
    // A failed instruction leaves nothing behind: the body is still `block end`.
    expect(m.toWat()).toContain('    block\n    end\n');
    // Ill-typed, so only the engine's validation (or the checked builder) rejects it.
    f.op('f32.add');
    expect(WebAssembly.validate(m.toBytes())).toBe(false);
    expect(() => new WasmModule().func('kern', ['i32'], []).op('f32.add')).toThrow(/expects f32 f32 on the stack, found nothing/);
  });

  it('unreachable code: the stack is polymorphic, but what is pushed stays (as wabt decides)', () => {
    const ok = new WasmModule();
    ok.func('a', [], []).op('unreachable').op('drop');
    ok.func('b', [], []).op('unreachable').op('select').op('drop');
    ok.func('c', [], ['v128']).op('block', 'v128').op('unreachable').op('br', 0).op('end');
    expectRoundTrip(ok);
    const bad = new WasmModule();
    bad.func('d', [], []).op('unreachable').op('select');
    expect(() => bad.toBytes()).toThrow(/function d: the body ends with any on the stack; the function returns nothing/);
    const blk = new WasmModule().func('e', [], []).op('block').op('unreachable').op('select');
    expect(() => blk.op('end')).toThrow(/\(end\): leaves any on the stack; the block expects nothing/);
    expect(() => new WasmModule().func('g', [], []).op('block', 'i32').op('f32.const', 1).op('br', 0))
      .toThrow(/\(br\): expects i32 on the stack, found f32/);
  });
});
