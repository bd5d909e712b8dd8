/**
 * Intervention effects: the metric change caused by intervening on the chosen units (a red rule)
 * against the changes caused by the same intervention on random units of the same count (a
 * histogram, the permutation null), with the p-value in the title.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, type VegaLiteSpec } from './common.js';

export interface InterventionData {
  metricName: string;
  effect: number;
  randomEffects: number[];
  p: number | null;
  exact?: boolean;
  units: number[];
  layer: string;
  clean?: number;
  intervened?: number;
  title?: string;
}

export function intervention(data: InterventionData): VegaLiteSpec {
  const where = 'intervention';
  if (typeof data.metricName !== 'string' || data.metricName === '') throw new ArgumentError(where, 'metricName', 'a metric name', JSON.stringify(data.metricName));
  if (!Array.isArray(data.randomEffects)) throw new ArgumentError(where, 'randomEffects', 'an array of numbers', typeof data.randomEffects);
  if (!Array.isArray(data.units) || data.units.length === 0) throw new ArgumentError(where, 'units', 'the chosen units', JSON.stringify(data.units));
  const effect = finite(where, 'effect', data.effect);
  const random = data.randomEffects.map((e, i) => ({ effect: finite(where, `randomEffects[${i}]`, e) }));
  const label = `unit${data.units.length > 1 ? 's' : ''} ${data.units.join(', ')}`;
  const x = { field: 'effect', type: 'quantitative' as const, title: `${data.metricName} lost (clean − intervened; > 0 is worse)` };
  const pText = data.p === null ? 'no random sets' : `p = ${data.p.toFixed(4)}${data.exact ? ' (exact)' : ''} against ${random.length} random unit sets`;
  return {
    ...frame(data.title ?? `Intervention on ${label} of ${data.layer}: ${pText}`, 420, 260),
    layer: [
      {
        data: { values: random },
        mark: { type: 'bar', color: '#9aa0a6', opacity: 0.8 },
        encoding: {
          x: { ...x, bin: { maxbins: 30 } },
          y: { aggregate: 'count', type: 'quantitative', title: 'random unit sets' },
        },
      },
      {
        data: { values: [{ effect, what: label }] },
        mark: { type: 'rule', color: '#d93025', strokeWidth: 3 },
        encoding: { x, tooltip: [{ field: 'what', type: 'nominal' }, { field: 'effect', type: 'quantitative', format: '.4f' }] },
      },
      {
        data: { values: [{ effect, what: label }] },
        mark: { type: 'text', color: '#d93025', align: 'left', dx: 4, dy: -6, baseline: 'top', y: 0 },
        encoding: { x, text: { field: 'what', type: 'nominal' } },
      },
    ],
  };
}
