/**
 * Certified bounds per class: for one input region, the interval [lower, upper] that every
 * reachable logit of each class is proven to lie in. The prediction is certified when the
 * predicted class's lower bound exceeds every other class's upper bound.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface CertifiedIntervalsData {
  classes: { label: string; lower: number; upper: number }[];
  /** Label of the predicted (clean) class, highlighted. */
  predicted?: string;
  title?: string;
}

/** True when the predicted class's lower bound is above every other class's upper bound. */
export function isCertified(data: CertifiedIntervalsData): boolean {
  const p = data.classes.find((c) => c.label === data.predicted);
  if (!p) return false;
  return data.classes.every((c) => c === p || c.upper < p.lower);
}

export function certifiedIntervals(data: CertifiedIntervalsData): VegaLiteSpec {
  const where = 'certifiedIntervals';
  const rows = nonEmpty(where, 'classes', data.classes).map((c, i) => {
    const lower = finite(where, `classes[${i}].lower`, c.lower);
    const upper = finite(where, `classes[${i}].upper`, c.upper);
    if (lower > upper)
      throw new ArgumentError(where, `classes[${i}]`, 'lower <= upper', `${lower} > ${upper}`);
    return {
      label: String(c.label),
      lower,
      upper,
      role: c.label === data.predicted ? 'predicted' : 'other',
    };
  });
  if (data.predicted !== undefined && !rows.some((r) => r.role === 'predicted')) {
    throw new ArgumentError(
      where,
      'predicted',
      `one of the class labels (${rows.map((r) => r.label).join(', ')})`,
      JSON.stringify(data.predicted),
    );
  }
  const verdict =
    data.predicted === undefined ? '' : isCertified(data) ? ' — certified' : ' — not certified';
  return {
    ...frame(
      data.title ?? `Certified logit bounds per class${verdict}`,
      420,
      Math.max(80, 28 * rows.length),
    ),
    data: { values: rows },
    encoding: {
      y: { field: 'label', type: 'nominal', title: 'class', sort: rows.map((r) => r.label) },
    },
    layer: [
      {
        mark: { type: 'bar', height: 12, cornerRadius: 2 },
        encoding: {
          x: {
            field: 'lower',
            type: 'quantitative',
            title: 'logit bounds',
            scale: { zero: false },
          },
          x2: { field: 'upper' },
          color: {
            field: 'role',
            type: 'nominal',
            scale: { domain: ['predicted', 'other'], range: ['#d62728', '#9e9e9e'] },
            title: null,
          },
          tooltip: [
            { field: 'label', type: 'nominal' },
            { field: 'lower', type: 'quantitative', format: '.4g' },
            { field: 'upper', type: 'quantitative', format: '.4g' },
          ],
        },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 2, size: 14 },
        encoding: { x: { field: 'lower', type: 'quantitative' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 2, size: 14 },
        encoding: { x: { field: 'upper', type: 'quantitative' } },
      },
    ],
  };
}
