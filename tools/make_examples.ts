// Writes examples/<recipe>.json: ready input files for predict / explain / certify, taken from the
// first test items of each built-in recipe that needs no data folder (spam's are written by hand:
// texts, tokenised by the model's own tokenizer). Usage: npx tsx tools/make_examples.ts
import { writeFileSync, mkdirSync } from 'node:fs';
import { getRecipe } from '../src/train/recipes.js';

mkdirSync('examples', { recursive: true });
for (const name of ['motif', 'adding', 'brackets', 'tomita3']) {
  const r = getRecipe(name);
  const data = r.load({ seed: r.train.seed ?? 0 });
  // two of each class where there are classes, so the examples show both answers
  const all = data.test.items;
  const labels = [...new Set(all.map((it) => it.label).filter((l) => l !== undefined))];
  const items = labels.length > 1 ? labels.slice(0, 2).flatMap((l) => all.filter((it) => it.label === l).slice(0, 2)) : all.slice(0, 4);
  const body =
    data.test.input === 'tokens'
      ? { tokens: items.map((it) => Array.from(it.x)) }
      : { inputs: items.map((it) => Array.from({ length: it.steps }, (_, t) => Array.from(it.x.subarray(t * data.test.features, (t + 1) * data.test.features), (v) => Number(v.toPrecision(6))))) };
  writeFileSync(`examples/${name}.json`, JSON.stringify(body) + '\n');
  console.log(`examples/${name}.json: ${items.length} ${data.test.input} sequences (labels ${items.map((it) => it.label ?? it.values?.[0]).join(', ')})`);
}
