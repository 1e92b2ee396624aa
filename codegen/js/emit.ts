/**
 * The JavaScript emitter: one module body with a typed-array view per buffer (all over one
 * ArrayBuffer arena), one function per kernel, and `run` calling them in order. Every name in
 * the source is ours (b3, k0_matmul, t5): kernel names are checked identifiers from our op
 * vocabulary, and no user string is ever spliced in.
 */
import type { Program } from '../ir.js';
import { KERNEL_NAME } from '../ir.js';
import { bufferName } from './expr.js';
import { emitLoopKernel } from './loops.js';
import { emitMatmulKernel, matmulOrder } from './matmul.js';
import { Writer } from './writer.js';

export interface JsModule {
  /** Body of `new Function('arena', source)`; returns `{ run, kernels }`. */
  readonly source: string;
  /** Function name of each kernel, in run order. */
  readonly functionNames: readonly string[];
}

export function kernelFunctionName(index: number, name: string): string {
  if (!KERNEL_NAME.test(name)) throw new Error(`kernel ${index}: name ${JSON.stringify(name)} is not one of ours`);
  return `k${index}_${name}`;
}

export function emitJs(p: Program): JsModule {
  const head = new Writer();
  const body = new Writer();
  const role = new Map<number, string>();
  p.inputs.forEach((id, i) => role.set(id, `input ${i}`));
  p.outputs.forEach((id, i) => role.set(id, role.has(id) ? `${role.get(id)}, output ${i}` : `output ${i}`));

  head.line('"use strict";');
  head.line(`// gradc: ${p.kernels.length} kernels over ${p.buffers.length} buffers in one ${p.arenaBytes}-byte arena`);
  for (const b of p.buffers) {
    const ctor = b.dtype === 'f64' ? 'Float64Array' : 'Float32Array';
    const note = role.get(b.id);
    head.line(`const ${bufferName(b.id)} = new ${ctor}(arena, ${b.offset}, ${b.length});${note ? ` // ${note}` : ''}`);
  }
  const functionNames: string[] = [];
  p.kernels.forEach((k, n) => {
    const fn = kernelFunctionName(n, k.name);
    functionNames.push(fn);
    if (k.kind === 'loops') {
      const shape = k.outer.map((l) => l.extent).join('×') || 'scalar';
      const passes = k.passes.map((ps) => `${ps.kind}[${ps.loops.map((l) => l.extent).join('×')}]`).join(', ');
      body.line(`// ${fn}: loops ${shape}; passes ${passes}`);
      emitLoopKernel(body, k, fn);
    } else {
      const batch = k.batch.map((l) => l.extent).join('×');
      body.line(`// ${fn}: matmul ${batch ? `${batch} × ` : ''}[${k.i.extent}×${k.k.extent}]·[${k.k.extent}×${k.j.extent}], ${matmulOrder(k)} order`);
      const decls = emitMatmulKernel(body, k, fn, `panel${n}`);
      for (const d of decls) head.line(d);
    }
  });
  body.block('function run()', () => {
    for (const fn of functionNames) body.line(`${fn}();`);
  });
  body.line(`return { run, kernels: [${functionNames.join(', ')}] };`);
  return { source: `${head.toString()}\n${body.toString()}\n`, functionNames };
}
