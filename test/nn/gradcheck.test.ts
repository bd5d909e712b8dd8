/**
 * Float64 central finite differences (eps 1e-6) against backward, for random small models covering
 * every layer kind and option: dense activations, embedding, SimpleRNN tanh/relu, LSTM, GRU, hard-sigmoid gates,
 * reset-after and reset-before (which PyTorch lacks), bidirectional merges, every head, goBackwards,
 * dropout (off), initial states and injected step gradients.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend } from '../../src/core/backends.js';
import { Rng } from '../../src/core/rng.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { Direction, RecurrentState } from '../../src/nn/layer.js';
import { SequenceModel, type ModelInput } from '../../src/nn/model.js';
import { checkFiniteDifferences, randomGrad, randomSeq, randomTokens } from './helpers.js';

const LENGTHS = [4, 2, 1];
const B = 3;
const T = 4;
const D = 2;
const num = (layers: ModelConfig['layers']): ModelConfig => ({
  input: { kind: 'numeric', features: D },
  layers,
});

const CASES: Record<string, ModelConfig> = {
  'dense activations per step (relu, tanh, sigmoid, linear)': num([
    { kind: 'lstm', units: 3, returnSequences: true },
    { kind: 'head', pool: 'every' },
    { kind: 'dense', units: 3, activation: 'relu' },
    { kind: 'dense', units: 3, activation: 'tanh' },
    { kind: 'dense', units: 2, activation: 'sigmoid' },
    { kind: 'dense', units: 2, activation: 'none' },
  ]),
  'simple_rnn tanh, last head': num([
    { kind: 'simple_rnn', units: 3, returnSequences: true },
    { kind: 'head', pool: 'last' },
    { kind: 'dense', units: 2 },
  ]),
  'simple_rnn relu, mean head': num([
    { kind: 'simple_rnn', units: 3, activation: 'relu', returnSequences: true },
    { kind: 'head', pool: 'mean' },
    { kind: 'dense', units: 2 },
  ]),
  'gru reset-after stacked, max head': num([
    { kind: 'gru', units: 3, returnSequences: true },
    { kind: 'gru', units: 2, returnSequences: true },
    { kind: 'head', pool: 'max' },
    { kind: 'dense', units: 2 },
  ]),
  'gru reset-before, final state': num([
    { kind: 'gru', units: 3, resetAfter: false },
    { kind: 'dense', units: 2, activation: 'tanh' },
  ]),
  'lstm goBackwards, sequence output (Keras order)': num([
    { kind: 'lstm', units: 3, goBackwards: true, returnSequences: true },
    { kind: 'head', pool: 'every' },
    { kind: 'dense', units: 2 },
  ]),
  'gru reset-before goBackwards, final state': num([
    { kind: 'gru', units: 3, resetAfter: false, goBackwards: true },
    { kind: 'dense', units: 1 },
  ]),
  'bidirectional concat lstm + dropout off': num([
    {
      kind: 'bidirectional',
      merge: 'concat',
      layer: { kind: 'lstm', units: 2, returnSequences: true },
    },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'head', pool: 'last' },
    { kind: 'dense', units: 2 },
  ]),
  'bidirectional sum gru reset-before': num([
    {
      kind: 'bidirectional',
      merge: 'sum',
      layer: { kind: 'gru', units: 3, resetAfter: false, returnSequences: true },
    },
    { kind: 'head', pool: 'mean' },
    { kind: 'dense', units: 2 },
  ]),
  'bidirectional mean simple_rnn relu': num([
    {
      kind: 'bidirectional',
      merge: 'mean',
      layer: { kind: 'simple_rnn', units: 3, activation: 'relu', returnSequences: true },
    },
    { kind: 'head', pool: 'every' },
    { kind: 'dense', units: 2 },
  ]),
  'bidirectional mul lstm, final states': num([
    { kind: 'bidirectional', merge: 'mul', layer: { kind: 'lstm', units: 3 } },
    { kind: 'dense', units: 2 },
  ]),
  'stacked bidirectional gru into lstm, max head': num([
    { kind: 'bidirectional', layer: { kind: 'gru', units: 2, returnSequences: true } },
    { kind: 'lstm', units: 2, returnSequences: true },
    { kind: 'head', pool: 'max' },
    { kind: 'dense', units: 1, activation: 'sigmoid' },
  ]),
  'lstm hard_sigmoid (Keras 2) into bidirectional gru hard_sigmoid_keras3': num([
    { kind: 'lstm', units: 3, recurrentActivation: 'hard_sigmoid', returnSequences: true },
    {
      kind: 'bidirectional',
      merge: 'concat',
      layer: { kind: 'gru', units: 2, recurrentActivation: 'hard_sigmoid_keras3' },
    },
    { kind: 'dense', units: 2 },
  ]),
  'embedding + gru + last head': {
    input: { kind: 'tokens', vocabSize: 5 },
    layers: [
      { kind: 'embedding', vocabSize: 5, dim: 2 },
      { kind: 'gru', units: 3, returnSequences: true },
      { kind: 'head', pool: 'last' },
      { kind: 'dense', units: 2 },
    ],
  },
};

function inputFor(cfg: ModelConfig, rng: Rng): ModelInput {
  return cfg.input.kind === 'tokens'
    ? randomTokens(rng, cfg.input.vocabSize, B, T, LENGTHS)
    : randomSeq(rng, 'float64', B, T, D, LENGTHS);
}

describe('finite-difference gradient checks (ts64)', () => {
  const backend = getBackend('ts64');
  let seed = 1;
  for (const [label, cfg] of Object.entries(CASES)) {
    const s = seed++;
    it(label, () => {
      const rng = new Rng(1000 + s);
      const model = new SequenceModel(cfg, { backend, seed: s });
      // Keras init leaves biases at zero; random biases exercise their gradients fully.
      for (const p of model.parameters())
        if (p.name.endsWith('bias') || /\/b[xh]$/.test(p.name)) rng.fillUniform(p.value, -0.5, 0.5);
      const input = inputFor(cfg, rng);
      const { output } = model.forward(input);
      const G = randomGrad(rng, output);
      model.zeroGrad();
      const tokens = cfg.input.kind === 'tokens';
      const res = model.backward(G, { wantInputGrad: !tokens });
      const loss = () => {
        const out = model.predict(input);
        let sum = 0;
        for (let i = 0; i < out.data.length; i++) sum += out.data[i]! * G.data[i]!;
        return sum;
      };
      for (const p of model.parameters()) checkFiniteDifferences(p.value, p.grad, loss, p.name);
      if (!tokens) {
        checkFiniteDifferences(
          (input as { data: Float64Array }).data,
          res.inputGrad!.data,
          loss,
          'input',
        );
      } else {
        // Gradient on the embedding vectors: feed them directly with `embedded`.
        const emb = model.layers[0]!.forward(input, {
          backend,
          training: false,
          trace: false,
        }).output;
        const r2 = model.inputGradient(emb as ModelInput, G, { embedded: true });
        assert.ok(res.embeddingGrad, 'token models report the embedding-vector gradient');
        for (let i = 0; i < r2.grad.data.length; i++)
          assert.ok(Math.abs(r2.grad.data[i]! - res.embeddingGrad.data[i]!) < 1e-12);
        const embLoss = () => {
          const out = model.predict(emb as ModelInput, { embedded: true });
          let sum = 0;
          for (let i = 0; i < out.data.length; i++) sum += out.data[i]! * G.data[i]!;
          return sum;
        };
        checkFiniteDifferences(emb.data, r2.grad.data, embLoss, 'embedding vectors');
      }
    });
  }

  it('initial states and injected step / final-state gradients (lstm, bidirectional gru)', () => {
    const rng = new Rng(77);
    const cfg = num([
      { kind: 'lstm', name: 'enc', units: 3, returnSequences: true },
      {
        kind: 'bidirectional',
        name: 'bi',
        layer: { kind: 'gru', units: 2, returnSequences: true },
      },
      { kind: 'head', pool: 'last' },
      { kind: 'dense', units: 2 },
    ]);
    const model = new SequenceModel(cfg, { backend, seed: 5 });
    const input = randomSeq(rng, 'float64', B, T, D, LENGTHS);
    const rand = (n: number) => rng.fillNormal(new Float64Array(n));
    const states: Record<string, Partial<Record<Direction, RecurrentState>>> = {
      enc: { forward: { h: rand(B * 3), c: rand(B * 3) } },
      bi: { forward: { h: rand(B * 2) }, backward: { h: rand(B * 2) } },
    };
    // Extra loss terms: Σ R1 ⊙ enc's step outputs, Σ R2 ⊙ bi's backward states, Σ R3 ⊙ enc's final c.
    const R1 = rand(B * T * 3);
    const R2 = rand(B * T * 2);
    const R3 = rand(B * 3);
    for (let b = 0; b < B; b++)
      for (const [R, H] of [
        [R1, 3],
        [R2, 2],
      ] as const)
        R.fill(0, (b * T + LENGTHS[b]!) * H, (b + 1) * T * H);
    const { output } = model.forward(input, { initialStates: states });
    const G = randomGrad(rng, output);
    model.zeroGrad();
    const res = model.backward(G, {
      wantInputGrad: true,
      inject: { enc: { forward: { dSteps: R1, dcLast: R3 } }, bi: { backward: { dSteps: R2 } } },
    });
    const loss = () => {
      const r = model.forward(input, { initialStates: states, trace: true });
      let sum = 0;
      for (let i = 0; i < r.output.data.length; i++) sum += r.output.data[i]! * G.data[i]!;
      const enc = r.trace!.find((t) => t.layer === 'enc')!;
      const bwd = r.trace!.find((t) => t.layer === 'bi' && t.direction === 'backward')!;
      for (let i = 0; i < R1.length; i++) sum += R1[i]! * enc.h[i]!;
      for (let i = 0; i < R2.length; i++) sum += R2[i]! * bwd.h[i]!;
      // Final cell state = the trace's c at each sequence's last valid step.
      for (let b = 0; b < B; b++)
        for (let j = 0; j < 3; j++)
          sum += R3[b * 3 + j]! * enc.c![(b * T + LENGTHS[b]! - 1) * 3 + j]!;
      return sum;
    };
    for (const p of model.parameters()) checkFiniteDifferences(p.value, p.grad, loss, p.name);
    checkFiniteDifferences(input.data, res.inputGrad!.data, loss, 'input');
    for (const g of res.initialStateGrads) {
      const st = states[g.layer]![g.direction]!;
      checkFiniteDifferences(st.h as Float64Array, g.h, loss, `${g.layer}/${g.direction}/h0`);
      if (st.c)
        checkFiniteDifferences(st.c as Float64Array, g.c!, loss, `${g.layer}/${g.direction}/c0`);
    }
  });
});
