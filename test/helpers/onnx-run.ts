// Running an exported model on onnxruntime: feeds from Float32/Float64/Uint8 arrays, outputs as arrays.
import type { Ort } from './onnxruntime.js';

export type Feed = Float32Array | Float64Array | Uint8Array;

const typeOf = (a: Feed): string => (a instanceof Float64Array ? 'float64' : a instanceof Uint8Array ? 'uint8' : 'float32');

export async function session(ort: Ort, bytes: Uint8Array, threads = 1) {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    /** feeds: by ONNX input name, with the shape of each (from `shapes`). */
    run: async (feeds: Record<string, Feed>, shapes: Record<string, readonly number[]>): Promise<Record<string, Float32Array | Float64Array>> => {
      const ins: Record<string, InstanceType<Ort['Tensor']>> = {};
      for (const [k, v] of Object.entries(feeds)) ins[k] = new ort.Tensor(typeOf(v), v, shapes[k]!);
      const out = await s.run(ins);
      const res: Record<string, Float32Array | Float64Array> = {};
      for (const [k, v] of Object.entries(out)) res[k] = v.data as Float32Array | Float64Array;
      return res;
    },
  };
}

/** The worst |a − b| / max(1, |b|) and where. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; at: number } {
  if (a.length !== b.length) return { err: Infinity, at: -1 };
  let err = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const e = Number.isNaN(a[i]!) && Number.isNaN(b[i]!) ? 0 : Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(e <= err)) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}
