/**
 * Perturbation methods on a token model perturb whole tokens, and a token's attribution is its
 * group's value (not summed over the embedding): occlusion, feature ablation, exact Shapley values
 * (Shapley sampling over every order) against PyTorch references of Captum's definitions
 * (tools/make_token_perturbation_fixtures.py), KernelSHAP and LIME against their infinite-sample
 * limits, on float64 (ts64) and float32 (ts, wasm) backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BackendName } from '../../src/core/backends.js';
import { attribute } from '../../src/explain/attribute.js';
import type { TokenBatch } from '../../src/nn/layer.js';
import {
  assertZeroPadding,
  buildModel,
  caseOptions,
  fixtureInput,
  type FixtureModel,
} from './helpers.js';

interface TokenCase {
  method: string;
  options: Record<string, unknown>;
  target: FixtureModel['cases'][number]['target'];
  baseline: FixtureModel['cases'][number]['baseline'];
  /** KernelSHAP / LIME: the expected values are the infinite-sample limit. */
  limit: boolean;
  tokenAttributions: number[];
  outputs: number[];
  baselineOutputs: number[];
  largestChange: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/explain/token-perturbation.json', import.meta.url), 'utf8'),
) as Omit<FixtureModel, 'cases'> & { cases: TokenCase[] };
const asModel = { ...fixture, cases: [] } as FixtureModel;
const { steps: T, lengths } = fixture;
const E = 5;

// Exact cases: absolute error relative to the case's largest token value. Measured worst cases:
// ts64 6e-15, ts 5.8e-7, wasm 1.4e-6 (float32 forward passes).
const EXACT: Record<BackendName, number> = { ts64: 1e-9, ts: 1e-4, wasm: 1e-4 };
// KernelSHAP and LIME (seed 0, 4000 samples) against their limits. Measured worst: KernelSHAP
// 0.0037, LIME 0.0050 of the largest token value.
const SAMPLED = 0.02;

const label = (c: TokenCase): string =>
  `${c.method} ${JSON.stringify(c.options)} target ${JSON.stringify(c.target)} baseline ${JSON.stringify(c.baseline)}`;

for (const backend of ['ts64', 'ts', 'wasm'] as BackendName[]) {
  describe(`token perturbation fixtures on ${backend}`, () => {
    const model = buildModel(asModel, backend);
    const input = fixtureInput(asModel) as TokenBatch;
    for (const c of fixture.cases) {
      it(label(c), () => {
        const r = attribute(model, input, { ...caseOptions(c as never), batchSize: 512 });
        const what = `${backend} ${label(c)}`;
        const got = r.attributions.data;
        assert.equal(r.attributions.features, 1);
        assertZeroPadding(got, lengths, T, 1, what);
        const scale = Math.max(...c.tokenAttributions.map(Math.abs), 1e-6);
        const tol = (c.limit ? SAMPLED : EXACT[backend]) * scale;
        c.tokenAttributions.forEach((want, i) =>
          assert.ok(
            Math.abs(got[i]! - want) <= tol,
            `${what} token ${i}: ${got[i]} vs ${want} (tol ${tol})`,
          ),
        );
        for (let b = 0; b < lengths.length; b++) {
          assert.ok(
            Math.abs(r.outputs[b]! - c.outputs[b]!) <= 1e-5 * Math.max(1, Math.abs(c.outputs[b]!)),
          );
          // no token exceeds the largest output change the method's perturbations made
          for (let t = 0; t < lengths[b]!; t++)
            assert.ok(
              Math.abs(got[b * T + t]!) <=
                c.largestChange[b]! * (1 + (c.limit ? SAMPLED : 1e-6)) + 1e-7,
              `${what} |token ${b},${t}| = ${Math.abs(got[b * T + t]!)} > ${c.largestChange[b]}`,
            );
        }
        // the per-dimension map divides the token's value evenly over its embedding dimensions
        const emb = r.embeddingAttributions!;
        assert.equal(emb.features, E);
        for (let i = 0; i < got.length; i++)
          for (let j = 0; j < E; j++) assert.equal(emb.data[i * E + j], got[i]! / E);
        // efficiency of Shapley values over one-token groups: Σ tokens = F(x) − F(baseline)
        if (c.method === 'shapley-sampling' && c.options.groups === undefined)
          for (let b = 0; b < lengths.length; b++) {
            let s = 0;
            for (let t = 0; t < T; t++) s += got[b * T + t]!;
            const gap = c.outputs[b]! - c.baselineOutputs[b]!;
            assert.ok(
              Math.abs(s - gap) <= (backend === 'ts64' ? 1e-12 : 1e-5) * Math.max(1, Math.abs(gap)),
              `${what} sequence ${b}: Σ = ${s}, F(x) − F(b) = ${gap}`,
            );
          }
      });
    }
  });
}
