/**
 * `rnnlens start` (what `npm start` runs): the whole story on built-in data with no setup.
 * Today: train an LSTM on the `motif` task (a generated sequence task whose ground truth is
 * known), evaluate it on held-out data, record the run and write a static report. Each later
 * stage (cross-validation against a baseline, explanations, internals, certification, the
 * dashboard) is added here as it lands.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunStore } from '../runs/store.js';
import { atomicWriteFile } from '../runs/atomic.js';
import { buildReport } from '../report/build-report.js';
import { runRecipe } from '../train/run-recipe.js';
import { getBackend } from '../core/backends.js';
import { createProgressRenderer } from './progress.js';
import { formatMetrics, intOption } from './options.js';

export function register(program: Command): void {
  program
    .command('start')
    .description('the main job: train, evaluate and report on built-in data (no setup needed)')
    .option('--recipe <name>', 'recipe to train', 'motif')
    .option('--epochs <n>', 'epochs', intOption('--epochs'))
    .option('--seed <n>', 'random seed', intOption('--seed', true), 0)
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--out <file>', 'report file', 'runs/report.html')
    .option('--no-serve', 'stop after the report (the dashboard is not part of start yet)')
    .action(async (o) => {
      const t0 = performance.now();
      const say = (s: string): void => void process.stdout.write(s + '\n');
      const backend = getBackend();
      say(`rnnlens start: recipe '${o.recipe}' on the ${backend.name} backend`);
      const store = RunStore.open(o.runsDir);
      const progress = createProgressRenderer();
      try {
        say('1/2 training an LSTM ...');
        const r = await runRecipe(o.recipe, { epochs: o.epochs, seed: o.seed }, { store, onProgress: progress.callback });
        progress.stop();
        say(`    ${r.history.length} epochs in ${r.seconds.toFixed(1)} s; model in ${r.modelDir}`);
        say(`    train       ${formatMetrics(r.metrics.train)}`);
        say(`    validation  ${formatMetrics(r.metrics.validation)}`);
        say(`    test        ${formatMetrics(r.metrics.test)}`);
        say('2/2 writing the report ...');
        const html = await buildReport([r.runId!], store, { title: `rnnlens: ${o.recipe}` });
        const out = resolve(o.out);
        mkdirSync(join(out, '..'), { recursive: true });
        atomicWriteFile(out, html);
        say(`    report: ${out}`);
        say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s (run ${r.runId}; see \`rnnlens runs ls --runs-dir ${o.runsDir}\`)`);
      } finally {
        progress.stop();
        store.close();
      }
    });
}
