/**
 * `rnnlens intervene --model PATH --units 3,7 | --units top:ANNOTATION[:K] [--mode zero|mean|clamp|patch]
 *  [--state h|c|both] [--steps FROM:TO] [--permutations N] [--json]`: causal unit tests. Sets the
 * chosen units of a recurrent layer over the chosen steps, measures the change of the outputs and
 * of the task metric on the recipe's data, and compares it with the same intervention on random
 * units of the same count (a permutation test; exact when there are few enough sets).
 * `top:ANNOTATION` takes the units that internals ranks best against that annotation, ranked on a
 * different split (validation by default) from the one the intervention is measured on.
 */
import type { Command } from 'commander';
import { intervene, type InterveneResult, type InterventionMode, type InterventionState } from '../causal/intervene.js';
import { RnnlensError } from '../core/errors.js';
import { subset, type Dataset } from '../data/dataset.js';
import { BUILTIN_ANNOTATIONS, builtinAnnotation, stepTokens, tagAnnotation, type Annotation } from '../explain/internals/annotations.js';
import { alignAnnotation } from '../explain/internals/align.js';
import { collectTraces } from '../explain/internals/collect.js';
import { rankUnits, type UnitScore } from '../explain/internals/units.js';
import { RunStore } from '../runs/store.js';
import { analysisSplits, loadAnalysisModel } from './analysis-model.js';
import { intOption, secondsOption, withDeadline } from './options.js';
import { createProgressRenderer } from './progress.js';

interface InterveneCliOptions {
  model: string;
  recipe?: string;
  data?: string;
  split: string;
  rankSplit: string;
  dataSeed?: number;
  layer?: string;
  units: string;
  mode: string;
  value?: string;
  state?: string;
  steps?: string;
  permutations: number;
  limit?: number;
  seed: number;
  runsDir: string;
  record: boolean;
  json?: boolean;
  quiet?: boolean;
  timeout?: number;
}

const SPLITS = ['train', 'validation', 'test'];

function rankedUnits(model: Parameters<typeof intervene>[0], ds: Dataset, annotation: string, k: number, layer: string | undefined): UnitScore[] {
  const ts = collectTraces(model, ds, { fields: ['h', 'c'] });
  let ann: Annotation | undefined;
  if (annotation === 'tags') ann = tagAnnotation(ds, ts.sequences, ts.alignment?.inputOffsets ?? ts.offsets);
  else if ((BUILTIN_ANNOTATIONS as readonly string[]).includes(annotation)) {
    if (ds.input !== 'tokens')
      throw new RnnlensError(`intervene: --units top:${annotation} needs a token model; this one reads numeric input (use top:tags for per-step tags)`);
    ann = builtinAnnotation(annotation, stepTokens(ds, ts.sequences)).find((a) => a.name === annotation);
  }
  if (ann) ann = alignAnnotation(ann, ts.alignment);
  if (!ann)
    throw new RnnlensError(
      `intervene: --units top:${annotation}: unknown annotation; expected tags or one of ${BUILTIN_ANNOTATIONS.filter((a) => a !== 'token').join(', ')}`,
    );
  const ranking = rankUnits(ts, [ann], { top: Math.max(k * 2, 5), permutations: 0 });
  const all = (ranking.byAnnotation[ann.name] ?? []).filter((u) => layer === undefined || u.layer === layer || u.layer.startsWith(`${layer}/`));
  if (all.length === 0) throw new RnnlensError(`intervene: no unit of ${layer ?? 'the model'} could be ranked against ${annotation} (is it constant on the ${ds.name} data?)`);
  const picked: UnitScore[] = [];
  for (const u of all) if (u.layer === all[0]!.layer && !picked.some((p) => p.unit === u.unit) && picked.length < k) picked.push(u);
  return picked;
}

export function register(program: Command): void {
  program
    .command('intervene')
    .description('causal unit tests: ablate, clamp or patch units of a recurrent layer and test the change against random units')
    .requiredOption('--model <path>', 'model: a native folder, .onnx, .keras / .h5 or TF.js model.json')
    .requiredOption('--units <list>', 'units to set: indices like 3,7, or top:ANNOTATION[:K] for the K (default 1) units internals ranks best against it (tags, bracket-depth, quotes, ...)')
    .option('--recipe <name>', 'recipe whose data is used (default: the recipe recorded in the model)')
    .option('--data <path>', 'data folder or file for the recipe (recipes that need one); for a model without a recipe, a JSON file of sequences (predict\'s input file, optional "labels" / "values")')
    .option('--split <name>', 'split the intervention is measured on: train, validation or test', 'test')
    .option('--rank-split <name>', 'split the units of top:ANNOTATION are ranked on (another one than --split)', 'validation')
    .option('--data-seed <n>', "seed of the recipe's data split (default: the model's recorded seed)", intOption('--data-seed', true))
    .option('--layer <name>', 'recurrent layer (default: the first recurrent layer)')
    .option('--mode <mode>', 'zero, mean (over the data), clamp (to --value) or patch (copy from the same step of another sequence)', 'zero')
    .option('--value <x>', 'clamp: the value the units are held at')
    .option('--state <which>', 'h, c (LSTM cell state) or both (default: the state top:ANNOTATION ranked, else both for LSTM, h otherwise)')
    .option('--steps <from:to>', 'steps [from, to) of the recurrent layer the intervention applies to: input positions, or recurrent steps when the layers before it change the number of steps (default every step; to may be omitted)')
    .option('--permutations <n>', 'random unit sets of the same count for the test (all of them when there are fewer)', intOption('--permutations', true, 100000), 99)
    .option('--limit <n>', 'use the first N sequences of the split', intOption('--limit', false))
    .option('--seed <n>', 'seed of the random unit sets and patch donors', intOption('--seed', true), 0)
    .option('--timeout <seconds>', 'give up after this long', secondsOption('--timeout'))
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run (by default: a run of kind intervene with intervention.json and a figure)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .action(async (opts: InterveneCliOptions) => {
      const loaded = await loadAnalysisModel(opts.model);
      let recipeName: string | null;
      for (const [flag, v] of [['--split', opts.split], ['--rank-split', opts.rankSplit]] as const)
        if (!SPLITS.includes(v)) throw new RnnlensError(`intervene: ${flag} expected train, validation or test, received ${JSON.stringify(v)}`);
      const modes = ['zero', 'mean', 'clamp', 'patch'];
      if (!modes.includes(opts.mode)) throw new RnnlensError(`intervene: --mode expected zero, mean, clamp or patch, received ${JSON.stringify(opts.mode)}`);
      let value: number | undefined;
      if (opts.value !== undefined) {
        value = Number(opts.value);
        if (opts.value.trim() === '' || !Number.isFinite(value)) throw new RnnlensError(`intervene: --value expected a finite number, received ${JSON.stringify(opts.value)}`);
        if (opts.mode !== 'clamp') throw new RnnlensError(`intervene: --value is for --mode clamp; the mode is ${opts.mode}`);
      } else if (opts.mode === 'clamp') throw new RnnlensError('intervene: --mode clamp needs --value X (the value the units are held at)');
      if (opts.state !== undefined && !['h', 'c', 'both'].includes(opts.state))
        throw new RnnlensError(`intervene: --state expected h, c or both, received ${JSON.stringify(opts.state)}`);
      let steps: { from: number; to?: number } | undefined;
      if (opts.steps !== undefined) {
        const m = /^(\d+):(\d*)$/.exec(opts.steps.trim());
        if (!m || (m[2] !== '' && Number(m[2]) <= Number(m[1])))
          throw new RnnlensError(`intervene: --steps expected FROM:TO with 0 <= FROM < TO (or FROM: for every step from FROM on), received ${JSON.stringify(opts.steps)}`);
        steps = { from: Number(m[1]), ...(m[2] !== '' ? { to: Number(m[2]) } : {}) };
      }
      const top = /^top:([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(opts.units.trim());
      let units: number[] | null = null;
      if (!top) {
        units = opts.units.split(',').map((v, i) => {
          const n = Number(v);
          if (v.trim() === '' || !Number.isInteger(n) || n < 0)
            throw new RnnlensError(`intervene: --units value ${i + 1} expected a unit index (an integer >= 0) or the list to be top:ANNOTATION[:K], received ${JSON.stringify(v)}`);
          return n;
        });
      } else if (top[2] !== undefined && Number(top[2]) < 1) throw new RnnlensError(`intervene: --units top:${top[1]}:K expected K >= 1, received ${top[2]}`);
      const progress = createProgressRenderer({ quiet: opts.quiet || opts.json });
      let r: InterveneResult;
      let ranked: UnitScore[] | null = null;
      let dsName: string;
      try {
        const picked = analysisSplits('intervene', opts.model, loaded, { ...opts, onProgress: progress.callback });
        recipeName = picked.recipe;
        const data = picked.splits;
        const task = picked.task;
        if (!task) throw new RnnlensError(`intervene: --data ${opts.data} holds no targets; give "labels" (class indices), "values" (regression targets) or "tags" (per-step classes) so the task metric can be measured`);
        let ds = data[opts.split as 'train' | 'validation' | 'test'];
        if (opts.limit !== undefined && opts.limit < ds.items.length) ds = subset(ds, Array.from({ length: opts.limit }, (_, i) => i));
        dsName = ds.name;
        let state = opts.state as InterventionState | undefined;
        if (top) {
          if (opts.rankSplit === opts.split)
            process.stderr.write(`rnnlens: warning: units ranked and tested on the same split (${opts.split}); pass --rank-split another one for an unbiased test\n`);
          progress.callback({ task: 'rank units', done: 0, total: 1, message: top[1] });
          ranked = rankedUnits(loaded.model, data[opts.rankSplit as 'train' | 'validation' | 'test'], top[1]!, Number(top[2] ?? 1), opts.layer);
          units = ranked.map((u) => u.unit);
          state ??= ranked[0]!.field;
          opts.layer ??= ranked[0]!.layer.replace(/\/forward$/, '');
        }
        r = intervene(loaded.model, ds, {
          units: units!,
          mode: opts.mode as InterventionMode,
          ...(value !== undefined ? { value } : {}),
          ...(state ? { state } : {}),
          ...(steps ? { steps } : {}),
          layer: opts.layer,
          task,
          permutations: opts.permutations,
          seed: opts.seed,
          onProgress: withDeadline('intervene', opts.timeout, progress.callback),
        });
      } finally {
        progress.stop();
      }
      const summary = { ...r, ranked: ranked?.map(({ layer, field, unit, annotation, r: corr }) => ({ layer, field, unit, annotation, r: corr })) ?? null, data: dsName };
      let runId: string | null = null;
      if (opts.record) {
        const store = RunStore.open(opts.runsDir);
        try {
          const w = store.createRun({
            kind: 'intervene',
            config: { model: opts.model, recipe: recipeName, data: recipeName ? null : (opts.data ?? null), split: opts.split, layer: r.layer, units: opts.units, mode: r.mode, state: r.state, value: r.value, steps: opts.steps ?? null, permutations: opts.permutations, limit: opts.limit ?? null },
            seed: opts.seed,
            tags: [recipeName ?? loaded.format],
          });
          try {
            w.writeJson('intervention.json', summary);
            w.writeFigure('fig-intervention.json', {
              figure: 'intervention',
              title: `${r.mode} of unit${r.units.length > 1 ? 's' : ''} ${r.units.join(', ')} (${r.layer}, ${r.state}): ${r.metricName} ${r.clean.toFixed(4)} → ${r.intervened.metric.toFixed(4)}; random units p = ${r.random.p === null ? 'n/a' : r.random.p.toFixed(4)}`,
              data: { metricName: r.metricName, clean: r.clean, intervened: r.intervened.metric, effect: r.effect, randomEffects: r.random.effects, p: r.random.p, exact: r.random.exact, units: r.units, layer: r.layer },
            });
            w.finish('finished', {
              metrics: { clean: r.clean, intervened: r.intervened.metric, effect: r.effect, outputChange: r.intervened.outputChange, randomEffectMean: r.random.mean, ...(r.random.p !== null ? { p: r.random.p } : {}) },
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
      const better = r.higherIsBetter ? 'higher is better' : 'lower is better';
      if (ranked)
        process.stdout.write(`units ranked against ${ranked[0]!.annotation} on ${opts.rankSplit}: ${ranked.map((u) => `${u.field}${u.unit} (r ${u.r.toFixed(3)})`).join(', ')}\n`);
      process.stdout.write(
        `${r.mode}${r.value !== null ? ` at ${r.value}` : ''} of unit${r.units.length > 1 ? 's' : ''} ${r.units.join(', ')} of ${r.layer} (${r.state}${r.steps.from > 0 || r.steps.to !== null ? `, steps ${r.steps.from}:${r.steps.to ?? ''}` : ''}) on ${dsName} (${r.items} sequences):\n`,
      );
      process.stdout.write(`  ${r.metricName} ${r.clean.toFixed(4)} → ${r.intervened.metric.toFixed(4)} (${better}; effect ${r.effect >= 0 ? '+' : ''}${r.effect.toFixed(4)})\n`);
      process.stdout.write(`  outputs: mean change ${r.intervened.outputChange.toFixed(4)}${r.task !== 'regression' ? `, ${(100 * r.intervened.flipped).toFixed(1)}% of predictions changed` : ''}\n`);
      if (r.random.p !== null)
        process.stdout.write(
          `  random units of the same count (${r.random.permutations} sets${r.random.exact ? ', all there are' : ''}): mean effect ${r.random.mean.toFixed(4)}, 95th percentile ${r.random.q95.toFixed(4)}; p = ${r.random.p.toFixed(4)} (outputs: mean change ${r.random.meanOutputChange.toFixed(4)}, p = ${r.random.outputP!.toFixed(4)})\n`,
        );
      const od = r.random.overData;
      if (od)
        process.stdout.write(
          `  against the average random set, over the ${r.items} sequences (paired t-test, one-sided): ${od.difference >= 0 ? '+' : ''}${od.difference.toFixed(4)} ${r.metricName}, t = ${od.t.toFixed(2)}, p = ${od.p.toExponential(2)}\n`,
        );
      if (r.random.exact && r.random.permutations + 1 <= 20)
        process.stdout.write(`  note: with ${r.random.permutations} possible random sets the smallest p possible is ${(1 / (r.random.permutations + 1)).toFixed(4)}\n`);
    });
}
