import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceModel } from '../../../src/nn/model.js';
import { certify } from '../../../src/verify/certify/certify.js';
import { attribute } from '../../../src/explain/attribute.js';

// Bounds assume logistic-sigmoid gates: a model with hard-sigmoid gates must be refused, never
// certified with the wrong relaxation. LRP re-runs the hard gates as they are
// (test/explain/hard-gates.test.ts).
for (const kind of ['lstm', 'gru'] as const) {
  test(`certify refuses ${kind} gates with a hard sigmoid; LRP runs them`, () => {
    const model = new SequenceModel(
      { input: { kind: 'numeric', features: 2 }, layers: [{ kind, units: 3, recurrentActivation: 'hard_sigmoid' }, { kind: 'dense', units: 2 }] },
      { backend: 'ts64', seed: 1 },
    );
    const x = Float64Array.from([0.1, -0.2, 0.3, 0.4]);
    assert.throws(() => certify(model, { kind: 'numeric', data: x, steps: 2 }, { kind: 'ball', norm: 'linf', eps: 0.01 }), /no bound rule.*hard_sigmoid/);
    const r = attribute(model, { data: x, batch: 1, steps: 2, features: 2, lengths: Int32Array.of(2) }, { method: 'lrp', target: 0 });
    assert.ok(r.attributions.data.every(Number.isFinite) && r.attributions.data.some((v) => v !== 0));
  });
}
