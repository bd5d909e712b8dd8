/**
 * Masking equivalence at model level: a right-padded batch gives exactly what each sequence gives
 * alone (outputs, parameter gradients summed over the batch, input/embedding gradients, step
 * gradients and traces), for numeric and token models with every recurrent kind and direction.
 */
import { describe, it } from 'node:test';
import { getBackend } from '../../src/core/backends.js';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/core/tensor.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { Flow, SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel, type ModelInput } from '../../src/nn/model.js';
import { assertClose, randomGrad, randomSeq, randomTokens } from './helpers.js';

const LENGTHS = [5, 3, 1, 4];
const B = LENGTHS.length;
const T = 5;

const MODELS: Record<string, ModelConfig> = {
  'bidirectional lstm → goBackwards gru → mean → dense': {
    input: { kind: 'numeric', features: 3 },
    layers: [
      { kind: 'bidirectional', layer: { kind: 'lstm', units: 3, returnSequences: true } },
      { kind: 'gru', units: 3, goBackwards: true, returnSequences: true, resetAfter: false },
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 2 },
    ],
  },
  'simple_rnn relu → bidirectional mul gru → every → dense': {
    input: { kind: 'numeric', features: 3 },
    layers: [
      { kind: 'simple_rnn', units: 3, activation: 'relu', returnSequences: true },
      {
        kind: 'bidirectional',
        merge: 'mul',
        layer: { kind: 'gru', units: 2, returnSequences: true },
      },
      { kind: 'head', pool: 'every' },
      { kind: 'dense', units: 2, activation: 'tanh' },
    ],
  },
  'embedding → lstm (final state) → dense': {
    input: { kind: 'tokens', vocabSize: 6 },
    layers: [
      { kind: 'embedding', vocabSize: 6, dim: 3 },
      { kind: 'lstm', units: 3 },
      { kind: 'dense', units: 2 },
    ],
  },
};

/** Sequence b alone, cut to its own length. */
function single(x: ModelInput, b: number): ModelInput {
  const len = x.lengths[b]!;
  const lengths = Int32Array.of(len);
  if ('ids' in x)
    return {
      ids: x.ids.slice(b * x.steps, b * x.steps + len),
      batch: 1,
      steps: len,
      lengths,
    } satisfies TokenBatch;
  const F = x.features;
  return {
    data: x.data.slice(b * x.steps * F, (b * x.steps + len) * F),
    batch: 1,
    steps: len,
    features: F,
    lengths,
  } satisfies SeqBatch;
}

/** Rows of a batch-first array belonging to sequence b's real steps (or row b of a tensor). */
function rowsOf(f: Flow, b: number): Float64Array {
  if (f instanceof Tensor)
    return Float64Array.from(f.data.subarray(b * f.shape[1]!, (b + 1) * f.shape[1]!));
  const F = f.features;
  return Float64Array.from(f.data.subarray(b * f.steps * F, (b * f.steps + f.lengths[b]!) * F));
}

function stepRows(
  data: ArrayLike<number>,
  b: number,
  steps: number,
  len: number,
  H: number,
): Float64Array {
  return Float64Array.from(
    Array.prototype.slice.call(data, b * steps * H, (b * steps + len) * H) as number[],
  );
}

for (const label of ['ts64', 'ts'] as const) {
  const backend = getBackend(label);
  const rtol = label === 'ts64' ? 1e-12 : 1e-5;
  describe(`masking equivalence on ${label}`, () => {
    for (const [name, cfg] of Object.entries(MODELS)) {
      it(name, () => {
        const rng = new Rng(3);
        const model = new SequenceModel(cfg, { backend, seed: 11 });
        const tokens = cfg.input.kind === 'tokens';
        const x = tokens
          ? randomTokens(rng, 6, B, T, LENGTHS)
          : randomSeq(rng, backend.dtype, B, T, 3, LENGTHS);
        const r = model.forward(x, { trace: true });
        const G = randomGrad(rng, r.output);
        model.zeroGrad();
        const full = model.backward(G, { wantInputGrad: !tokens, wantStepGrads: true });
        const batchGrads = model.parameters().map((p) => Float64Array.from(p.grad));
        const sumGrads = batchGrads.map((g) => new Float64Array(g.length));
        for (let b = 0; b < B; b++) {
          const len = LENGTHS[b]!;
          const xb = single(x, b);
          const rb = model.forward(xb, { trace: true });
          assertClose(rowsOf(rb.output, 0), rowsOf(r.output, b), rtol, `output of sequence ${b}`);
          const Gb: Flow =
            G instanceof Tensor
              ? new Tensor([1, G.shape[1]!], G.data.slice(b * G.shape[1]!, (b + 1) * G.shape[1]!))
              : {
                  ...(rb.output as SeqBatch),
                  data: G.data.slice(b * T * G.features, (b * T + len) * G.features),
                };
          model.zeroGrad();
          const one = model.backward(Gb, { wantInputGrad: !tokens, wantStepGrads: true });
          model.parameters().forEach((p, i) => p.grad.forEach((v, j) => (sumGrads[i]![j]! += v)));
          const gIn = tokens
            ? [one.embeddingGrad!, full.embeddingGrad!]
            : [one.inputGrad!, full.inputGrad!];
          assertClose(
            rowsOf(gIn[0]!, 0),
            rowsOf(gIn[1]!, b),
            rtol,
            `input gradient of sequence ${b}`,
          );
          one.stepGrads.forEach((sg, i) => {
            const H = sg.data.length / len;
            assertClose(
              sg.data,
              stepRows(full.stepGrads[i]!.data, b, T, len, H),
              rtol,
              `step grads ${sg.layer}/${sg.direction} seq ${b}`,
            );
          });
          rb.trace!.forEach((tr, i) => {
            const ref = r.trace![i]!;
            assertClose(
              tr.h,
              stepRows(ref.h, b, T, len, tr.units),
              rtol,
              `trace h ${tr.layer}/${tr.direction}`,
            );
            assertClose(
              tr.gates,
              stepRows(ref.gates, b, T, len, tr.units * tr.gateCount),
              rtol,
              `trace gates ${tr.layer}/${tr.direction}`,
            );
          });
        }
        model
          .parameters()
          .forEach((p, i) =>
            assertClose(sumGrads[i]!, batchGrads[i]!, rtol * 10, `grad ${p.name}`),
          );
      });
    }
  });
}
