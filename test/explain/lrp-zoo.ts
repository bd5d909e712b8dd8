/** Random float64 models of every supported layer kind, shared by the LRP and DeepLIFT tests. */
import { Rng } from '../../src/core/rng.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel, type ModelInput } from '../../src/nn/model.js';

export const F = 3;
export const T = 5;
export const LENGTHS = [5, 3];

const num = (layers: ModelConfig['layers']): ModelConfig => ({
  input: { kind: 'numeric', features: F },
  layers,
});

/** name → config; every model's output is [B, 2] unless the name says 'every'. */
export const ZOO: Record<string, ModelConfig> = {
  'rnn-tanh': num([
    { kind: 'simple_rnn', units: 4 },
    { kind: 'dense', units: 2 },
  ]),
  'rnn-relu': num([
    { kind: 'simple_rnn', units: 4, activation: 'relu' },
    { kind: 'dense', units: 2 },
  ]),
  lstm: num([
    { kind: 'lstm', units: 4 },
    { kind: 'dense', units: 2 },
  ]),
  'gru-after': num([
    { kind: 'gru', units: 4 },
    { kind: 'dense', units: 2 },
  ]),
  'gru-before': num([
    { kind: 'gru', units: 4, resetAfter: false },
    { kind: 'dense', units: 2 },
  ]),
  'lstm-backwards': num([
    { kind: 'lstm', units: 3, goBackwards: true, returnSequences: true },
    { kind: 'head', pool: 'mean' },
    { kind: 'dense', units: 2 },
  ]),
  'stacked-lstm-gru': num([
    { kind: 'lstm', units: 4, returnSequences: true },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'gru', units: 3 },
    { kind: 'dense', units: 4, activation: 'tanh' },
    { kind: 'dense', units: 2 },
  ]),
  'bidi-concat-lstm': num([
    { kind: 'bidirectional', layer: { kind: 'lstm', units: 3 } },
    { kind: 'dense', units: 2 },
  ]),
  'bidi-sum-gru-max': num([
    {
      kind: 'bidirectional',
      merge: 'sum',
      layer: { kind: 'gru', units: 3, returnSequences: true },
    },
    { kind: 'head', pool: 'max' },
    { kind: 'dense', units: 2 },
  ]),
  'bidi-mean-rnn-last': num([
    {
      kind: 'bidirectional',
      merge: 'mean',
      layer: { kind: 'simple_rnn', units: 3, returnSequences: true },
    },
    { kind: 'head', pool: 'last' },
    { kind: 'dense', units: 2, activation: 'relu' },
  ]),
  'lstm-every': num([
    { kind: 'lstm', units: 4, returnSequences: true },
    { kind: 'head', pool: 'every' },
    { kind: 'dense', units: 2 },
  ]),
  'tokens-gru': {
    input: { kind: 'tokens', vocabSize: 7 },
    layers: [
      { kind: 'embedding', vocabSize: 7, dim: 4 },
      { kind: 'gru', units: 3 },
      { kind: 'dense', units: 2 },
    ],
  },
};

/** A float64 model with weights scaled up and random biases, so gates leave their linear range. */
export function zooModel(name: string, seed = 1): SequenceModel {
  const model = new SequenceModel(ZOO[name]!, { backend: 'ts64', seed });
  const rng = new Rng(seed + 100);
  for (const p of model.parameters()) {
    for (let i = 0; i < p.value.length; i++)
      p.value[i] =
        p.name.endsWith('/bx') || p.name.endsWith('/bh') || p.name.endsWith('/bias')
          ? rng.normal(0, 0.5)
          : p.value[i]! * 1.5;
  }
  return model;
}

export function zooInput(model: SequenceModel, seed = 2): ModelInput {
  const rng = new Rng(seed);
  const B = LENGTHS.length;
  if (model.inputSpec.kind === 'tokens') {
    const ids = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < LENGTHS[b]!; t++) ids[b * T + t] = rng.int(7);
    const x: TokenBatch = { ids, batch: B, steps: T, lengths: Int32Array.from(LENGTHS) };
    return x;
  }
  const data = new Float64Array(B * T * F);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < LENGTHS[b]!; t++)
      for (let j = 0; j < F; j++) data[(b * T + t) * F + j] = rng.normal();
  const x: SeqBatch = { data, batch: B, steps: T, features: F, lengths: Int32Array.from(LENGTHS) };
  return x;
}
