/**
 * Every figure of one run for the dashboard: training curves from the logged metric series,
 * distributions over epochs from `distributions.json`, and one figure per figure artifact
 * (`{ figure, title?, data, link? }`, see RunWriter.writeFigure). A figure that cannot be drawn
 * is returned with its error instead of failing the whole page.
 *
 * Linked selection: `link` says which datum fields of a figure hold a unit index and a sequence
 * id, so the dashboard can highlight the selected unit / sequence in any figure and turn a click
 * on a mark into a selection. Defaults: fields named `unit` and `seq`.
 */
import { buildFigure, type VegaLiteSpec } from '../report/figures/index.js';
import { trainingCurves } from '../report/figures/training-curves.js';
import { curvePoints } from '../report/run-figures.js';
import type { RunStore } from '../runs/store.js';
import { hasArtifact, readJsonArtifact } from './access.js';
import { distributionOverEpochs, parseDistributions } from './distribution-figure.js';

export interface FigureLink {
  unit?: string;
  seq?: string;
}

export interface DashboardFigure {
  key: string;
  group: 'training' | 'distributions' | 'artifacts';
  figure: string;
  title: string;
  spec?: VegaLiteSpec;
  error?: string;
  link: FigureLink;
}

export const DISTRIBUTIONS_ARTIFACT = 'distributions.json';

function titleOf(spec: VegaLiteSpec, fallback: string): string {
  const t = (spec as { title?: unknown }).title;
  return typeof t === 'string' && t.length > 0 ? t : fallback;
}

/** Which datum fields link to the shared unit / sequence selection. */
export function linkFor(figure: string, data: unknown, declared: unknown): FigureLink {
  const link: FigureLink = { unit: 'unit', seq: 'seq' };
  if (figure === 'heatmap' && data && typeof data === 'object') {
    const d = data as { rowTitle?: unknown; colTitle?: unknown; rowKeys?: unknown };
    if (d.rowTitle === 'unit') link.unit = 'row';
    // rows reordered (co-clustering): each cell carries its unit index as rowKey
    if (Array.isArray(d.rowKeys) && typeof d.rowTitle === 'string' && d.rowTitle.startsWith('unit')) link.unit = 'rowKey';
    if (d.colTitle === 'unit') link.unit = 'col';
    if (d.rowTitle === 'sequence') link.seq = 'row';
  }
  if (declared && typeof declared === 'object') {
    const l = declared as Record<string, unknown>;
    if (typeof l.unit === 'string') link.unit = l.unit;
    if (typeof l.seq === 'string') link.seq = l.seq;
  }
  return link;
}

function distributionFigures(store: RunStore, id: string, maxBytes: number): DashboardFigure[] {
  if (!hasArtifact(store, id, DISTRIBUTIONS_ARTIFACT)) return [];
  let records;
  try {
    records = parseDistributions(readJsonArtifact(store, id, DISTRIBUTIONS_ARTIFACT, maxBytes));
  } catch (err) {
    return [
      {
        key: DISTRIBUTIONS_ARTIFACT,
        group: 'distributions',
        figure: 'distribution-over-epochs',
        title: 'Distributions',
        error: (err as Error).message,
        link: {},
      },
    ];
  }
  const out: DashboardFigure[] = [];
  const layers = [...new Set(records.map((r) => r.layer))];
  for (const layer of layers) {
    for (const q of ['weights', 'gradients'] as const) {
      const spec = distributionOverEpochs(records, layer, q);
      out.push({
        key: `distributions:${layer}:${q}`,
        group: 'distributions',
        figure: 'distribution-over-epochs',
        title: titleOf(spec, layer),
        spec,
        link: {},
      });
    }
  }
  const ratios = records
    .filter((r) => typeof r.updateRatio === 'number' && Number.isFinite(r.updateRatio))
    .map((r) => ({
      step: r.epoch,
      metric: 'update ratio mean|Δw| / mean|w|',
      split: r.layer,
      value: r.updateRatio!,
    }));
  if (ratios.length > 0) {
    const spec = trainingCurves({ points: ratios, title: 'Update ratio per layer' });
    out.push({
      key: 'distributions:update-ratio',
      group: 'distributions',
      figure: 'training-curves',
      title: 'Update ratio per layer',
      spec,
      link: {},
    });
  }
  return out;
}

/** The run's figures; the run must be finished or failed (artifacts complete). */
export function dashboardFigures(store: RunStore, id: string, maxBytes: number): DashboardFigure[] {
  const out: DashboardFigure[] = [];
  const points = curvePoints(store.metrics(id));
  if (points.length > 0) {
    out.push({
      key: 'metrics',
      group: 'training',
      figure: 'training-curves',
      title: 'Training curves',
      spec: trainingCurves({ points }),
      link: {},
    });
  }
  out.push(...distributionFigures(store, id, maxBytes));
  for (const a of store.artifacts(id)) {
    if (a.kind !== 'figure') continue;
    try {
      const stored = readJsonArtifact(store, id, a.name, maxBytes) as {
        figure?: unknown;
        data?: unknown;
        title?: unknown;
        link?: unknown;
      };
      const figure = String(stored?.figure);
      const title = typeof stored?.title === 'string' ? stored.title : undefined;
      const spec = buildFigure(figure, stored?.data, title);
      out.push({
        key: a.name,
        group: 'artifacts',
        figure,
        title: titleOf(spec, a.name),
        spec,
        link: linkFor(figure, stored.data, stored.link),
      });
    } catch (err) {
      const figure = typeof a.meta.figure === 'string' ? a.meta.figure : 'unknown';
      out.push({
        key: a.name,
        group: 'artifacts',
        figure,
        title: a.name,
        error: (err as Error).message,
        link: {},
      });
    }
  }
  return out;
}
