/**
 * A sequential model in the shape Keras and tfjs users know:
 *   const model = sequential(); model.add(layers.dense({ units: 32, inputDim: 784, activation: 'relu' }));
 *   model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
 *   const history = await model.fit(x, y, { epochs: 10, batchSize: 32 });
 * `model.apply(x)` uses it as a building block inside any graph (its params are shared nodes).
 */
import type { Rng } from '../data/rng.js';
import type { Tensor } from '../graph/tensor.js';
import { input } from '../graph/functions.js';
import type { ActivationName } from './activations.js';
import { initialize } from './initializers.js';
import { applyDense, buildDense, type BuiltDense, type DenseSpec } from './layers.js';
import { Model } from './model.js';
import { checkLayerName } from './checks.js';
import { modelMermaid, summaryText } from './describe.js';

export type { CompileArgs } from './model.js';

export interface SequentialOptions {
  /** Seeds weight initialisation and shuffling: the same seed gives the same run, bit for bit. */
  seed?: number;
  name?: string;
}

export class Sequential extends Model {
  readonly specs: DenseSpec[] = [];
  private built: BuiltDense[] | null = null;

  constructor(options: SequentialOptions = {}) {
    super(options.name === undefined ? 'sequential' : checkLayerName(options.name), options.seed);
  }

  add(layer: DenseSpec): this {
    if (layer === null || typeof layer !== 'object' || layer.type !== 'dense') {
      throw new Error('model.add: pass a layer made by layers.dense({ units, ... })');
    }
    if (this.built) throw new Error('model.add: the model is already built (compiled or trained); create a new model to change its layers');
    if (this.specs.length === 0 && layer.inputDim === null) {
      throw new Error('model.add: the first layer needs its input size: layers.dense({ units, inputDim: 784 }) or inputShape: [784]');
    }
    if (this.specs.length > 0 && layer.inputDim !== null && layer.inputDim !== this.specs.at(-1)!.units) {
      throw new Error(`model.add: layer ${this.specs.length + 1} declares inputDim ${layer.inputDim} but the previous layer has ${this.specs.at(-1)!.units} units`);
    }
    this.specs.push(layer);
    return this;
  }

  /** The layers with their names and params (builds them on first use). */
  get layers(): readonly BuiltDense[] {
    if (this.built) return this.built;
    if (this.specs.length === 0) throw new Error('the model has no layers: model.add(layers.dense({ units, inputDim })) first');
    const names = new Set<string>();
    let inputDim = this.specs[0]!.inputDim!;
    const built = this.specs.map((s, i) => {
      const name = s.name ?? `dense_${i + 1}`;
      if (names.has(name)) throw new Error(`two layers are named '${name}'; give each layer its own name`);
      names.add(name);
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

  get inputWidth(): number {
    return this.inputDim;
  }

  get outputUnits(): number {
    return this.layers.at(-1)!.spec.units;
  }

  get fixedBatch(): null {
    return null;
  }

  /** The trainable params, in layer order. */
  get params(): Tensor<'param'>[] {
    return this.layers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel]));
  }

  /**
   * The layers applied to `x` [n, inputDim], as graph nodes: a building block for a graph of your
   * own (`model({ inputShape, apply: (x) => seq.apply(x) … })`). The params are this model's nodes,
   * so a functional model built on them can start from `seq.getWeights()`.
   */
  apply(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new Error(`sequential.apply: x has shape [${x.shape.join(', ')}], the model takes [n, ${this.inputDim}]`);
    }
    let h = x;
    for (const l of this.layers) h = applyDense(l, h);
    return h;
  }

  protected forward(batch: number): { x: Tensor<'input'>; y: Tensor } {
    const x = input('x', [batch, this.inputDim]);
    return { x, y: this.apply(x) };
  }

  protected get outputActivation(): ActivationName {
    return this.layers.at(-1)!.spec.activation;
  }

  protected initialValue(p: Tensor<'param'>, rng: Rng): Float32Array {
    for (const l of this.layers) {
      if (p === l.kernel) return initialize(l.spec.kernelInitializer, p.shape, rng);
      if (p === l.bias) return initialize(l.spec.biasInitializer, p.shape, rng);
    }
    throw new Error(`sequential: '${p.attrs.name}' is not a param of this model`);
  }

  protected get kind(): 'sequential' {
    return 'sequential';
  }

  protected topology(): unknown {
    return this.layers.map((l) => ({
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
