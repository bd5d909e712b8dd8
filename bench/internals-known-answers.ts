/**
 * Known answers of `rnnlens internals` at recipe scale, for the README:
 *   npx tsx bench/internals-known-answers.ts [--seconds 120] [--json]
 * - brackets: an LSTM trained on the `brackets` recipe data has, found unprompted among all
 *   annotations, a unit whose activation correlates with nesting depth (|r| >= 0.9);
 * - moby-dick: a character LSTM trained for `--seconds` on the recipe's windows; the best units
 *   for quotes and line position with their Pearson r, mutual information and permutation p.
 *   Windows are 100 characters, so both annotations restart at every window border.
 */
import { getRecipe, buildModelConfig } from '../src/train/recipes.js';
import { SequenceModel } from '../src/nn/model.js';
import { train } from '../src/train/trainer.js';
import { analyseInternals } from '../src/explain/internals/analyse.js';
import { subset } from '../src/data/dataset.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const secIdx = args.indexOf('--seconds');
const seconds = secIdx >= 0 ? Number(args[secIdx + 1]) : 120;
const log = (s: string): void => void process.stderr.write(s + '\n');
const out: Record<string, unknown> = {};

async function run(
  name: string,
  opts: { hidden?: number; maxSeconds?: number; trainItems?: number; annotate?: string[] },
): Promise<void> {
  const recipe = getRecipe(name);
  const data = recipe.load({ seed: recipe.train.seed });
  const trainSet = opts.trainItems
    ? subset(
        data.train,
        Array.from({ length: Math.min(opts.trainItems, data.train.items.length) }, (_, i) => i),
      )
    : data.train;
  const shape = { ...recipe.model, ...(opts.hidden ? { hidden: opts.hidden } : {}) };
  const model = new SequenceModel(buildModelConfig(shape, trainSet, data.task), {
    seed: recipe.train.seed,
  });
  const t0 = performance.now();
  const res = await train(model, trainSet, {
    ...recipe.train,
    task: data.task,
    ...(opts.maxSeconds ? { maxSeconds: opts.maxSeconds } : {}),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const r = analyseInternals(model, data.test, {
    maxSequences: 200,
    annotate: opts.annotate,
    permutations: 199,
    projections: [],
    seed: 0,
  });
  const units = r.bestUnits.map((u) => ({
    annotation: u.annotation,
    layer: u.layer,
    field: u.field,
    unit: u.unit,
    r: +u.r.toFixed(4),
    mi: +u.mi.toFixed(4),
    p: u.p,
  }));
  out[name] = {
    epochs: res.history.length,
    trainLoss: res.history.at(-1)?.train.loss,
    trainSeconds: +trainSeconds.toFixed(1),
    analyseSeconds: +((performance.now() - t1) / 1000).toFixed(1),
    steps: r.steps,
    units,
  };
  log(
    `${name}: ${res.history.length} epochs in ${trainSeconds.toFixed(0)} s, loss ${res.history.at(-1)?.train.loss.toFixed(3)}`,
  );
  for (const u of units)
    log(
      `  ${u.annotation.padEnd(24)} ${u.layer} ${u.field}[${u.unit}]  r=${u.r}  MI=${u.mi}  p=${u.p}`,
    );
}

await run('brackets', {});
await run('moby-dick', {
  hidden: 128,
  maxSeconds: seconds,
  trainItems: 4000,
  annotate: ['quotes', 'line-position', 'bracket-depth'],
});
if (json) process.stdout.write(JSON.stringify(out, null, 1) + '\n');
