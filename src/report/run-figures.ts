/**
 * The figures of one run: training curves from its logged metric series, plus one figure per
 * 'figure' artifact (`{ figure, data, title? }`, written with RunWriter.writeFigure).
 */
import { RnnlensError } from '../core/errors.js';
import type { RunStore } from '../runs/store.js';
import type { MetricPoint } from '../runs/types.js';
import { buildFigure, type VegaLiteSpec } from './figures/index.js';
import { trainingCurves } from './figures/training-curves.js';

export interface RunFigure {
  /** Unique within the run: 'metrics' or the artifact's name. */
  key: string;
  /** The figure function that drew it. */
  figure: string;
  title: string;
  spec: VegaLiteSpec;
}

const SPLIT_PREFIXES: [RegExp, string][] = [
  [/^(val|valid|validation)[_/.-]/, 'validation'],
  [/^test[_/.-]/, 'test'],
  [/^train[_/.-]/, 'train'],
];

/** 'val_loss' → validation/loss, 'train/accuracy' → train/accuracy, 'loss' → train/loss. */
export function splitMetricName(name: string): { split: string; metric: string } {
  for (const [re, split] of SPLIT_PREFIXES) {
    if (re.test(name)) return { split, metric: name.replace(re, '') };
  }
  return { split: 'train', metric: name };
}

/** Training-curve points from the metric series that have steps (others are single values). */
export function curvePoints(
  metrics: MetricPoint[],
): { step: number; metric: string; split: string; value: number }[] {
  return metrics
    .filter((m) => m.step !== null && Number.isFinite(m.value))
    .map((m) => ({ step: m.step!, value: m.value, ...splitMetricName(m.name) }));
}

export function figuresForRun(store: RunStore, id: string): RunFigure[] {
  const out: RunFigure[] = [];
  const points = curvePoints(store.metrics(id));
  if (points.length > 0) {
    const spec = trainingCurves({ points });
    out.push({ key: 'metrics', figure: 'training-curves', title: 'Training curves', spec });
  }
  for (const a of store.artifacts(id)) {
    if (a.kind !== 'figure') continue;
    const stored = store.readJson(id, a.name) as {
      figure?: unknown;
      data?: unknown;
      title?: unknown;
    };
    try {
      const title = typeof stored.title === 'string' ? stored.title : undefined;
      const spec = buildFigure(String(stored.figure), stored.data, title);
      const t = (spec as { title?: unknown }).title;
      out.push({
        key: a.name,
        figure: String(stored.figure),
        title: typeof t === 'string' ? t : a.name,
        spec,
      });
    } catch (err) {
      throw new RnnlensError(
        `report: figure artifact '${a.name}' of run '${id}' cannot be drawn: ${(err as Error).message}`,
      );
    }
  }
  return out;
}
