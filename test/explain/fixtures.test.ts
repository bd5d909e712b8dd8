/**
 * Saliency, input × gradient, integrated gradients (every point rule), occlusion and feature
 * ablation against PyTorch-autograd references (tools/make_attribution_fixtures.py), on float64
 * (ts64) and float32 (ts, wasm) backends; targets: class logits, a probability, a step output and
 * a hidden unit; baselines: zeros, a constant and a PAD token.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendName } from '../../src/core/backends.js';
import { attribute } from '../../src/explain/attribute.js';
import {
  assertClose,
  assertZeroPadding,
  buildModel,
  caseOptions,
  fixtureInput,
  loadAttributionFixtures,
} from './helpers.js';

const models = loadAttributionFixtures();
// Relative to each array's scale. Measured worst cases: ts64 4e-15, ts 9e-7, wasm 1.4e-6.
const TOLERANCE: Record<BackendName, number> = { ts64: 1e-4, ts: 1e-4, wasm: 1e-4 };

function label(c: {
  method: string;
  options: Record<string, unknown>;
  target: unknown;
  baseline: unknown;
}): string {
  return `${c.method} ${JSON.stringify(c.options)} target ${JSON.stringify(c.target)} baseline ${JSON.stringify(c.baseline)}`;
}

for (const backend of ['ts64', 'ts', 'wasm'] as BackendName[]) {
  describe(`attribution fixtures on ${backend}`, () => {
    for (const f of models) {
      it(`${f.name}: ${f.cases.length} cases`, () => {
        const model = buildModel(f, backend);
        const input = fixtureInput(f);
        const tokens = 'ids' in input;
        const rtol = TOLERANCE[backend];
        for (const c of f.cases) {
          const r = attribute(model, input, caseOptions(c));
          const what = `${f.name} ${label(c)}`;
          assertClose(r.outputs, c.outputs, rtol, `${what} outputs`);
          if (tokens) {
            assertClose(
              r.embeddingAttributions!.data,
              c.attributions,
              rtol,
              `${what} embedding attributions`,
            );
            assertClose(
              r.attributions.data,
              c.tokenAttributions,
              rtol,
              `${what} token attributions`,
            );
          } else {
            assertClose(r.attributions.data, c.attributions, rtol, `${what} attributions`);
          }
          assertZeroPadding(r.attributions.data, f.lengths, f.steps, r.attributions.features, what);
          if (c.delta) {
            assert.ok(r.delta, `${what}: a delta`);
            // The gap is a difference of nearly equal numbers: compare on the output's scale.
            const scale = Math.max(...c.outputs.map(Math.abs), 1e-3);
            for (let b = 0; b < c.delta.length; b++)
              assert.ok(
                Math.abs(r.delta![b]! - c.delta[b]!) <= rtol * scale * 10,
                `${what} delta[${b}]: ${r.delta![b]} vs ${c.delta[b]}`,
              );
          }
        }
      });
    }
  });
}
