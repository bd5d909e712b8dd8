/** Creating parameters, and what a layer needs to know when it is built. */
import type { Parameter } from '../core/parameter.js';
import type { Rng } from '../core/rng.js';
import { allocFloat, sizeOf, type DType } from '../core/tensor.js';
import type { InitScheme } from './config.js';

export interface BuildContext {
  dtype: DType;
  /** Draws the initial weights. */
  rng: Rng;
  init: InitScheme;
  /** Keras LSTM forget-gate bias 1 (only with init 'keras'). */
  unitForgetBias: boolean;
}

export function makeParameter(name: string, shape: number[], dtype: DType): Parameter {
  const n = sizeOf(shape);
  return { name, shape, value: allocFloat(dtype, n), grad: allocFloat(dtype, n) };
}
