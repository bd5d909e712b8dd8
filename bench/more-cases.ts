/**
 * The benchmark cases beyond the five of docs/reference.md: GRU inference, integrated gradients
 * over 8 sequences, SmoothGrad, KernelSHAP and CROWN certification of one sequence, each through
 * the library's own verb (`predict`, `attribute`, `boundOutputs`). Their same-run references are
 * in bench/reference.py (PyTorch; auto_LiRPA for CROWN).
 */
import type { Backend } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { attribute } from '../src/explain/attribute.js';
import type { AttributeOptions } from '../src/explain/types.js';
import type { SeqBatch } from '../src/nn/layer.js';
import { SequenceModel } from '../src/nn/model.js';
import { boundOutputs, regionFor } from '../src/verify/certify/certify.js';
import type { BenchCase } from './cases.js';

function batch(seed: number, B: number, T: number, D: number): SeqBatch {
  const rng = new Rng(seed);
  const data = new Float32Array(B * T * D);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, batch: B, steps: T, features: D, lengths: new Int32Array(B).fill(T) };
}

function model(backend: Backend | 'ts64', cell: 'lstm' | 'gru', D: number, H: number): SequenceModel {
  return new SequenceModel(
    {
      input: { kind: 'numeric', features: D },
      layers: [
        { kind: cell, units: H },
        { kind: 'dense', units: 5 },
      ],
      init: 'torch',
    },
    { backend, seed: 0 },
  );
}

function explainCase(
  name: string,
  work: string,
  B: number,
  opts: Omit<AttributeOptions, 'target'>,
): BenchCase {
  return {
    name,
    work,
    setup(backend) {
      const m = model(backend, 'lstm', 16, 128);
      const x = batch(7, B, 50, 16);
      return () => {
        attribute(m, x, { ...opts, target: 0 } as AttributeOptions);
      };
    },
  };
}

export const MORE_CASES: BenchCase[] = [
  {
    name: 'infer-gru-b256-t50-d16-h128',
    work: 'inference: 256 × 50 × 16 → GRU(128), reset-after → Dense(5) logits',
    setup(backend) {
      const m = model(backend, 'gru', 16, 128);
      const x = batch(3, 256, 50, 16);
      return () => {
        m.predict(x);
      };
    },
  },
  explainCase(
    'ig-lstm-b8-t50-d16-h128-s50',
    'integrated gradients of logit 0, 8 sequences × 50 Gauss–Legendre points (400 rows), zero baseline, with the completeness gap',
    8,
    { method: 'integrated-gradients', steps: 50 },
  ),
  explainCase(
    'smoothgrad-lstm-t50-d16-h128-n50',
    'SmoothGrad: |gradient| of logit 0 averaged over 50 noisy copies (σ 0.1) of one sequence',
    1,
    { method: 'noise-tunnel', inner: 'saliency', samples: 50, stdevs: 0.1 },
  ),
  explainCase(
    'kernelshap-lstm-t50-d16-h128-n500-g50',
    'KernelSHAP of logit 0: 500 coalitions of the 50 steps, zero baseline, weighted least squares',
    1,
    { method: 'kernel-shap', groups: 'steps', samples: 500 },
  ),
  {
    name: 'crown-lstm-t10-d16-h32-eps0.01',
    work: 'CROWN bounds of the 5 logits of LSTM(32) → Dense(5) on one 10 × 16 sequence, L∞ ball ε = 0.01 (float64)',
    maxReps: 3,
    setup() {
      const m = model('ts64', 'lstm', 16, 32);
      const x = batch(5, 1, 10, 16);
      const region = regionFor(m, { kind: 'numeric', data: x.data, steps: 10 }, { kind: 'ball', norm: 'linf', eps: 0.01 });
      return () => {
        boundOutputs(m, region, { method: 'crown' });
      };
    },
  },
];
