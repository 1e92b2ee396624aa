/**
 * loadModel: reads a saved directory (serialize.ts checks every byte) and builds the model it
 * describes. It sits above the model classes, so serialize.ts never imports them.
 */
import { dense, rescaling, type LayerSpec } from './layers.js';
import type { Model } from './model.js';
import { metricsFromNames } from './metrics.js';
import { scheduleFromConfig } from './schedules.js';
import { Sequential } from './sequential.js';
import { loadError as bad, ownField as get, readLayerList, readSaved } from './serialize.js';
import type { Backend } from './program.js';

function readLayer(o: Record<string, unknown>, path: string): LayerSpec {
  const type = get(o, 'type');
  if (type !== 'dense' && type !== 'rescaling') bad(path, `unknown layer type ${JSON.stringify(type)} (known: "dense", "rescaling")`);
  try {
    if (type === 'rescaling') {
      return rescaling({ scale: get(o, 'scale') as number, offset: get(o, 'offset') as number, inputDim: get(o, 'inputDim') as number, name: get(o, 'name') as string });
    }
    return dense({
      units: get(o, 'units') as number,
      inputDim: get(o, 'inputDim') as number,
      activation: get(o, 'activation') as never,
      useBias: get(o, 'useBias') as boolean,
      kernelInitializer: get(o, 'kernelInitializer') as never,
      biasInitializer: get(o, 'biasInitializer') as never,
      name: get(o, 'name') as string,
    });
  } catch (e) {
    bad(path, (e as Error).message);
  }
}

export interface LoadOptions<M extends Model<unknown> = Model<unknown>> {
  /**
   * For a functional model (its graph is code, not data): the model, built again by your code,
   * to load the weights, optimizer state and training state into. Its params must match by name and shape.
   */
  model?: M;
}

/** A saved Sequential, rebuilt from model.json; or, with `{ model }`, a functional model's saved state loaded into it. */
export function loadModel(dir: string): Promise<Sequential>;
export function loadModel<M extends Model<unknown>>(dir: string, options: { model: M }): Promise<M>;
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Model<unknown>> {
  return loadModelSync(dir, options);
}

export function loadModelSync(dir: string, options: LoadOptions = {}): Model<unknown> {
  const saved = readSaved(dir);
  // Build the model in isolation; the caller sees it only if everything checks out.
  let model: Model<unknown>;
  if (saved.kind === 'functional') {
    if (options.model === undefined) {
      bad('model.json', `holds a functional model, whose graph is your code: build it again with model({ … }) and pass it: loadModel(dir, { model })`);
    }
    model = options.model;
    const want = new Map(model.params.map((p) => [p.attrs.name, p.shape.join(',')]));
    const has = readLayerList(saved.layers, (o, path) => ({ name: get(o, 'name') as string, shape: ((get(o, 'shape') as number[]) ?? []).join(','), path }));
    for (const h of has) if (want.get(h.name) !== h.shape) bad(h.path, `param '${h.name}' [${h.shape}] is not a param of the model given (${[...want].map(([k, v]) => `'${k}' [${v}]`).join(', ')})`);
    if (has.length !== want.size) bad('model.json layers', `lists ${has.length} params, the model given has ${want.size}`);
  } else {
    const specs = readLayerList(saved.layers, readLayer);
    try {
      const seq = new Sequential({ seed: saved.seed, name: saved.name });
      for (const s of specs) seq.add(s);
      void seq.layers;
      model = seq;
    } catch (e) {
      bad('model.json layers', (e as Error).message);
    }
  }
  const t = saved.training;
  if (t !== null) {
    const { schedule, ...opt } = t.optimizer;
    try {
      if (schedule !== undefined) opt.learningRate = scheduleFromConfig(schedule as Record<string, unknown>);
      model.compile({ loss: t.loss as string, ...(t.lossWeights !== undefined ? { lossWeights: t.lossWeights as number[] } : {}), optimizer: opt as { name: string }, metrics: metricsFromNames(t.metrics), backend: t.backend as Backend });
    } catch (e) {
      bad('model.json training', (e as Error).message);
    }
  }
  const cfg = model.config;
  const slots = cfg ? cfg.optimizer.plan(model.params, model.params).slots : [];
  const values = saved.readWeights([...model.params, ...slots].map((p) => ({ name: p.attrs.name, shape: p.shape, size: p.size })));
  try {
    model.restoreState({ values, step: saved.step, epochsTrained: saved.epochsTrained, rng: saved.rng });
  } catch (e) {
    bad('model.json state.rng', (e as Error).message);
  }
  return model;
}
