/**
 * Numeric time series: a CSV of numeric columns -> sliding windows for forecasting.
 *
 * Window k starts at row s = k * stride: inputs are rows [s, s + inputLength) of the input
 * columns, targets are rows [s + inputLength, s + inputLength + horizon) of the target columns,
 * flattened step-major into `values` [horizon * targetColumns].
 * Splitting is chronological: the rows are cut into train | validation | test blocks first and
 * windows are made inside each block, so no window straddles two parts. Z-score statistics are
 * fitted on the training rows only and saved in `settings.normalisation`.
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { columnIndex, parseCsv } from './csv.js';
import { checkAllocation, createDataset, type Dataset, type Item } from './dataset.js';
import { parseNumber, readInputText } from './files.js';
import type { ZScore } from './normalise.js';

export interface Series {
  columns: string[];
  rows: number;
  /** row-major [rows, columns] */
  data: Float64Array;
}

/** Reads numeric columns of a CSV (all columns by default); non-numbers and NaN are errors with the line. */
export function loadNumericCsv(
  path: string,
  opts: { columns?: (string | number)[]; delimiter?: string } = {},
): Series {
  const table = parseCsv(readInputText(path, 'CSV file'), {
    delimiter: opts.delimiter ?? ',',
    source: path,
  });
  const idx = (opts.columns ?? table.header.map((_, k) => k)).map((c) =>
    columnIndex(table, c, path),
  );
  const C = idx.length;
  const data = new Float64Array(table.rows.length * C);
  table.rows.forEach((row, r) => {
    idx.forEach(
      (k, c) => (data[r * C + c] = parseNumber(row[k]!, path, table.lines[r]!, table.header[k]!)),
    );
  });
  if (table.rows.length === 0) throw new RnnlensError(`${path}: a header but no data rows`);
  return { columns: idx.map((k) => table.header[k]!), rows: table.rows.length, data };
}

export interface WindowOptions {
  inputLength: number;
  horizon: number;
  stride?: number;
  /** input columns (default: all) */
  inputColumns?: string[];
  /** columns to forecast (default: all input columns) */
  targetColumns?: string[];
  /** chronological fractions of rows */
  validation?: number;
  test?: number;
  /** z-score inputs and targets with training-row statistics (default true) */
  normalise?: boolean;
  name?: string;
}

export interface WindowedSplits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  normalisation: ZScore | null;
}

export function windowSeries(series: Series, opts: WindowOptions): WindowedSplits {
  const where = 'windowSeries';
  const L = opts.inputLength;
  const H = opts.horizon;
  const stride = opts.stride ?? 1;
  for (const [k, v, min] of [
    ['inputLength', L, 1],
    ['horizon', H, 0],
    ['stride', stride, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  }
  const col = (name: string) => {
    const k = series.columns.indexOf(name);
    if (k < 0)
      throw new ArgumentError(
        where,
        'columns',
        `names among [${series.columns.join(', ')}]`,
        JSON.stringify(name),
      );
    return k;
  };
  const inCols = (opts.inputColumns ?? series.columns).map(col);
  const outCols = (opts.targetColumns ?? opts.inputColumns ?? series.columns).map(col);
  const fv = opts.validation ?? 0;
  const ft = opts.test ?? 0;
  if (!(fv >= 0 && ft >= 0 && fv + ft < 1))
    throw new ArgumentError(
      where,
      'validation, test',
      'fractions with a sum below 1',
      `${fv}, ${ft}`,
    );
  const N = series.rows;
  const trainEnd = Math.round(N * (1 - fv - ft));
  const valEnd = Math.round(N * (1 - ft));
  const z = opts.normalise === false ? null : fitRows(series, 0, trainEnd);
  const norm = (r: number, c: number) => {
    const v = series.data[r * series.columns.length + c]!;
    return z ? (v - z.mean[c]!) / z.std[c]! : v;
  };
  const make = (part: string, from: number, to: number): Dataset => {
    const count = Math.max(0, Math.floor((to - from - L - H) / stride) + 1);
    checkAllocation(
      where,
      `${count} ${part} windows of ${L} x ${inCols.length} values`,
      count * (L * inCols.length + H * outCols.length),
    );
    const items: Item[] = [];
    for (let s = from; s + L + H <= to; s += stride) {
      const x = new Float32Array(L * inCols.length);
      for (let t = 0; t < L; t++)
        inCols.forEach((c, d) => (x[t * inCols.length + d] = norm(s + t, c)));
      const values = new Float32Array(H * outCols.length);
      for (let h = 0; h < H; h++)
        outCols.forEach((c, d) => (values[h * outCols.length + d] = norm(s + L + h, c)));
      items.push({ x, steps: L, values, meta: { start: s } });
    }
    return createDataset({
      name: `${opts.name ?? 'series'}/${part}`,
      input: 'numeric',
      features: inCols.length,
      target: 'regression',
      targetSize: H * outCols.length,
      items,
      settings: {
        window: {
          inputLength: L,
          horizon: H,
          stride,
          inputColumns: inCols.map((c) => series.columns[c]),
          targetColumns: outCols.map((c) => series.columns[c]),
        },
        rows: { from, to },
        normalisation: z ? { ...z, columns: series.columns } : null,
      },
    });
  };
  const train = make('train', 0, trainEnd);
  if (train.items.length === 0) {
    throw new RnnlensError(
      `${where}: the ${trainEnd} training rows are too few for one window of ${L} + ${H} rows`,
    );
  }
  return {
    train,
    validation: make('validation', trainEnd, valEnd),
    test: make('test', valEnd, N),
    normalisation: z,
  };
}

/** Per-column mean and std over rows [from, to). */
function fitRows(series: Series, from: number, to: number): ZScore {
  const C = series.columns.length;
  const mean = new Array<number>(C).fill(0);
  const std = new Array<number>(C).fill(0);
  const n = to - from;
  for (let c = 0; c < C; c++) {
    let s = 0;
    let s2 = 0;
    for (let r = from; r < to; r++) {
      const v = series.data[r * C + c]!;
      s += v;
      s2 += v * v;
    }
    mean[c] = s / n;
    std[c] = Math.max(1e-8, Math.sqrt(Math.max(0, s2 / n - mean[c]! * mean[c]!)));
  }
  return { kind: 'zscore', mean, std };
}
