/**
 * `rnnlens compare --recipe NAME --against baseline|MODEL... [--test nadeau-bengio|5x2cv]
 * [--metric M] [--alpha A] [cv options] [--json]`: cross-validate the recipe's RNN and score the
 * contenders on the same folds ('baseline': random forest + majority class, refitted per fold;
 * MODEL: a saved model folder, scored without retraining), test the paired per-fold differences,
 * say whether the RNN is significantly better, and record a `compare` run.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { RunStore } from '../runs/store.js';
import { compareModels, type Comparison, type PairedTestName } from '../verify/compare.js';
import { addCvOptions, cvJson, executorFromCli, fingerprintOfPool, prepareFromCli, type CvCliOptions } from './cv.js';
import { createProgressRenderer } from './progress.js';

const fmt = (v: number | null | undefined, d = 4): string => (v === null || v === undefined ? '-' : Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(d));
/** p-values that underflow to 0 are below the smallest double the tail functions resolve. */
const fmtP = (p: number | null): string => (p === 0 ? '< 1e-300' : `= ${fmt(p)}`);

export function compareJson(c: Comparison): Record<string, unknown> {
  const brief = (s: Record<string, { mean: number; sd: number; ci: [number, number] }>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { mean: v.mean, sd: v.sd, ci: v.ci }]));
  return {
    metric: c.metric,
    alpha: c.alpha,
    test: c.test,
    rnn: { summary: brief(c.rnn.summary) },
    contenders: c.contenders.map((x) => ({ name: x.name, kind: x.kind, summary: brief(x.summary) })),
    comparisons: c.comparisons,
    folds: c.rnn.folds.map((f, j) => ({ train: Array.from(f.train), test: Array.from(f.test), rnn: f.metrics, ...Object.fromEntries(c.contenders.map((x) => [x.name, x.folds[j]!.metrics])) })),
    warnings: c.warnings,
    // the RNN's out-of-fold scores (confusion matrix, ROC and PR curves on the dashboard)
    oof: cvJson(c.rnn).oof,
  };
}

export function compareText(c: Comparison): string {
  const m = c.metric;
  const row = (name: string, s: { mean: number; sd: number; ci: [number, number] } | undefined): string =>
    `  ${name.padEnd(20)} ${s ? `${fmt(s.mean)} ± ${fmt(s.sd)}  [${fmt(s.ci[0])}, ${fmt(s.ci[1])}]` : '-'}`;
  const lines = [
    `${c.rnn.recipe ?? 'dataset'}: ${m} over ${c.rnn.folds.length} folds (${c.rnn.splitter}), mean ± sd [95% CI]`,
    row('rnn', c.rnn.summary[m]),
    ...c.contenders.map((x) => row(x.name, x.summary[m])),
    '',
  ];
  for (const p of c.comparisons) {
    lines.push(
      `rnn vs ${p.against}: ${m} difference ${fmt(p.meanDifference)} [${fmt(p.ci[0])}, ${fmt(p.ci[1])}]; ${p.test} t = ${fmt(p.statistic, 3)}${p.df !== null ? ` (df ${p.df})` : ''}, p ${fmtP(p.pvalue)}`,
    );
    if (p.mcnemar) lines.push(`  McNemar (${p.mcnemar.test}, pooled out-of-fold labels): b = ${p.mcnemar.b}, c = ${p.mcnemar.c}, statistic ${fmt(p.mcnemar.statistic, 3)}, p ${fmtP(p.mcnemar.pvalue)}`);
    const verdict = p.rnnBetter
      ? `the RNN is significantly better (p < ${c.alpha})`
      : p.significant
        ? `the RNN is significantly WORSE (p < ${c.alpha})`
        : `no significant difference at alpha ${c.alpha}`;
    lines.push(`  => ${verdict}`);
    for (const w of p.warnings) lines.push(`  note: ${w}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  addCvOptions(program.command('compare').description('is the RNN significantly better than a baseline or a saved model? (same folds, paired test)'))
    .requiredOption('--against <what...>', "'baseline' (random forest + majority class) and/or saved model folders")
    .option('--test <name>', 'nadeau-bengio | 5x2cv', 'nadeau-bengio')
    .option('--metric <name>', 'metric compared (default: accuracy; rmse for regression)')
    .option('--alpha <a>', 'significance level', parseFloat, 0.05)
    .option('--trees <n>', 'trees of the random forest', (v: string) => Number(v), 50)
    .option('--forest-features <x>', 'features per tree of the forest: a share in (0, 1] or a count', parseFloat, 0.25)
    .option('--forest-rows <n>', 'training items the forest is fitted on per fold (stratified sample)', (v: string) => Number(v), 1000)
    .action(async (o: CvCliOptions & { against: string[]; test: PairedTestName; metric?: string; alpha: number; trees: number; forestRows: number; forestFeatures: number }) => {
      if (o.test !== 'nadeau-bengio' && o.test !== '5x2cv') throw new RnnlensError(`compare: --test expected nadeau-bengio or 5x2cv, received ${JSON.stringify(o.test)}`);
      for (const [flag, v, min] of [['--trees', o.trees, 1], ['--forest-rows', o.forestRows, 2]] as const) {
        if (!Number.isInteger(v) || v < min) throw new RnnlensError(`compare: ${flag} expected an integer >= ${min}, received ${v}`);
      }
      const progress = createProgressRenderer();
      const warn = (m: string): void => void process.stderr.write(`warning: ${m}\n`);
      const executor = await executorFromCli(o, warn);
      const store = o.record ? RunStore.open(o.runsDir) : undefined;
      try {
        // validates the CLI options and loads the data once; compareModels re-plans from the same settings
        const prep = prepareFromCli(o.test === '5x2cv' ? { ...o, folds: 2, repeats: 5 } : o, progress.callback, warn);
        progress.stop();
        const writer = store?.createRun({ kind: 'compare', config: { recipe: o.recipe, against: o.against, test: o.test, metric: o.metric ?? null, alpha: o.alpha, executor: executor.name, splitter: prep.splitter, folds: o.folds, repeats: o.repeats, backend: prep.setup.backend, modelConfig: prep.setup.modelConfig, train: prep.setup.trainConfig }, seed: o.seed, dataFingerprint: fingerprintOfPool(prep), tags: [o.recipe] });
        try {
          const c = await compareModels({
            dataset: prep.setup.dataset,
            task: prep.setup.task,
            modelConfig: prep.setup.modelConfig,
            trainConfig: prep.setup.trainConfig,
            backend: prep.setup.backend,
            splitter: prep.splitter,
            folds: o.folds,
            repeats: o.repeats,
            seed: o.seed,
            groupBy: o.groupBy,
            executor,
            against: o.against,
            test: o.test,
            metric: o.metric,
            alpha: o.alpha,
            forest: { nEstimators: o.trees, maxRows: o.forestRows, maxFeatures: o.forestFeatures },
            onProgress: progress.callback,
          });
          c.rnn.recipe = o.recipe;
          progress.stop();
          const json = compareJson(c);
          if (writer) {
            writer.writeJson('compare.json', json);
            const flat: Record<string, number> = {};
            for (const p of c.comparisons) {
              const key = p.against.replace(/[^A-Za-z0-9]+/g, '_');
              flat[`${key}_mean_difference`] = p.meanDifference;
              if (p.pvalue !== null) flat[`${key}_pvalue`] = p.pvalue;
            }
            writer.finish('finished', { metrics: flat });
          }
          process.stdout.write(o.json ? JSON.stringify(writer ? { ...json, run: writer.id } : json) + '\n' : compareText(c) + (writer ? `run ${writer.id}\n` : ''));
        } catch (err) {
          writer?.fail(err);
          throw err;
        }
      } finally {
        progress.stop();
        store?.close();
        await executor.close();
      }
    });
}
