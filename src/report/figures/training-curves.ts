/** Training curves: one panel per metric (loss, accuracy, ...), train and validation per epoch. */
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface TrainingCurvesData {
  /** One value of one metric at one step (epoch) for one split ('train', 'validation', ...). */
  points: { step: number; metric: string; split: string; value: number }[];
  title?: string;
}

export function trainingCurves(data: TrainingCurvesData): VegaLiteSpec {
  const where = 'trainingCurves';
  const points = nonEmpty(where, 'points', data.points).map((p, i) => ({
    step: finite(where, `points[${i}].step`, p.step),
    metric: String(p.metric),
    split: String(p.split),
    value: finite(where, `points[${i}].value`, p.value),
  }));
  const { width: _w, height: _h, title: _t, ...base } = frame('');
  return {
    ...base,
    title: data.title ?? 'Training curves',
    data: { values: points },
    facet: { field: 'metric', type: 'nominal', title: null },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'step',
          type: 'quantitative',
          title: 'epoch',
          axis: { tickMinStep: 1, format: 'd' },
        },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'split', type: 'nominal', title: 'split' },
        tooltip: [
          { field: 'metric', type: 'nominal' },
          { field: 'split', type: 'nominal' },
          { field: 'step', type: 'quantitative' },
          { field: 'value', type: 'quantitative', format: '.4g' },
        ],
      },
    },
  };
}
