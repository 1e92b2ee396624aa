/**
 * Layers. `dense` is the one the seed needs: y = activation(x · W + b); `rescaling` (Keras'
 * `Rescaling`) is y = x · scale + offset, e.g. bytes 0..255 to [0, 1] (fused into the next kernel).
 */
import { param } from '../graph/functions.js';
import type { Tensor } from '../graph/tensor.js';
import { applyActivation, checkActivation, type ActivationName } from './activations.js';
import { INITIALIZERS, type InitializerName } from './initializers.js';
import { checkLayerName, checkName, checkPositiveInt } from './checks.js';

export interface DenseConfig {
  units: number;
  /** Size of the input rows (first layer only); or `inputShape: [n]`. */
  inputDim?: number;
  inputShape?: readonly number[];
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  name?: string;
}

/** A dense layer's checked configuration (what save/load writes). */
export interface DenseSpec {
  readonly type: 'dense';
  readonly units: number;
  readonly inputDim: number | null;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly name: string | null;
}

const DENSE_KEYS = ['units', 'inputDim', 'inputShape', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'name'];

export function dense(config: DenseConfig): DenseSpec {
  if (config === null || typeof config !== 'object') throw new Error('layers.dense: pass a config object, e.g. { units: 32, activation: "relu" }');
  for (const k of Object.keys(config)) {
    if (!DENSE_KEYS.includes(k)) throw new Error(`layers.dense: unknown option '${k}'; options are ${DENSE_KEYS.join(', ')}`);
  }
  const units = checkPositiveInt('layers.dense: units', config.units);
  let inputDim: number | null = null;
  if (config.inputDim !== undefined) inputDim = checkPositiveInt('layers.dense: inputDim', config.inputDim);
  if (config.inputShape !== undefined) {
    const s = config.inputShape;
    if (!Array.isArray(s) || s.length !== 1) {
      throw new Error(`layers.dense: inputShape must be [features] (one dimension; flatten images to [784]), got ${JSON.stringify(s)}`);
    }
    const d = checkPositiveInt('layers.dense: inputShape[0]', s[0]);
    if (inputDim !== null && inputDim !== d) throw new Error(`layers.dense: inputDim ${inputDim} and inputShape [${d}] disagree; give one of them`);
    inputDim = d;
  }
  const useBias = config.useBias ?? true;
  if (typeof useBias !== 'boolean') throw new Error(`layers.dense: useBias must be true or false, got ${String(useBias)}`);
  return Object.freeze({
    type: 'dense',
    units,
    inputDim,
    activation: checkActivation(config.activation ?? 'linear'),
    useBias,
    kernelInitializer: checkName('kernelInitializer', config.kernelInitializer ?? 'glorotUniform', INITIALIZERS),
    biasInitializer: checkName('biasInitializer', config.biasInitializer ?? 'zeros', INITIALIZERS),
    name: config.name === undefined ? null : checkLayerName(config.name),
  });
}

export interface RescalingConfig {
  /** y = x · scale + offset: `1 / 255` maps bytes 0..255 to [0, 1]. */
  scale: number;
  offset?: number;
  /** Size of the input rows (first layer only); or `inputShape: [n]`. */
  inputDim?: number;
  inputShape?: readonly number[];
  name?: string;
}

/** A rescaling layer's checked configuration (what save/load writes). */
export interface RescalingSpec {
  readonly type: 'rescaling';
  readonly scale: number;
  readonly offset: number;
  readonly inputDim: number | null;
  readonly name: string | null;
}

export type LayerSpec = DenseSpec | RescalingSpec;

const RESCALING_KEYS = ['scale', 'offset', 'inputDim', 'inputShape', 'name'];

function inputDimOf(where: string, inputDim: number | undefined, inputShape: readonly number[] | undefined): number | null {
  let d: number | null = inputDim === undefined ? null : checkPositiveInt(`${where}: inputDim`, inputDim);
  if (inputShape !== undefined) {
    if (!Array.isArray(inputShape) || inputShape.length !== 1) {
      throw new Error(`${where}: inputShape must be [features] (one dimension; flatten images to [784]), got ${JSON.stringify(inputShape)}`);
    }
    const s = checkPositiveInt(`${where}: inputShape[0]`, inputShape[0]);
    if (d !== null && d !== s) throw new Error(`${where}: inputDim ${d} and inputShape [${s}] disagree; give one of them`);
    d = s;
  }
  return d;
}

/** y = x · scale + offset, elementwise (Keras' `Rescaling`): `layers.rescaling({ scale: 1 / 255, inputDim: 784 })`. */
export function rescaling(config: RescalingConfig): RescalingSpec {
  if (config === null || typeof config !== 'object') throw new Error('layers.rescaling: pass a config object, e.g. { scale: 1 / 255 }');
  for (const k of Object.keys(config)) {
    if (!RESCALING_KEYS.includes(k)) throw new Error(`layers.rescaling: unknown option '${k}'; options are ${RESCALING_KEYS.join(', ')}`);
  }
  const finite = (k: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`layers.rescaling: ${k} must be a finite number (e.g. scale: 1 / 255), got ${String(v)}`);
    return v;
  };
  return Object.freeze({
    type: 'rescaling',
    scale: finite('scale', config.scale),
    offset: finite('offset', config.offset ?? 0),
    inputDim: inputDimOf('layers.rescaling', config.inputDim, config.inputShape),
    name: config.name === undefined ? null : checkLayerName(config.name),
  });
}

export const layers = { dense, rescaling } as const;

/** A rescaling layer placed in a model: no params; its width is its input's. */
export interface BuiltRescaling {
  readonly spec: RescalingSpec;
  readonly name: string;
  readonly inputDim: number;
}

export type BuiltLayer = BuiltDense | BuiltRescaling;

export const isDense = (l: BuiltLayer): l is BuiltDense => l.spec.type === 'dense';

/** Values per output row of a layer. */
export const widthOf = (l: BuiltLayer): number => (isDense(l) ? l.spec.units : l.inputDim);

/** x · scale + offset */
export function applyRescaling(l: BuiltRescaling, x: Tensor): Tensor {
  const y = l.spec.scale === 1 ? x : x.mul(l.spec.scale);
  return l.spec.offset === 0 ? y : y.add(l.spec.offset);
}

/** A layer placed in a model: its name, input size, params. */
export interface BuiltDense {
  readonly spec: DenseSpec;
  readonly name: string;
  readonly inputDim: number;
  readonly kernel: Tensor<'param'>;
  readonly bias: Tensor<'param'> | null;
}

export function buildDense(spec: DenseSpec, name: string, inputDim: number): BuiltDense {
  const kernel = param(`${name}/kernel`, [inputDim, spec.units]);
  const bias = spec.useBias ? param(`${name}/bias`, [spec.units]) : null;
  return { spec, name, inputDim, kernel, bias };
}

/** activation(x · W + b) */
export function applyDense(l: BuiltDense, x: Tensor): Tensor {
  let z = x.matmul(l.kernel);
  if (l.bias) z = z.add(l.bias);
  return applyActivation(l.spec.activation, z);
}
