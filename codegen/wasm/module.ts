/**
 * A small WebAssembly module builder: functions are appended instruction by instruction, checked
 * as they go (locals, labels, lanes; operand types unless unchecked), and the same module is written either as
 * binary (toBytes) or as readable text (toWat). Host functions come in through importFunc.
 */
import { OP_TABLE } from './opcodes.js';
import { MAX_INSTRUCTION_BYTES, QUICK_OPS, writeQuick } from './quick.js';
import type { QuickTarget } from './quick.js';
import type { OpInfo, WasmOp } from './opcodes.js';
import { encodeImmediate } from './immediates.js';
import { StackChecker } from './typecheck.js';
import { IDENT, isIdent, isValType } from './types.js';
import type { ValType } from './types.js';
import { encodeModule } from './encode.js';
import { printModule } from './wat.js';
import type { FuncView, ModuleView } from './view.js';
import type { Immediate } from './instr.js';

export type { ValType } from './types.js';
export type { WasmOp, OpInfo as WasmOpInfo, ImmKind as WasmImmKind } from './opcodes.js';
export { OPCODES as WASM_OPCODES } from './opcodes.js';
export type { Immediate, MemArg, V128Const } from './instr.js';

interface Memory { min: number; max: number | undefined; shared: boolean }

const MAX_PAGES = 65536;

/** Something `call` can target: a defined function or an imported one. */
export type WasmCallee = WasmFunc | WasmImport;

/**
 * An imported function, (import "module" "field" (func $module_field ...)). Imports take the
 * first function indices, so they must all be declared before the module's first `func`.
 */
export class WasmImport {
  /** The WAT name, printed as $module_field. */
  readonly name: string;

  /** @internal use WasmModule.importFunc */
  constructor(
    readonly index: number,
    readonly module: string,
    readonly field: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    this.name = `${module}_${field}`;
  }
}

export interface WasmModuleOptions {
  /**
   * Check every instruction's operand types as it is appended (the spec's validation algorithm,
   * with errors naming the function and the instruction); default true. Immediates, locals,
   * labels and block nesting are checked either way. A compiler that emits known-good code can
   * turn it off and leave validation to `new WebAssembly.Module` (see emit.ts).
   */
  readonly checked?: boolean;
  /**
   * Keep what the WAT text needs (instruction names and immediates, comments, local names); default
   * true. Without it the module holds bytes only (what a compile needs), and toWat throws: emit
   * the module again with text to read it (see build.ts).
   */
  readonly text?: boolean;
}

export class WasmModule {
  private readonly checked: boolean;
  /** Whether the module keeps its WAT text (WasmModuleOptions.text). */
  readonly text: boolean;
  private readonly imports: WasmImport[] = [];
  private readonly funcs: WasmFunc[] = [];
  private readonly exports: { name: string; func: WasmCallee }[] = [];
  private memory: Memory | undefined;

  constructor(options: WasmModuleOptions = {}) {
    this.checked = options.checked ?? true;
    this.text = options.text ?? true;
  }

  /** Imports one memory as (import "env" "memory" (memory min max?)); at most one. */
  importMemory(minPages: number, maxPages?: number, shared = false): void {
    if (this.memory) throw new Error('wasm: importMemory called twice (one memory per module)');
    const pages = (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_PAGES;
    if (!pages(minPages)) throw new Error(`wasm: memory minimum ${minPages} is not a page count in 0..${MAX_PAGES}`);
    if (maxPages !== undefined && (!pages(maxPages) || maxPages < minPages)) {
      throw new Error(`wasm: memory maximum ${maxPages} must be a page count in ${minPages}..${MAX_PAGES}`);
    }
    if (shared && maxPages === undefined) throw new Error('wasm: a shared memory needs a maximum');
    this.memory = { min: minPages, max: maxPages, shared };
  }

  get hasMemory(): boolean {
    return this.memory !== undefined;
  }

  /**
   * Imports a host function as (import "module" "field" (func $module_field ...)), e.g.
   * importFunc('math', 'exp', ['f64'], ['f64']) for Math.exp. Both names must be identifiers, and
   * every import must come before the first func (imports take function indices 0..k-1).
   */
  importFunc(module: string, field: string, params: readonly ValType[], results: readonly ValType[]): WasmImport {
    checkName(module, 'import module');
    checkName(field, 'import field');
    const at = `wasm: import ${module}.${field}`;
    if (this.funcs.length) {
      throw new Error(`${at}: declare function imports before the first func (imports take the first function indices; ${this.funcs[0]!.name} is already index ${this.funcs[0]!.index})`);
    }
    const name = `${module}_${field}`;
    if (this.imports.some((i) => i.name === name)) throw new Error(`${at}: duplicate function name ${name}`);
    for (const t of [...params, ...results]) {
      if (!isValType(t)) throw new Error(`${at}: unknown value type ${String(t)}`);
    }
    const imp = new WasmImport(this.imports.length, module, field, [...params], [...results]);
    this.imports.push(imp);
    return imp;
  }

  /** A function; its params are locals 0..n-1 (optionally named for WAT). Its index follows the imports. */
  func(name: string, params: readonly ValType[], results: readonly ValType[], paramNames?: readonly (string | undefined)[]): WasmFunc {
    checkName(name, 'function');
    if (this.funcs.some((f) => f.name === name) || this.imports.some((i) => i.name === name)) {
      throw new Error(`wasm: duplicate function name ${name}`);
    }
    for (const t of [...params, ...results]) {
      if (!isValType(t)) throw new Error(`wasm: function ${name}: unknown value type ${String(t)}`);
    }
    const fn = new WasmFunc(this, this.imports.length + this.funcs.length, name, params, results, paramNames ?? [], this.checked, this.text);
    this.funcs.push(fn);
    return fn;
  }

  /** The function at Wasm function index `index`: imports first (0..k-1), then defined functions. */
  funcAt(index: number): WasmCallee | undefined {
    if (!Number.isInteger(index) || index < 0) return undefined;
    return index < this.imports.length ? this.imports[index] : this.funcs[index - this.imports.length];
  }

  /** Exports a function (defined or imported) under `name` (an identifier, like every name we print). */
  export(name: string, fn: WasmCallee): void {
    checkName(name, 'export');
    if (this.funcAt(fn.index) !== fn) throw new Error(`wasm: export ${name}: function ${fn.name} belongs to another module`);
    if (this.exports.some((e) => e.name === name)) throw new Error(`wasm: duplicate export ${name}`);
    this.exports.push({ name, func: fn });
  }

  /** The binary module. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return encodeModule(this.view());
  }

  /** Readable text of the very same module (wat2wasm gives back toBytes()). */
  toWat(): string {
    if (!this.text) throw new Error('wasm: this module keeps bytes only (text: false); build it again with text to print it');
    return printModule(this.view());
  }

  /** Checks every body is complete and collects what the encoder and printer need. */
  private view(): ModuleView {
    const types: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
    const typeOf = (f: WasmCallee): number => {
      for (let i = 0; i < types.length; i++) if (sameTypes(types[i]!.params, f.params) && sameTypes(types[i]!.results, f.results)) return i;
      return types.push({ params: f.params, results: f.results }) - 1;
    };
    const imports = this.imports.map((i) => ({ module: i.module, field: i.field, name: i.name, typeIndex: typeOf(i) }));
    const funcs: FuncView[] = [];
    for (const f of this.funcs) {
      f.checkComplete();
      if (f.memoryOp && !this.memory) {
        throw new Error(`wasm: function ${f.name} uses memory (${f.memoryOp}) but the module has none; call importMemory`);
      }
      const typeIndex = typeOf(f);
      const lines = this.text ? f.lines() : { ops: [], imms: [] };
      funcs.push({ name: f.name, typeIndex, params: f.params, results: f.results, paramNames: f.paramNames, localTypes: f.localTypes, localName: (i: number) => f.localName(i), localNames: f.localNames, code: f.code, size: f.size, ops: lines.ops, imms: lines.imms });
    }
    return {
      memory: this.memory,
      types,
      imports,
      funcs,
      exports: this.exports.map((e) => ({ name: e.name, index: e.func.index, funcName: e.func.name })),
    };
  }
}

function sameTypes(a: readonly ValType[], b: readonly ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class WasmFunc implements QuickTarget {
  /** Types of the declared locals after the params. */
  readonly localTypes: ValType[] = [];
  /** Their WAT names (text modules only). */
  readonly localNames: (string | undefined)[] = [];
  readonly paramNames: readonly (string | undefined)[];
  /** @internal the body's bytes so far (instructions as appended; no local declarations, no closing end), `size` of them used. */
  code = new Uint8Array(256);
  /** @internal */
  size = 0;
  /** The last `size` with room for any instruction (code.length − MAX_INSTRUCTION_BYTES). */
  private last = 256 - MAX_INSTRUCTION_BYTES;
  /** @internal open blocks (0 at the function body's top level). */
  blocks = 0;
  /** @internal where the body ended right after an else (an else directly followed by end adds nothing). */
  elseEnd = -1;
  /** Per appended line, for the WAT text (text modules only): the instruction (undefined for a comment) and its immediate (or the comment). */
  private readonly ops: (WasmOp | undefined)[] = [];
  private readonly imms: (Immediate | string)[] = [];
  private firstMemoryOp: WasmOp | undefined;
  /** The operand-stack checker, when the module checks as it goes. */
  private readonly checker: StackChecker | undefined;
  private readonly names = new Set<string>();
  private count = 0;
  /** @internal locals so far, params included (localCount). */
  nLocals: number;

  /** @internal use WasmModule.func */
  constructor(
    private readonly module: WasmModule,
    readonly index: number,
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
    paramNames: readonly (string | undefined)[],
    checked: boolean,
    /** Keeps what the WAT needs: instruction names, immediates, comments, local names. */
    readonly text: boolean,
  ) {
    if (paramNames.length > params.length) throw new Error(`wasm: function ${name}: more param names than params`);
    for (const n of paramNames) if (n !== undefined) this.claim(n, 'param');
    this.paramNames = paramNames;
    this.checker = checked ? new StackChecker(results) : undefined;
    this.nLocals = params.length;
  }

  /** Locals declared so far, params included. */
  get localCount(): number {
    return this.nLocals;
  }

  localType(index: number): ValType | undefined {
    return index < this.params.length ? this.params[index] : this.localTypes[index - this.params.length];
  }

  /** @internal the WAT name of a local, if it has one. */
  localName(index: number): string | undefined {
    return index < this.params.length ? this.paramNames[index] : this.localNames[index - this.params.length];
  }

  /** The first memory instruction used, if any (the module must then import a memory). */
  get memoryOp(): WasmOp | undefined {
    return this.firstMemoryOp;
  }

  /** Open blocks at this point (0 at the function body's top level). */
  get depth(): number {
    return this.blocks;
  }

  /**
   * A new local; returns its index. The optional name is printed as $name in WAT (a module
   * without text prints nothing: the name is not kept, nor checked).
   */
  local(type: ValType, name?: string): number {
    if (!isValType(type)) throw new Error(`wasm: function ${this.name}: unknown local type ${String(type)}`);
    this.localTypes.push(type);
    if (this.text) {
      if (name !== undefined) this.claim(name, 'local');
      this.localNames.push(name);
    }
    return this.nLocals++;
  }

  /**
   * Appends one instruction (see OPCODES for names and immediate kinds): its immediate is checked
   * and encoded now, its operand types too when the module is checked; its text is spelled only
   * when the WAT is printed.
   */
  op(op: WasmOp, imm?: Immediate): this;
  // `extra` stands for a third argument from untyped callers (no `arguments`: it is allocated on every call).
  op(op: WasmOp, imm?: Immediate, extra?: unknown): this {
    if (this.size > this.last) this.grow();
    // The short path (quick.ts): an instruction whose immediate is valid at a glance, written
    // straight into the bytes. Anything else, errors included, takes the general path.
    const q = QUICK_OPS[op];
    if (q === undefined || extra !== undefined || this.checker !== undefined || !writeQuick(this, q, imm)) {
      return this.append(op, imm, extra);
    }
    if (this.text) {
      this.ops.push(op);
      this.imms.push(imm);
    }
    if (q.memory && this.firstMemoryOp === undefined) this.firstMemoryOp = op;
    this.count++;
    return this;
  }

  /** Twice the room for the body's bytes. */
  private grow(): void {
    const code = new Uint8Array(this.code.length * 2);
    code.set(this.code.subarray(0, this.size));
    this.code = code;
    this.last = code.length - MAX_INSTRUCTION_BYTES;
  }

  /** Any instruction, every check with its error (the short path's fallback). */
  private append(op: WasmOp, imm: Immediate, extra: unknown): this {
    const start = this.size;
    const info = OP_TABLE[op];
    const out: number[] = [];
    let stored: Immediate;
    try {
      if (info === undefined) throw new Error('unknown instruction');
      if (extra !== undefined) throw new Error(`takes ${info.imm === 'none' ? 'no immediate' : 'one immediate'}, got 2`);
      const bytes = info.bytes;
      for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
      stored = info.imm === 'none' && imm === undefined ? undefined : encodeImmediate(info, imm, this, out);
      if (this.checker !== undefined) this.check(op, info, stored);
    } catch (e) {
      throw new Error(`wasm: function ${this.name}, instruction #${this.count} (${op}): ${(e as Error).message}`);
    }
    // block, loop and if are the instructions with a block type
    let at = start;
    if (info.imm === 'block') this.blocks++;
    else if (op === 'end') {
      if (this.blocks === 0) throw new Error(`wasm: function ${this.name}, instruction #${this.count} (end): end without an open block, loop or if`);
      this.blocks--;
      // An empty else adds nothing; wat2wasm drops it, and so do we (same bytes from the text).
      if (this.elseEnd === at) { at--; this.elseEnd = -1; }
    }
    while (at + out.length > this.code.length) this.grow();
    for (let i = 0; i < out.length; i++) this.code[at++] = out[i]!;
    this.size = at;
    if (this.text) {
      this.ops.push(op);
      this.imms.push(stored);
    }
    if (op === 'else') this.elseEnd = at;
    if (this.firstMemoryOp === undefined && (info.imm === 'mem' || op.startsWith('memory.'))) this.firstMemoryOp = op;
    this.count++;
    return this;
  }

  /** A WAT-only `;; text` line (not in the binary; nothing in a module without text); line breaks start new comment lines. */
  comment(text: string): this {
    if (this.text) {
      this.ops.push(undefined);
      this.imms.push(String(text));
    }
    return this;
  }

  /** @internal throws unless every block is closed (and, checked, the stack holds exactly the results). */
  checkComplete(): void {
    try {
      if (this.checker) this.checker.finish();
      else if (this.blocks > 0) throw new Error(`${this.blocks} block(s) left open (missing end)`);
    } catch (e) {
      throw new Error(`wasm: function ${this.name}: ${(e as Error).message}`);
    }
  }

  /** @internal what the printer reads. */
  lines(): Pick<FuncView, 'ops' | 'imms'> {
    return { ops: this.ops, imms: this.imms };
  }

  private claim(name: string, what: string): void {
    if (typeof name !== 'string' || !isIdent(name)) checkName(name, `${what} in function ${this.name}`);
    if (this.names.has(name)) throw new Error(`wasm: function ${this.name}: duplicate local name ${name}`);
    this.names.add(name);
  }

  /** Operand types and control structure. */
  private check(op: WasmOp, info: OpInfo, imm: Immediate): void {
    const c = this.checker!;
    if (info.pops && info.pushes) {
      c.pop(info.pops);
      c.push(...info.pushes);
      return;
    }
    switch (op) {
      case 'block': case 'loop': case 'if': c.open(op, imm as ValType | undefined); return;
      case 'else': c.else(); return;
      case 'end': c.end(); return;
      case 'br': c.pop(c.labelTypes(imm as number)); c.setUnreachable(); return;
      case 'br_if': {
        const ts = c.labelTypes(imm as number);
        c.pop(['i32']);
        c.pop(ts);
        c.push(...ts);
        return;
      }
      case 'return': c.pop(c.funcResults); c.setUnreachable(); return;
      case 'unreachable': c.setUnreachable(); return;
      case 'nop': return;
      case 'drop': c.popAny(); return;
      case 'select': {
        c.pop(['i32']);
        const b = c.popAny(), a = c.popAny();
        if (a !== 'any' && b !== 'any' && a !== b) throw new Error(`select needs two operands of one type, found ${a} ${b}`);
        c.push(a === 'any' ? b : a); // may be 'any' in unreachable code: still a value on the stack
        return;
      }
      case 'call': {
        const callee = imm as WasmCallee;
        c.pop(callee.params);
        c.push(...callee.results);
        return;
      }
      case 'local.get': c.push(this.localType(imm as number)!); return;
      case 'local.set': c.pop([this.localType(imm as number)!]); return;
      case 'local.tee': {
        const t = this.localType(imm as number)!;
        c.pop([t]);
        c.push(t);
        return;
      }
      default: throw new Error('instruction has no stack signature');
    }
  }

  /** @internal the function index a call names, or −1 unless it is this module's function (the short path's test). */
  calleeIndex(x: Immediate): number {
    return (x instanceof WasmFunc || x instanceof WasmImport) && this.module.funcAt(x.index) === x ? x.index : -1;
  }

  /** @internal the function a call names (this module's, declared already). */
  callee(x: Immediate): WasmCallee {
    const fn = x instanceof WasmFunc || x instanceof WasmImport ? x : typeof x === 'number' ? this.module.funcAt(x) : undefined;
    if (!fn || this.module.funcAt(fn.index) !== fn) {
      throw new Error(`call target ${x instanceof WasmFunc || x instanceof WasmImport ? x.name : String(x)} is not a function of this module (declare it first)`);
    }
    return fn;
  }
}

function checkName(name: string, what: string): void {
  if (typeof name !== 'string' || !isIdent(name)) {
    throw new Error(`wasm: bad ${what} name ${JSON.stringify(name)} (must match ${IDENT})`);
  }
}
