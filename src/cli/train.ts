/**
 * `rnnlens train --recipe NAME [...]`: train a model from a recipe; any option overrides it.
 * Prints a progress bar on a terminal (plain lines otherwise) and a summary, or one JSON object
 * with `--json`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { RECIPES, defaultFsddPath } from '../train/recipes.js';
import { runTtsRecipe, type TtsRunOptions } from '../speech/tts-train.js';
import { runRecipe, type RecipeOverrides } from '../train/run-recipe.js';
import { RunStore } from '../runs/store.js';
import { createProgressRenderer } from './progress.js';
import { intOption, formatMetrics } from './options.js';

export function register(program: Command): void {
  program
    .command('train')
    .description('train a recurrent model from a recipe (' + [...Object.keys(RECIPES), 'fsdd-tts'].join(', ') + ')')
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
      if (o.recipe === 'fsdd-tts') {
        try {
          if (o.resume) throw new RnnlensError('train: the fsdd-tts recipe does not resume; train again with --force');
          const model = { ...(config?.model ?? {}), ...(o.cell !== undefined ? { cell: o.cell } : {}), ...(o.hidden !== undefined ? { hidden: o.hidden } : {}), ...(o.layers !== undefined ? { layers: o.layers } : {}) };
          const train = { ...(config?.train ?? {}), ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) };
          const r = runTtsRecipe({ data: o.data ?? defaultFsddPath(), out: o.out, store, force: o.force, onProgress: progress.callback, settings: { ...train, model } as TtsRunOptions['settings'] });
          progress.stop();
          const last = r.history[r.history.length - 1]!;
          if (o.json) process.stdout.write(JSON.stringify({ model: r.modelDir, run: r.runId ?? null, epochs: r.history.length, seconds: Number(r.seconds.toFixed(2)), metrics: { train: { loss: last.trainLoss, mel: last.trainMel, stop: last.trainStop }, heldOut: { loss: last.heldOutLoss, mel: last.heldOutMel, stop: last.heldOutStop } } }) + '\n');
          else process.stdout.write([
            `recipe fsdd-tts: ${r.history.length} epochs in ${r.seconds.toFixed(1)} s (${r.trainUtterances} training and ${r.heldOutUtterances} held-out recordings; speakers ${r.speakers.join(', ')})`,
            `  train     loss=${last.trainLoss.toFixed(4)} mel=${last.trainMel.toFixed(4)} stop=${last.trainStop.toFixed(4)}`,
            `  held-out  loss=${last.heldOutLoss.toFixed(4)} mel=${last.heldOutMel.toFixed(4)} stop=${last.heldOutStop.toFixed(4)}`,
            `model saved to ${r.modelDir}${r.runId ? `  (run ${r.runId})` : ''}`,
          ].join('\n') + '\n');
        } finally {
          progress.stop();
          store?.close();
        }
        return;
      }
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
