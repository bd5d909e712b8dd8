/**
 * Heatmap of a matrix: steps × features (attributions over a sequence, a spectrogram) or
 * units × steps (hidden states). Signed data gets a diverging scale centred on zero.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, maxAbs, nonEmpty, type VegaLiteSpec } from './common.js';

export interface HeatmapData {
  /** values[r][c]: rows are drawn top to bottom, columns left to right. */
  values: number[][];
  rowLabels?: string[];
  colLabels?: string[];
  rowTitle?: string;
  /** An id per row carried by every cell as `rowKey` (e.g. the unit index of a reordered row). */
  rowKeys?: string[];
  colTitle?: string;
  valueTitle?: string;
  /** Diverging colours centred on 0 (default: when the data has both signs). */
  diverging?: boolean;
  title?: string;
}

export function heatmap(data: HeatmapData): VegaLiteSpec {
  const where = 'heatmap';
  const rows = nonEmpty(where, 'values', data.values);
  const nc = nonEmpty(where, 'values[0]', rows[0]).length;
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== nc)
      throw new ArgumentError(
        where,
        `values[${i}]`,
        `${nc} values like row 0`,
        `${r?.length ?? 0}`,
      );
  });
  const rl = data.rowLabels ?? rows.map((_, i) => String(i));
  const cl = data.colLabels ?? Array.from({ length: nc }, (_, i) => String(i));
  if (rl.length !== rows.length)
    throw new ArgumentError(where, 'rowLabels', `${rows.length} labels`, `${rl.length}`);
  if (cl.length !== nc) throw new ArgumentError(where, 'colLabels', `${nc} labels`, `${cl.length}`);
  if (data.rowKeys && data.rowKeys.length !== rows.length)
    throw new ArgumentError(where, 'rowKeys', `${rows.length} keys`, `${data.rowKeys.length}`);
  const cells: { row: string; col: string; value: number; rowKey?: string }[] = [];
  let neg = false;
  let pos = false;
  rows.forEach((r, i) =>
    r.forEach((v, j) => {
      finite(where, `values[${i}][${j}]`, v);
      if (v < 0) neg = true;
      if (v > 0) pos = true;
      cells.push({ row: rl[i]!, col: cl[j]!, value: v, ...(data.rowKeys ? { rowKey: data.rowKeys[i]! } : {}) });
    }),
  );
  const diverging = data.diverging ?? (neg && pos);
  const m = maxAbs(cells.map((c) => c.value));
  const scale = diverging
    ? { scheme: 'redblue' as const, reverse: true, domain: [-m, m] }
    : { scheme: 'viridis' as const };
  const width = Math.max(200, Math.min(720, 14 * nc));
  const height = Math.max(120, Math.min(480, 14 * rows.length));
  return {
    ...frame(data.title ?? 'Heatmap', width, height),
    data: { values: cells },
    mark: 'rect',
    encoding: {
      x: {
        field: 'col',
        type: 'ordinal',
        sort: cl,
        title: data.colTitle ?? 'column',
        axis: nc > 40 ? { labelOverlap: true } : {},
      },
      y: {
        field: 'row',
        type: 'ordinal',
        sort: rl,
        title: data.rowTitle ?? 'row',
        axis: rows.length > 40 ? { labelOverlap: true } : {},
      },
      color: { field: 'value', type: 'quantitative', scale, title: data.valueTitle ?? 'value' },
      tooltip: [
        { field: 'row', type: 'ordinal' },
        { field: 'col', type: 'ordinal' },
        { field: 'value', type: 'quantitative', format: '.4g' },
      ],
    },
  };
}
