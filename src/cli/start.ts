/**
 * `rnnlens start` (what `npm start` runs): the whole story on the embedded SpamAssassin data, no
 * setup needed: train an LSTM, compare it with a random-forest baseline on the same folds,
 * explain a few test predictions with scorecards, analyse its internals, certify a sample of the
 * test set, write the static report, then serve the dashboard (`--no-serve` stops after the
 * report). Every stage records a run in the run store.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunStore } from '../runs/store.js';
import { atomicWriteFile } from '../runs/atomic.js';
import { buildReport } from '../report/build-report.js';
import { runRecipe } from '../train/run-recipe.js';
import { getBackend } from '../core/backends.js';
import { recordCertificates, recordExplanations, recordInternals, type AnalysisContext } from '../pipeline/record.js';
import { recordComparison } from '../pipeline/compare.js';
import { startServer } from '../server/start.js';
import { createProgressRenderer } from './progress.js';
import { formatMetrics, intOption } from './options.js';

/** The start model: the spam recipe, sized so the whole analysis stays within a few minutes. */
const START_CONFIG = { model: { hidden: 32, embedding: 32 }, train: { epochs: 3 } };

function pick(m: Record<string, number>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => m[k] !== undefined).map((k) => [k, m[k]!]));
}

export function register(program: Command): void {
  program
    .command('start')
    .description('the main job: train, compare with a baseline, explain, look inside, certify, report and serve (built-in spam data)')
    .option('--recipe <name>', 'recipe to train', 'spam')
    .option('--epochs <n>', 'epochs', intOption('--epochs'))
    .option('--seed <n>', 'random seed', intOption('--seed', true), 0)
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--out <file>', 'report file', 'runs/report.html')
    .option('--port <port>', 'dashboard port', intOption('--port', true), 5178)
    .option('--no-compare', 'skip the cross-validated comparison with the baseline')
    .option('--no-serve', 'stop after the report')
    .action(async (o) => {
      const t0 = performance.now();
      const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
      const say = (s: string): void => void process.stdout.write(s + '\n');
      say(`rnnlens start: recipe '${o.recipe}' on the ${getBackend().name} backend`);
      const store = RunStore.open(o.runsDir);
      const progress = createProgressRenderer();
      const runs: string[] = [];
      const stage = (n: number, s: string): void => {
        progress.stop();
        say(`[${n}/6 ${elapsed()}] ${s}`);
      };
      try {
        stage(1, 'training an LSTM ...');
        const r = await runRecipe(o.recipe, { epochs: o.epochs, seed: o.seed, config: o.recipe === 'spam' ? START_CONFIG : undefined }, { store, onProgress: progress.callback });
        progress.stop();
        runs.push(r.runId!);
        const show = ['accuracy', 'f1', 'rocAuc', 'rmse', 'bpc', 'stepAccuracy'];
        say(`    ${r.history.length} epochs in ${r.seconds.toFixed(1)} s; test ${formatMetrics(pick(r.metrics.test, show))}`);

        if (o.compare) {
          stage(2, 'cross-validating against a random-forest baseline ...');
          const cvConfig = o.recipe === 'spam' ? { ...START_CONFIG, train: { epochs: 2 } } : undefined;
          const c = await recordComparison(store, o.recipe, { seed: o.seed, config: cvConfig, folds: 3, parallel: 2, forest: { nEstimators: 20, maxRows: 500 }, onProgress: progress.callback });
          progress.stop();
          runs.push(c.runId);
          say(`    ${c.summary}`);
        } else stage(2, 'comparison skipped (--no-compare)');

        const test = r.data.test;
        const ctx: AnalysisContext = { store, model: r.model, dataset: test, preprocessing: r.data.preprocessing, classNames: r.data.train.classNames, parentRun: r.runId, onProgress: progress.callback };
        const byLength = test.items.map((it, i) => ({ i, n: it.steps })).sort((a, b) => a.n - b.n || a.i - b.i);
        const short = byLength.filter((x) => x.n >= 5).slice(0, 3).map((x) => x.i);

        stage(3, 'explaining test predictions (integrated gradients + scorecard) ...');
        const ex = recordExplanations(ctx, short, 'integrated-gradients');
        runs.push(ex.runId);
        say(`    scorecard: ${ex.scorecard.entries.map((e) => `${e.check} ${e.flag}`).join(', ')} (overall ${ex.scorecard.overall})`);

        stage(4, 'analysing internals ...');
        const inn = recordInternals(ctx, 100);
        runs.push(inn.runId);
        const units = (inn.summary.units as { annotation: string; layer: string; unit: number; score: number; p: number }[] | undefined) ?? [];
        if (units[0]) say(`    best unit: ${units[0].layer}#${units[0].unit} tracks '${units[0].annotation}' (score ${units[0].score.toFixed(3)}, p ${units[0].p.toFixed(3)})`);

        stage(5, 'certifying a sample of the test set (CROWN, L∞ per token in embedding space) ...');
        const cert = recordCertificates(ctx, short, 0.01);
        runs.push(cert.runId);
        say(`    ${cert.certified}/${cert.total} certified at ε = 0.01 (95 % interval of certified accuracy [${cert.interval[0].toFixed(2)}, ${cert.interval[1].toFixed(2)}])`);

        stage(6, 'writing the report ...');
        const html = await buildReport(runs, store, { title: `rnnlens: ${o.recipe}` });
        const out = resolve(o.out);
        mkdirSync(dirname(out), { recursive: true });
        atomicWriteFile(out, html);
        say(`    report: ${out}`);
        say(`analysis done in ${elapsed()} (runs: ${runs.join(', ')})`);
      } finally {
        progress.stop();
        store.close();
      }
      if (o.serve) {
        const server = await startServer({ runsDir: o.runsDir, port: o.port });
        say(`dashboard: ${server.url}  (Ctrl-C to stop)`);
        await new Promise<void>((done) => {
          const stop = (): void => void server.close().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }
    });
}
