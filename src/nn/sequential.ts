/**
 * A sequential model in the shape Keras and tfjs users know:
 *   const model = sequential(); model.add(layers.dense({ units: 32, inputDim: 784, activation: 'relu' }));
 *   model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
 *   const history = await model.fit(x, y, { epochs: 10, batchSize: 32 });
 * `model.apply(x)` uses it as a building block inside any graph (its params are shared nodes).
 */
import type { Rng } from '../data/rng.js';
import { Tensor } from '../graph/tensor.js';
import { input } from '../graph/functions.js';
import type { ActivationName } from './activations.js';
import { initialize } from './initializers.js';
import { applyDense, applyRescaling, buildDense, isDense, widthOf, type BuiltDense, type BuiltLayer, type LayerSpec } from './layers.js';
import { Model } from './model.js';
import type { InputInfo, OutputInfo } from './trainable.js';
import { checkLayerName } from './checks.js';
import { modelMermaid, summaryText } from './describe.js';

export type { CompileArgs } from './model.js';

export interface SequentialOptions {
  /** Seeds weight initialisation and shuffling: the same seed gives the same run, bit for bit. */
  seed?: number;
  name?: string;
}

export class Sequential extends Model {
  readonly specs: LayerSpec[] = [];
  private built: BuiltLayer[] | null = null;
  /** Values per row out of the last layer added (null before the first). */
  private width: number | null = null;

  constructor(options: SequentialOptions = {}) {
    super(options.name === undefined ? 'sequential' : checkLayerName(options.name), options.seed);
  }

  add(layer: LayerSpec): this {
    if (layer === null || typeof layer !== 'object' || (layer.type !== 'dense' && layer.type !== 'rescaling')) {
      throw new Error('model.add: pass a layer made by layers.dense({ units, ... }) or layers.rescaling({ scale })');
    }
    if (this.built) throw new Error('model.add: the model is already built (compiled or trained); create a new model to change its layers');
    if (this.width === null && layer.inputDim === null) {
      throw new Error(`model.add: the first layer needs its input size: layers.${layer.type}({ ${layer.type === 'dense' ? 'units' : 'scale'}, inputDim: 784 }) or inputShape: [784]`);
    }
    if (this.width !== null && layer.inputDim !== null && layer.inputDim !== this.width) {
      throw new Error(`model.add: layer ${this.specs.length + 1} declares inputDim ${layer.inputDim} but the previous layer has ${this.width} units`);
    }
    this.width = layer.type === 'dense' ? layer.units : (this.width ?? layer.inputDim!);
    this.specs.push(layer);
    return this;
  }

  /** The layers with their names and params (builds them on first use). */
  get layers(): readonly BuiltLayer[] {
    if (this.built) return this.built;
    if (this.specs.length === 0) throw new Error('the model has no layers: model.add(layers.dense({ units, inputDim })) first');
    const names = new Set<string>();
    let inputDim = this.specs[0]!.inputDim!;
    const counts = { dense: 0, rescaling: 0 };
    const built = this.specs.map((s): BuiltLayer => {
      const name = s.name ?? `${s.type}_${++counts[s.type]}`;
      if (names.has(name)) throw new Error(`two layers are named '${name}'; give each layer its own name`);
      names.add(name);
      if (s.type === 'rescaling') return { spec: s, name, inputDim };
      const b = buildDense(s, name, inputDim);
      inputDim = s.units;
      return b;
    });
    this.built = built;
    return built;
  }

  get inputDim(): number {
    return this.layers[0]!.inputDim;
  }

  get inputInfo(): readonly InputInfo[] {
    return [{ name: 'x', width: this.inputDim }];
  }

  get outputInfo(): readonly OutputInfo[] {
    return [{ name: 'output', units: widthOf(this.layers.at(-1)!) }];
  }

  private get denseLayers(): BuiltDense[] {
    return this.layers.filter(isDense);
  }

  get fixedBatch(): null {
    return null;
  }

  /** The trainable params, in layer order. */
  get params(): Tensor<'param'>[] {
    return this.denseLayers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel]));
  }

  /**
   * The layers applied to `x` [n, inputDim], as graph nodes: a building block for a graph of your
   * own (`model({ inputShape, apply: (x) => seq.apply(x) … })`). The params are this model's nodes,
   * so a functional model built on them can start from `seq.getWeights()`.
   */
  apply(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`sequential.apply: x must be a Tensor [n, ${this.inputDim}], got ${x === null ? 'null' : typeof x}`);
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new Error(`sequential.apply: x has shape [${x.shape.join(', ')}], the model takes [n, ${this.inputDim}]`);
    }
    let h = x;
    for (const l of this.layers) h = isDense(l) ? applyDense(l, h) : applyRescaling(l, h);
    return h;
  }

  /** Keras' `model(x)`: the layers applied to `x` (the same as `apply`). */
  call(x: Tensor): Tensor {
    return this.apply(x);
  }

  protected forward(batch: number, bytes: readonly boolean[]): { xs: Tensor<'input'>[]; ys: Tensor[] } {
    const x = input('x', [batch, this.inputDim], bytes[0] ? { feed: 'uint8' } : {});
    return { xs: [x], ys: [this.apply(x)] };
  }

  protected get outputActivations(): readonly ActivationName[] {
    const last = this.layers.at(-1)!;
    return [isDense(last) ? last.spec.activation : 'linear'];
  }

  protected initialValue(p: Tensor<'param'>, rng: Rng): Float32Array {
    for (const l of this.denseLayers) {
      if (p === l.kernel) return initialize(l.spec.kernelInitializer, p.shape, rng);
      if (p === l.bias) return initialize(l.spec.biasInitializer, p.shape, rng);
    }
    throw new Error(`sequential: '${p.attrs.name}' is not a param of this model`);
  }

  protected get kind(): 'sequential' {
    return 'sequential';
  }

  protected topology(): unknown {
    return this.layers.map((l) => (!isDense(l) ? {
      type: 'rescaling',
      name: l.name,
      scale: l.spec.scale,
      offset: l.spec.offset,
      inputDim: l.inputDim,
    } : {
      type: 'dense',
      name: l.name,
      units: l.spec.units,
      inputDim: l.inputDim,
      activation: l.spec.activation,
      useBias: l.spec.useBias,
      kernelInitializer: l.spec.kernelInitializer,
      biasInitializer: l.spec.biasInitializer,
    }));
  }

  // ---- views ----

  /** The layer table with parameter counts; printed with `print` (console.log by default) and returned. */
  summary(print: ((line: string) => void) | null = console.log): string {
    const text = summaryText(this.name, this.layers);
    if (print) print(text);
    return text;
  }

  /** The layer diagram (input → hidden → output) as a Mermaid flowchart. */
  toMermaid(): string {
    return modelMermaid(this.layers);
  }
}

export function sequential(options: SequentialOptions = {}): Sequential {
  return new Sequential(options);
}
