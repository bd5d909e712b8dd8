/**
 * `rnnlens dynamics --model PATH [--recipe NAME] [--data PATH] [--layer KEY] [--input-token TOK |
 *  --input X,...] [--starts N] [--json]`: a recurrent layer under a constant input as a dynamical
 * system. Finds fixed and slow points from states on the dataset's trajectories, classifies them
 * by the eigenvalues of their Jacobians, projects them on the trajectories' principal components
 * and tests for an approximate line attractor; records a run with dynamics.json and a figure.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { analyseDynamics, type DynamicsResult } from '../dynamics/analyse.js';
import { RunStore } from '../runs/store.js';
import { analysisDataset, loadAnalysisModel } from './analysis-model.js';
import { Tokenizer, UNK_ID } from '../data/tokenizer.js';
import { intOption, withDeadline, secondsOption } from './options.js';
import { createProgressRenderer } from './progress.js';

interface DynamicsCliOptions {
  model: string;
  recipe?: string;
  data?: string;
  split: string;
  dataSeed?: number;
  layer?: string;
  input?: string;
  inputToken?: string;
  starts: number;
  noise: string;
  sequences: number;
  iterations: number;
  lr: string;
  qTol: string;
  slowTol: string;
  uniqueTol: string;
  seed: number;
  runsDir: string;
  record: boolean;
  json?: boolean;
  quiet?: boolean;
  timeout?: number;
}

function numberOption(flag: string, v: string, positive: boolean): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (positive ? x <= 0 : x < 0))
    throw new RnnlensError(
      `dynamics: ${flag} expected a ${positive ? 'positive' : 'non-negative'} number, received ${JSON.stringify(v)}`,
    );
  return x;
}

export function register(program: Command): void {
  program
    .command('dynamics')
    .description(
      'fixed and slow points of a recurrent layer under a constant input: stability, slow modes, line attractors',
    )
    .requiredOption('--model <path>', 'model: a native folder, .onnx, .keras / .h5 or TF.js model.json')
    .option(
      '--recipe <name>',
      'recipe whose data gives the trajectories (default: the recipe recorded in the model)',
    )
    .option('--data <path>', 'data folder or file for the recipe (recipes that need one); for a model without a recipe, a JSON file of sequences (predict\'s input file, optional "labels" / "values")')
    .option('--split <name>', 'which part of the recipe data: train, validation or test', 'test')
    .option(
      '--data-seed <n>',
      "seed of the recipe's data split (default: the model's recorded seed)",
      intOption('--data-seed', true),
    )
    .option(
      '--layer <key>',
      'recurrent layer and direction, e.g. lstm/forward (default: the first recurrent layer)',
    )
    .option(
      '--input <values>',
      "the constant input x*, comma-separated, in the layer's input space (default: zeros)",
    )
    .option(
      '--input-token <token>',
      'token models: hold the embedding of this token constant instead of zeros',
    )
    .option(
      '--starts <n>',
      'starting states sampled from the trajectories',
      intOption('--starts', false, 100000),
      256,
    )
    .option('--noise <sd>', 'Gaussian noise added to each start', '0')
    .option(
      '--sequences <n>',
      'sequences run through the model for the trajectories',
      intOption('--sequences', false, 1000000),
      200,
    )
    .option(
      '--iterations <n>',
      'Adam iterations per start',
      intOption('--iterations', true, 1000000),
      1500,
    )
    .option('--lr <x>', 'Adam learning rate', '0.01')
    .option('--q-tol <x>', 'q = ½‖F(s) − s‖² under which a point is fixed', '1e-12')
    .option(
      '--slow-tol <x>',
      'q under which a point is slow (line attractors are made of slow points)',
      '1e-3',
    )
    .option('--unique-tol <x>', 'distance under which two points are one', '1e-3')
    .option('--seed <n>', 'seed of the start sampling', intOption('--seed', true), 0)
    .option('--timeout <seconds>', 'give up after this long', secondsOption('--timeout'))
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option(
      '--no-record',
      'do not record a run (by default: a run of kind dynamics with dynamics.json and a figure)',
    )
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .action(async (opts: DynamicsCliOptions) => {
      const loaded = await loadAnalysisModel(opts.model);
      let recipeName: string | null;
      if (!['train', 'validation', 'test'].includes(opts.split))
        throw new RnnlensError(
          `dynamics: --split expected train, validation or test, received ${JSON.stringify(opts.split)}`,
        );
      if (opts.input !== undefined && opts.inputToken !== undefined)
        throw new RnnlensError('dynamics: give --input or --input-token, not both');
      const input = opts.input?.split(',').map((v, i) => {
        const x = Number(v);
        if (v.trim() === '' || !Number.isFinite(x))
          throw new RnnlensError(
            `dynamics: --input value ${i + 1} expected a finite number, received ${JSON.stringify(v)}`,
          );
        return x;
      });
      let inputToken: number | undefined;
      if (opts.inputToken !== undefined) {
        const json = loaded.preprocessing['tokenizer'];
        if (!json)
          throw new RnnlensError(
            `dynamics: --input-token needs a token model with a tokenizer; the model at ${opts.model} has none`,
          );
        const tok = Tokenizer.fromJSON(json);
        inputToken = tok.idOf(tok.tokens(opts.inputToken)[0] ?? '');
        if (inputToken === UNK_ID && opts.inputToken !== tok.unkToken)
          throw new RnnlensError(
            `dynamics: --input-token ${JSON.stringify(opts.inputToken)} is not in the model's vocabulary (${tok.size} ids)`,
          );
      }
      const progress = createProgressRenderer({ quiet: opts.quiet || opts.json });
      let r: DynamicsResult;
      let name: string;
      try {
        const picked = analysisDataset('dynamics', opts.model, loaded, { ...opts, onProgress: progress.callback });
        recipeName = picked.recipe;
        const ds = picked.ds;
        name = ds.name;
        r = analyseDynamics(loaded.model, ds, {
          layer: opts.layer,
          input,
          inputToken,
          starts: opts.starts,
          noise: numberOption('--noise', opts.noise, false),
          sequences: opts.sequences,
          iterations: opts.iterations,
          lr: numberOption('--lr', opts.lr, true),
          qTol: numberOption('--q-tol', opts.qTol, true),
          slowTol: numberOption('--slow-tol', opts.slowTol, true),
          uniqueTol: numberOption('--unique-tol', opts.uniqueTol, true),
          seed: opts.seed,
          onProgress: withDeadline('dynamics', opts.timeout, progress.callback),
        });
      } finally {
        progress.stop();
      }
      const { figure, ...summary } = r;
      let runId: string | null = null;
      if (opts.record) {
        const store = RunStore.open(opts.runsDir);
        try {
          const w = store.createRun({
            kind: 'dynamics',
            config: {
              model: opts.model,
              recipe: recipeName,
              data: recipeName ? null : (opts.data ?? null),
              split: opts.split,
              layer: r.layer,
              input: opts.input ?? null,
              inputToken: opts.inputToken ?? null,
              starts: opts.starts,
              noise: opts.noise,
              iterations: opts.iterations,
              lr: opts.lr,
              qTol: opts.qTol,
              slowTol: opts.slowTol,
              uniqueTol: opts.uniqueTol,
            },
            seed: opts.seed,
            tags: [recipeName ?? loaded.format],
          });
          try {
            w.writeJson('dynamics.json', summary);
            w.writeFigure('fig-fixed-points.json', {
              figure: 'fixed-points',
              title: `${r.layer}: ${r.counts.stableFixed} stable fixed points, ${r.counts.fixed + r.counts.slow} fixed or slow points`,
              data: figure,
            });
            w.finish('finished', {
              metrics: {
                fixedPoints: r.counts.fixed,
                slowPoints: r.counts.slow,
                stableFixedPoints: r.counts.stableFixed,
                saddles: r.counts.saddle,
                lineAttractor: r.lineAttractor.detected ? 1 : 0,
              },
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
        process.stdout.write(JSON.stringify({ ...summary, run: runId }) + '\n');
        return;
      }
      if (runId) process.stdout.write(`recorded run ${runId}\n`);
      const c = r.counts;
      process.stdout.write(
        `${r.layer} (${r.cell}, ${r.units} units, state size ${r.stateSize}) on ${name}, from ${r.starts} starts: ${c.fixed} fixed and ${c.slow} slow points (${r.unconverged} starts did not converge)\n`,
      );
      process.stdout.write(
        `  stable fixed points: ${c.stableFixed}; stable ${c.stable}, saddles ${c.saddle}, unstable ${c.unstable}\n`,
      );
      const la = r.lineAttractor;
      process.stdout.write(
        `  line attractor: ${la.detected ? 'yes' : 'no'} (${la.reason}; top |eigenvalue| ${la.topEigenvalue.toFixed(4)}, ${(100 * la.trajectoryVariance).toFixed(1)}% of trajectory variance along it)\n`,
      );
      process.stdout.write(
        `  trajectory PCA: ${r.pcaExplained.map((v) => `${(100 * v).toFixed(1)}%`).join(', ')} of variance on the first components\n`,
      );
      const rank = { stable: 0, saddle: 1, unstable: 2 };
      for (const p of [...r.points]
        .sort((a, b) => rank[a.stability] - rank[b.stability] || a.q - b.q)
        .slice(0, 20))
        process.stdout.write(
          `  ${p.kind.padEnd(5)} ${p.stability.padEnd(8)} q=${p.q.toExponential(2)}  |λ|max=${p.radius.toFixed(4)}  unstable modes ${p.unstableModes}  (${p.hits} start${p.hits === 1 ? '' : 's'})\n`,
        );
      if (r.points.length > 20)
        process.stdout.write(`  ... ${r.points.length - 20} more (--json for all)\n`);
    });
}
