/**
 * Input checks shared by the metrics: labels, scores and probability tables.
 * Probabilities come either as rows (`[N][C]`) or flat row-major with the class count
 * (`{ values, numClasses }`); both are normalised to one flat Float64Array.
 */
import { ArgumentError, describe } from '../../core/errors.js';

export type Labels = ArrayLike<number>;
/** Probabilities per sample and class: rows [N][C], or flat row-major values with C. */
export type ProbaInput =
  ArrayLike<ArrayLike<number>> | { values: ArrayLike<number>; numClasses: number };

export interface ProbaTable {
  values: Float64Array; // [N*C] row-major
  n: number;
  numClasses: number;
}

/** Tolerance for "probabilities sum to 1" (sklearn uses np.allclose, about 1e-8 relative + 1e-5 absolute). */
export const ROW_SUM_TOLERANCE = 1e-6;

export function checkLabels(where: string, argument: string, labels: Labels): Int32Array {
  if (!labels || typeof labels.length !== 'number')
    throw new ArgumentError(where, argument, 'an array of integer class labels', describe(labels));
  if (labels.length === 0)
    throw new ArgumentError(where, argument, 'a non-empty array of labels', 'an empty array');
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0)
      throw new ArgumentError(
        where,
        argument,
        'integer class labels >= 0',
        `${describe(v)} at index ${i}`,
      );
    out[i] = v;
  }
  return out;
}

export function checkSameLength(
  where: string,
  names: [string, string],
  a: { length: number },
  b: { length: number },
): void {
  if (a.length !== b.length) {
    throw new ArgumentError(
      where,
      names[1],
      `the same length as '${names[0]}' (${a.length})`,
      `length ${b.length}`,
    );
  }
}

export function checkValues(
  where: string,
  argument: string,
  values: ArrayLike<number>,
  opts: { min?: number; max?: number } = {},
): Float64Array {
  if (!values || typeof values.length !== 'number')
    throw new ArgumentError(where, argument, 'an array of numbers', describe(values));
  if (values.length === 0)
    throw new ArgumentError(where, argument, 'a non-empty array', 'an empty array');
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ArgumentError(where, argument, 'finite numbers', `${describe(v)} at index ${i}`);
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      throw new ArgumentError(
        where,
        argument,
        `numbers in [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}]`,
        `${v} at index ${i}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Converts rows or flat input to a checked table: finite, in [0, 1], rows summing to 1 (± tolerance). */
export function toProbaTable(
  where: string,
  argument: string,
  input: ProbaInput,
  opts: { checkSum?: boolean } = {},
): ProbaTable {
  let values: Float64Array;
  let n: number;
  let numClasses: number;
  if (input && typeof input === 'object' && 'values' in input && 'numClasses' in input) {
    numClasses = input.numClasses;
    if (!Number.isInteger(numClasses) || numClasses < 2)
      throw new ArgumentError(
        where,
        `${argument}.numClasses`,
        'an integer >= 2',
        describe(numClasses),
      );
    if (input.values.length % numClasses !== 0) {
      throw new ArgumentError(
        where,
        `${argument}.values`,
        `a length divisible by numClasses=${numClasses}`,
        `length ${input.values.length}`,
      );
    }
    n = input.values.length / numClasses;
    values = checkValues(where, argument, input.values, { min: 0, max: 1 });
  } else {
    const rows = input as ArrayLike<ArrayLike<number>>;
    if (!rows || typeof rows.length !== 'number')
      throw new ArgumentError(where, argument, 'probability rows [N][C]', describe(rows));
    n = rows.length;
    if (n === 0) throw new ArgumentError(where, argument, 'at least one row', 'no rows');
    numClasses = rows[0]?.length ?? 0;
    if (numClasses < 2)
      throw new ArgumentError(
        where,
        argument,
        'rows with at least 2 class probabilities',
        `${numClasses} in row 0`,
      );
    values = new Float64Array(n * numClasses);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (!row || row.length !== numClasses)
        throw new ArgumentError(
          where,
          argument,
          `every row of length ${numClasses}`,
          `${describe(row)} at row ${i}`,
        );
      for (let c = 0; c < numClasses; c++) {
        const v = row[c]!;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
          throw new ArgumentError(
            where,
            argument,
            'finite probabilities in [0, 1]',
            `${describe(v)} at row ${i}, class ${c}`,
          );
        }
        values[i * numClasses + c] = v;
      }
    }
  }
  if (n === 0) throw new ArgumentError(where, argument, 'at least one row', 'no rows');
  if (opts.checkSum !== false) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < numClasses; c++) s += values[i * numClasses + c]!;
      if (Math.abs(s - 1) > ROW_SUM_TOLERANCE) {
        throw new ArgumentError(
          where,
          argument,
          `rows summing to 1 (tolerance ${ROW_SUM_TOLERANCE})`,
          `sum ${s} at row ${i}`,
        );
      }
    }
  }
  return { values, n, numClasses };
}

/** Sorted distinct values of one or more label arrays. */
export function uniqueSorted(...arrays: Int32Array[]): number[] {
  const set = new Set<number>();
  for (const a of arrays) for (const v of a) set.add(v);
  return [...set].sort((x, y) => x - y);
}
