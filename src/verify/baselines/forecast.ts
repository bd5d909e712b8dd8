/**
 * Naive forecasting baselines a sequence model must beat.
 *   persistence:     ŷ_{T+h} = y_T
 *   seasonal naive:  ŷ_{T+h} = y_{T+h−m·(⌊(h−1)/m⌋+1)}  (the value one season earlier, Hyndman & Athanasopoulos §5.2)
 * plus their one-step-ahead predictions over a whole series, for scoring against the targets.
 */
import { ArgumentError } from '../../core/errors.js';

function checkSeries(where: string, series: ArrayLike<number>, minLength: number): void {
  if (!series || series.length < minLength)
    throw new ArgumentError(
      where,
      'series',
      `at least ${minLength} values`,
      series ? `${series.length}` : String(series),
    );
  for (let i = 0; i < series.length; i++)
    if (!Number.isFinite(series[i]!))
      throw new ArgumentError(where, 'series', 'finite values', `${series[i]} at index ${i}`);
}

/** Forecasts `horizon` steps after the end of `history` by repeating its last value. */
export function persistenceForecast(history: ArrayLike<number>, horizon: number): Float64Array {
  checkSeries('persistenceForecast', history, 1);
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new ArgumentError('persistenceForecast', 'horizon', 'an integer >= 1', String(horizon));
  return new Float64Array(horizon).fill(history[history.length - 1]!);
}

/** Forecasts `horizon` steps by repeating the last full season of length `season`. */
export function seasonalNaiveForecast(
  history: ArrayLike<number>,
  season: number,
  horizon: number,
): Float64Array {
  if (!Number.isInteger(season) || season < 1)
    throw new ArgumentError('seasonalNaiveForecast', 'season', 'an integer >= 1', String(season));
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new ArgumentError('seasonalNaiveForecast', 'horizon', 'an integer >= 1', String(horizon));
  checkSeries('seasonalNaiveForecast', history, season);
  const T = history.length;
  const out = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++)
    out[h - 1] = history[T + h - season * (Math.floor((h - 1) / season) + 1) - 1]!;
  return out;
}

/**
 * One-step-ahead naive predictions over a series: ŷ_t = y_{t−lag} for t = lag..n−1 (lag 1 is
 * persistence, lag m seasonal naive). Returns the predictions and the matching targets.
 */
export function naivePredictions(
  series: ArrayLike<number>,
  lag = 1,
): { predictions: Float64Array; targets: Float64Array } {
  if (!Number.isInteger(lag) || lag < 1)
    throw new ArgumentError('naivePredictions', 'lag', 'an integer >= 1', String(lag));
  checkSeries('naivePredictions', series, lag + 1);
  const n = series.length - lag;
  const predictions = new Float64Array(n);
  const targets = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    predictions[i] = series[i]!;
    targets[i] = series[i + lag]!;
  }
  return { predictions, targets };
}
