/**
 * Gradient flow: the norm of ∂F/∂h_{T−k} (F the differentiated scalar: a loss, or a logit as in
 * internals, which says which in `yTitle`) against the lag k, on a log scale, which shows
 * vanishing (straight falling line) or exploding gradients through time, one line per layer or model.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface GradientFlowData {
  points: { lag: number; norm: number; series?: string }[];
  /** Log-scale y axis (default true; needs every norm > 0). */
  logScale?: boolean;
  title?: string;
  /** The y axis: what is differentiated (default ‖∂loss/∂h(T−k)‖). */
  yTitle?: string;
}

export function gradientFlow(data: GradientFlowData): VegaLiteSpec {
  const where = 'gradientFlow';
  const log = data.logScale ?? true;
  const points = nonEmpty(where, 'points', data.points).map((p, i) => {
    const norm = finite(where, `points[${i}].norm`, p.norm);
    if (norm < 0 || (log && norm === 0))
      throw new ArgumentError(
        where,
        `points[${i}].norm`,
        log ? 'a positive number (log scale)' : 'a number >= 0',
        String(norm),
      );
    return { lag: finite(where, `points[${i}].lag`, p.lag), norm, series: p.series ?? 'gradient' };
  });
  return {
    ...frame(data.title ?? 'Gradient norm against lag'),
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'lag', type: 'quantitative', title: 'lag k (steps back from the last)' },
      y: {
        field: 'norm',
        type: 'quantitative',
        scale: log ? { type: 'log' } : {},
        title: data.yTitle ?? '‖∂loss/∂h(T−k)‖',
      },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'lag', type: 'quantitative' },
        { field: 'norm', type: 'quantitative', format: '.3e' },
      ],
    },
  };
}
