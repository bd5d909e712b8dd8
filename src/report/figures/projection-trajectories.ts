/**
 * Projection trajectories: hidden states projected to 2-D (PCA, UMAP), one path per sequence from
 * its first to its last step, coloured by label; the last step is marked with a larger point.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface ProjectionData {
  sequences: { id: string; label?: string; points: [number, number][] }[];
  xTitle?: string;
  yTitle?: string;
  title?: string;
}

export function projectionTrajectories(data: ProjectionData): VegaLiteSpec {
  const where = 'projectionTrajectories';
  const rows: { seq: string; label: string; step: number; x: number; y: number; last: boolean }[] =
    [];
  nonEmpty(where, 'sequences', data.sequences).forEach((s, i) => {
    const pts = nonEmpty(where, `sequences[${i}].points`, s.points);
    pts.forEach((p, t) => {
      if (!Array.isArray(p) || p.length !== 2)
        throw new ArgumentError(where, `sequences[${i}].points[${t}]`, 'an [x, y] pair', String(p));
      rows.push({
        seq: String(s.id),
        label: s.label ?? 'sequence',
        step: t,
        x: finite(where, `sequences[${i}].points[${t}][0]`, p[0]),
        y: finite(where, `sequences[${i}].points[${t}][1]`, p[1]),
        last: t === pts.length - 1,
      });
    });
  });
  const tooltip = [
    { field: 'seq', type: 'nominal' as const, title: 'sequence' },
    { field: 'label', type: 'nominal' as const },
    { field: 'step', type: 'quantitative' as const },
  ];
  return {
    ...frame(data.title ?? 'Hidden-state trajectories', 380, 340),
    data: { values: rows },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: data.xTitle ?? 'component 1',
        scale: { zero: false },
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: data.yTitle ?? 'component 2',
        scale: { zero: false },
      },
      color: { field: 'label', type: 'nominal', title: 'label' },
    },
    layer: [
      {
        mark: { type: 'line', opacity: 0.6, strokeWidth: 1.2 },
        encoding: {
          detail: { field: 'seq', type: 'nominal' },
          order: { field: 'step', type: 'quantitative' },
        },
      },
      { mark: { type: 'circle', size: 14 }, encoding: { tooltip } },
      {
        transform: [{ filter: 'datum.last' }],
        mark: { type: 'circle', size: 80, stroke: 'black', strokeWidth: 1 },
        encoding: { tooltip },
      },
    ],
  };
}
