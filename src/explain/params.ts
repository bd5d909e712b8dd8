/**
 * The parameters of attribution methods as `rnnlens explain` takes them (`--window`, `--stride`,
 * `--samples`, `--perms`, `--noise`): which method reads which, parsing of their text forms, and
 * their check against the model and input before any work. They map to `AttributeOptions`
 * (window, strides, samples, permutations, stdevs).
 */
import { RnnlensError } from '../core/errors.js';
import type { SequenceModel } from '../nn/model.js';
import type { AttributeOptions } from './types.js';
import { MAX_ALL_ORDERS_GROUPS } from './methods/shapley-sampling.js';

/** A window or stride: steps × features; `features` absent = all features (window) or 1 (stride). */
export interface StepsByFeatures {
  steps: number;
  features?: number;
}

export interface MethodParams {
  /** Occlusion window. */
  window?: StepsByFeatures;
  /** Occlusion strides. */
  stride?: StepsByFeatures;
  /** Samples of the noise tunnel (smoothgrad), Gradient SHAP, KernelSHAP and LIME. */
  samples?: number;
  /** Permutations of Shapley value sampling; 'all': every order (exact Shapley values). */
  perms?: number | 'all';
  /** Standard deviation of the Gaussian noise of the noise tunnel and Gradient SHAP. */
  noise?: number;
}

/** The largest count of samples or permutations (each is at least one forward pass per group). */
export const MAX_SAMPLES = 10_000;
/** The largest noise standard deviation (inputs and embeddings are of order 1). */
export const MAX_NOISE = 10_000;

/** Which methods read each parameter (a method not listed ignores it, so giving it is an error). */
export const PARAM_METHODS: Record<keyof MethodParams, readonly string[]> = {
  window: ['occlusion'],
  stride: ['occlusion'],
  samples: ['smoothgrad', 'noise-tunnel', 'gradient-shap', 'kernel-shap', 'lime'],
  perms: ['shapley-sampling'],
  noise: ['smoothgrad', 'noise-tunnel', 'gradient-shap'],
};

const FLAGS: Record<keyof MethodParams, string> = { window: '--window', stride: '--stride', samples: '--samples', perms: '--perms', noise: '--noise' };

/** `STEPS` or `STEPSxFEATURES` (integers >= 1); `flag` names the option in the error. */
export function parseStepsByFeatures(flag: string, v: string): StepsByFeatures {
  const m = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/i.exec(v);
  const steps = m ? Number(m[1]) : NaN;
  const features = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || steps < 1 || (features !== undefined && features < 1) || steps > 1e9 || (features ?? 1) > 1e9)
    throw new RnnlensError(`explain: ${flag} expected STEPS or STEPSxFEATURES with integers >= 1 (e.g. 3 or 3x2), received ${JSON.stringify(v)}`);
  return features === undefined ? { steps } : { steps, features };
}

/** The features of the space a method perturbs: the input's, or the embedding's for token models. */
export function workFeatures(model: SequenceModel): number {
  if (model.inputSpec.kind === 'tokens') return model.layers[0]!.outputFeatures;
  return model.inputSpec.features;
}

/**
 * Refuses parameters the method does not read and values the model cannot take (before any
 * work); `steps` (the input's padded steps) bounds the window when the input is known.
 */
export function checkMethodParams(model: SequenceModel, method: string, p: MethodParams, steps?: number): void {
  for (const key of Object.keys(FLAGS) as (keyof MethodParams)[]) {
    if (p[key] === undefined) continue;
    const users = PARAM_METHODS[key];
    if (!users.includes(method))
      throw new RnnlensError(`explain: ${FLAGS[key]} is a parameter of ${users.join(', ')}; --method ${method} does not use it`);
  }
  const F = workFeatures(model);
  const where = model.inputSpec.kind === 'tokens' ? `the embedding has ${F} dimensions` : `the model reads ${F} features`;
  if (model.inputSpec.kind === 'tokens' && p.window?.features !== undefined && p.window.features !== F)
    throw new RnnlensError(`explain: --window expected STEPS (or STEPSx${F}) for a token model: occlusion replaces whole tokens (all ${F} embedding dimensions), received ${p.window.steps}x${p.window.features}`);
  if (p.window?.features !== undefined && p.window.features > F)
    throw new RnnlensError(`explain: --window expected at most ${F} features (${where}), received ${p.window.features}`);
  if (p.window && steps !== undefined && p.window.steps > steps)
    throw new RnnlensError(`explain: --window expected at most ${steps} steps (the longest input sequence), received ${p.window.steps}`);
  if (p.perms === 'all' && steps !== undefined && steps > MAX_ALL_ORDERS_GROUPS)
    throw new RnnlensError(`explain: --perms all expected sequences of at most ${MAX_ALL_ORDERS_GROUPS} steps (it runs every one of the steps! orders), received ${steps} steps`);
  for (const key of ['samples', 'perms'] as const) {
    const n = p[key];
    if (n !== undefined && n !== 'all' && (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLES))
      throw new RnnlensError(`explain: ${FLAGS[key]} expected an integer in [1, ${MAX_SAMPLES.toLocaleString('en-US')}], received ${n}`);
  }
  if (p.noise !== undefined && (!Number.isFinite(p.noise) || p.noise < 0 || p.noise > MAX_NOISE))
    throw new RnnlensError(`explain: --noise expected a standard deviation in [0, ${MAX_NOISE.toLocaleString('en-US')}], received ${p.noise}`);
}

/** The parameters as attribution options. */
export function applyMethodParams(options: AttributeOptions, model: SequenceModel, p: MethodParams): void {
  const F = workFeatures(model);
  if (p.window) options.window = [p.window.steps, p.window.features ?? F];
  if (p.stride) options.strides = [p.stride.steps, p.stride.features ?? 1];
  if (p.samples !== undefined) options.samples = p.samples;
  if (p.perms !== undefined) options.permutations = p.perms;
  if (p.noise !== undefined) options.stdevs = p.noise;
}

