/**
 * Known answer for `rnnlens intervene`: trains the brackets recipe from several seeds, ranks the
 * units of its LSTM against the nesting depth (internals' correlation ranking, on the validation
 * split), then ablates the best depth unit in the state where it was found (the cell state: the
 * counter) on the test split and compares the loss of step accuracy with the same ablation of
 * random units of the same count (permutation test):
 *   npx tsx bench/intervene.ts [--seeds 3] [--permutations 199] [--top 1] [--mode zero] [--json]
 */
import { intervene, type InterventionMode } from '../src/causal/intervene.js';
import { tagAnnotation } from '../src/explain/internals/annotations.js';
import { collectTraces } from '../src/explain/internals/collect.js';
import { rankUnits } from '../src/explain/internals/units.js';
import { SequenceModel } from '../src/nn/model.js';
import { evaluate } from '../src/train/evaluate.js';
import { buildModelConfig, getRecipe } from '../src/train/recipes.js';
import { train } from '../src/train/trainer.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const seeds = Number(flag('--seeds', '3'));
const permutations = Number(flag('--permutations', '199'));
const top = Number(flag('--top', '1'));
const mode = flag('--mode', 'zero') as InterventionMode;
const rows: Record<string, unknown>[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const t0 = performance.now();
  const r = getRecipe('brackets');
  const data = r.load({ seed });
  const model = new SequenceModel(buildModelConfig(r.model, data.train, 'tagging'), { seed });
  await train(model, data.train, { ...r.train, seed, task: 'tagging' }, { validation: data.validation });
  const acc = evaluate(model, data.test, 'tagging').metrics['stepAccuracy'];
  const ts = collectTraces(model, data.validation, { fields: ['h', 'c'] });
  const ranked = rankUnits(ts, [tagAnnotation(data.validation, ts.sequences, ts.offsets)], { top, permutations: 0 }).byAnnotation['tags']!;
  const units = ranked.map((u) => u.unit);
  const state = ranked[0]!.field;
  const x = intervene(model, data.test, { units, mode, state, task: 'tagging', permutations, seed: 0 });
  const row = { seed, stepAccuracy: acc, units, field: state, r: ranked.map((u) => u.r), mode, clean: x.clean, intervened: x.intervened.metric, effect: x.effect, randomMean: x.random.mean, randomQ95: x.random.q95, randomSets: x.random.permutations, exact: x.random.exact, p: x.random.p, outputChange: x.intervened.outputChange, randomOutputChange: x.random.meanOutputChange, outputP: x.random.outputP, overData: x.random.overData, seconds: (performance.now() - t0) / 1000 };
  rows.push(row);
  if (!json)
    process.stderr.write(`brackets seed ${seed}: step accuracy ${Number(acc).toFixed(4)}; depth unit${units.length > 1 ? 's' : ''} ${units.join(', ')} (${state}, r ${row.r.map((v) => v.toFixed(3)).join(', ')}); ${mode} → step accuracy ${x.intervened.metric.toFixed(4)} (drop ${x.effect.toFixed(4)}); random units of the same count: mean drop ${x.random.mean.toFixed(4)}, 95th percentile ${x.random.q95.toFixed(4)}; p = ${x.random.p?.toFixed(4)} (${x.random.permutations} random sets${x.random.exact ? ", all there are: exact" : ""}); output change ${x.intervened.outputChange.toFixed(4)} vs random mean ${x.random.meanOutputChange.toFixed(4)}, p = ${x.random.outputP?.toFixed(4)}; over the test sequences against the average random set: +${x.random.overData?.difference.toFixed(4)}, t = ${x.random.overData?.t.toFixed(2)}, p = ${x.random.overData?.p.toExponential(2)}; ${row.seconds.toFixed(1)} s\n`);
}
if (json) process.stdout.write(JSON.stringify(rows) + '\n');
