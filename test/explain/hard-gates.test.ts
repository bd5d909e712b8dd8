/**
 * LRP and DeepLIFT through LSTM/GRU cells with hard-sigmoid gates (Keras 2 / TF.js clip(0.2a + 0.5),
 * Keras 3 clip(a/6 + 0.5)): the float64 re-run the passes walk gives the Keras reference's outputs
 * (tools/keras_reference.py, via test/fixtures/keras) and the model's own forward; DeepLIFT sums
 * to delta (the secant of a hard sigmoid is exact) and LRP conserves relevance in both bias modes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tensor } from '../../src/core/tensor.js';
import { deeplift } from '../../src/explain/deeplift/deeplift.js';
import { lrp } from '../../src/explain/lrp/lrp.js';
import { loadModelAsync } from '../../src/io/load.js';
import type { ModelInput, SequenceModel } from '../../src/nn/model.js';
import { SequenceModel as Model } from '../../src/nn/model.js';

const DIR = new URL('../fixtures/keras/', import.meta.url).pathname;

function checkPasses(model: SequenceModel, input: ModelInput, target: number, what: string): void {
  const d = deeplift(model, input, { target });
  d.delta.forEach((g, b) => {
    const change = d.outputs[b]! - d.baselineOutputs[b]!;
    assert.ok(Math.abs(g) <= 1e-12 * Math.max(1, Math.abs(change)), `${what}: DeepLIFT delta ${g} (sequence ${b})`);
  });
  assert.ok(d.attributions.data.some((v) => v !== 0), `${what}: non-zero DeepLIFT attributions`);
  for (const bias of ['keep', 'redistribute'] as const) {
    const r = lrp(model, input, { target, bias });
    r.conservationGap.forEach((g, b) => assert.ok(Math.abs(g) <= 1e-12 * Math.max(1, Math.abs(r.outputs[b]!)), `${what}: LRP (${bias}) gap ${g}`));
    assert.ok(r.relevance.data.some((v) => v !== 0), `${what}: non-zero relevance`);
  }
}

describe('LRP and DeepLIFT with hard-sigmoid gates', () => {
  const idx = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as {
    cases: Array<{ name: string; file: string; input: { tokens: number[][]; lengths: number[] }; expected: number[][] }>;
  };
  const hard = idx.cases.filter((c) => c.name === 'embedding_gru_hard');

  it('the Keras fixtures have a GRU with each hard sigmoid', async () => {
    const acts = new Set<string>();
    for (const c of hard) {
      const m = await loadModelAsync(join(DIR, c.file), { backend: 'ts64' });
      for (const l of m.model.config().layers) if (l.kind === 'gru') acts.add(l.recurrentActivation ?? 'sigmoid');
    }
    assert.deepEqual([...acts].sort(), ['hard_sigmoid', 'hard_sigmoid_keras3']);
  });

  for (const c of hard) {
    it(`${c.file}: the re-run equals the Keras reference; summation-to-delta and conservation`, async () => {
      const m = await loadModelAsync(join(DIR, c.file), { backend: 'ts64' });
      const B = c.input.tokens.length;
      const T = Math.max(...c.input.lengths);
      const input = { ids: Int32Array.from(c.input.tokens.flatMap((r) => [...r, ...new Array<number>(T - r.length).fill(0)])), batch: B, steps: T, lengths: Int32Array.from(c.input.lengths) };
      const r = lrp(m.model, input, { target: 0 });
      r.outputs.forEach((y, b) => assert.ok(Math.abs(y - c.expected[b]![0]!) <= 1e-9, `sequence ${b}: ${y} vs Keras ${c.expected[b]![0]}`));
      checkPasses(m.model, input, 0, c.file);
    });
  }

  for (const act of ['hard_sigmoid', 'hard_sigmoid_keras3'] as const)
    for (const kind of ['lstm', 'gru'] as const) {
      it(`${kind} with ${act} gates (saturating): the re-run equals the forward; summation-to-delta and conservation`, () => {
        const model = new Model(
          {
            input: { kind: 'numeric', features: 3 },
            layers: [
              { kind, units: 4, returnSequences: true, recurrentActivation: act, ...(kind === 'gru' ? { resetAfter: false } : {}) },
              { kind, units: 3, returnSequences: false, recurrentActivation: act },
              { kind: 'dense', units: 2 },
            ],
          },
          { backend: 'ts64', seed: 5 },
        );
        // large weights, so that some gates saturate at 0 or 1
        for (const p of model.parameters()) p.value.set(Float64Array.from(p.value, (v, i) => 3 * v + 0.4 * Math.sin(i)));
        const [B, T, F] = [3, 6, 3];
        const x = { data: Float64Array.from({ length: B * T * F }, (_, i) => 2 * Math.sin(0.7 * i + 0.3)), batch: B, steps: T, features: F, lengths: Int32Array.of(6, 4, 5) };
        const y = model.forward(x).output as Tensor;
        for (const target of [0, 1]) {
          const r = lrp(model, x, { target });
          r.outputs.forEach((v, b) => assert.ok(Math.abs(v - y.data[b * 2 + target]!) <= 1e-12, `score ${v} vs forward ${y.data[b * 2 + target]}`));
          checkPasses(model, x, target, `${kind} ${act} target ${target}`);
        }
      });
    }
});
