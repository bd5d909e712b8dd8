import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rnnlens from '../src/index.js';

test('library entry: the public API loads and a model trains and explains through it', async () => {
  for (const name of ['SequenceModel', 'train', 'attribute', 'certify', 'RunStore', 'loadAnyModel', 'getBackend']) {
    assert.equal(typeof (rnnlens as Record<string, unknown>)[name], 'function', name);
  }
  const ds = rnnlens.motifDataset({ n: 64, seed: 1, length: 10 });
  const model = new rnnlens.SequenceModel(rnnlens.buildModelConfig({ cell: 'gru', hidden: 8, layers: 1, embedding: 4 }, ds, 'classification'), { backend: 'ts', seed: 1 });
  const r = await rnnlens.train(model, ds, { task: 'classification', epochs: 1, batchSize: 16, seed: 1 });
  assert.equal(r.history.length, 1);
  const b = rnnlens.collate(ds, [0, 1]);
  const a = rnnlens.attribute(model, { ids: b.x as Int32Array, batch: 2, steps: b.steps, lengths: b.lengths }, { method: 'saliency', target: 0 });
  assert.equal(a.attributions.batch, 2);
  assert.equal(a.attributions.data.length, 2 * b.steps);
  assert.ok(a.attributions.data.some((v) => v !== 0));
});
