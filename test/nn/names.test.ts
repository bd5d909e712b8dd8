/** Parameter naming across frameworks (src/nn/names.ts); PyTorch names are also exercised by torch-parity. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { SequenceModel } from '../../src/nn/model.js';
import {
  loadKerasWeights,
  parameterNames,
  toKerasWeights,
  toTorchState,
} from '../../src/nn/names.js';
import { assertClose, randomSeq } from './helpers.js';

const cfg: ModelConfig = {
  input: { kind: 'numeric', features: 3 },
  layers: [
    { kind: 'bidirectional', layer: { kind: 'gru', units: 2, returnSequences: true } },
    { kind: 'lstm', units: 2, returnSequences: true },
    { kind: 'lstm', units: 2, returnSequences: true },
    { kind: 'gru', units: 2, resetAfter: false, returnSequences: true },
    { kind: 'head', pool: 'mean' },
    { kind: 'dense', units: 2 },
  ],
};

describe('parameter names', () => {
  const model = new SequenceModel(cfg, { backend: 'ts64', seed: 4 });
  const names = parameterNames(model);

  it('Keras and PyTorch names of every parameter', () => {
    const table = Object.fromEntries(
      names.map((n) => [n.param, [n.keras.name, n.torch?.name ?? null]]),
    );
    assert.deepEqual(table['bidirectional/forward/W'], [
      'bidirectional/forward_gru/kernel',
      'rnn.weight_ih_l0',
    ]);
    assert.deepEqual(table['bidirectional/backward/U'], [
      'bidirectional/backward_gru/recurrent_kernel',
      'rnn.weight_hh_l0_reverse',
    ]);
    assert.deepEqual(table['lstm/bx'], ['lstm/bias', 'rnn_1.bias_ih_l0']);
    // Two compatible LSTMs stack into one PyTorch module.
    assert.deepEqual(table['lstm_1/bh'], ['lstm_1/bias', 'rnn_1.bias_hh_l1']);
    // GRU reset-before has no PyTorch form.
    assert.deepEqual(table['gru/W'], ['gru/kernel', null]);
    assert.deepEqual(table['dense/kernel'], ['dense/kernel', 'fc.weight']);
    assert.equal(names.length, model.parameters().length);
    assert.throws(() => toTorchState(model), /has no PyTorch form/);
  });

  it('module overrides', () => {
    const m = new SequenceModel(
      {
        input: { kind: 'numeric', features: 2 },
        layers: [
          { kind: 'lstm', units: 2 },
          { kind: 'dense', units: 1 },
        ],
      },
      { backend: 'ts64' },
    );
    const n = parameterNames(m, {
      modules: { lstm: { module: 'encoder', index: 1 }, dense: { module: 'out' } },
    });
    assert.deepEqual(
      n.map((x) => x.torch!.name),
      [
        'encoder.weight_ih_l1',
        'encoder.weight_hh_l1',
        'encoder.bias_ih_l1',
        'encoder.bias_hh_l1',
        'out.weight',
        'out.bias',
      ],
    );
  });

  it('Keras layout: GRU gate blocks z r h, biases summed or stacked as [2, 3H]', () => {
    const rng = new Rng(1);
    for (const p of model.parameters()) rng.fillNormal(p.value);
    const k = toKerasWeights(model);
    const W = model.parameters().find((p) => p.name === 'bidirectional/forward/W')!;
    const kk = k['bidirectional/forward_gru/kernel']!;
    const H = 2;
    for (let d = 0; d < 3; d++) {
      for (let j = 0; j < H; j++) {
        assert.equal(kk.data[d * 3 * H + j], W.value[d * 3 * H + H + j], 'Keras z = our block 1');
        assert.equal(kk.data[d * 3 * H + H + j], W.value[d * 3 * H + j], 'Keras r = our block 0');
        assert.equal(
          kk.data[d * 3 * H + 2 * H + j],
          W.value[d * 3 * H + 2 * H + j],
          'Keras h = our block 2',
        );
      }
    }
    // reset_after GRU: bias [2, 3H] rows bx, bh (permuted).
    const bx = model.parameters().find((p) => p.name === 'bidirectional/forward/bx')!;
    const bh = model.parameters().find((p) => p.name === 'bidirectional/forward/bh')!;
    const kb = k['bidirectional/forward_gru/bias']!;
    assert.deepEqual(kb.shape, [2, 6]);
    assert.equal(kb.data[0], bx.value[H]);
    assert.equal(kb.data[6 + 2 * H], bh.value[2 * H]);
    // LSTM and reset-before GRU: one summed bias.
    const lb = k['lstm/bias']!;
    const lbx = model.parameters().find((p) => p.name === 'lstm/bx')!;
    const lbh = model.parameters().find((p) => p.name === 'lstm/bh')!;
    assert.deepEqual(lb.shape, [8]);
    for (let i = 0; i < 8; i++)
      assert.ok(Math.abs(lb.data[i]! - (lbx.value[i]! + lbh.value[i]!)) < 1e-15);
    const gb = k['gru/bias']!;
    const gbx = model.parameters().find((p) => p.name === 'gru/bx')!;
    const gbh = model.parameters().find((p) => p.name === 'gru/bh')!;
    assert.ok(
      Math.abs(gb.data[0]! - (gbx.value[H]! + gbh.value[H]!)) < 1e-15,
      'summed bias is permuted once',
    );
  });

  it('Keras weights round-trip into a fresh model and give the same outputs', () => {
    const rng = new Rng(2);
    for (const p of model.parameters()) rng.fillNormal(p.value, 0, 0.5);
    const other = new SequenceModel(cfg, { backend: 'ts64', seed: 99 });
    loadKerasWeights(other, toKerasWeights(model));
    // Summed biases land in bx with bh = 0; the function is unchanged.
    assert.ok(
      other
        .parameters()
        .find((p) => p.name === 'lstm/bh')!
        .value.every((v) => v === 0),
    );
    const x = randomSeq(rng, 'float64', 2, 4, 3, [4, 2]);
    assertClose(
      other.predict(x).data,
      model.predict(x).data,
      1e-12,
      'outputs after Keras round trip',
    );
    assert.throws(
      () => loadKerasWeights(other, {}),
      /weights\['bidirectional\/forward_gru\/kernel'\]/,
    );
  });
});
