/**
 * Speech synthesis end to end on FSDD: trains (or reuses) the fsdd-tts synthesiser, the fsdd digit
 * recogniser and the fsdd-speaker classifier on the usual split, synthesises `--count` takes of
 * every digit in every voice, and reports intelligibility, speaker similarity, MCD and the largest
 * cross-correlation with a training recording (tts-verify), the unit variance split and the
 * conditioning attribution (tts-explain), wall times, and a spectrogram figure of a synthesised
 * word beside a real held-out one:
 *   npx tsx bench/tts.ts --data ../shared/data/fsdd/recordings [--models DIR] [--count 3]
 *     [--figure docs/figures/speech/spectrograms.png] [--json]
 * DIR holds tts/, fsdd/ and speaker/; a missing one is trained there first.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAnyModel } from '../src/predict/load.js';
import { renderPng, renderSvg } from '../src/report/render.js';
import { heatmap } from '../src/report/figures/heatmap.js';
import { runRecipe } from '../src/train/run-recipe.js';
import { attributeConditioning, unitVarianceSplit } from '../src/speech/interpret.js';
import { logMel } from '../src/speech/mel.js';
import { synthesizeOne, takeSeed } from '../src/speech/synthesize.js';
import { trimSilence } from '../src/speech/tts-data.js';
import { loadTtsModel } from '../src/speech/tts-io.js';
import { runTtsRecipe } from '../src/speech/tts-train.js';
import { verifyTts } from '../src/speech/verify-tts.js';
import { readWav } from '../src/data/wav.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt?: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const data = opt('--data', '../shared/data/fsdd/recordings')!;
const models = opt('--models', 'bench-out/tts')!;
const count = Number(opt('--count', '3'));
const figure = opt('--figure');
const json = args.includes('--json');
const log = (s: string) => process.stderr.write(s + '\n');
const times: Record<string, number> = {};
const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const r = await f();
  times[name] = Number(((performance.now() - t0) / 1000).toFixed(1));
  log(`${name}: ${times[name]} s`);
  return r;
};

mkdirSync(models, { recursive: true });
const ttsDir = join(models, 'tts');
if (!existsSync(join(ttsDir, 'model.json'))) await timed('train fsdd-tts', () => runTtsRecipe({ data, out: ttsDir }));
for (const [recipe, dir] of [['fsdd', 'fsdd'], ['fsdd-speaker', 'speaker']] as const)
  if (!existsSync(join(models, dir, 'model.json'))) await timed(`train ${recipe}`, () => runRecipe(recipe, { data }, { out: join(models, dir) }));

const { model, file } = loadTtsModel(ttsDir);
const recogniser = await loadAnyModel(join(models, 'fsdd'));
const speakerModel = await loadAnyModel(join(models, 'speaker'));
const verification = await timed('verify', () => verifyTts(model, file.preprocessing, { data, out: join(models, 'synthesised'), count, seed: 0, force: true, recogniser, speakerModel }));
const explain = await timed('explain', () => {
  const units = unitVarianceSplit(model);
  const layers = [...new Set(units.map((u) => u.layer))].map((layer) => {
    const us = units.filter((u) => u.layer === layer);
    const w = us.reduce((s, u) => s + u.variance, 0);
    return { layer, digitShare: us.reduce((s, u) => s + u.digitShare * u.variance, 0) / w, speakerShare: us.reduce((s, u) => s + u.speakerShare * u.variance, 0) / w, digitUnits: us.filter((u) => u.digitShare > 0.5).length, speakerUnits: us.filter((u) => u.speakerShare > 0.5).length };
  });
  const c = model.config;
  let d = 0;
  let s = 0;
  for (const sp of c.speakers)
    for (const dg of c.digits) {
      const a = attributeConditioning(model, dg, sp);
      d += a.digitAttribution.reduce((x, v) => x + Math.abs(v), 0);
      s += a.speakerAttribution.reduce((x, v) => x + Math.abs(v), 0);
    }
  return { layers, digitAttributionShare: d / (d + s) };
});

if (figure) {
  // synthesised 7 by george (take 0 of the verification) beside george's held-out 7 (take 0)
  const syn = synthesizeOne(model, file.preprocessing, '7', 'george', takeSeed(0, '7', 'george', 0));
  const real = readWav(join(data, '7_george_0.wav')).samples;
  const panel = (x: Float32Array, title: string) => {
    const m = logMel(x, file.preprocessing.mel);
    const values = Array.from({ length: m.bands }, (_, b) => Array.from({ length: m.frames }, (_, t) => m.data[t * m.bands + (m.bands - 1 - b)]!));
    return heatmap({ values, rowLabels: Array.from({ length: m.bands }, (_, b) => String(m.bands - 1 - b)), colLabels: Array.from({ length: m.frames }, (_, t) => String(t)), rowTitle: 'mel band', colTitle: 'frame (8 ms)', valueTitle: 'log mel', diverging: false, title });
  };
  const spec = { hconcat: [panel(syn.samples, 'synthesised "7", george'), panel(trimSilence(real, 64), 'real "7", george (held-out take 0)')], resolve: { scale: { color: 'shared' } } };
  const svg = await renderSvg(spec as never);
  mkdirSync(dirname(figure), { recursive: true });
  writeFileSync(figure, renderPng(svg));
  log(`figure: ${figure}`);
}

const summary = {
  files: verification.files,
  intelligibility: { overall: verification.intelligibility.overall, perSpeaker: verification.intelligibility.perSpeaker.map((g) => ({ speaker: g.name, ...g.interval })) },
  speakerSimilarity: verification.speakerSimilarity && { overall: verification.speakerSimilarity.overall, perSpeaker: verification.speakerSimilarity.perSpeaker.map((g) => ({ speaker: g.name, ...g.interval })) },
  mcd: verification.mcd,
  crossCorrelation: verification.crossCorrelation,
  explain,
  seconds: { ...times, synthesis: Number(verification.seconds.synthesis.toFixed(1)) },
};
writeFileSync(join(models, 'bench-tts.json'), JSON.stringify({ ...summary, verification }, null, 1));
if (json) process.stdout.write(JSON.stringify(summary) + '\n');
else {
  const ci = (p: { estimate: number; low: number; high: number; successes: number; n: number }) => `${p.estimate.toFixed(3)} [${p.low.toFixed(3)}, ${p.high.toFixed(3)}] (${p.successes}/${p.n})`;
  const lines = [`intelligibility ${ci(summary.intelligibility.overall)}`, ...summary.intelligibility.perSpeaker.map((g) => `  ${g.speaker.padEnd(9)} ${ci(g)}`)];
  if (summary.speakerSimilarity) lines.push(`speaker similarity ${ci(summary.speakerSimilarity.overall)}`, ...summary.speakerSimilarity.perSpeaker.map((g) => `  ${g.speaker.padEnd(9)} ${ci(g)}`));
  lines.push(`MCD (DTW) ${summary.mcd.synthesisedMean.toFixed(2)} dB; real vs real ${summary.mcd.realMean.toFixed(2)} dB`);
  lines.push(`max cross-correlation with a training take ${summary.crossCorrelation.max.toFixed(3)} (real held-out take 0: ${summary.crossCorrelation.realHeldOutMax.toFixed(3)})`);
  for (const l of explain.layers) lines.push(`${l.layer}: digit ${(100 * l.digitShare).toFixed(1)}% / speaker ${(100 * l.speakerShare).toFixed(1)}% of unit variance; ${l.digitUnits} digit units, ${l.speakerUnits} speaker units`);
  lines.push(`digit share of the conditioning attribution ${(100 * explain.digitAttributionShare).toFixed(1)}%`);
  lines.push(`wall times (s): ${JSON.stringify(summary.seconds)}`);
  process.stdout.write(lines.join('\n') + '\n');
}
