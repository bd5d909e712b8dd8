// Vega-Lite specs of the curves view: one chart per metric, every series of it (train,
// validation, per-step loss; of each compared run) as a faint raw line behind its smoothed line,
// on a linear or log y scale, against steps, epochs or relative wall time, zoomable (an interval
// selection bound to the scales: drag to pan, wheel to zoom, double-click resets).
import { smooth } from './smoothing';

export type CurveAxis = 'step' | 'epoch' | 'wall';

export interface CurvePoint {
  step: number | null;
  epoch: number | null;
  wall: number | null;
  value: number;
}

export interface CurveSeries {
  name: string;
  metric: string;
  split: string;
  points: CurvePoint[];
}

export interface RunSeries {
  run: string;
  status: 'running' | 'finished' | 'failed';
  stale: boolean;
  axes: CurveAxis[];
  series: CurveSeries[];
}

export const AXIS_TITLES: Record<CurveAxis, string> = {
  step: 'step (minibatch)',
  epoch: 'epoch',
  wall: 'wall time (s since start)',
};

export interface CurveOptions {
  axis: CurveAxis;
  smoothing: number;
  log: boolean;
}

/** Metric names of the runs' series, loss first. */
export function metricsOf(runs: RunSeries[]): string[] {
  const names = [...new Set(runs.flatMap((r) => r.series.map((s) => s.metric)))];
  return names.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/** The axes every run offers. */
export function commonAxes(runs: RunSeries[]): CurveAxis[] {
  const all = ['step', 'epoch', 'wall'] as const;
  const common = all.filter((a) => runs.every((r) => r.axes.includes(a)));
  // runs without an axis in common: any axis one of them has (the others' series are left out)
  return common.length > 0 ? common : all.filter((a) => runs.some((r) => r.axes.includes(a)));
}

interface Row {
  series: string;
  x: number;
  raw: number;
  smoothed: number;
  few: boolean;
}

/** The chart rows of one metric: x of the chosen axis, raw and smoothed values per series. */
export function curveRows(runs: RunSeries[], metric: string, o: CurveOptions): Row[] {
  const rows: Row[] = [];
  for (const r of runs) {
    const walls = r.series.flatMap((s) => s.points.map((p) => p.wall ?? Infinity));
    const t0 = Math.min(...walls);
    for (const s of r.series) {
      if (s.metric !== metric) continue;
      const label = runs.length > 1 ? `${r.run.slice(-8)} ${s.split}` : s.split;
      const xOf = (p: CurvePoint): number | null =>
        o.axis === 'wall' ? (p.wall === null ? null : (p.wall - t0) / 1000) : p[o.axis];
      const pts = s.points
        .map((p) => ({ x: xOf(p), v: p.value }))
        .filter((p): p is { x: number; v: number } => p.x !== null && (!o.log || p.v > 0))
        .sort((a, b) => a.x - b.x);
      const sm = smooth(
        pts.map((p) => p.v),
        o.smoothing,
      );
      pts.forEach((p, i) =>
        rows.push({ series: label, x: p.x, raw: p.v, smoothed: sm[i]!, few: pts.length <= 60 }),
      );
    }
  }
  return rows;
}

export function curveSpec(runs: RunSeries[], metric: string, o: CurveOptions): Record<string, unknown> {
  const y = (field: string) => ({
    field,
    type: 'quantitative',
    title: metric,
    scale: { type: o.log ? 'log' : 'linear', zero: false },
  });
  const x = { field: 'x', type: 'quantitative', title: AXIS_TITLES[o.axis] };
  const color = { field: 'series', type: 'nominal', title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 520,
    height: 220,
    data: { values: curveRows(runs, metric, o) },
    layer: [
      {
        name: 'raw',
        mark: { type: 'line', opacity: 0.25, strokeWidth: 1 },
        encoding: { x, y: y('raw'), color, detail: { field: 'series' } },
      },
      {
        name: 'smoothed',
        params: [{ name: 'zoom', select: 'interval', bind: 'scales' }],
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: y('smoothed'),
          color,
          tooltip: [
            { field: 'series' },
            { field: 'x', title: AXIS_TITLES[o.axis], format: '.4~g' },
            { field: 'raw', title: 'value', format: '.5~g' },
            { field: 'smoothed', format: '.5~g' },
          ],
        },
      },
      {
        name: 'points',
        transform: [{ filter: 'datum.few' }],
        mark: { type: 'point', filled: true, size: 24 },
        encoding: { x, y: y('smoothed'), color },
      },
    ],
  };
}
