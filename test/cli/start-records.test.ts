// What the steps of `rnnlens start` record for the dashboard's result pages. The comparison
// (recordComparison) records the same compare.json as `rnnlens compare`: summaries under
// `rnn.summary`, the folds with each contender's metrics and the RNN's out-of-fold scores, so the
// compare page draws its fold table and curves. The certificates (recordCertificates) carry each
// input's dataset position and label and the class names the page heads its intervals with.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createDataset } from '../../src/data/dataset.js';
import { SequenceModel } from '../../src/nn/model.js';
import { recordComparison } from '../../src/pipeline/compare.js';
import { recordCertificates } from '../../src/pipeline/record.js';
import { RunStore } from '../../src/runs/store.js';

interface Saved {
  metric: string;
  rnn: { summary: Record<string, { mean: number; sd: number; ci: [number, number] }> };
  contenders: { name: string; summary: Record<string, { mean: number }> }[];
  comparisons: { against: string }[];
  folds: { train: number[]; test: number[]; rnn: Record<string, number> }[];
  oof: { indices: number[]; labels: number[]; probabilities: number[][] };
}

describe('rnnlens start: the recorded comparison and certificates', () => {
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

  it('certificates.json names the classes, and each input its dataset position and label', () => {
    const store = RunStore.open(dir);
    try {
      const dataset = createDataset({
        name: 'c',
        input: 'tokens',
        vocabSize: 6,
        target: 'class',
        classNames: ['ham', 'spam'],
        items: Array.from({ length: 6 }, (_, i) => ({
          x: Int32Array.from([2 + (i % 3), 3, 4]),
          steps: 3,
          label: i % 2,
        })),
      });
      const model = new SequenceModel(
        {
          input: { kind: 'tokens', vocabSize: 6 },
          layers: [
            { kind: 'embedding', vocabSize: 6, dim: 3 },
            { kind: 'lstm', units: 4 },
            { kind: 'dense', units: 2 },
          ],
        },
        { seed: 5 },
      );
      const ctx = { store, model, dataset, preprocessing: {}, classNames: ['ham', 'spam'] };
      const { runId, total } = recordCertificates(ctx, [4, 1], 0.01);
      assert.equal(total, 2);
      const saved = store.readJson(runId, 'certificates.json') as {
        classNames: string[];
        results: { index: number; label: number; lower: number[]; upper: number[] }[];
      };
      assert.deepEqual(saved.classNames, ['ham', 'spam']);
      assert.deepEqual(
        saved.results.map((r) => [r.index, r.label]),
        [
          [4, 0],
          [1, 1],
        ],
      );
      for (const r of saved.results) r.lower.forEach((lo, k) => assert.ok(lo <= r.upper[k]!));
    } finally {
      store.close();
    }
  });
});
