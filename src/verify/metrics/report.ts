/**
 * One call for every classification metric of a set of predicted probabilities. Metrics that
 * are undefined for the data (ROC-AUC with a class missing, for example) are reported as null
 * with a warning rather than aborting the whole report.
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import {
  accuracy,
  balancedAccuracy,
  confusionMatrix,
  precisionRecallF1,
  type PrfResult,
} from './classification.js';
import {
  checkLabels,
  checkSameLength,
  checkValues,
  toProbaTable,
  type Labels,
  type ProbaInput,
} from './input.js';
import {
  brierScore,
  expectedCalibrationError,
  logLoss,
  type CalibrationOptions,
  type CalibrationResult,
} from './probabilistic.js';
import { averagePrecision, averagePrecisionOvr, rocAuc, rocAucOvr } from './ranking.js';

export interface ClassificationReport {
  n: number;
  numClasses: number;
  accuracy: number;
  balancedAccuracy: number;
  precisionRecallF1: PrfResult;
  confusion: { labels: number[]; matrix: number[][] };
  /** Binary: ROC-AUC of class 1; multi-class: one-vs-rest macro. Null when undefined. */
  rocAuc: number | null;
  /** Binary: average precision of class 1; multi-class: one-vs-rest macro. Null when undefined. */
  averagePrecision: number | null;
  logLoss: number;
  brier: number;
  calibration: CalibrationResult;
  warnings: string[];
}

export interface ReportOptions {
  zeroDivision?: 0 | 1;
  calibration?: CalibrationOptions;
}

function orNull(warnings: string[], name: string, f: () => number): number | null {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof RnnlensError)) throw e;
    warnings.push(`${name} undefined: ${e.message}`);
    return null;
  }
}

/**
 * All classification metrics from true labels and probabilities (rows [N][C], flat + C, or binary
 * scores = P(class 1)). Predicted labels are the argmax, ties going to the lower class
 * (binary scores: class 1 only when p > 0.5).
 */
export function classificationReport(
  yTrue: Labels,
  proba: ProbaInput | ArrayLike<number>,
  opts: ReportOptions = {},
): ClassificationReport {
  const where = 'classificationReport';
  const y = checkLabels(where, 'yTrue', yTrue);
  const isScores =
    !('numClasses' in (proba as object)) && typeof (proba as ArrayLike<unknown>)[0] === 'number';
  let C: number;
  let rows: Float64Array;
  if (isScores) {
    const s = checkValues(where, 'proba', proba as ArrayLike<number>, { min: 0, max: 1 });
    C = 2;
    rows = new Float64Array(2 * s.length);
    s.forEach((p, i) => {
      rows[2 * i] = 1 - p;
      rows[2 * i + 1] = p;
    });
  } else {
    const t = toProbaTable(where, 'proba', proba as ProbaInput);
    C = t.numClasses;
    rows = t.values;
  }
  const n = rows.length / C;
  checkSameLength(where, ['yTrue', 'proba'], y, { length: n });
  for (let i = 0; i < n; i++)
    if (y[i]! >= C)
      throw new ArgumentError(where, 'yTrue', `labels in [0, ${C - 1}]`, `${y[i]} at index ${i}`);

  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (rows[i * C + c]! > rows[i * C + best]!) best = c;
    pred[i] = best;
  }
  const labels = Array.from({ length: C }, (_, c) => c);
  const prf = precisionRecallF1(y, pred, { labels, zeroDivision: opts.zeroDivision ?? 0 });
  const bal = balancedAccuracy(y, pred);
  const warnings = [...prf.warnings, ...bal.warnings];
  const table = { values: rows, numClasses: C };
  const pos = Float64Array.from({ length: n }, (_, i) => rows[i * C + 1]!);
  return {
    n,
    numClasses: C,
    accuracy: accuracy(y, pred),
    balancedAccuracy: bal.value,
    precisionRecallF1: prf,
    confusion: confusionMatrix(y, pred, { labels }),
    rocAuc: orNull(warnings, 'rocAuc', () =>
      C === 2 ? rocAuc(y, pos) : rocAucOvr(y, table).value,
    ),
    averagePrecision: orNull(warnings, 'averagePrecision', () =>
      C === 2 ? averagePrecision(y, pos) : averagePrecisionOvr(y, table).value,
    ),
    logLoss: logLoss(y, table),
    brier: C === 2 ? brierScore(y, pos) : brierScore(y, table),
    calibration: expectedCalibrationError(y, C === 2 ? pos : table, opts.calibration ?? {}),
    warnings,
  };
}
