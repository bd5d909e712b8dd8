/**
 * Keras-converter variants of the TF.js format that @tensorflow/tfjs does not write itself:
 * Keras 3 functional configs (`batch_shape`, `{args: [keras tensors]}` inbound nodes), Python
 * weight names (`lstm/lstm_cell/kernel:0`), GRU reset_after=true biases [2, 3H], and the hard
 * sigmoid's definition by Keras version. Weights come from an rnnlens model through src/nn/names.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

/** Keras weights with Python names, from an rnnlens model of the keras3() architecture. */
function pythonWeights(recurrentActivation?: 'hard_sigmoid' | 'hard_sigmoid_keras3'): { src: SequenceModel; weights: Map<string, { shape: number[]; data: Float32Array }> } {
  const src = new SequenceModel(
    { input: { kind: 'numeric', features: F }, layers: [{ kind: 'bidirectional', name: 'bidirectional', layer: { kind: 'gru', name: 'gru', units: 4, resetAfter: true, returnSequences: true, recurrentActivation } }, { kind: 'lstm', name: 'lstm', units: 3, recurrentActivation }, { kind: 'dense', name: 'dense', units: 2 }] },
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
  return { src, weights };
}

describe('Keras-converter formats', () => {
  it('Keras 3 functional config with Python weight names loads and predicts like the source model', () => {
    const { src, weights } = pythonWeights();
    const imp = tfjsArtifactsToModel({ modelConfig: keras3(), kerasVersion: '3.3.3', weights }, { backend: 'ts' });
    assert.equal(imp.softmax, true);
    const x = { data: inputs(B * T * F, 8), batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
    const ours = imp.model.predict(x) as Tensor;
    assertClose(ours.data, (src.predict(x) as Tensor).data, 1e-6, 'Keras 3 import');
  });

  it('Keras 3 hard_sigmoid maps to its Keras 3 definition clip(x/6 + 0.5, 0, 1), Keras 2 to clip(0.2x + 0.5, 0, 1)', () => {
    for (const [version, ra] of [['3.3.3', 'hard_sigmoid_keras3'], ['2.15.0', 'hard_sigmoid']] as const) {
      const imp = tfjsArtifactsToModel({ modelConfig: keras3('hard_sigmoid'), kerasVersion: version, weights: pythonWeights(ra).weights }, { backend: 'ts' });
      const cfg = imp.model.config();
      assert.equal(cfg.layers[1]!.kind === 'lstm' ? cfg.layers[1].recurrentActivation : null, ra, version);
      assert.equal(cfg.layers[0]!.kind === 'bidirectional' ? cfg.layers[0].layer.recurrentActivation : null, ra, version);
    }
  });

  it('a functional model with a branch is refused', () => {
    const cfg = keras3();
    const layers = cfg.config.layers as Array<{ inbound_nodes: unknown[] }>;
    const t = (l: string) => ({ class_name: '__keras_tensor__', config: { keras_history: [l, 0, 0] } });
    layers[2]!.inbound_nodes = [{ args: [[t('bidirectional'), t('input_layer')]], kwargs: {} }];
    assert.throws(() => tfjsArtifactsToModel({ modelConfig: cfg, kerasVersion: '3.3.3', weights: new Map() }), /'lstm': has 2 inputs/);
  });
});
