/**
 * The JavaScript backend: prints a program plan as one module body with a typed-array view per
 * buffer (all over one arena), one function per kernel, and `run` calling them in order. Every
 * name in the source is ours (b3, k0_matmul, t5): kernel names are checked identifiers from our
 * op vocabulary, and no user string is ever spliced in.
 */
import type { Storage } from '../ir.js';
import { KERNEL_NAME } from '../ir.js';
import type { ProgramPlan } from '../plan/program.js';
import { bufferName } from './expr.js';
import type { JsStyle } from './expr.js';
import { emitLoopKernel } from './loops.js';
import { emitMatmulKernel } from './matmul.js';
import { JS_HELPERS, TS_HELPERS } from './ops.js';
import { Writer } from './writer.js';

export interface JsModule {
  /** Body of `new Function('arena', source)`; returns `{ run, kernels }`. */
  readonly source: string;
  /** Function name of each kernel, in run order. */
  readonly functionNames: readonly string[];
}

/** How to print: the default is the JIT's (`b3`, shortest decimals); an export asks for names and exact constants. */
export interface JsEmitOptions extends JsStyle {
  /** Type annotations on the helpers, so the body type-checks as strict TypeScript. */
  readonly typescript?: boolean;
  /** Lines of a doc comment for each kernel's function (after its plan line), e.g. the maths it computes. */
  readonly kernelDocs?: readonly (readonly string[])[];
}

/** Names the emitted code declares itself (locals, helpers, views) or reads (globals). */
const OWN = /^(?:[ijk]\d*|[natsxy]\d+|y|panel\d+|k\d+_\w*|b\d+|f|run|kernels|arena|roundEven|toInt|bitsF|bitsI|bitsOf|fromBits)$/;
const GLOBALS = new Set(['Math', 'Infinity', 'NaN', 'undefined', 'Object', 'Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'globalThis', 'eval', 'arguments']);
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
  'implements import in instanceof interface let new null package private protected public return static super switch this throw true try ' +
  'typeof var void while with yield await as async of any number string boolean symbol type declare namespace module never unknown object').split(' '));

/** True when `name` may name a buffer: an identifier that is no keyword and none of the emitted code's own names. */
export function isFreeJsName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !OWN.test(name) && !GLOBALS.has(name) && !RESERVED.has(name);
}

const VIEW: Readonly<Record<Storage, string>> = { f32: 'Float32Array', f64: 'Float64Array', i32: 'Int32Array', u8: 'Uint8Array' };

export function kernelFunctionName(index: number, name: string): string {
  if (!KERNEL_NAME.test(name)) throw new Error(`kernel ${index}: name ${JSON.stringify(name)} is not one of ours`);
  return `k${index}_${name}`;
}

export function emitJs(plan: ProgramPlan, options: JsEmitOptions = {}): JsModule {
  const p = plan.program;
  const names = options.bufferNames;
  if (names !== undefined) {
    if (names.length !== p.buffers.length) throw new Error(`emitJs: ${names.length} buffer names for ${p.buffers.length} buffers`);
    const seen = new Set<string>();
    for (const n of names) {
      if (!isFreeJsName(n)) throw new Error(`emitJs: buffer name ${JSON.stringify(n)} is not a free identifier (see isFreeJsName)`);
      if (seen.has(n)) throw new Error(`emitJs: buffer name ${JSON.stringify(n)} is given twice`);
      seen.add(n);
    }
  }
  const style: JsStyle = options;
  const head = new Writer();
  const body = new Writer();
  const helpers = new Set<string>(['f']);
  const role = new Map<number, string>();
  p.inputs.forEach((id, i) => role.set(id, `input ${i}`));
  p.outputs.forEach((id, i) => role.set(id, role.has(id) ? `${role.get(id)}, output ${i}` : `output ${i}`));

  head.line('"use strict";');
  head.line(`// gradc: ${p.kernels.length} kernels over ${p.buffers.length} buffers in one ${plan.memoryBytes}-byte arena` +
    (plan.scratch.bytes > 0 ? ` (scratch ${plan.scratch.bytes} bytes at ${plan.scratch.offset})` : ''));
  for (const b of p.buffers) {
    const note = role.get(b.id);
    head.line(`const ${bufferName(b.id, style)} = new ${VIEW[b.dtype]}(arena, ${b.offset}, ${b.length});${note ? ` // ${note}` : ''}`);
  }
  const functionNames: string[] = [];
  plan.kernels.forEach((kp, n) => {
    const fn = kernelFunctionName(n, kp.kernel.name);
    functionNames.push(fn);
    const doc = options.kernelDocs?.[n];
    if (doc === undefined) body.line(`// ${fn}: ${kp.describe}`);
    else {
      if (doc.some((l) => l.includes('*/'))) throw new Error(`emitJs: the doc of kernel ${n} would close its comment`);
      body.line('/**');
      for (const l of [`${fn}: ${kp.describe}`, ...(doc.length > 0 ? ['', ...doc] : [])]) body.line(l === '' ? ' *' : ` * ${l}`);
      body.line(' */');
    }
    if (kp.kind === 'loops') {
      emitLoopKernel(body, kp.kernel, fn, kp.placement, helpers, style);
    } else {
      const panel = `panel${n}`;
      const ctor = kp.plan.accType === 'f64' ? 'Float64Array' : 'Float32Array';
      const bytes = kp.plan.accType === 'f64' ? 8 : 4;
      head.line(`const ${panel} = new ${ctor}(arena, ${plan.scratch.offset}, ${kp.plan.panelBytes / bytes}); // scratch: k${n}'s sums`);
      emitMatmulKernel(body, kp.kernel, fn, kp.plan, panel, helpers, style);
    }
  });
  body.block('function run()', () => {
    for (const fn of functionNames) body.line(`${fn}();`);
  });
  body.line(`return { run, kernels: [${functionNames.join(', ')}] };`);
  const table = options.typescript ? TS_HELPERS : JS_HELPERS;
  const helperLines = (Object.keys(table) as (keyof typeof JS_HELPERS)[]).filter((h) => helpers.has(h)).map((h) => table[h]);
  return { source: `${head.toString()}\n${helperLines.join('\n')}\n${body.toString()}\n`, functionNames };
}
