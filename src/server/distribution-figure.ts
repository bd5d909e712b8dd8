/**
 * Weight and gradient distributions over epochs from histogram summaries (what training records
 * in `distributions.json`: per layer and epoch `{ min, max, mean, sd, edges, counts }`). Each
 * epoch keeps its own bin edges, so the figure draws one column of cells per epoch, cell k
 * spanning [edges[k], edges[k+1]] shaded by the fraction of values in it, with mean ± sd on top.
 */
import { frame, type VegaLiteSpec } from '../report/figures/common.js';
import { ArgumentError, describe } from '../core/errors.js';

export interface HistogramSummary {
  min: number;
  max: number;
  mean: number;
  sd: number;
  edges: number[];
  counts: number[];
}

export interface LayerDistributionRecord {
  epoch: number;
  layer: string;
  weights: HistogramSummary;
  gradients: HistogramSummary;
  updateRatio?: number;
}

function checkHistogram(where: string, arg: string, h: unknown): HistogramSummary {
  const x = h as HistogramSummary;
  const ok =
    x &&
    typeof x === 'object' &&
    [x.min, x.max, x.mean, x.sd].every((v) => typeof v === 'number') &&
    Array.isArray(x.edges) &&
    Array.isArray(x.counts) &&
    x.edges.length === x.counts.length + 1;
  if (!ok)
    throw new ArgumentError(
      where,
      arg,
      '{ min, max, mean, sd, edges (counts + 1 values), counts }',
      describe(h),
    );
  return x;
}

/** Checks the shape of a `distributions.json` artifact; returns its records. */
export function parseDistributions(value: unknown): LayerDistributionRecord[] {
  const where = 'distributions.json';
  if (!Array.isArray(value))
    throw new ArgumentError(
      where,
      'records',
      'an array of { epoch, layer, weights, gradients }',
      describe(value),
    );
  return value.map((r, i) => {
    const rec = r as LayerDistributionRecord;
    if (!rec || typeof rec.layer !== 'string' || typeof rec.epoch !== 'number') {
      throw new ArgumentError(
        where,
        `records[${i}]`,
        'an object with a layer name and an epoch',
        describe(r),
      );
    }
    checkHistogram(where, `records[${i}].weights`, rec.weights);
    checkHistogram(where, `records[${i}].gradients`, rec.gradients);
    return rec;
  });
}

export type DistributionQuantity = 'weights' | 'gradients';

/** One layer's distribution of weights (or gradients) over epochs as a Vega-Lite spec. */
export function distributionOverEpochs(
  records: LayerDistributionRecord[],
  layer: string,
  quantity: DistributionQuantity,
): VegaLiteSpec {
  const mine = records.filter((r) => r.layer === layer).sort((a, b) => a.epoch - b.epoch);
  if (mine.length === 0)
    throw new ArgumentError(
      'distributionOverEpochs',
      'layer',
      `one of ${[...new Set(records.map((r) => r.layer))].join(', ')}`,
      describe(layer),
    );
  const cells: {
    epoch: number;
    e0: number;
    e1: number;
    lo: number;
    hi: number;
    count: number;
    fraction: number;
  }[] = [];
  const stats: { epoch: number; mean: number; lo: number; hi: number }[] = [];
  for (const r of mine) {
    const h = r[quantity];
    const n = h.counts.reduce((a, b) => a + b, 0) || 1;
    // a constant tensor has one bin with equal edges: give it a visible height
    const pad = h.max > h.min ? 0 : Math.max(1e-6, Math.abs(h.min) * 1e-3);
    h.counts.forEach((c, k) =>
      cells.push({
        epoch: r.epoch,
        e0: r.epoch - 0.4,
        e1: r.epoch + 0.4,
        lo: h.edges[k]! - pad,
        hi: h.edges[k + 1]! + pad,
        count: c,
        fraction: c / n,
      }),
    );
    stats.push({ epoch: r.epoch, mean: h.mean, lo: h.mean - h.sd, hi: h.mean + h.sd });
  }
  return {
    ...frame(`${layer}: ${quantity} over epochs`, 300, 190),
    layer: [
      {
        data: { values: cells },
        mark: 'rect',
        encoding: {
          x: {
            field: 'e0',
            type: 'quantitative',
            title: 'epoch',
            axis: { tickMinStep: 1, format: 'd' },
          },
          x2: { field: 'e1' },
          y: {
            field: 'lo',
            type: 'quantitative',
            title: quantity === 'weights' ? 'weight value' : 'gradient value',
          },
          y2: { field: 'hi' },
          color: {
            field: 'fraction',
            type: 'quantitative',
            scale: { scheme: quantity === 'weights' ? 'blues' : 'oranges' },
            title: 'fraction',
          },
          tooltip: [
            { field: 'epoch', type: 'quantitative' },
            { field: 'lo', type: 'quantitative', format: '.3g' },
            { field: 'hi', type: 'quantitative', format: '.3g' },
            { field: 'count', type: 'quantitative' },
          ],
        },
      },
      {
        data: { values: stats },
        mark: { type: 'rule', color: '#555' },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: stats },
        mark: { type: 'line', color: '#d62728', point: { color: '#d62728' } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'mean', type: 'quantitative' },
          tooltip: [
            { field: 'epoch', type: 'quantitative' },
            { field: 'mean', type: 'quantitative', format: '.4g' },
          ],
        },
      },
    ],
  } as VegaLiteSpec;
}
