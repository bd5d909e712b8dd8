// A finished run holding every kind of artifact and one figure artifact per figure kind.
import type { RunStore } from '../../src/runs/store.js';
import { FIGURE_KINDS } from '../../src/report/figures/index.js';
import { SAMPLE } from './sample-figures.js';

export function makeFixtureRun(store: RunStore): string {
  const run = store.createRun({
    kind: 'train',
    config: { cell: 'lstm', hidden: 8, note: '<b>not markup</b>' },
    seed: 1,
    tags: ['fixture'],
  });
  for (let e = 0; e < 4; e++) {
    run.logMetric('loss', 1 / (e + 1), e);
    run.logMetric('val_loss', 1.1 / (e + 1), e);
    run.logMetric('val_accuracy', 0.6 + 0.08 * e, e);
  }
  for (const kind of FIGURE_KINDS) {
    if (kind === 'training-curves') continue; // drawn from the logged metrics
    run.writeFigure(`${kind}.json`, { figure: kind, data: SAMPLE[kind] });
  }
  run.writeJson('history.json', { epochs: 4 });
  run.writeText('log.txt', 'epoch 1 ... done');
  run.writeFloat32('hidden.f32', new Float32Array([0.5, -0.25, 1, 2]), [2, 2]);
  run.finish('finished', { metrics: { accuracy: 0.84, loss: 0.25 } });
  return run.id;
}
