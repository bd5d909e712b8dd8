// LRP against Arras et al.'s own reference implementation (fixtures: tools/make_lrp_fixtures.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ModelConfig } from '../../src/nn/config.js';
import type { TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { lrp } from '../../src/explain/lrp/lrp.js';

interface Case {
  config: ModelConfig;
  params: Record<string, number[]>;
  ids: number[];
  target: number;
  scores: number[];
  keep: { relevance: number[]; initial: number };
  redistribute: { relevance: number[]; initial: number };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/explain-lrp/arras.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('LRP matches Arras et al.’s reference code (LRP_for_LSTM, ε = 0.001)', () => {
  fixture.cases.forEach((c, n) => {
    const model = new SequenceModel(c.config, { backend: 'ts64' });
    for (const p of model.parameters()) p.value.set(c.params[p.name]!);
    const T = c.ids.length;
    const input: TokenBatch = {
      ids: Int32Array.from(c.ids),
      batch: 1,
      steps: T,
      lengths: Int32Array.of(T),
    };
    for (const mode of ['keep', 'redistribute'] as const) {
      it(`case ${n}, bias ${mode} (their bias_factor ${mode === 'keep' ? 0 : 1})`, () => {
        const r = lrp(model, input, { target: c.target, bias: mode });
        assert.ok(Math.abs(r.outputs[0]! - c.scores[c.target]!) < 1e-12, 'same score');
        const want = c[mode].relevance;
        assert.equal(r.relevance.data.length, want.length);
        for (let i = 0; i < want.length; i++)
          assert.ok(
            Math.abs(r.relevance.data[i]! - want[i]!) <= 1e-10 * Math.max(1, Math.abs(want[i]!)),
            `R[${i}]: ${r.relevance.data[i]} vs ${want[i]}`,
          );
        assert.ok(Math.abs(r.initialStateRelevance[0]! - c[mode].initial) < 1e-10);
      });
    }
  });
});
