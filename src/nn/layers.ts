/** Layers. `dense` is the one the seed needs: y = activation(x · W + b). */
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

export const layers = { dense } as const;

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
