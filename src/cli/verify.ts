/**
 * `rnnlens verify gradients|dataset|groups`: checks of a model for users.
 *
 * `rnnlens verify gradients --model PATH [--data [PATH]] [--samples N]`: the saved model's
 * analytic gradients (loaded in float64 on the 'ts64' backend) against float64 central
 * differences, per parameter tensor (see src/verify/gradcheck.ts for the error and threshold).
 * Inputs: `--data` takes the first N test items of the model's recipe (PATH is the recipe's data
 * folder when it needs one); without it, N random sequences of `--steps` steps. Exit code 1 when
 * any tensor fails.
 *
 * `rnnlens verify dataset --model PATH --recipe NAME [--data PATH] [--part test|all]`: a trained
 * model on another dataset (a recipe's test part, or all of it): metrics with bootstrap intervals.
 * Token models must share the recipe's tokenizer (ids of another vocabulary mean nothing).
 *
 * `rnnlens verify groups --recipe NAME --group-by FIELD [--data PATH] [--epochs N] [--executor local|redis://…]`: each group
 * (e.g. each FSDD speaker) held out in turn, a fresh model trained on the others, metrics with
 * bootstrap intervals per group.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { DEFAULT_QUEUE, openExecutor } from '../distributed/executor.js';
import { loadModel } from '../train/checkpoint.js';
import { getRecipe } from '../train/recipes.js';
import { mergePool } from '../verify/cv/plan.js';
import { evaluateGeneralisation, leaveOneGroupOutEvaluation, type GeneralisationResult } from '../verify/generalise.js';
import { datasetInputs, randomInputs, verifyGradients, type GradCheckResult } from '../verify/gradcheck.js';
import { addRecordOptions, recordAnalysis, recordedLine } from '../pipeline/analysis-run.js';
import { intOption } from './options.js';

/** Estimates of a generalisation result as run metrics (`<metric>`, `<metric>_ci_low`, `<metric>_ci_high`). */
function intervalMetrics(r: GeneralisationResult, prefix = ''): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [k, iv] of Object.entries(r.intervals)) Object.assign(m, { [`${prefix}${k}`]: iv.estimate, [`${prefix}${k}_ci_low`]: iv.low, [`${prefix}${k}_ci_high`]: iv.high });
  return m;
}
import { createProgressRenderer } from './progress.js';

function table(r: GradCheckResult): string {
  const rows = r.tensors.map((t) => [t.name, `[${t.shape.join(', ')}]`, `${t.checked}/${t.size}`, t.worstError.toExponential(2), t.passed ? 'ok' : 'FAIL']);
  const head = ['tensor', 'shape', 'checked', 'worst rel. error', ''];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padEnd(w[c]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function intervalLines(r: GeneralisationResult, indent = '  '): string[] {
  const lines = Object.entries(r.intervals).map(([k, iv]) => `${indent}${k.padEnd(18)} ${iv.estimate.toFixed(4)}  [${iv.low.toFixed(4)}, ${iv.high.toFixed(4)}]`);
  for (const k of ['logLoss', 'rocAuc', 'r2']) if (r.metrics[k] !== undefined) lines.push(`${indent}${k.padEnd(18)} ${r.metrics[k]!.toFixed(4)}`);
  return lines;
}

export function register(program: Command): void {
  const verify = program.command('verify').description('verify a model: gradients, another dataset, held-out groups');
  const gradients = verify
    .command('gradients')
    .description("compare a saved model's analytic gradients with float64 central differences")
    .requiredOption('--model <dir>', 'model folder (model.json + weights)')
    .option('--data [path]', "use the first samples of the model's recipe test data (PATH: the recipe's data folder)")
    .option('--recipe <name>', 'recipe for --data (default: the one recorded in the model)')
    .option('--samples <n>', 'input sequences', intOption('--samples'), 4)
    .option('--steps <n>', 'steps of random inputs', intOption('--steps'), 8)
    .option('--per-tensor <n>', 'elements checked per tensor (all when smaller)', intOption('--per-tensor'), 32)
    .option('--threshold <x>', 'largest accepted relative error', parseFloat, 1e-4)
    .option('--eps <x>', 'difference step (float64)', parseFloat, 1e-6)
    .option('--seed <n>', 'seed of the inputs, projection and element choice', intOption('--seed', true), 0)
    .option('--json', 'print one JSON object');
  addRecordOptions(gradients, 'verify')
    .action(async (o) => {
      for (const [flag, v] of [['--threshold', o.threshold], ['--eps', o.eps]] as const) {
        if (!(v > 0)) throw new RnnlensError(`verify gradients: ${flag} expected a positive number, received ${v}`);
      }
      const loaded = loadModel(o.model, { backend: 'ts64' });
      const model = loaded.model;
      let input;
      let source: string;
      if (o.data !== undefined) {
        const recipeName = o.recipe ?? (loaded.file.meta.recipe as string | undefined);
        if (!recipeName) throw new RnnlensError('verify gradients: --data needs --recipe NAME (the model does not record its recipe)');
        const parts = getRecipe(recipeName).load({ data: typeof o.data === 'string' ? o.data : undefined, seed: 0 });
        const ds = parts.test.items.length > 0 ? parts.test : parts.train;
        input = datasetInputs(model, ds, o.samples);
        source = `${Math.min(o.samples, ds.items.length)} items of ${ds.name}`;
      } else {
        input = randomInputs(model, { samples: o.samples, steps: o.steps, seed: o.seed });
        source = `${o.samples} random sequences of ${o.steps} steps`;
      }
      const progress = createProgressRenderer({ quiet: o.json });
      let r: GradCheckResult;
      try {
        r = verifyGradients(model, input, { perTensor: o.perTensor, threshold: o.threshold, eps: o.eps, seed: o.seed, onProgress: progress.callback });
      } finally {
        progress.stop();
      }
      const json = { model: o.model, inputs: source, ...r };
      const run = await recordAnalysis(o, o.model, { kind: 'verify', config: { check: 'gradients', inputs: source, samples: o.samples, perTensor: o.perTensor, threshold: o.threshold, eps: o.eps }, seed: o.seed }, (w) => {
        w.writeJson('verify.json', json);
        return { passed: r.passed ? 1 : 0, worstError: r.worst.error, failedTensors: r.tensors.filter((t) => !t.passed).length, tensors: r.tensors.length };
      });
      if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...json, run: run.id } : json) + '\n');
      else {
        process.stdout.write(recordedLine(run));
        process.stdout.write(`gradient check of ${o.model} on ${source} (float64, eps ${r.eps}, threshold ${r.threshold})\n${table(r)}\n`);
        process.stdout.write(r.passed ? `PASS: worst relative error ${r.worst.error.toExponential(2)} (${r.worst.name})\n` : `FAIL: ${r.tensors.filter((t) => !t.passed).length} tensor(s) above ${r.threshold}; worst ${r.worst.error.toExponential(2)} in ${r.worst.name}\n`);
      }
      if (!r.passed) process.exitCode = 1;
    });

  const dataset = verify
    .command('dataset')
    .description("a trained model on another dataset (a recipe's data): metrics with bootstrap intervals")
    .requiredOption('--model <dir>', 'model folder')
    .requiredOption('--recipe <name>', 'recipe whose data the model is evaluated on')
    .option('--data <path>', "the recipe's data folder (recipes that need one)")
    .option('--part <part>', 'test | all', 'test')
    .option('--resamples <n>', 'bootstrap resamples', intOption('--resamples'), 2000)
    .option('--seed <n>', 'bootstrap seed', intOption('--seed', true), 0)
    .option('--json', 'print one JSON object');
  addRecordOptions(dataset, 'verify')
    .action(async (o) => {
      if (o.part !== 'test' && o.part !== 'all') throw new RnnlensError(`verify dataset: --part expected test or all, received ${JSON.stringify(o.part)}`);
      const { model, file } = loadModel(o.model);
      const parts = getRecipe(o.recipe).load({ data: o.data, seed: 0 });
      const ds = o.part === 'all' ? mergePool([parts.train, parts.validation, parts.test], o.recipe) : parts.test;
      if (model.inputSpec.kind === 'tokens' && JSON.stringify(file.preprocessing.tokenizer ?? null) !== JSON.stringify(parts.preprocessing.tokenizer ?? null)) {
        throw new RnnlensError(`verify dataset: the model's tokenizer differs from recipe ${o.recipe}'s; token ids of another vocabulary mean nothing (evaluate on data prepared with the model's own preprocessing)`);
      }
      if (file.task !== parts.task) throw new RnnlensError(`verify dataset: the model is a ${file.task} model, recipe ${o.recipe} is a ${parts.task} task`);
      const r = evaluateGeneralisation(model, ds, parts.task, { nResamples: o.resamples, seed: o.seed });
      const json = { model: o.model, dataset: ds.name, ...r };
      const run = await recordAnalysis(o, o.model, { kind: 'verify', config: { check: 'dataset', recipe: o.recipe, part: o.part, resamples: o.resamples, dataset: ds.name }, seed: o.seed, tags: [o.recipe] }, (w) => {
        w.writeJson('verify.json', json);
        return { n: r.n, ...intervalMetrics(r) };
      });
      if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...json, run: run.id } : json) + '\n');
      else process.stdout.write([`${o.model} on ${ds.name} (${r.n} items), estimate [95% bootstrap CI]:`, ...intervalLines(r), ...r.warnings.map((w) => `note: ${w}`)].join('\n') + '\n' + recordedLine(run));
    });

  const groups = verify
    .command('groups')
    .description('each group held out in turn (e.g. each speaker): a fresh model trained on the others, metrics with bootstrap intervals')
    .requiredOption('--recipe <name>', 'recipe')
    .requiredOption('--group-by <field>', 'metadata field of the groups (e.g. speaker)')
    .option('--data <path>', "the recipe's data folder (recipes that need one)")
    .option('--epochs <n>', 'epochs per model (default: the recipe)', intOption('--epochs'))
    .option('--seed <n>', 'random seed', intOption('--seed', true), 0)
    .option('--parallel <n>', 'models trained at once in worker threads', intOption('--parallel'), 1)
    .option('--executor <where>', "'local' (this machine) or redis://HOST:PORT (rnnlens worker processes train the models)", 'local')
    .option('--queue <name>', 'queue name on Redis', DEFAULT_QUEUE)
    .option('--artifacts <where>', 'folder or s3://BUCKET/PREFIX every worker can read, for data too large for Redis')
    .option('--resamples <n>', 'bootstrap resamples', intOption('--resamples'), 2000)
    .option('--json', 'print one JSON object');
  addRecordOptions(groups, 'verify')
    .action(async (o) => {
      const progress = createProgressRenderer();
      const executor = await openExecutor(o.executor, { threads: o.parallel, queue: o.queue, artifacts: o.artifacts, onWarning: (m) => void process.stderr.write(`warning: ${m}\n`) });
      try {
        const r = await leaveOneGroupOutEvaluation({
          recipe: o.recipe,
          data: o.data,
          groupBy: o.groupBy,
          seed: o.seed,
          executor,
          trainConfig: o.epochs !== undefined ? { epochs: o.epochs } : undefined,
          bootstrap: { nResamples: o.resamples, seed: o.seed },
          onProgress: progress.callback,
          onWarning: (m) => void process.stderr.write(`warning: ${m}\n`),
        });
        progress.stop();
        const run = await recordAnalysis(o, undefined, { kind: 'verify', config: { check: 'groups', recipe: o.recipe, groupBy: o.groupBy, epochs: o.epochs ?? null, resamples: o.resamples, executor: executor.name }, seed: o.seed, tags: [o.recipe] }, (w) => {
          w.writeJson('verify.json', r);
          const m: Record<string, number> = { groups: r.groups.length };
          for (const g of r.groups) Object.assign(m, intervalMetrics(g, `group_${String(g.group).replace(/[^A-Za-z0-9]+/g, '_')}_`));
          return m;
        });
        if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...r, run: run.id } : r) + '\n');
        else {
          const lines = [`${o.recipe}: each ${o.groupBy} held out in turn, estimate [95% bootstrap CI]:`];
          for (const g of r.groups) lines.push(`${o.groupBy} ${g.group} (${g.n} items; trained on ${g.trainSize}):`, ...intervalLines(g, '    '));
          process.stdout.write(lines.join('\n') + '\n' + recordedLine(run));
        }
      } finally {
        progress.stop();
        await executor.close();
      }
    });
}
