// The curves view's data end to end: a real (tiny) training run of the motif recipe records the
// loss of every optimiser step beside the per-epoch metrics, each with step, epoch and wall
// time, and the API serves them; the settings of compared runs mark the rows that differ.
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are loose JSON here */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { RunStore } from '../../src/runs/store.js';
import { createServer } from '../../src/server/app.js';
import { runRecipe, type RecipeRunResult } from '../../src/train/run-recipe.js';
import { STEP_LOSS } from '../../src/train/step-series.js';

let dir: string;
let store: RunStore;
let app: FastifyInstance;
let a: RecipeRunResult;
let b: RecipeRunResult;
let t0: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlens-series-'));
  store = RunStore.open(join(dir, 'runs'));
  t0 = Date.now();
  // batches in shuffled order (not bucketed by length): all of 64 sequences but the epoch's last
  a = await runRecipe('motif', { epochs: 2, hidden: 8, batchSize: 64, config: { train: { distributions: false, bucketByLength: false } } }, { store });
  b = await runRecipe('motif', { epochs: 1, hidden: 12, batchSize: 64, config: { train: { distributions: false, bucketByLength: false } } }, { store });
  app = await createServer({ store, webDir: null });
});
after(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; json: any }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, json: r.json() };
}

describe('per-step training series of a real run', () => {
  it('records the loss of every step with its epoch and wall time, and the epoch metrics at the epoch ends', async () => {
    const r = await get(`/api/runs/${a.runId}/series`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'finished');
    assert.deepEqual(r.json.axes, ['step', 'epoch', 'wall']);
    const byName = new Map<string, any>(r.json.series.map((s: any) => [s.name, s]));
    const steps = byName.get(STEP_LOSS);
    assert.ok(steps, `a ${STEP_LOSS} series among ${[...byName.keys()].join(', ')}`);
    assert.equal(steps.metric, 'loss');
    // 2000 sequences split 70/15/15 → the training split in batches of 64, twice
    const perEpoch = Math.ceil(a.data.train.items.length / 64);
    assert.equal(steps.points.length, 2 * perEpoch, 'every step of a short run is kept');
    steps.points.forEach((p: any, i: number) => {
      assert.equal(p.step, i + 1);
      const epoch = i < perEpoch ? 1 : 2;
      const batch = i - (epoch - 1) * perEpoch + 1;
      assert.ok(Math.abs(p.epoch - (epoch - 1 + batch / perEpoch)) < 1e-12, `step ${p.step} at epoch ${p.epoch}`);
      assert.ok(p.wall >= t0 && p.wall <= Date.now(), 'wall time in ms since 1970, during the test');
      assert.ok(Number.isFinite(p.value) && p.value > 0);
      if (i > 0) assert.ok(p.wall >= steps.points[i - 1].wall);
    });
    // the per-epoch train loss is the size-weighted mean of its steps' losses (all batches of 64 but the last)
    const trainLoss = byName.get('train_loss');
    assert.deepEqual(trainLoss.points.map((p: any) => [p.step, p.epoch]), [[perEpoch, 1], [2 * perEpoch, 2]]);
    assert.ok(Math.abs(trainLoss.points[1].value - a.history[1]!.train.loss) < 1e-12);
    const n = a.data.train.items.length;
    const last = n - 64 * (perEpoch - 1);
    const e1 = steps.points.slice(0, perEpoch).reduce((s: number, p: any, i: number) => s + p.value * (i === perEpoch - 1 ? last : 64), 0) / n;
    assert.ok(Math.abs(e1 - trainLoss.points[0].value) < 1e-9, `epoch 1 mean of steps ${e1} vs ${trainLoss.points[0].value}`);
    const val = byName.get('val_accuracy');
    assert.equal(val.split, 'validation');
    assert.deepEqual(val.points.map((p: any) => p.value), a.history.map((h) => h.validation!.accuracy));
  });

  it('keeps the older per-epoch metric series too, and the series survive an index rebuild', async () => {
    const m = await get(`/api/runs/${a.runId}/metrics?name=train_loss`);
    assert.deepEqual(m.json.metrics.map((p: any) => p.step), [1, 2]);
    const before = store.series(a.runId!);
    const file = join(dir, 'runs', 'index.sqlite');
    store.close();
    await app.close();
    rmSync(file, { force: true });
    for (const ext of ['-wal', '-shm']) rmSync(file + ext, { force: true });
    store = RunStore.open(join(dir, 'runs'));
    app = await createServer({ store, webDir: null });
    assert.deepEqual(store.series(a.runId!), before);
  });

  it('serves the settings of compared runs with the differing rows marked', async () => {
    const r = await get(`/api/compare/settings?runs=${a.runId},${b.runId}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.runs, [a.runId, b.runId]);
    const row = (k: string): any => r.json.rows.find((x: any) => x.key === k);
    assert.deepEqual(row('model.hidden'), { key: 'model.hidden', values: ['8', '12'], differs: true });
    assert.deepEqual(row('train.epochs'), { key: 'train.epochs', values: ['2', '1'], differs: true });
    assert.deepEqual(row('recipe'), { key: 'recipe', values: ['motif', 'motif'], differs: false });
    assert.equal(row('train.optimizer.lr').differs, false);
    assert.equal(row('modelConfig.layers'), undefined, 'the derived model config is left out');
    assert.deepEqual(r.json.rows.filter((x: any) => x.differs).map((x: any) => x.key), ['model.hidden', 'train.epochs']);
  });

  it('answers unknown runs and bad lists clearly', async () => {
    const r = await get('/api/runs/nope123/series');
    assert.equal(r.status, 404);
    assert.match(r.json.error.message, /nope123/);
    const bad = await get('/api/compare/settings?runs=a/b');
    assert.equal(bad.status, 400);
  });
});
