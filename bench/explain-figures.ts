/**
 * The README's explanation figures for numeric and audio data: integrated gradients on a sensor
 * window and on an FSDD recording's MFCC frames, from the models that `npx tsx bench/recipes.ts
 * sensor fsdd` saves under /tmp/rnnlens-bench-<recipe>. Usage: npx tsx bench/explain-figures.ts [OUT_DIR]
 * (the text figure comes from `rnnlens explain --method integrated-gradients --out DIR`).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadAnyModel } from '../src/predict/load.js';
import { audioItem } from '../src/data/preprocess.js';
import { getRecipe } from '../src/train/recipes.js';
import { attribute, toNested } from '../src/explain/attribute.js';
import { buildFigure, renderSvg, renderPng } from '../src/report/index.js';
const outDir = process.argv[2] ?? 'docs/figures';
mkdirSync(outDir, { recursive: true });
async function fig(name: string, model: Awaited<ReturnType<typeof loadAnyModel>>, x: Float32Array, steps: number, F: number, title: string, rowLabel: string) {
  const input = { data: x, batch: 1, steps, features: F, lengths: Int32Array.of(steps) };
  const out = model.model.predict(input);
  const logits = Array.from(out.data as Float32Array);
  const k = logits.indexOf(Math.max(...logits));
  const r = attribute(model.model, input, { method: 'integrated-gradients', target: k, steps: 64 });
  const a = toNested(r.attributions)[0]!;
  // features as rows, steps as columns: attribution over the (MFCC) spectrogram
  const values = Array.from({ length: F }, (_, f) => a.map((row) => row[f]!));
  const spec = buildFigure('heatmap', { values, rowTitle: rowLabel, colTitle: 'frame / step', valueTitle: 'attribution', title: `${title}: integrated gradients for '${model.classNames?.[k] ?? k}' (gap ${r.delta![0]!.toExponential(1)})` });
  const svg = await renderSvg(spec);
  writeFileSync(`/tmp/figs/${name}.png`, renderPng(svg));
  console.log(name, 'class', model.classNames?.[k], 'delta', r.delta![0]);
}
const fsdd = await loadAnyModel('/tmp/rnnlens-bench-fsdd');
const it = audioItem('../shared/data/fsdd/recordings/7_jackson_2.wav', fsdd.preprocessing);
await fig('explain-audio', fsdd, it.x as Float32Array, it.steps, fsdd.model.inputSpec.kind === 'numeric' ? fsdd.model.inputSpec.features : 0, "FSDD '7_jackson_2.wav' (MFCC + deltas)", 'MFCC / delta coefficient');
const sensor = await loadAnyModel('/tmp/rnnlens-bench-sensor');
const d = getRecipe('sensor').load({ seed: 0 });
const an = d.test.items.find((i) => d.test.classNames![i.label!] === 'anomaly')!;
await fig('explain-numeric', sensor, an.x as Float32Array, an.steps, 2, 'sensor window (anomaly)', 'feature (humidity, temperature)');
