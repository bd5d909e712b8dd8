// The per-step series is thinned evenly and stays bounded however long training runs; the
// recorder writes it whole at most every flush interval and at every epoch end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunStore } from '../../src/runs/store.js';
import { SeriesRecorder, STEP_LOSS, ThinnedSeries } from '../../src/train/step-series.js';

const point = (step: number) => ({ name: STEP_LOSS, step, epoch: step / 10, wall: step, value: 1 / step });

describe('thinned step series', () => {
  it('keeps every step up to the bound, then every 2nd, 4th, ... step, never more than the bound', () => {
    const t = new ThinnedSeries(8);
    for (let s = 1; s <= 8; s++) t.add(point(s));
    assert.deepEqual(t.points.map((p) => p.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    t.add(point(9));
    assert.equal(t.stride, 2);
    assert.deepEqual(t.points.map((p) => p.step), [2, 4, 6, 8]);
    for (let s = 10; s <= 100_000; s++) {
      t.add(point(s));
      assert.ok(t.points.length <= 8);
    }
    // 100000 steps into at most 8 points: stride 16384, points at its multiples
    assert.equal(t.stride, 16384);
    assert.deepEqual(t.points.map((p) => p.step), [1, 2, 3, 4, 5, 6].map((k) => k * 16384));
  });
  it('refuses a bound below 2', () => {
    assert.throws(() => new ThinnedSeries(1), /maxPoints.*an integer >= 2.*1/);
  });
});

describe('series recorder', () => {
  it('writes the thinned series whole (bounded rows) and the epoch metrics at the last step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-steps-'));
    const store = RunStore.open(dir);
    try {
      const w = store.createRun({ kind: 'train' });
      let clock = 1000;
      const rec = new SeriesRecorder(w, { maxPoints: 50, flushMs: 100, now: () => clock });
      const batches = 300;
      for (let b = 1; b <= batches; b++) {
        clock += 1;
        rec.onStep({ step: b, epoch: 1, batch: b, batches, loss: 2 / b });
        if (b === 150) {
          // flushed within the epoch (every 100 ms of the clock)
          const mid = store.series(w.id);
          assert.ok(mid.length > 0 && mid.length <= 50);
        }
      }
      rec.onEpochEnd({ epoch: 1, lr: 0.1, seconds: 1, gradNorm: 1, train: { loss: 0.5 }, validation: { loss: 0.6, accuracy: 0.7 } });
      const all = store.series(w.id);
      const steps = all.filter((p) => p.name === STEP_LOSS);
      assert.ok(steps.length <= 50 && steps.length >= 25, `${steps.length} points`);
      const stride = steps[1]!.step - steps[0]!.step;
      steps.forEach((p, i) => {
        assert.equal(p.step, (i + 1) * stride);
        assert.equal(p.value, 2 / p.step);
        assert.equal(p.epoch, p.step / batches);
        assert.equal(p.wall, 1000 + p.step);
      });
      assert.deepEqual(
        all.filter((p) => p.name !== STEP_LOSS).map((p) => [p.name, p.step, p.epoch, p.value]),
        [['train_loss', 300, 1, 0.5], ['val_accuracy', 300, 1, 0.7], ['val_loss', 300, 1, 0.6]],
      );
      w.finish();
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
