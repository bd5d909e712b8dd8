/**
 * Traces equal PyTorch's gate activations, pre-activations, hidden and cell states (fixtures from
 * tools/internals_torch_traces.py: nn.LSTM and a bidirectional nn.GRU with weights loaded by
 * their PyTorch names, variable lengths, backward direction by input position).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectTraces, type TraceField } from '../../src/explain/internals/collect.js';
import { createDataset } from '../../src/data/dataset.js';
import { SequenceModel } from '../../src/nn/model.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { loadTorchState } from '../../src/nn/names.js';

interface Fixture {
  name: string;
  config: ModelConfig;
  lengths: number[];
  steps: number;
  input: number[];
  state: Record<string, { shape: number[]; data: number[] }>;
  directions: Partial<Record<TraceField, number[]>>[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/internals/torch-traces.json', import.meta.url), 'utf8'),
) as Fixture[];

for (const f of fixtures) {
  test(`traces of ${f.name} equal PyTorch's gates, pre-activations and states`, () => {
    const model = new SequenceModel(f.config, { backend: 'ts64' });
    loadTorchState(model, f.state);
    const D = f.config.input.kind === 'numeric' ? f.config.input.features : 1;
    const data = createDataset({
      name: f.name,
      input: 'numeric',
      features: D,
      target: 'none',
      items: f.lengths.map((L, b) => ({
        x: Float32Array.from(f.input.slice(b * f.steps * D, (b * f.steps + L) * D)),
        steps: L,
      })),
    });
    const ts = collectTraces(model, data, { fields: ['h', 'c', 'gates', 'preact'], batchSize: 2 });
    assert.equal(ts.layers.length, f.directions.length);
    f.directions.forEach((dir, k) => {
      for (const [field, expected] of Object.entries(dir) as [TraceField, number[]][]) {
        const got = ts.values[k]![field]!.data;
        assert.equal(got.length, expected.length, `${ts.layers[k]!.key} ${field}`);
        let worst = 0;
        for (let i = 0; i < got.length; i++)
          worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
        // float32 storage of float64 results
        assert.ok(worst < 2e-6, `${ts.layers[k]!.key} ${field}: max error ${worst}`);
      }
    });
  });
}
