/**
 * Known answers for `rnnlens dynamics`: trains the flipflop recipe from several seeds and counts
 * the stable fixed points under zero input (the task needs exactly 8, one per memory state), then
 * trains the spam recipe and reports whether its LSTM integrates evidence along a line attractor
 * (slow points on one direction, top eigenvalue, share of trajectory variance along it):
 *   npx tsx bench/dynamics.ts [--seeds 3] [--spam-starts 64] [--no-spam] [--json]
 */
import { analyseDynamics } from '../src/dynamics/analyse.js';
import { SequenceModel } from '../src/nn/model.js';
import { evaluate } from '../src/train/evaluate.js';
import { buildModelConfig, getRecipe } from '../src/train/recipes.js';
import { train } from '../src/train/trainer.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seeds = flag('--seeds', 3);
const spamStarts = flag('--spam-starts', 64);
const rows: Record<string, unknown>[] = [];
const log = (s: string) => {
  if (!json) process.stderr.write(s + '\n');
};

async function trained(recipe: string, seed: number, task: 'tagging' | 'classification') {
  const r = getRecipe(recipe);
  const data = r.load({ seed });
  const model = new SequenceModel(buildModelConfig(r.model, data.train, task), { seed });
  await train(model, data.train, { ...r.train, seed, task }, { validation: data.validation });
  return { model, data, metrics: evaluate(model, data.test, task).metrics };
}

for (let seed = 0; seed < seeds; seed++) {
  const t0 = performance.now();
  const { model, data, metrics } = await trained('flipflop', seed, 'tagging');
  const t1 = performance.now();
  const d = analyseDynamics(model, data.test, { seed: 0 });
  const row = {
    recipe: 'flipflop',
    seed,
    stepAccuracy: metrics['stepAccuracy'],
    ...d.counts,
    trainSeconds: (t1 - t0) / 1000,
    dynamicsSeconds: (performance.now() - t1) / 1000,
  };
  rows.push(row);
  log(`flipflop seed ${seed}: step accuracy ${Number(row.stepAccuracy).toFixed(4)}; ${d.counts.stableFixed} stable fixed points, ${d.counts.saddle} saddles, ${d.counts.unstable} unstable, ${d.counts.slow} slow; train ${row.trainSeconds.toFixed(1)} s, dynamics ${row.dynamicsSeconds.toFixed(1)} s`);
}

if (!args.includes('--no-spam')) {
  const t0 = performance.now();
  const { model, data, metrics } = await trained('spam', 0, 'classification');
  const t1 = performance.now();
  const d = analyseDynamics(model, data.test, { seed: 0, starts: spamStarts, slowTol: 1e-3, iterations: 4000 });
  const la = d.lineAttractor;
  const row = {
    recipe: 'spam',
    seed: 0,
    accuracy: metrics['accuracy'],
    ...d.counts,
    lineAttractor: la,
    pcaExplained: d.pcaExplained,
    trainSeconds: (t1 - t0) / 1000,
    dynamicsSeconds: (performance.now() - t1) / 1000,
  };
  rows.push(row);
  log(`spam: accuracy ${Number(row.accuracy).toFixed(4)}; ${d.counts.fixed} fixed, ${d.counts.slow} slow points from ${spamStarts} starts; line attractor ${la.detected ? 'yes' : 'no'} (${la.reason}); median top |eigenvalue| ${la.topEigenvalue.toFixed(5)}, ${(100 * la.explained).toFixed(2)}% of the points' variance on one direction, ${(100 * la.trajectoryVariance).toFixed(1)}% of trajectory variance along it; PCA ${d.pcaExplained.map((v) => (100 * v).toFixed(1) + '%').join(', ')}; train ${row.trainSeconds.toFixed(0)} s, dynamics ${row.dynamicsSeconds.toFixed(0)} s`);
}
if (json) process.stdout.write(JSON.stringify(rows) + '\n');
