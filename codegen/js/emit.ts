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
import { emitLoopKernel } from './loops.js';
import { emitMatmulKernel } from './matmul.js';
import { JS_HELPERS } from './ops.js';
import { Writer } from './writer.js';

export interface JsModule {
  /** Body of `new Function('arena', source)`; returns `{ run, kernels }`. */
  readonly source: string;
  /** Function name of each kernel, in run order. */
  readonly functionNames: readonly string[];
}

const VIEW: Readonly<Record<Storage, string>> = { f32: 'Float32Array', f64: 'Float64Array', i32: 'Int32Array', u8: 'Uint8Array' };

export function kernelFunctionName(index: number, name: string): string {
  if (!KERNEL_NAME.test(name)) throw new Error(`kernel ${index}: name ${JSON.stringify(name)} is not one of ours`);
  return `k${index}_${name}`;
}

export function emitJs(plan: ProgramPlan): JsModule {
  const p = plan.program;
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
    head.line(`const ${bufferName(b.id)} = new ${VIEW[b.dtype]}(arena, ${b.offset}, ${b.length});${note ? ` // ${note}` : ''}`);
  }
  const functionNames: string[] = [];
  plan.kernels.forEach((kp, n) => {
    const fn = kernelFunctionName(n, kp.kernel.name);
    functionNames.push(fn);
    body.line(`// ${fn}: ${kp.describe}`);
    if (kp.kind === 'loops') {
      emitLoopKernel(body, kp.kernel, fn, kp.placement, helpers);
    } else {
      const panel = `panel${n}`;
      const ctor = kp.plan.accType === 'f64' ? 'Float64Array' : 'Float32Array';
      const bytes = kp.plan.accType === 'f64' ? 8 : 4;
      head.line(`const ${panel} = new ${ctor}(arena, ${plan.scratch.offset}, ${kp.plan.panelBytes / bytes}); // scratch: k${n}'s sums`);
      emitMatmulKernel(body, kp.kernel, fn, kp.plan, panel, helpers);
    }
  });
  body.block('function run()', () => {
    for (const fn of functionNames) body.line(`${fn}();`);
  });
  body.line(`return { run, kernels: [${functionNames.join(', ')}] };`);
  const helperLines = (Object.keys(JS_HELPERS) as (keyof typeof JS_HELPERS)[]).filter((h) => helpers.has(h)).map((h) => JS_HELPERS[h]);
  return { source: `${head.toString()}\n${helperLines.join('\n')}\n${body.toString()}\n`, functionNames };
}
