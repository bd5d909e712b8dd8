/**
 * Reliability diagram: accuracy against confidence on equal-width bins, with the diagonal of
 * perfect calibration and the expected calibration error ECE = Σ_b (n_b / N)·|acc_b − conf_b|
 * (Guo et al., 2017). Binning follows scikit-learn's calibration_curve(strategy='uniform'):
 * a value lying exactly on an inner edge falls into the lower bin.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface ReliabilityData {
  /** Confidence of each prediction in [0, 1] (e.g. the top-class probability). */
  confidence: number[];
  /** Whether each prediction was right (true/1) or wrong (false/0). */
  correct: (boolean | number)[];
  bins?: number;
  title?: string;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence in the bin (sklearn's prob_pred). */
  confidence: number;
  /** Fraction correct in the bin (sklearn's prob_true). */
  accuracy: number;
}

export function reliabilityBins(data: ReliabilityData): { bins: ReliabilityBin[]; ece: number } {
  const where = 'reliabilityDiagram';
  const conf = nonEmpty(where, 'confidence', data.confidence);
  if (!Array.isArray(data.correct) || data.correct.length !== conf.length) {
    throw new ArgumentError(
      where,
      'correct',
      `${conf.length} values (one per confidence)`,
      `${data.correct?.length ?? 0} values`,
    );
  }
  const n = data.bins ?? 10;
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(where, 'bins', 'a positive integer', String(n));
  const step = 1 / n;
  // inner edges as numpy.linspace computes them (k·step), so edge cases bin like scikit-learn
  const inner = Array.from({ length: n - 1 }, (_, k) => (k + 1) * step);
  const sumC = new Array<number>(n).fill(0);
  const sumA = new Array<number>(n).fill(0);
  const cnt = new Array<number>(n).fill(0);
  conf.forEach((c, i) => {
    finite(where, `confidence[${i}]`, c);
    if (c < 0 || c > 1)
      throw new ArgumentError(where, `confidence[${i}]`, 'a number in [0, 1]', String(c));
    let b = 0;
    while (b < inner.length && inner[b]! < c) b++;
    sumC[b]! += c;
    sumA[b]! += data.correct[i] ? 1 : 0;
    cnt[b]!++;
  });
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < n; b++) {
    if (cnt[b] === 0) continue;
    const bin = {
      lo: b * step,
      hi: (b + 1) * step,
      count: cnt[b]!,
      confidence: sumC[b]! / cnt[b]!,
      accuracy: sumA[b]! / cnt[b]!,
    };
    bins.push(bin);
    ece += (bin.count / conf.length) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { bins, ece };
}

export function reliabilityDiagram(data: ReliabilityData): VegaLiteSpec {
  const { bins, ece } = reliabilityBins(data);
  return {
    ...frame(data.title ?? `Reliability diagram (ECE ${ece.toFixed(3)})`, 320, 320),
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1] }, title: 'confidence' },
          y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1] }, title: 'accuracy' },
        },
      },
      {
        data: { values: bins.map((b) => ({ ...b, base: 0 })) },
        mark: { type: 'rect', opacity: 0.6, stroke: 'white' },
        encoding: {
          x: { field: 'lo', type: 'quantitative' },
          x2: { field: 'hi' },
          y: { field: 'accuracy', type: 'quantitative' },
          y2: { field: 'base' },
          color: { value: '#4c78a8' },
          tooltip: [
            { field: 'count', type: 'quantitative' },
            { field: 'confidence', type: 'quantitative', format: '.3f' },
            { field: 'accuracy', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      {
        data: { values: bins },
        mark: { type: 'point', filled: true, color: '#d62728' },
        encoding: {
          x: { field: 'confidence', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
        },
      },
    ],
  };
}
