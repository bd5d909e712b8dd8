/**
 * Keras-converter variants of the TF.js format that @tensorflow/tfjs does not write itself:
 * Keras 3 functional configs (`batch_shape`, `{args: [keras tensors]}` inbound nodes), Python
 * weight names (`lstm/lstm_cell/kernel:0`), GRU reset_after=true biases [2, 3H], and the Keras 3
 * hard-sigmoid message. Weights come from an rnnlens model through src/nn/names.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RnnlensError } from '../../src/core/errors.js';
import { Tensor } from '../../src/core/tensor.js';
import { tfjsArtifactsToModel } from '../../src/io/tfjs/load.js';
import type { TfjsArtifacts } from '../../src/io/tfjs/read.js';
import { SequenceModel } from '../../src/nn/model.js';
import { toKerasWeights } from '../../src/nn/names.js';
import { assertClose } from './helpers.js';
import { inputs } from './tfjs-util.js';

const [B, T, F] = [2, 5, 3];

function keras3(recurrentActivation = 'sigmoid'): TfjsArtifacts['modelConfig'] {
  const tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, null, F], dtype: 'float32', keras_history: [layer, 0, 0] } });
  return {
    class_name: 'Functional',
    config: {
      name: 'functional',
      layers: [
        { class_name: 'InputLayer', name: 'input_layer', config: { batch_shape: [null, null, F], dtype: 'float32', name: 'input_layer' }, inbound_nodes: [] },
        { class_name: 'Bidirectional', name: 'bidirectional', config: { name: 'bidirectional', merge_mode: 'concat', layer: { class_name: 'GRU', config: { name: 'gru', units: 4, activation: 'tanh', recurrent_activation: recurrentActivation, reset_after: true, return_sequences: true } } }, inbound_nodes: [{ args: [tensor('input_layer')], kwargs: {} }] },
        { class_name: 'LSTM', name: 'lstm', config: { name: 'lstm', units: 3, activation: 'tanh', recurrent_activation: recurrentActivation }, inbound_nodes: [{ args: [tensor('bidirectional')], kwargs: {} }] },
        { class_name: 'Dense', name: 'dense', config: { name: 'dense', units: 2, activation: 'softmax' }, inbound_nodes: [{ args: [tensor('lstm')], kwargs: { training: false } }] },
      ],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['dense', 0, 0]],
    },
  };
}

describe('Keras-converter formats', () => {
  it('Keras 3 functional config with Python weight names loads and predicts like the source model', () => {
    const src = new SequenceModel(
      { input: { kind: 'numeric', features: F }, layers: [{ kind: 'bidirectional', name: 'bidirectional', layer: { kind: 'gru', name: 'gru', units: 4, resetAfter: true, returnSequences: true } }, { kind: 'lstm', name: 'lstm', units: 3 }, { kind: 'dense', name: 'dense', units: 2 }] },
      { backend: 'ts', seed: 11 },
    );
    const weights = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, w] of Object.entries(toKerasWeights(src))) {
      // rnnlens/TF.js 'bidirectional/forward_gru/kernel' → Python 'bidirectional/forward_gru/gru_cell/kernel:0'
      const parts = name.split('/');
      const role = parts.pop()!;
      const cell = parts[0] === 'dense' ? [] : [`${parts[parts.length - 1]!.replace(/^(forward|backward)_/, '')}_cell`];
      weights.set([...parts, ...cell, `${role}:0`].join('/'), { shape: w.shape, data: Float32Array.from(w.data) });
    }
    const imp = tfjsArtifactsToModel({ modelConfig: keras3(), kerasVersion: '3.3.3', weights }, { backend: 'ts' });
    assert.equal(imp.softmax, true);
    const x = { data: inputs(B * T * F, 8), batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
    const ours = imp.model.predict(x) as Tensor;
    assertClose(ours.data, (src.predict(x) as Tensor).data, 1e-6, 'Keras 3 import');
  });

  it('Keras 3 hard_sigmoid is named with its Keras 3 definition', () => {
    assert.throws(
      () => tfjsArtifactsToModel({ modelConfig: keras3('hard_sigmoid'), kerasVersion: '3.3.3', weights: new Map() }),
      (e: unknown) => e instanceof RnnlensError && /Keras 3, clip\(x\/6 \+ 0\.5, 0, 1\)/.test(e.message) && /'gru'/.test(e.message),
    );
  });

  it('a functional model with a branch is refused', () => {
    const cfg = keras3();
    const layers = cfg.config.layers as Array<{ inbound_nodes: unknown[] }>;
    const t = (l: string) => ({ class_name: '__keras_tensor__', config: { keras_history: [l, 0, 0] } });
    layers[2]!.inbound_nodes = [{ args: [[t('bidirectional'), t('input_layer')]], kwargs: {} }];
    assert.throws(() => tfjsArtifactsToModel({ modelConfig: cfg, kerasVersion: '3.3.3', weights: new Map() }), /'lstm': has 2 inputs/);
  });
});
