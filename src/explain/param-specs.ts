/**
 * The catalogue of attribution methods and their parameters, as `rnnlens explain` and the
 * dashboard's Explain page offer them: each parameter's flag, type, range, the methods that read
 * it and its default for each of them. The ranges and the methods come from params.ts (what the
 * CLI checks); the defaults are those the methods fall back to when a parameter is not given.
 */
import { getMethod, listMethods } from './attribute.js';
import { MAX_NOISE, MAX_SAMPLES, PARAM_METHODS } from './params.js';
import type { AttributionMethod } from './types.js';

/** The most integration / path steps (`--steps`). */
export const MAX_PATH_STEPS = 10_000;

export type ParamType = 'integer' | 'number' | 'steps-by-features' | 'baseline';

export interface ParamSpec {
  /** The name in the API's `params` object. */
  name: 'steps' | 'samples' | 'perms' | 'noise' | 'window' | 'stride' | 'baseline' | 'seed';
  /** The CLI option. */
  flag: string;
  type: ParamType;
  /** Inclusive range of numbers (of each part of a STEPSxFEATURES value). */
  min?: number;
  max?: number;
  /** Methods that read it; null = every method. */
  methods: readonly string[] | null;
  /** Default per method (for methods not listed: `fallback`). */
  defaults: Readonly<Record<string, number | string>>;
  fallback?: number | string;
  description: string;
}

export const PARAM_SPECS: readonly ParamSpec[] = [
  {
    name: 'steps',
    flag: '--steps',
    type: 'integer',
    min: 1,
    max: MAX_PATH_STEPS,
    methods: ['integrated-gradients'],
    defaults: { 'integrated-gradients': 50 },
    description: 'points on the path from the baseline to the input',
  },
  {
    name: 'samples',
    flag: '--samples',
    type: 'integer',
    min: 1,
    max: MAX_SAMPLES,
    methods: PARAM_METHODS.samples,
    defaults: { smoothgrad: 5, 'noise-tunnel': 5, 'gradient-shap': 5, 'kernel-shap': 25, lime: 25 },
    description: 'noisy copies (smoothgrad, gradient-shap) or coalitions (kernel-shap, lime)',
  },
  {
    name: 'perms',
    flag: '--perms',
    type: 'integer',
    min: 1,
    max: MAX_SAMPLES,
    methods: PARAM_METHODS.perms,
    defaults: { 'shapley-sampling': 25 },
    description: 'random permutations of the features',
  },
  {
    name: 'noise',
    flag: '--noise',
    type: 'number',
    min: 0,
    max: MAX_NOISE,
    methods: PARAM_METHODS.noise,
    defaults: { smoothgrad: 1, 'noise-tunnel': 1, 'gradient-shap': 0 },
    description: 'standard deviation of the Gaussian noise added to the input',
  },
  {
    name: 'window',
    flag: '--window',
    type: 'steps-by-features',
    min: 1,
    methods: PARAM_METHODS.window,
    defaults: { occlusion: '1' },
    description: 'occluded window, STEPS or STEPSxFEATURES (STEPS alone: all features)',
  },
  {
    name: 'stride',
    flag: '--stride',
    type: 'steps-by-features',
    min: 1,
    methods: PARAM_METHODS.stride,
    defaults: { occlusion: '1x1' },
    description: 'strides of the occlusion window, STEPS or STEPSxFEATURES',
  },
  {
    name: 'baseline',
    flag: '--baseline',
    type: 'baseline',
    methods: null,
    defaults: {},
    fallback: 'zeros',
    description: 'reference input: zeros | a number | pad | unk | token:<id> (tokens) | mean | blur[:W] (numeric)',
  },
  {
    name: 'seed',
    flag: '--seed',
    type: 'integer',
    min: 0,
    max: 2 ** 31 - 1,
    methods: null,
    defaults: {},
    fallback: 0,
    description: 'seed of every random choice',
  },
];

export function paramSpec(name: string): ParamSpec | undefined {
  return PARAM_SPECS.find((p) => p.name === name);
}

/** True when `method` reads the parameter. */
export function paramApplies(spec: ParamSpec, method: string): boolean {
  return spec.methods === null || spec.methods.includes(method);
}

/** A method's parameter as offered to a user: its range and its default for this method. */
export interface MethodParamInfo {
  name: ParamSpec['name'];
  flag: string;
  type: ParamType;
  min?: number;
  max?: number;
  default: number | string | null;
  description: string;
}

export interface MethodInfo {
  name: string;
  family: AttributionMethod['family'];
  inputKinds: AttributionMethod['inputKinds'];
  /** True when the method's attributions add up to F(x) − F(baseline) (a completeness gap is reported). */
  completeness: boolean;
  params: MethodParamInfo[];
}

/** Methods whose result carries a completeness gap (delta). */
const COMPLETE = new Set(['integrated-gradients', 'deeplift']);

/** Every registered method (the wrappers around another method excepted) with its parameters. */
export function methodCatalog(): MethodInfo[] {
  return listMethods()
    .filter((name) => name !== 'tsr' && name !== 'noise-tunnel')
    .map((name) => {
      const m = getMethod(name);
      const params = PARAM_SPECS.filter((p) => paramApplies(p, name)).map((p) => {
        const info: MethodParamInfo = {
          name: p.name,
          flag: p.flag,
          type: p.type,
          default: p.defaults[name] ?? p.fallback ?? null,
          description: p.description,
        };
        if (p.min !== undefined) info.min = p.min;
        if (p.max !== undefined) info.max = p.max;
        return info;
      });
      return { name, family: m.family, inputKinds: m.inputKinds, completeness: COMPLETE.has(name), params };
    });
}
