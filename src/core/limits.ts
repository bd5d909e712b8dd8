/**
 * Size limits checked before anything is built or allocated: a model file, a topology or a CLI
 * option that declares a huge model fails at once with a message naming the limit and how to
 * raise it, instead of allocating gigabytes (or throwing a RangeError) first.
 *
 * Defaults can be raised per process with environment variables (RNNLENS_MAX_PARAMETERS, …) or
 * from code with `setLimit`.
 */
import { ArgumentError } from './errors.js';

export interface Limits {
  /** Parameters (float values) of one model: 100 million (400 MB as float32). */
  parameters: number;
  /** Units of one layer (hidden size, dense width, embedding dimension). */
  units: number;
  /** Vocabulary size of an embedding. */
  vocabulary: number;
}

const DEFAULTS: Limits = { parameters: 100_000_000, units: 65_536, vocabulary: 10_000_000 };
const ENV: Record<keyof Limits, string> = {
  parameters: 'RNNLENS_MAX_PARAMETERS',
  units: 'RNNLENS_MAX_UNITS',
  vocabulary: 'RNNLENS_MAX_VOCABULARY',
};
const overrides: Partial<Limits> = {};

/** The limit in force: `setLimit`, else the environment variable, else the default. */
export function getLimit(name: keyof Limits): number {
  const set = overrides[name];
  if (set !== undefined) return set;
  const env = process.env[ENV[name]];
  if (env !== undefined && env !== '') {
    const v = Number(env);
    if (!Number.isSafeInteger(v) || v < 1) throw new ArgumentError('limits', ENV[name], 'a positive integer', JSON.stringify(env));
    return v;
  }
  return DEFAULTS[name];
}

export function setLimit(name: keyof Limits, value: number | undefined): void {
  if (value === undefined) delete overrides[name];
  else {
    if (!Number.isSafeInteger(value) || value < 1) throw new ArgumentError('setLimit', name, 'a positive integer', String(value));
    overrides[name] = value;
  }
}

/** Throws unless `value` ≤ the named limit; `what` says where the value came from. */
export function checkLimit(where: string, what: string, name: keyof Limits, value: number): void {
  const limit = getLimit(name);
  if (!(value <= limit)) {
    throw new ArgumentError(
      where,
      what,
      `at most ${limit.toLocaleString('en-US')} (the ${name} limit; raise it with ${ENV[name]}=N)`,
      Number.isFinite(value) ? value.toLocaleString('en-US') : String(value),
    );
  }
}
