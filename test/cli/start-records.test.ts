// The comparison step of `rnnlens start` (recordComparison) records the same compare.json as
// `rnnlens compare`: summaries under `rnn.summary`, the folds with each contender's metrics and
// the RNN's out-of-fold scores, so the dashboard's compare page draws its fold table and curves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { recordComparison } from '../../src/pipeline/compare.js';
import { RunStore } from '../../src/runs/store.js';

interface Saved {
  metric: string;
  rnn: { summary: Record<string, { mean: number; sd: number; ci: [number, number] }> };
  contenders: { name: string; summary: Record<string, { mean: number }> }[];
  comparisons: { against: string }[];
  folds: { train: number[]; test: number[]; rnn: Record<string, number> }[];
  oof: { indices: number[]; labels: number[]; probabilities: number[][] };
}

describe('rnnlens start: the recorded comparison', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-start-compare-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compare.json has the folds, the per-fold metrics of every contender and the out-of-fold scores', async () => {
    const store = RunStore.open(dir);
    try {
      const { runId } = await recordComparison(store, 'motif', {
        seed: 0,
        folds: 2,
        forest: { nEstimators: 3, maxRows: 200 },
        config: { model: { hidden: 4 }, train: { epochs: 1, batchSize: 64 } },
      });
      const saved = store.readJson(runId, 'compare.json') as Saved;
      assert.equal(saved.metric, 'accuracy');
      assert.deepEqual(
        saved.contenders.map((c) => c.name),
        ['random-forest', 'majority'],
      );
      assert.deepEqual(
        saved.comparisons.map((c) => c.against),
        ['random-forest', 'majority'],
      );
      // the run's headline metric is the summary's mean
      const rec = store.get(runId);
      assert.equal(rec.metrics.rnn_accuracy, saved.rnn.summary.accuracy!.mean);
      // two folds whose test parts cover the 2000 items once, each with every contender's metrics
      assert.equal(saved.folds.length, 2);
      const tested = saved.folds.flatMap((f) => f.test).sort((a, b) => a - b);
      assert.deepEqual(
        tested,
        Array.from({ length: 2000 }, (_, i) => i),
      );
      for (const f of saved.folds) {
        assert.equal(f.train.length + f.test.length, 2000);
        for (const name of ['rnn', 'random-forest', 'majority'])
          assert.equal(
            typeof (f as unknown as Record<string, Record<string, number>>)[name]!.accuracy,
            'number',
            name,
          );
      }
      // the mean over folds of the per-fold accuracies is the summary's mean
      const mean = saved.folds.reduce((a, f) => a + f.rnn.accuracy!, 0) / 2;
      assert.ok(Math.abs(mean - saved.rnn.summary.accuracy!.mean) < 1e-12);
      // one out-of-fold probability row per item, summing to 1
      assert.equal(saved.oof.indices.length, 2000);
      assert.equal(saved.oof.labels.length, 2000);
      for (const p of saved.oof.probabilities) {
        assert.equal(p.length, 2);
        assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-4);
      }
    } finally {
      store.close();
    }
  });
});
