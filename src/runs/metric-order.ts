/**
 * Which of a run's metrics matter most, for lists that show only a few: task metrics (accuracy,
 * F1, ROC AUC, RMSE, bits per character, ...) before losses and counts, and of each metric the
 * test value before validation, the plain one (cv means, analyses) and train. Unknown names come
 * after the known ones, alphabetically.
 */

/** Metric base names, most telling first. */
const BASE_ORDER = [
  'accuracy', 'certifiedAccuracy', 'f1', 'rocAuc', 'balancedAccuracy', 'rmse', 'mae', 'r2', 'bpc', 'bpcContinuous',
  'intelligibility', 'speakerSimilarity', 'mcd', 'maxCrossCorrelation',
  'stepAccuracy', 'perplexity', 'fidelity', 'effect', 'p', 'pvalue', 'mean_difference', 'aupr', 'overallPass',
  'certified', 'certifiedShare', 'meanRadius', 'meanAttackRadius', 'selectivity', 'states', 'fixedPoints',
  'bestUnitR', 'loss', 'logLoss', 'precision', 'recall', 'f1Weighted',
];

/**
 * What a split prefix or summary suffix adds to the base name's place: a test (or plain) metric
 * comes before the validation value of the same metric, which comes before the next metrics
 * after four places; train and per-fold values come later still; a cv mean before its interval.
 */
const PREFIX_WEIGHT: [string, number][] = [['test_', 0], ['val_', 4], ['best_', 1], ['train_', 8], ['fold_', 12]];
const SUFFIX_WEIGHT: [string, number][] = [['_mean', 0], ['_ci_low', 0.6], ['_ci_high', 0.7], ['_sd', 10]];

function rank(name: string): number {
  let rest = name;
  let w = 0;
  for (const [p, pw] of PREFIX_WEIGHT)
    if (name.startsWith(p)) {
      rest = name.slice(p.length);
      w += pw;
      break;
    }
  for (const [x, sw] of SUFFIX_WEIGHT)
    if (rest.endsWith(x)) {
      rest = rest.slice(0, -x.length);
      w += sw;
      break;
    }
  // comparisons: `<against>_mean_difference`, `<against>_pvalue`
  let base = BASE_ORDER.indexOf(rest);
  if (base < 0) base = BASE_ORDER.findIndex((b) => rest.endsWith(`_${b}`));
  return (base < 0 ? BASE_ORDER.length + 20 : base) + w;
}

/** `names` ordered by relevance (see the module comment); at most `limit` of them. */
export function keyMetrics(names: Iterable<string>, limit = Infinity): string[] {
  const ranked = [...new Set(names)].map((n) => ({ n, r: rank(n) }));
  ranked.sort((a, b) => a.r - b.r || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  return ranked.slice(0, limit).map((x) => x.n);
}
