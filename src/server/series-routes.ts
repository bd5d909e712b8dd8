/**
 * The curves view's data: every training series of a run with its step, epoch and wall time
 * (the per-step loss and the per-epoch train and validation metrics), readable while the run is
 * still being written; and the settings of compared runs, flattened to one row per setting.
 */
import type { FastifyInstance } from 'fastify';
import { splitMetricName } from '../report/run-figures.js';
import type { RunStore } from '../runs/store.js';
import type { RunRecord } from '../runs/types.js';
import { STEP_LOSS } from '../train/step-series.js';
import { requireRun } from './access.js';
import { HttpError } from './errors.js';
import { summarise } from './runs-routes.js';
import { runParams, runsQuery, splitRunList, tokenOnlyQuery } from './schemas.js';

export type SeriesAxis = 'step' | 'epoch' | 'wall';

export interface CurvePoint {
  step: number | null;
  epoch: number | null;
  /** ms since 1970 */
  wall: number | null;
  value: number;
}

export interface CurveSeries {
  name: string;
  /** the metric without its split prefix: `loss`, `accuracy`, ... */
  metric: string;
  split: string;
  points: CurvePoint[];
}

export interface RunSeries {
  run: string;
  status: RunRecord['status'];
  stale: boolean;
  /** the x axes every series of the run has values for */
  axes: SeriesAxis[];
  series: CurveSeries[];
}

/** A run's series: the recorded training series, or (runs without them) the metric series by step. */
export function runSeries(store: RunStore, id: string): RunSeries {
  const run = requireRun(store, id);
  const recorded = store.series(id);
  const byName = new Map<string, CurveSeries>();
  const seriesOf = (name: string): CurveSeries => {
    let s = byName.get(name);
    if (!s) {
      const split = name === STEP_LOSS ? { split: 'train (per step)', metric: 'loss' } : splitMetricName(name);
      s = { name, ...split, points: [] };
      byName.set(name, s);
    }
    return s;
  };
  let axes: SeriesAxis[];
  if (recorded.length > 0) {
    axes = ['step', 'epoch', 'wall'];
    for (const p of recorded) if (Number.isFinite(p.value)) seriesOf(p.name).points.push({ step: p.step, epoch: p.epoch, wall: p.wall, value: p.value });
  } else {
    // the metric table's step is the epoch for train runs, a plain step for other kinds
    const isTrain = run.kind === 'train' || run.kind === 'cv';
    axes = [isTrain ? 'epoch' : 'step'];
    for (const m of store.metrics(id)) {
      if (m.step === null || !Number.isFinite(m.value)) continue;
      seriesOf(m.name).points.push({ step: isTrain ? null : m.step, epoch: isTrain ? m.step : null, wall: null, value: m.value });
    }
  }
  return { run: id, status: run.status, stale: summarise(run).stale, axes, series: [...byName.values()] };
}

/** Config keys that are derived from the others (and large): not shown as settings. */
const DERIVED = new Set(['modelConfig']);

/** A config as `dotted.key → value text` (arrays as JSON, nested objects flattened). */
export function flattenSettings(config: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    if (config !== undefined) out[prefix || 'config'] = typeof config === 'string' ? config : JSON.stringify(config);
    return out;
  }
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    if (prefix === '' && DERIVED.has(k)) continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenSettings(v, key));
    else if (v !== undefined) out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

export interface SettingsTable {
  runs: string[];
  /** one row per setting any run has; `values[i]` is run i's (null: the run has no such setting) */
  rows: { key: string; values: (string | null)[]; differs: boolean }[];
}

export function settingsTable(runs: RunRecord[]): SettingsTable {
  const flat: Record<string, string>[] = runs.map((r) => ({ ...(r.seed === null ? {} : { seed: String(r.seed) }), ...flattenSettings(r.config) }));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const rows = keys.map((key) => {
    const values = flat.map((f) => f[key] ?? null);
    return { key, values, differs: new Set(values).size > 1 };
  });
  return { runs: runs.map((r) => r.id), rows };
}

export function registerSeriesRoutes(app: FastifyInstance, store: RunStore): void {
  app.get('/api/runs/:id/series', { schema: { params: runParams, querystring: tokenOnlyQuery } }, async (request) =>
    runSeries(store, (request.params as { id: string }).id),
  );

  app.get('/api/compare/settings', { schema: { querystring: runsQuery } }, async (request) => {
    const ids = splitRunList((request.query as { runs: string }).runs);
    if (ids.length > 50) throw new HttpError(400, 'bad_request', `compare: at most 50 runs in 'runs', received ${ids.length}`);
    return settingsTable(ids.map((id) => requireRun(store, id)));
  });
}
