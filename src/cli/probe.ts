/**
 * `rnnlens probe --model PATH [--annotation tags|bracket-depth|quotes|...] [--probe linear|mlp|both]
 *  [--field h|c|both] [--folds 5] [--json]`: probing classifiers from a recurrent layer's per-step
 * states to an annotation, each with its control task (random labels per input type) and the
 * selectivity figure, cross-validated by sequence with intervals; by layer and by step.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { subset } from '../data/dataset.js';
import { collectTraces } from '../explain/internals/collect.js';
import { annotationByName, runProbes, stepTypes, type ProbeKind, type ProbeResult } from '../probe/probe.js';
import { RunStore } from '../runs/store.js';
import { analysisDataset, loadAnalysisModel } from './analysis-model.js';
import { intOption, secondsOption, withDeadline } from './options.js';
import { createProgressRenderer } from './progress.js';

interface ProbeCliOptions {
  model: string;
  recipe?: string;
  data?: string;
  split: string;
  dataSeed?: number;
  annotation: string;
  probe: string;
  field: string;
  layer?: string;
  folds: number;
  maxSteps: number;
  sequences: number;
  bins: number;
  c: string;
  hidden: number;
  epochs: number;
  seed: number;
  runsDir: string;
  record: boolean;
  json?: boolean;
  quiet?: boolean;
  timeout?: number;
}

const pct = (x: number) => (100 * x).toFixed(1);

export function register(program: Command): void {
  program
    .command('probe')
    .description('probing classifiers with control tasks: linear and MLP probes from hidden states to an annotation, selectivity, cross-validated')
    .requiredOption('--model <path>', 'model: a native folder, .onnx, .keras / .h5 or TF.js model.json')
    .option('--annotation <name>', "what to probe for: tags (the dataset's per-step tags) or, for token models, bracket-depth, quotes, line-position, char-class", 'tags')
    .option('--recipe <name>', 'recipe whose data is used (default: the recipe recorded in the model)')
    .option('--data <path>', 'data folder or file for the recipe (recipes that need one); for a model without a recipe, a JSON file of sequences (predict\'s input file, optional "labels" / "values")')
    .option('--split <name>', 'which part of the recipe data: train, validation or test', 'test')
    .option('--data-seed <n>', "seed of the recipe's data split (default: the model's recorded seed)", intOption('--data-seed', true))
    .option('--probe <kind>', 'linear, mlp or both', 'both')
    .option('--field <state>', 'h, c (LSTM cell state) or both', 'both')
    .option('--layer <key>', 'recurrent layer, e.g. lstm or lstm/forward (default: every recurrent layer)')
    .option('--folds <n>', 'folds of the cross-validation by sequence', intOption('--folds', false, 100), 5)
    .option('--max-steps <n>', 'steps probed at most (whole sequences)', intOption('--max-steps', false, 10_000_000), 5000)
    .option('--sequences <n>', 'sequences traced at most', intOption('--sequences', false, 1_000_000), 500)
    .option('--bins <n>', 'quantile bins for an annotation with many values', intOption('--bins', false, 100), 5)
    .option('--c <x>', 'inverse L2 strength of the linear probe (as scikit-learn\'s C)', '1')
    .option('--hidden <n>', 'hidden units of the MLP probe', intOption('--hidden', false, 4096), 64)
    .option('--epochs <n>', 'epochs of the MLP probe', intOption('--epochs', false, 10000), 20)
    .option('--seed <n>', 'seed of the sequence sample, folds and control labels', intOption('--seed', true), 0)
    .option('--timeout <seconds>', 'give up after this long', secondsOption('--timeout'))
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run (by default: a run of kind probe with probe.json and a figure)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .action(async (opts: ProbeCliOptions) => {
      const loaded = await loadAnalysisModel(opts.model);
      if (!['train', 'validation', 'test'].includes(opts.split)) throw new RnnlensError(`probe: --split expected train, validation or test, received ${JSON.stringify(opts.split)}`);
      if (!['linear', 'mlp', 'both'].includes(opts.probe)) throw new RnnlensError(`probe: --probe expected linear, mlp or both, received ${JSON.stringify(opts.probe)}`);
      if (!['h', 'c', 'both'].includes(opts.field)) throw new RnnlensError(`probe: --field expected h, c or both, received ${JSON.stringify(opts.field)}`);
      if (opts.folds < 2) throw new RnnlensError(`probe: --folds expected an integer >= 2, received ${opts.folds}`);
      if (opts.bins < 2) throw new RnnlensError(`probe: --bins expected an integer >= 2, received ${opts.bins}`);
      const C = Number(opts.c);
      if (opts.c.trim() === '' || !(C > 0) || !Number.isFinite(C)) throw new RnnlensError(`probe: --c expected a positive number, received ${JSON.stringify(opts.c)}`);
      const probes: ProbeKind[] = opts.probe === 'both' ? ['linear', 'mlp'] : [opts.probe as ProbeKind];
      const fields = opts.field === 'both' ? (['h', 'c'] as const) : ([opts.field] as ('h' | 'c')[]);
      const progress = createProgressRenderer({ quiet: opts.quiet || opts.json });
      let r: ProbeResult;
      let recipeName: string | null;
      let dsName: string;
      try {
        const picked = analysisDataset('probe', opts.model, loaded, { ...opts, onProgress: progress.callback });
        recipeName = picked.recipe;
        let ds = picked.ds;
        if (ds.items.length > opts.sequences) ds = subset(ds, Array.from({ length: opts.sequences }, (_, i) => i));
        dsName = ds.name;
        const ts = collectTraces(loaded.model, ds, { fields: ['h', 'c'], onProgress: progress.callback });
        if (opts.layer !== undefined && !ts.layers.some((l) => l.key === opts.layer || l.layer === opts.layer))
          throw new RnnlensError(`probe: --layer expected one of ${ts.layers.map((l) => l.key).join(', ')}, received ${JSON.stringify(opts.layer)}`);
        if (opts.field === 'c' && !ts.layers.some((l) => ts.values[ts.layers.indexOf(l)]!.c))
          throw new RnnlensError('probe: --field c needs an LSTM layer (the model has no cell state)');
        r = runProbes(ts, annotationByName(ds, ts, opts.annotation, 'probe'), stepTypes(ds, ts), {
          probes,
          fields: [...fields],
          ...(opts.layer !== undefined ? { layers: [opts.layer] } : {}),
          folds: opts.folds,
          maxSteps: opts.maxSteps,
          bins: opts.bins,
          C,
          mlp: { hidden: opts.hidden, epochs: opts.epochs },
          seed: opts.seed,
          onProgress: withDeadline('probe', opts.timeout, progress.callback),
        });
      } finally {
        progress.stop();
      }
      let runId: string | null = null;
      if (opts.record) {
        const store = RunStore.open(opts.runsDir);
        try {
          const w = store.createRun({
            kind: 'probe',
            config: { model: opts.model, recipe: recipeName, data: recipeName ? null : (opts.data ?? null), split: opts.split, annotation: opts.annotation, probe: opts.probe, field: opts.field, layer: opts.layer ?? null, folds: opts.folds, maxSteps: opts.maxSteps, bins: opts.bins, C, hidden: opts.hidden, epochs: opts.epochs },
            seed: opts.seed,
            tags: [recipeName ?? loaded.format, opts.annotation],
          });
          try {
            w.writeJson('probe.json', r);
            const oneLayer = new Set(r.rows.map((row) => row.layer)).size === 1;
            const rows = r.rows.flatMap((row) => {
              const group = `${oneLayer ? '' : `${row.layer.replace(/\/forward$/, '')} `}${row.field} ${row.probe}`;
              return [
                { group, series: 'task', value: row.task.mean, lower: row.task.low, upper: row.task.high },
                { group, series: 'control', value: row.control.mean, lower: row.control.low, upper: row.control.high },
              ];
            });
            rows.push(
              { group: 'majority', series: 'task', value: r.majority.mean, lower: r.majority.low, upper: r.majority.high },
              { group: 'majority', series: 'control', value: r.controlMajority.mean, lower: r.controlMajority.low, upper: r.controlMajority.high },
            );
            w.writeFigure('fig-probe-selectivity.json', {
              figure: 'error-bars',
              title: `Probes for ${r.annotation} (${oneLayer ? r.rows[0]!.layer : 'by layer'}): task and control accuracy, ${r.folds}-fold CV, 95% CI`,
              data: { metric: 'accuracy', rows },
            });
            const best = r.rows.reduce((a, b) => (b.selectivity.mean > a.selectivity.mean ? b : a));
            w.finish('finished', {
              metrics: Object.fromEntries(r.rows.flatMap((row) => [[`${row.field}_${row.probe}_accuracy`, row.task.mean], [`${row.field}_${row.probe}_selectivity`, row.selectivity.mean]]).concat([['majority', r.majority.mean], ['bestSelectivity', best.selectivity.mean]])),
            });
            runId = w.id;
          } catch (err) {
            w.fail(err);
            throw err;
          }
        } finally {
          store.close();
        }
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...r, data: dsName, run: runId }) + '\n');
        return;
      }
      if (runId) process.stdout.write(`recorded run ${runId}\n`);
      process.stdout.write(
        `probes for ${r.annotation} on ${dsName}: ${r.steps} steps of ${r.sequences} sequences, ${r.classes.length} classes (${r.labels === 'levels' ? 'its values' : 'quantile bins'}), control task over ${r.types} input types, ${r.folds}-fold CV by sequence\n`,
      );
      process.stdout.write(`  majority class: ${pct(r.majority.mean)}% on the task, ${pct(r.controlMajority.mean)}% on the control\n`);
      for (const row of r.rows)
        process.stdout.write(
          `  ${`${row.layer} ${row.field}`.padEnd(18)} ${row.probe.padEnd(6)} task ${pct(row.task.mean)}% [${pct(row.task.low)}, ${pct(row.task.high)}]  control ${pct(row.control.mean)}% [${pct(row.control.low)}, ${pct(row.control.high)}]  selectivity ${pct(row.selectivity.mean)} [${pct(row.selectivity.low)}, ${pct(row.selectivity.high)}] points\n`,
        );
      const first = r.rows[0]!;
      const show = first.byStep.filter((s) => s.step < 10 || s.step % 10 === 0);
      process.stdout.write(`  by step (${first.layer} ${first.field} ${first.probe}): ${show.map((s) => `${s.step}: ${pct(s.accuracy)}%`).join(', ')}\n`);
    });
}
