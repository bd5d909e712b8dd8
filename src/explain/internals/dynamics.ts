/**
 * Training dynamics from what the trainer records: per-layer histograms of weights and gradients
 * over epochs (TensorBoard's distributions), update-to-weight ratios (mean |Δw| / mean |w| of an
 * epoch's last update; around 1e-3 is the usual healthy range), and, from traces taken after
 * every epoch, dead units (|h| below `deadBelow` at every traced step: never active) and
 * saturated units (|h| above `saturatedAbove` at `saturatedShare` of the steps or more).
 */
import { ArgumentError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { SequenceModel } from '../../nn/model.js';
import type { HistogramOverEpochsData } from '../../report/figures/histogram-over-epochs.js';
import type { Histogram } from '../../train/histograms.js';
import type { LayerDistribution } from '../../train/trainer.js';
import { collectTraces, type TraceSet } from './collect.js';

/** Values standing for a recorded histogram: each bin's centre repeated by its (scaled) count. */
export function histogramValues(h: Histogram, maxValues = 20000): Float64Array {
  const total = h.counts.reduce((a, c) => a + c, 0);
  const scale = total > maxValues ? maxValues / total : 1;
  const out: number[] = [];
  h.counts.forEach((c, k) => {
    const centre = (h.edges[k]! + h.edges[k + 1]!) / 2;
    const n = Math.round(c * scale);
    for (let j = 0; j < n; j++) out.push(centre);
  });
  return Float64Array.from(out);
}

/** Histogram-over-epochs figure data per layer: weights, gradients and, for recurrent layers, hidden-state and gate activations. */
export function distributionFigures(
  dists: readonly LayerDistribution[],
): HistogramOverEpochsData[] {
  const layers = [...new Set(dists.map((d) => d.layer))];
  const out: HistogramOverEpochsData[] = [];
  for (const layer of layers) {
    const rows = dists.filter((d) => d.layer === layer).sort((a, b) => a.epoch - b.epoch);
    for (const what of ['weights', 'gradients', 'activations', 'gates'] as const) {
      const epochs = rows
        .flatMap((d) => {
          const h = d[what];
          return h ? [{ epoch: d.epoch, values: histogramValues(h) }] : [];
        })
        .filter((e) => e.values.length > 0);
      if (epochs.length > 0) out.push({ name: `${what} of ${layer}`, epochs });
    }
  }
  return out;
}

export interface UpdateRatioSeries {
  layer: string;
  points: { epoch: number; ratio: number }[];
}

export function updateRatios(dists: readonly LayerDistribution[]): UpdateRatioSeries[] {
  const layers = [...new Set(dists.map((d) => d.layer))];
  return layers.map((layer) => ({
    layer,
    points: dists
      .filter((d) => d.layer === layer)
      .sort((a, b) => a.epoch - b.epoch)
      .map((d) => ({ epoch: d.epoch, ratio: d.updateRatio })),
  }));
}

export interface ActivityOptions {
  deadBelow?: number;
  saturatedAbove?: number;
  saturatedShare?: number;
}

export interface LayerActivity {
  layer: string;
  units: number;
  dead: number[];
  saturated: number[];
}

export function unitActivity(ts: TraceSet, opts: ActivityOptions = {}): LayerActivity[] {
  const dead = opts.deadBelow ?? 1e-3;
  const satAbove = opts.saturatedAbove ?? 0.95;
  const share = opts.saturatedShare ?? 0.95;
  if (!(share > 0 && share <= 1))
    throw new ArgumentError(
      'unitActivity',
      'saturatedShare',
      'a fraction in (0, 1]',
      String(share),
    );
  return ts.layers.map((info, k) => {
    const h = ts.values[k]!.h;
    if (!h)
      throw new ArgumentError(
        'unitActivity',
        'traces',
        `hidden states of ${info.key}`,
        'none collected',
      );
    const out: LayerActivity = { layer: info.key, units: h.cols, dead: [], saturated: [] };
    for (let u = 0; u < h.cols; u++) {
      let active = 0;
      let sat = 0;
      for (let i = 0; i < h.rows; i++) {
        const a = Math.abs(h.data[i * h.cols + u]!);
        if (a >= dead) active++;
        if (a > satAbove) sat++;
      }
      if (active === 0) out.dead.push(u);
      if (sat >= share * h.rows) out.saturated.push(u);
    }
    return out;
  });
}

export interface ActivityRecord extends LayerActivity {
  epoch: number;
}

/**
 * Records dead and saturated units after every epoch on a fixed probe set; pass
 * `recorder.onEpochEnd` as the trainer's `onEpochEnd` (or call it yourself).
 */
export function activityRecorder(
  model: SequenceModel,
  probe: Dataset,
  opts: ActivityOptions & { maxSequences?: number } = {},
): { records: ActivityRecord[]; onEpochEnd: (r: { epoch: number }) => void } {
  const n = Math.min(probe.items.length, opts.maxSequences ?? 64);
  const sequences = Int32Array.from({ length: n }, (_, i) => i);
  const records: ActivityRecord[] = [];
  return {
    records,
    onEpochEnd: (r) => {
      const ts = collectTraces(model, probe, { sequences, fields: ['h'] });
      for (const a of unitActivity(ts, opts)) records.push({ epoch: r.epoch, ...a });
    },
  };
}
