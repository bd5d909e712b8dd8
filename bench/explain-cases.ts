/**
 * Explanation benchmark cases on the benchmark LSTM (one 50 × 16 sequence → LSTM(128) → Dense(5)),
 * the work Captum was timed on in docs/reference.md ("Explanation methods"), run through the
 * library's `attribute` verb. Same BenchCase shape as bench/cases.ts, so the runner can take them.
 */
import type { Backend } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import type { SeqBatch } from '../src/nn/layer.js';
import { SequenceModel } from '../src/nn/model.js';
import { attribute } from '../src/explain/attribute.js';
import type { AttributeOptions } from '../src/explain/types.js';
import { medianMs, type BenchCase } from './cases.js';

function sequences(B: number, seed: number): SeqBatch {
  const rng = new Rng(seed);
  const data = new Float32Array(B * 50 * 16);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, batch: B, steps: 50, features: 16, lengths: new Int32Array(B).fill(50) };
}

function explainCase(
  name: string,
  work: string,
  captumMs: number,
  B: number,
  opts: Omit<AttributeOptions, 'target'>,
): BenchCase & { captumMs: number } {
  return {
    name,
    work,
    captumMs,
    setup(backend: Backend) {
      const model = new SequenceModel(
        {
          input: { kind: 'numeric', features: 16 },
          layers: [
            { kind: 'lstm', units: 128 },
            { kind: 'dense', units: 5 },
          ],
          init: 'torch',
        },
        { backend, seed: 0 },
      );
      const x = sequences(B, 7);
      return () => {
        attribute(model, x, { ...opts, target: 0 } as AttributeOptions);
      };
    },
  };
}

/** Captum's median ms on the same work (reference.md), next to each case. */
export const EXPLAIN_CASES = [
  explainCase('explain-saliency-t50-d16-h128', 'saliency of logit 0, one sequence', 19.5, 1, {
    method: 'saliency',
  }),
  explainCase(
    'explain-ig-t50-d16-h128-s50',
    'integrated gradients, 50 Gauss–Legendre points, one sequence',
    58.9,
    1,
    {
      method: 'integrated-gradients',
      steps: 50,
    },
  ),
  explainCase(
    'explain-ig-b8-t50-d16-h128-s50',
    'integrated gradients, 50 points, 8 sequences (400 rows)',
    309,
    8,
    {
      method: 'integrated-gradients',
      steps: 50,
    },
  ),
  explainCase(
    'explain-smoothgrad-ig-10x50',
    'SmoothGrad (noise tunnel) over IG: 10 noisy copies × 50 points',
    338,
    1,
    {
      method: 'noise-tunnel',
      inner: 'integrated-gradients',
      samples: 10,
      steps: 50,
    },
  ),
  explainCase(
    'explain-occlusion-w1',
    'occlusion with a one-step window (1 × 16), stride 1: 50 windows',
    245,
    1,
    {
      method: 'occlusion',
      window: [1, 16],
    },
  ),
  explainCase('explain-ablation-800', 'feature ablation of all 800 elements', 343, 1, {
    method: 'feature-ablation',
  }),
  explainCase(
    'explain-shapley-p25-g50',
    'Shapley value sampling, 25 permutations of 50 step groups',
    466,
    1,
    {
      method: 'shapley-sampling',
      groups: 'steps',
    },
  ),
  explainCase(
    'explain-kernelshap-n500-g50',
    'KernelSHAP, 500 samples over 50 step groups',
    279,
    1,
    {
      method: 'kernel-shap',
      groups: 'steps',
      samples: 500,
    },
  ),
];

export const EXPLAIN_CASE_NAMES = EXPLAIN_CASES.map((c) => c.name);

/** Runs the explanation cases; returns { case: { ms, captumMs } }. */
export function runExplainBench(
  backend: Backend,
  reps = 5,
): Record<string, { ms: number; captumMs: number }> {
  const out: Record<string, { ms: number; captumMs: number }> = {};
  for (const c of EXPLAIN_CASES)
    out[c.name] = {
      ms: Math.round(medianMs(c.setup(backend), reps, 1) * 10) / 10,
      captumMs: c.captumMs,
    };
  return out;
}
