/**
 * Trains the recipes and reports the targets with wall time, for the README:
 *   npx tsx bench/recipes.ts [recipe ...] [--data ../shared/data/fsdd/recordings] [--json]
 * fsdd: test accuracy with the usual split (takes 0-4 are the test set), and with one speaker held
 * out entirely; spam: test F1; moby-dick: validation bits per character and a generated sample;
 * sensor: anomaly ROC-AUC.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { getBackend } from '../src/core/backends.js';
import { defaultFsddPath, getRecipe, buildModelConfig } from '../src/train/recipes.js';
import { runRecipe } from '../src/train/run-recipe.js';
import { splitBy, splitDataset } from '../src/data/split.js';
import { SequenceModel } from '../src/nn/model.js';
import { train } from '../src/train/trainer.js';
import { evaluate } from '../src/train/evaluate.js';
import { generateText } from '../src/predict/generate.js';
import { loadAudioFolder } from '../src/data/audio-loader.js';
import { fitZScore, applyZScore } from '../src/data/normalise.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dataIdx = args.indexOf('--data');
const data = dataIdx >= 0 ? args[dataIdx + 1] : defaultFsddPath();
const names = args.filter((a, i) => !a.startsWith('--') && (dataIdx < 0 || i !== dataIdx + 1));
const todo = names.length ? names : ['motif', 'adding', 'brackets', 'sensor', 'spam', 'fsdd', 'moby-dick'];
const log = (s: string): void => void process.stderr.write(s + '\n');
const results: Record<string, unknown> = {};

async function speakerHoldout(speaker: string): Promise<{ accuracy: number; seconds: number }> {
  const r = getRecipe('fsdd');
  const t0 = performance.now();
  const all = loadAudioFolder(data!, { labels: 'fsdd', name: 'fsdd' });
  const s = splitBy(all, (it) => (it.meta?.speaker === speaker ? 'test' : 'train'));
  const tv = splitDataset(s.train, { seed: 0, validation: 0.1, test: 0, stratify: true });
  const z = fitZScore(tv.train); // fitted on the other speakers only
  const train_ = applyZScore(tv.train, z);
  const model = new SequenceModel(buildModelConfig(r.model, train_, 'classification'), { seed: 0 });
  await train(model, train_, { ...r.train, task: 'classification' }, { validation: applyZScore(tv.validation, z) });
  return { accuracy: evaluate(model, applyZScore(s.test, z), 'classification').metrics.accuracy!, seconds: (performance.now() - t0) / 1000 };
}

for (const name of todo) {
  log(`== ${name}`);
  if (name === 'fsdd' && !data) {
    log('fsdd: skipped (no FSDD folder; pass --data PATH)');
    continue;
  }
  const r = await runRecipe(name, { data }, { out: `/tmp/rnnlens-bench-${name}`, force: true, onProgress: (p) => p.done === p.total && log(`  ${p.task} ${JSON.stringify(p.values ?? {})}`) });
  // beside the model, for `rnnlens internals` (training dynamics) and the README's curves
  writeFileSync(join(r.modelDir, 'distributions.json'), JSON.stringify(r.result.distributions));
  writeFileSync(join(r.modelDir, 'history.json'), JSON.stringify(r.history));
  const epochSeconds = r.history.reduce((a, h) => a + h.seconds, 0);
  const entry: Record<string, unknown> = { seconds: Number(r.seconds.toFixed(1)), trainSeconds: Number(r.result.seconds.toFixed(1)), epochSeconds: Number(epochSeconds.toFixed(1)), epochs: r.history.length, test: r.metrics.test, validation: r.metrics.validation };
  if (r.data.task === 'language-model') entry.validationBpcPerEpoch = r.history.map((h) => Number(h.validation?.bpc?.toFixed(4)));
  if (name === 'fsdd') entry.speakerHeldOut = { speaker: 'theo', ...(await speakerHoldout('theo')) };
  if (name === 'moby-dick') entry.sample = generateText(r.model, r.data.preprocessing, 'Call me Ishmael. ', { length: 300, temperature: 0.7, seed: 1, context: 100 });
  results[name] = entry;
  log(JSON.stringify(entry));
}
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, backend: getBackend().name };
if (json) process.stdout.write(JSON.stringify({ machine, results }, null, 1) + '\n');
else log(JSON.stringify({ machine }, null, 1));
