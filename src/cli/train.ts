/**
 * `rnnlens train --recipe NAME [...]`: train a model from a recipe; any option overrides it.
 * Prints a progress bar on a terminal (plain lines otherwise) and a summary, or one JSON object
 * with `--json`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { RECIPES } from '../train/recipes.js';
import { runRecipe, type RecipeOverrides } from '../train/run-recipe.js';
import { RunStore } from '../runs/store.js';
import { createProgressRenderer } from './progress.js';
import { intOption, formatMetrics } from './options.js';

export function register(program: Command): void {
  program
    .command('train')
    .description('train a recurrent model from a recipe (' + Object.keys(RECIPES).join(', ') + ')')
    .requiredOption('--recipe <name>', 'recipe name')
    .option('--data <path>', 'data folder or file (recipes that need one, e.g. fsdd)')
    .option('--config <file.json>', 'JSON overrides: { "model": {...}, "train": {...} }')
    .option('--cell <kind>', 'lstm | gru | rnn')
    .option('--hidden <n>', 'hidden units', intOption('--hidden'))
    .option('--layers <n>', 'stacked recurrent layers', intOption('--layers'))
    .option('--epochs <n>', 'epochs', intOption('--epochs'))
    .option('--batch-size <n>', 'batch size', intOption('--batch-size'))
    .option('--lr <x>', 'learning rate', parseFloat)
    .option('--seed <n>', 'random seed', intOption('--seed', true))
    .option('--out <dir>', 'model folder (default: inside the run folder)')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--force', 'replace a model already in --out')
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run')
    .option('--json', 'print one JSON object at the end')
    .action(async (o) => {
      let config: RecipeOverrides['config'];
      if (o.config) {
        try {
          config = JSON.parse(readFileSync(o.config, 'utf8'));
        } catch (e) {
          throw new RnnlensError(`train: cannot read --config ${o.config}: ${(e as Error).message}`);
        }
      }
      if (o.lr !== undefined && !(o.lr > 0)) throw new RnnlensError(`train: --lr expected a positive number, received ${o.lr}`);
      const progress = createProgressRenderer();
      const store = o.record ? RunStore.open(o.runsDir) : undefined;
      try {
        const r = await runRecipe(
          o.recipe,
          { data: o.data, config, cell: o.cell, hidden: o.hidden, layers: o.layers, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, seed: o.seed },
          { out: o.out, store, onProgress: progress.callback, resume: o.resume, force: o.force },
        );
        progress.stop();
        if (o.json) {
          process.stdout.write(JSON.stringify({ model: r.modelDir, run: r.runId ?? null, metrics: r.metrics, epochs: r.history.length, seconds: Number(r.seconds.toFixed(2)) }) + '\n');
        } else {
          const lines = [
            `recipe ${r.recipe}: ${r.history.length} epochs in ${r.seconds.toFixed(1)} s${r.result.stoppedEarly ? ` (early stop; best epoch ${r.result.bestEpoch})` : ''}`,
            `  train       ${formatMetrics(r.metrics.train)}`,
            `  validation  ${formatMetrics(r.metrics.validation)}`,
            `  test        ${formatMetrics(r.metrics.test)}`,
            `model saved to ${r.modelDir}${r.runId ? `  (run ${r.runId})` : ''}`,
          ];
          process.stdout.write(lines.join('\n') + '\n');
        }
      } finally {
        progress.stop();
        store?.close();
      }
    });
}
