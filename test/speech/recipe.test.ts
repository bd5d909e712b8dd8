import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/data/wav.js';
import { RunStore } from '../../src/runs/store.js';
import { loadTtsModel } from '../../src/speech/tts-io.js';
import { runTtsRecipe } from '../../src/speech/tts-train.js';

test('the fsdd-tts recipe on a tiny FSDD-like folder: progress, a checkpoint per epoch, a run record, no overwrite without --force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-tts-recipe-'));
  try {
    const data = join(dir, 'fsdd');
    mkdirSync(data);
    for (const d of ['0', '1'])
      for (const s of ['ann', 'bob'])
        for (const take of [0, 5, 6]) {
          const f = 300 + 200 * Number(d) + (s === 'bob' ? 60 : 0);
          const x = Float32Array.from({ length: 2000 }, (_, i) => (i > 200 && i < 1800 ? 0.3 * Math.sin((2 * Math.PI * f * i) / 8000) : 0));
          writeFileSync(join(data, `${d}_${s}_${take}.wav`), encodeWav16([x], 8000));
        }
    const store = RunStore.open(join(dir, 'runs'));
    const tasks = new Set<string>();
    const out = join(dir, 'tts');
    const settings = { epochs: 2, batchSize: 4, model: { hidden: 8, layers: 1, prenet: 8, digitDim: 2, speakerDim: 2 } };
    try {
      const r = runTtsRecipe({ data, out, store, settings, onProgress: (p) => tasks.add(p.task) });
      assert.equal(r.history.length, 2);
      assert.equal(r.trainUtterances, 8);
      assert.equal(r.heldOutUtterances, 4);
      assert.deepEqual([...tasks].sort(), ['epoch 1/2', 'epoch 2/2', 'featurise']);
      assert.ok(r.history.every((e) => Number.isFinite(e.trainLoss) && Number.isFinite(e.heldOutLoss)));
      // --epochs without a horizon: the cosine decays over the epochs given (2e-3, then 1e-3)
      assert.deepEqual(r.history.map((e) => Number(e.lr.toPrecision(6))), [2e-3, 1e-3]);
      const { model, file } = loadTtsModel(out);
      assert.deepEqual(model.config.speakers, ['ann', 'bob']);
      assert.deepEqual(model.config.digits, ['0', '1']);
      assert.equal(file.preprocessing.normalisation.mean.length, 40);
      const run = store.show(r.runId!);
      assert.equal(run.run.status, 'finished');
      assert.deepEqual(run.metrics.filter((m) => m.name === 'heldOutLoss').map((m) => m.step), [1, 2]);
      assert.ok(run.artifacts.some((a) => a.name === 'history.json'));
      assert.throws(() => runTtsRecipe({ data, out, settings }), /--out' expected a new or empty model folder \(or --force to replace it\)/);
      runTtsRecipe({ data, out, settings: { ...settings, epochs: 1 }, force: true });
      assert.ok(existsSync(join(out, 'model.json')));
    } finally {
      store.close();
    }
    assert.throws(() => runTtsRecipe({ settings }), /pass the folder of FSDD recordings with --data/);
    assert.throws(() => runTtsRecipe({ data: join(dir, 'runs'), settings }), /no recordings named \{digit\}_\{speaker\}_\{take\}\.wav/);
    assert.throws(() => runTtsRecipe({ data, out: join(dir, 'x'), settings: { ...settings, lr: -1 } }), /argument 'lr' expected a positive number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
