/**
 * A recorded comparison of a recipe's RNN with the random-forest and majority baselines on the
 * same cross-validation folds (Nadeau–Bengio corrected resampled t-test), with an error-bar figure
 * of each contender's mean and interval and the same compare.json as `rnnlens compare`.
 */
import type { ProgressCallback } from '../core/progress.js';
import type { RunStore } from '../runs/store.js';
import type { ModelShape } from '../train/recipes.js';
import type { TrainConfig } from '../train/trainer.js';
import { compareModels } from '../verify/compare.js';
import { compareJson } from '../cli/compare.js';

export interface RecordComparisonOptions {
  seed: number;
  folds: number;
  /** worker threads for the folds */
  parallel?: number;
  /** random-forest size (trees, training rows per fold, share of features per tree) */
  forest?: { nEstimators?: number; maxRows?: number; maxFeatures?: number };
  config?: { model?: Partial<ModelShape>; train?: Partial<TrainConfig> };
  onProgress?: ProgressCallback;
}

export async function recordComparison(store: RunStore, recipe: string, opts: RecordComparisonOptions): Promise<{ runId: string; summary: string }> {
  const w = store.createRun({ kind: 'compare', config: { recipe, against: ['baseline'], folds: opts.folds, ...opts.config }, seed: opts.seed, tags: [recipe] });
  try {
    const c = await compareModels({ recipe, against: ['baseline'], folds: opts.folds, seed: opts.seed, parallel: opts.parallel, forest: opts.forest, model: opts.config?.model, trainConfig: opts.config?.train, onProgress: opts.onProgress });
    const m = c.metric;
    const rows = [{ name: 'rnn', s: c.rnn.summary[m] }, ...c.contenders.map((k) => ({ name: k.name, s: k.summary[m] }))]
      .filter((r) => r.s && Number.isFinite(r.s.mean))
      .map((r) => ({ group: r.name, value: r.s!.mean, lower: Number.isFinite(r.s!.ci[0]) ? r.s!.ci[0] : r.s!.mean, upper: Number.isFinite(r.s!.ci[1]) ? r.s!.ci[1] : r.s!.mean }));
    if (rows.length > 0) w.writeFigure('fig-compare.json', { figure: 'error-bars', title: `${m} over ${opts.folds} folds (mean and interval)`, data: { metric: m, rows } });
    // the artifact `rnnlens compare` records (folds and out-of-fold scores for the dashboard)
    w.writeJson('compare.json', compareJson(c));
    const metrics: Record<string, number> = { [`rnn_${m}`]: c.rnn.summary[m]?.mean ?? NaN };
    const parts: string[] = [`RNN ${m} ${fmt(c.rnn.summary[m]?.mean)} [${fmt(c.rnn.summary[m]?.ci[0])}, ${fmt(c.rnn.summary[m]?.ci[1])}]`];
    for (const p of c.comparisons) {
      const key = p.against.replace(/[^A-Za-z0-9]+/g, '_');
      metrics[`${key}_mean_difference`] = p.meanDifference;
      if (p.pvalue !== null) metrics[`${key}_pvalue`] = p.pvalue;
      parts.push(`vs ${p.against}: difference ${fmt(p.meanDifference)} (${p.test}, p = ${p.pvalue === null ? 'n/a' : p.pvalue.toPrecision(3)}; ${p.significant ? (p.rnnBetter ? 'RNN significantly better' : 'RNN significantly worse') : 'not significant'})`);
    }
    w.finish('finished', { metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))) });
    return { runId: w.id, summary: parts.join('; ') };
  } catch (err) {
    w.fail(err);
    throw err;
  }
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(4);
}
