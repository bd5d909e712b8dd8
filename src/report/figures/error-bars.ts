/** Bar chart with error bars: a metric ± its interval per model (or fold), e.g. CV accuracy with a 95% CI. */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface ErrorBarsData {
  /** What is measured, e.g. 'accuracy'. */
  metric: string;
  rows: { group: string; value: number; lower: number; upper: number; series?: string }[];
  title?: string;
}

export function errorBars(data: ErrorBarsData): VegaLiteSpec {
  const where = 'errorBars';
  const rows = nonEmpty(where, 'rows', data.rows).map((r, i) => {
    const value = finite(where, `rows[${i}].value`, r.value);
    const lower = finite(where, `rows[${i}].lower`, r.lower);
    const upper = finite(where, `rows[${i}].upper`, r.upper);
    if (!(lower <= value && value <= upper)) {
      throw new ArgumentError(
        where,
        `rows[${i}]`,
        'lower <= value <= upper',
        `${lower}, ${value}, ${upper}`,
      );
    }
    return { group: String(r.group), value, lower, upper, series: r.series ?? '' };
  });
  const hasSeries = rows.some((r) => r.series !== '');
  const offset = hasSeries ? { xOffset: { field: 'series', type: 'nominal' as const } } : {};
  const tooltip = [
    { field: 'group', type: 'nominal' as const },
    ...(hasSeries ? [{ field: 'series', type: 'nominal' as const }] : []),
    { field: 'value', type: 'quantitative' as const, format: '.4g' },
    { field: 'lower', type: 'quantitative' as const, format: '.4g' },
    { field: 'upper', type: 'quantitative' as const, format: '.4g' },
  ];
  return {
    ...frame(
      data.title ?? `${data.metric} with intervals`,
      Math.max(200, Math.min(640, 60 * rows.length)),
    ),
    data: { values: rows },
    encoding: {
      x: { field: 'group', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
      ...offset,
    },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.8 },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: data.metric },
          color: hasSeries
            ? { field: 'series', type: 'nominal', title: null }
            : { value: '#4c78a8' },
          tooltip,
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5, color: 'black' },
        encoding: { y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 1.5, size: 10 },
        encoding: { y: { field: 'upper', type: 'quantitative' } },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 1.5, size: 10 },
        encoding: { y: { field: 'lower', type: 'quantitative' } },
      },
    ],
  };
}
