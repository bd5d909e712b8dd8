/** Confusion matrix: true class (rows) × predicted class (columns), counts or row fractions. */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';
import { maxOf } from '../../core/extent.js';

export interface ConfusionMatrixData {
  labels: string[];
  /** matrix[t][p] = number of examples of true class t predicted as p. */
  matrix: number[][];
  /** Show each row as fractions of its total (recall on the diagonal). */
  normalize?: boolean;
  title?: string;
}

export function confusionMatrix(data: ConfusionMatrixData): VegaLiteSpec {
  const where = 'confusionMatrix';
  const labels = nonEmpty(where, 'labels', data.labels);
  const k = labels.length;
  if (
    !Array.isArray(data.matrix) ||
    data.matrix.length !== k ||
    data.matrix.some((r) => !Array.isArray(r) || r.length !== k)
  ) {
    throw new ArgumentError(
      where,
      'matrix',
      `${k}×${k} numbers (one row and column per label)`,
      `${data.matrix?.length ?? 0} rows`,
    );
  }
  const cells: { truth: string; predicted: string; count: number; value: number }[] = [];
  data.matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((c, p) => {
      const count = finite(where, `matrix[${t}][${p}]`, c);
      cells.push({
        truth: labels[t]!,
        predicted: labels[p]!,
        count,
        value: data.normalize ? (total > 0 ? count / total : 0) : count,
      });
    });
  });
  const max = maxOf(cells.map((c) => c.value));
  const size = Math.max(160, Math.min(480, 48 * k));
  return {
    ...frame(data.title ?? 'Confusion matrix', size, size),
    data: { values: cells },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        sort: labels,
        title: 'predicted',
        // short class names read better horizontally; long ones need the default rotation
        axis: labels.every((l) => l.length <= 8) ? { labelAngle: 0 } : {},
      },
      y: { field: 'truth', type: 'ordinal', sort: labels, title: 'true' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            scale: { scheme: 'blues' },
            title: data.normalize ? 'fraction' : 'count',
          },
          tooltip: [
            { field: 'truth', type: 'nominal' },
            { field: 'predicted', type: 'nominal' },
            { field: 'count', type: 'quantitative' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'value', type: 'quantitative', format: data.normalize ? '.2f' : 'd' },
          color: {
            condition: { test: `datum.value > ${max / 2}`, value: 'white' },
            value: 'black',
          },
        },
      },
    ],
  };
}
