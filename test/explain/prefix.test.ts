/**
 * Shared-prefix evaluation (methods/prefix.ts) gives the same perturbation results as running
 * every perturbed copy in full, on stacked, per-step, token and hidden-unit targets, and falls
 * back to full runs where it does not apply (goBackwards, Bidirectional, mean pooling).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute } from '../../src/explain/attribute.js';
import type { AttributeOptions, Target } from '../../src/explain/types.js';
import { assertClose } from './helpers.js';

const numeric = (layers: ModelConfig['layers']): ModelConfig => ({
  input: { kind: 'numeric', features: 3 },
  layers,
});
const MODELS: { name: string; config: ModelConfig; target: Target; resumes: boolean }[] = [
  {
    name: 'stacked LSTM → GRU, last step',
    config: numeric([
      { kind: 'lstm', name: 'a', units: 5, returnSequences: true },
      { kind: 'dropout', rate: 0.2 },
      { kind: 'gru', name: 'b', units: 4 },
      { kind: 'dense', units: 2 },
    ]),
    target: 1,
    resumes: true,
  },
  {
    name: 'per-step SimpleRNN tagger',
    config: numeric([
      { kind: 'simple_rnn', units: 4, returnSequences: true },
      { kind: 'head', pool: 'every' },
      { kind: 'dense', units: 3 },
    ]),
    target: { kind: 'step', index: 2, step: [3, 1, 2] },
    resumes: true,
  },
  {
    name: 'hidden unit of the first of two layers',
    config: numeric([
      { kind: 'gru', name: 'a', units: 4, returnSequences: true },
      { kind: 'lstm', name: 'b', units: 3 },
      { kind: 'dense', units: 2 },
    ]),
    target: { kind: 'hidden', layer: 'a', unit: 1 },
    resumes: true,
  },
  {
    name: 'goBackwards (full runs)',
    config: numeric([
      { kind: 'lstm', units: 4, goBackwards: true },
      { kind: 'dense', units: 2 },
    ]),
    target: 0,
    resumes: false,
  },
  {
    name: 'bidirectional (full runs)',
    config: numeric([
      { kind: 'bidirectional', layer: { kind: 'gru', units: 3 } },
      { kind: 'dense', units: 2 },
    ]),
    target: 0,
    resumes: false,
  },
  {
    name: 'mean pooling (full runs)',
    config: numeric([
      { kind: 'lstm', units: 4, returnSequences: true },
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 2 },
    ]),
    target: 1,
    resumes: false,
  },
];

const rng = new Rng(11);
const x: SeqBatch = {
  data: rng.fillNormal(new Float64Array(3 * 6 * 3)),
  batch: 3,
  steps: 6,
  features: 3,
  lengths: Int32Array.of(6, 4, 5),
};
for (let b = 0; b < 3; b++) x.data.fill(0, (b * 6 + x.lengths[b]!) * 3, (b + 1) * 6 * 3);

describe('shared-prefix evaluation', () => {
  for (const m of MODELS) {
    it(`${m.name}: same results as full runs`, () => {
      const model = new SequenceModel(m.config, { backend: 'ts64', seed: 4 });
      for (const opts of [
        { method: 'feature-ablation' },
        { method: 'feature-ablation', groups: 'steps', baseline: 0.5 },
        { method: 'occlusion', window: [2, 2], strides: [1, 1] },
        { method: 'feature-permutation', seed: 2 },
      ] as Omit<AttributeOptions, 'target'>[]) {
        const o = { ...opts, target: m.target } as AttributeOptions;
        const shared = attribute(model, x, o);
        const full = attribute(model, x, { ...o, sharePrefix: false });
        assertClose(
          shared.attributions.data,
          full.attributions.data,
          1e-12,
          `${m.name} ${opts.method}`,
        );
        assertClose(shared.outputs, full.outputs, 1e-12, `${m.name} outputs`);
        // Resuming runs fewer rows × steps; where it does not apply both do the same work.
        const fewer =
          (shared.diagnostics.forwardRows as number) !== (full.diagnostics.forwardRows as number);
        assert.equal(
          fewer,
          m.resumes,
          `${m.name} ${opts.method}: forward rows ${shared.diagnostics.forwardRows} vs ${full.diagnostics.forwardRows}`,
        );
      }
      // Copies resumed from the baseline's run as well as the input's (Shapley, KernelSHAP, LIME).
      for (const opts of [
        { method: 'shapley-sampling', permutations: 5, baseline: 0.3 },
        { method: 'kernel-shap', samples: 40, groups: 'steps' },
        { method: 'lime', samples: 40, baseline: -0.2 },
      ] as Omit<AttributeOptions, 'target'>[]) {
        const o = { ...opts, target: m.target } as AttributeOptions;
        const shared = attribute(model, x, o);
        const full = attribute(model, x, { ...o, sharePrefix: false });
        assertClose(
          shared.attributions.data,
          full.attributions.data,
          1e-9,
          `${m.name} ${opts.method}`,
        );
      }
    });
  }
});
