/**
 * Fixed points over trajectories: hidden-state trajectories (grey lines) projected on their first
 * two principal components, with the fixed and slow points found by `rnnlens dynamics` on top,
 * coloured by stability (stable, saddle, unstable) and shaped by kind (fixed, slow).
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, type VegaLiteSpec } from './common.js';

export interface FixedPointsData {
  trajectories: { id: string; label?: string; points: [number, number][] }[];
  points: { x: number; y: number; kind: string; stability: string; q: number; radius: number }[];
  xTitle?: string;
  yTitle?: string;
  title?: string;
}

const STABILITY = ['stable', 'saddle', 'unstable'];
const KINDS = ['fixed', 'slow'];

export function fixedPoints(data: FixedPointsData): VegaLiteSpec {
  const where = 'fixedPoints';
  if (!Array.isArray(data.trajectories)) throw new ArgumentError(where, 'trajectories', 'an array', typeof data.trajectories);
  if (!Array.isArray(data.points)) throw new ArgumentError(where, 'points', 'an array', typeof data.points);
  const lines: { seq: string; step: number; x: number; y: number }[] = [];
  data.trajectories.forEach((s, i) =>
    s.points.forEach((p, t) => lines.push({ seq: String(s.id), step: t, x: finite(where, `trajectories[${i}].points[${t}][0]`, p[0]), y: finite(where, `trajectories[${i}].points[${t}][1]`, p[1]) })),
  );
  const pts = data.points.map((p, i) => {
    if (!STABILITY.includes(p.stability)) throw new ArgumentError(where, `points[${i}].stability`, STABILITY.join(', '), JSON.stringify(p.stability));
    if (!KINDS.includes(p.kind)) throw new ArgumentError(where, `points[${i}].kind`, KINDS.join(', '), JSON.stringify(p.kind));
    return { x: finite(where, `points[${i}].x`, p.x), y: finite(where, `points[${i}].y`, p.y), kind: p.kind, stability: p.stability, q: finite(where, `points[${i}].q`, p.q), radius: finite(where, `points[${i}].radius`, p.radius) };
  });
  if (lines.length === 0 && pts.length === 0) throw new ArgumentError(where, 'data', 'trajectories or points', 'neither');
  const x = { field: 'x', type: 'quantitative' as const, title: data.xTitle ?? 'PC 1', scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: data.yTitle ?? 'PC 2', scale: { zero: false } };
  return {
    ...frame(data.title ?? 'Fixed points over trajectories', 420, 360),
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', color: '#9aa0a6', opacity: 0.35, strokeWidth: 1 },
        encoding: { x, y, detail: { field: 'seq', type: 'nominal' }, order: { field: 'step', type: 'quantitative' } },
      },
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: 110, stroke: 'black', strokeWidth: 0.8 },
        encoding: {
          x,
          y,
          color: { field: 'stability', type: 'nominal', scale: { domain: STABILITY, range: ['#1a73e8', '#f29900', '#d93025'] }, title: 'stability' },
          shape: { field: 'kind', type: 'nominal', scale: { domain: KINDS, range: ['circle', 'triangle-up'] }, title: 'kind' },
          tooltip: [
            { field: 'kind', type: 'nominal' },
            { field: 'stability', type: 'nominal' },
            { field: 'q', type: 'quantitative', format: '.2e' },
            { field: 'radius', type: 'quantitative', title: 'max |eigenvalue|', format: '.4f' },
          ],
        },
      },
    ],
  };
}
