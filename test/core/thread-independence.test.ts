/**
 * Whole-model thread-count independence on the wasm backend: inference bit-identical between
 * one and two threads (the batch is split by sequence, every row computed by the same kernel),
 * and attribution sums (integrated gradients, SmoothGrad, KernelSHAP) equal within float rounding.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { createWasmBackend } from '../../src/core/wasm-backend.js';
import { attribute } from '../../src/explain/attribute.js';
import type { AttributeOptions } from '../../src/explain/types.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';

const one = createWasmBackend({ threads: 1 });
const two = createWasmBackend({ threads: 2, minParallelMacs: 0 });
after(() => {
  one.close();
  two.close();
});

function batch(B: number, T: number, D: number, ragged: boolean): SeqBatch {
  const rng = new Rng(11);
  const data = new Float32Array(B * T * D);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const lengths = Int32Array.from({ length: B }, (_, b) => (ragged ? 1 + ((b * 7) % T) : T));
  return { data, batch: B, steps: T, features: D, lengths };
}

function models(cell: 'lstm' | 'gru' | 'simple_rnn'): [SequenceModel, SequenceModel] {
  const config = {
    input: { kind: 'numeric' as const, features: 6 },
    layers: [
      { kind: cell, units: 24, returnSequences: true },
      { kind: cell, units: 16 },
      { kind: 'dense' as const, units: 3 },
    ],
    init: 'torch' as const,
  };
  return [
    new SequenceModel(config, { backend: one, seed: 4 }),
    new SequenceModel(config, { backend: two, seed: 4 }),
  ];
}

test('inference is bit-identical on one and two threads (LSTM, GRU, SimpleRNN; ragged batch of 37)', () => {
  for (const cell of ['lstm', 'gru', 'simple_rnn'] as const) {
    const [a, b] = models(cell);
    const x = batch(37, 12, 6, true);
    const ya = a.predict(x).data;
    const yb = b.predict(x).data;
    assert.equal(ya.length, 37 * 3);
    assert.ok(ya.some((v) => v !== 0), `${cell}: outputs are not all zero`);
    assert.deepEqual(Array.from(ya), Array.from(yb), `${cell} outputs`);
  }
});

test('attributions agree between one and two threads within float rounding', () => {
  const [a, b] = models('lstm');
  const x = batch(4, 10, 6, false);
  const methods: Omit<AttributeOptions, 'target'>[] = [
    { method: 'integrated-gradients', steps: 20 },
    { method: 'noise-tunnel', inner: 'saliency', samples: 8, stdevs: 0.1 },
    { method: 'kernel-shap', groups: 'steps', samples: 64 },
  ];
  for (const m of methods) {
    const ra = attribute(a, x, { ...m, target: 1, seed: 3 } as AttributeOptions).attributions;
    const rb = attribute(b, x, { ...m, target: 1, seed: 3 } as AttributeOptions).attributions;
    assert.equal(ra.data.length, rb.data.length);
    let scale = 0;
    for (const v of ra.data) scale = Math.max(scale, Math.abs(v));
    assert.ok(scale > 0, `${m.method}: attributions are not all zero`);
    for (let i = 0; i < ra.data.length; i++)
      assert.ok(
        Math.abs(ra.data[i]! - rb.data[i]!) <= 1e-5 * scale,
        `${m.method}[${i}]: ${ra.data[i]} vs ${rb.data[i]}`,
      );
  }
});
