/**
 * verifyGradients: passes on real models (LSTM, GRU with embedding, stacked SimpleRNN, a trained
 * float32 model converted to float64), and FAILS on a model whose backward is deliberately wrong
 * (one parameter's gradient scaled by 1.01, or one element dropped) — the check can fail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelConfig } from '../../src/nn/config.js';
import type { Flow } from '../../src/nn/layer.js';
import { SequenceModel, type ModelBackwardOptions, type ModelBackwardResult } from '../../src/nn/model.js';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { train } from '../../src/train/trainer.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';
import { datasetInputs, randomInputs, toFloat64, verifyGradients } from '../../src/verify/gradcheck.js';

const numeric = (layers: ModelConfig['layers']): ModelConfig => ({ input: { kind: 'numeric', features: 3 }, layers });

const REAL: Record<string, ModelConfig> = {
  'lstm, mean head': numeric([{ kind: 'lstm', units: 5, returnSequences: true }, { kind: 'head', pool: 'mean' }, { kind: 'dense', units: 3 }]),
  'gru with embedding, last state': {
    input: { kind: 'tokens', vocabSize: 12 },
    layers: [{ kind: 'embedding', vocabSize: 12, dim: 4 }, { kind: 'gru', units: 5 }, { kind: 'dense', units: 2 }],
  },
  'stacked simple_rnn, bidirectional lstm': numeric([
    { kind: 'simple_rnn', units: 4, returnSequences: true },
    { kind: 'bidirectional', merge: 'concat', layer: { kind: 'lstm', units: 3 } },
    { kind: 'dense', units: 2 },
  ]),
};

/** A model whose backward is wrong for one parameter: its gradient is multiplied by `scale`. */
class BrokenModel extends SequenceModel {
  constructor(cfg: ModelConfig, private readonly target: string, private readonly scale: number, private readonly dropElement = -1) {
    super(cfg, { backend: 'ts64', seed: 3 });
  }
  override backward(g: Flow, opts: ModelBackwardOptions = {}): ModelBackwardResult {
    const before = this.parameters().map((p) => Float64Array.from(p.grad));
    const r = super.backward(g, opts);
    this.parameters().forEach((p, k) => {
      if (p.name !== this.target) return;
      for (let i = 0; i < p.grad.length; i++) p.grad[i] = before[k]![i]! + (p.grad[i]! - before[k]![i]!) * this.scale;
      if (this.dropElement >= 0) p.grad[this.dropElement] = before[k]![this.dropElement]!;
    });
    return r;
  }
}

describe('verifyGradients', () => {
  for (const [name, cfg] of Object.entries(REAL)) {
    it(`passes on a correct model: ${name}`, () => {
      const model = new SequenceModel(cfg, { backend: 'ts64', seed: 1 });
      const res = verifyGradients(model, randomInputs(model, { samples: 3, steps: 5, seed: 2 }));
      assert.equal(res.passed, true, JSON.stringify(res.worst));
      assert.equal(res.tensors.length, model.parameters().length);
      for (const t of res.tensors) {
        assert.ok(t.checked >= Math.min(t.size, 32), `${t.name} checked ${t.checked}`);
        assert.ok(t.worstError < 1e-6, `${t.name}: ${t.worstError}`);
      }
    });
  }

  it('passes on a trained float32 model loaded from disk and converted to float64, on dataset inputs', async () => {
    const ds = motifDataset({ n: 60, seed: 4, length: 10 });
    const cfg = buildModelConfig({ cell: 'lstm', hidden: 6, layers: 1, embedding: 4 }, ds, 'classification');
    const model = new SequenceModel(cfg, { backend: 'ts', seed: 0 });
    await train(model, ds, { task: 'classification', epochs: 1, batchSize: 16, seed: 0, distributions: false });
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-gradcheck-'));
    try {
      saveModel(dir, model, { task: 'classification', classNames: ds.classNames });
      const loaded = loadModel(dir).model;
      assert.throws(() => verifyGradients(loaded, randomInputs(loaded)), /float64 backend/);
      const m64 = toFloat64(loaded);
      const res = verifyGradients(m64, datasetInputs(m64, ds, 4), { perTensor: 16 });
      assert.equal(res.passed, true, JSON.stringify(res.worst));
      assert.equal(res.batch, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('FAILS when one parameter gradient is scaled by 1.01, naming that tensor only', () => {
    const cfg = REAL['lstm, mean head']!;
    const model = new BrokenModel(cfg, 'lstm/U', 1.01);
    const res = verifyGradients(model, randomInputs(model, { samples: 3, steps: 5, seed: 2 }));
    assert.equal(res.passed, false);
    const bad = res.tensors.filter((t) => !t.passed).map((t) => t.name);
    assert.deepEqual(bad, ['lstm/U']);
    assert.equal(res.worst.name, 'lstm/U');
    assert.ok(Math.abs(res.worst.error - 0.01 / 1.01) < 1e-4, `error ${res.worst.error}`);
  });

  it('FAILS when a single gradient element is lost (found because every element of a small tensor is checked)', () => {
    const cfg = REAL['gru with embedding, last state']!;
    const probe = new SequenceModel(cfg, { backend: 'ts64', seed: 3 });
    const bias = probe.parameters().find((p) => p.name === 'dense/bias')!;
    const model = new BrokenModel(cfg, bias.name, 1, 1);
    const res = verifyGradients(model, randomInputs(model, { samples: 3, steps: 5, seed: 2 }));
    assert.equal(res.passed, false);
    const t = res.tensors.find((x) => x.name === bias.name)!;
    assert.equal(t.worstIndex, 1);
    assert.equal(t.worstError, 1);
  });

  it('large outputs (dense weights x 1000): rounding noise raises the floor instead of failing the check', () => {
    const model = new SequenceModel(REAL['lstm, mean head']!, { backend: 'ts64', seed: 1 });
    for (const p of model.parameters()) if (p.name.startsWith('dense')) for (let i = 0; i < p.value.length; i++) p.value[i]! *= 1000;
    const res = verifyGradients(model, randomInputs(model, { samples: 3, steps: 5, seed: 2 }));
    assert.ok(res.noise > 1e-9, `noise ${res.noise}`);
    assert.ok(res.floor >= 10 * res.noise / res.threshold - 1e-18);
    assert.equal(res.passed, true, JSON.stringify(res.worst));
  });

  it('rejects bad options with clear errors', () => {
    const model = new SequenceModel(REAL['lstm, mean head']!, { backend: 'ts64', seed: 1 });
    const x = randomInputs(model);
    assert.throws(() => verifyGradients(model, x, { eps: 0 }), /argument 'eps' expected a positive number, received 0/);
    assert.throws(() => verifyGradients(model, x, { perTensor: 0 }), /perTensor/);
    assert.throws(() => randomInputs(model, { samples: 0 }), /samples/);
  });
});
