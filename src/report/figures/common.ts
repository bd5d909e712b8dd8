/**
 * Shared pieces of the figure functions. A figure function takes plain run data (arrays and
 * labels, never a model) and returns a Vega-Lite spec with its data inline, so the same spec
 * serves the static report, PNG export and the dashboard.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ArgumentError, describe } from '../../core/errors.js';

export type VegaLiteSpec = TopLevelSpec;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Defaults shared by every figure: white background, readable fonts, fixed size. */
export function frame(
  title: string,
  width = 420,
  height = 260,
): {
  $schema: string;
  title: string;
  width: number;
  height: number;
  background: string;
  config: object;
} {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width,
    height,
    background: 'white',
    config: { font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', view: { stroke: null } },
  };
}

/** Throws unless `v` is a non-empty array; returns it. */
export function nonEmpty<T>(where: string, argument: string, v: T[] | undefined): T[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new ArgumentError(where, argument, 'a non-empty array', describe(v));
  return v;
}

/** Throws unless `v` is a finite number; returns it. */
export function finite(where: string, argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ArgumentError(where, argument, 'a finite number', describe(v));
  return v;
}

/** Largest absolute value (at least a tiny positive number, so a symmetric domain is never empty). */
export function maxAbs(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m > 0 ? m : 1e-12;
}
