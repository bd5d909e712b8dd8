// Child process for store.test.ts: creates N runs (metrics + artifacts) in the store at argv[2];
// with the tag 'abandon' it starts one run and exits without finishing it.
import { RunStore } from '../../src/runs/store.js';

const [dir, nText, tag] = process.argv.slice(2);
const store = RunStore.open(dir!);
const n = Number(nText);
if (tag === 'abandon') {
  // leave one run unfinished and exit, as a crashed command would
  store.createRun({ kind: 'train' }).writeJson('partial.json', {});
  process.exit(0);
}
for (let i = 0; i < n; i++) {
  const run = store.createRun({ kind: 'train', config: { i, tag }, seed: i, tags: [tag!] });
  for (let e = 0; e < 3; e++) run.logMetric('loss', 1 / (e + 1), e);
  run.writeJson('result.json', { i, tag });
  run.writeFloat32('weights.f32', new Float32Array([i, i + 0.5]));
  run.finish('finished', { metrics: { accuracy: i / n } });
}
store.close();
