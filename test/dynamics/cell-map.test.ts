import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { cellMap, layerWeights } from '../../src/dynamics/cell-map.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { SequenceModel } from '../../src/nn/model.js';
import { RecurrentLayer } from '../../src/nn/recurrent.js';

type Variant = { name: string; layer: Record<string, unknown> };
const VARIANTS: Variant[] = [
  { name: 'rnn tanh', layer: { kind: 'simple_rnn', units: 5 } },
  { name: 'rnn relu', layer: { kind: 'simple_rnn', units: 5, activation: 'relu' } },
  { name: 'lstm', layer: { kind: 'lstm', units: 4 } },
  { name: 'lstm hard sigmoid', layer: { kind: 'lstm', units: 4, recurrentActivation: 'hard_sigmoid' } },
  { name: 'gru reset-after', layer: { kind: 'gru', units: 5 } },
  { name: 'gru reset-before', layer: { kind: 'gru', units: 5, resetAfter: false } },
];

function build(v: Variant, seed: number): { model: SequenceModel; rec: RecurrentLayer } {
  const cfg = { input: { kind: 'numeric', features: 3 }, layers: [{ ...v.layer, returnSequences: true }] } as unknown as ModelConfig;
  const model = new SequenceModel(cfg, { backend: 'ts64', seed });
  // larger recurrent weights than the initialiser gives, so the map is far from linear
  const rec = model.layers[0] as RecurrentLayer;
  const rng = new Rng(seed + 1);
  for (const p of [rec.U, rec.bh, rec.bx, rec.W]) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal(0, 0.8);
  return { model, rec };
}

test('the cell map under a constant input reproduces the layer forward pass step by step, for every cell kind', () => {
  for (const v of VARIANTS) {
    const { model, rec } = build(v, 3);
    const x = [0.3, -1.2, 0.7];
    const T = 6;
    const data = new Float64Array(T * 3);
    for (let t = 0; t < T; t++) data.set(x, t * 3);
    const out = model.forward({ data, batch: 1, steps: T, features: 3, lengths: Int32Array.of(T) }, { trace: true });
    const tr = out.trace![0]!;
    const H = rec.outputFeatures;
    const map = cellMap(layerWeights(rec), x);
    let s: Float64Array = new Float64Array(map.size);
    for (let t = 0; t < T; t++) {
      s = map.step(s);
      for (let k = 0; k < H; k++) {
        assert.ok(Math.abs(s[k]! - tr.h[t * H + k]!) < 1e-12, `${v.name}: h step ${t} unit ${k}: ${s[k]} vs ${tr.h[t * H + k]}`);
        if (tr.c) assert.ok(Math.abs(s[H + k]! - tr.c[t * H + k]!) < 1e-12, `${v.name}: c step ${t} unit ${k}`);
      }
    }
  }
});

test('the closed-form Jacobian of the cell map matches central finite differences', () => {
  for (const v of VARIANTS) {
    const { rec } = build(v, 7);
    const map = cellMap(layerWeights(rec), [0.5, 0.1, -0.4]);
    const rng = new Rng(11);
    for (let trial = 0; trial < 3; trial++) {
      const s = Float64Array.from({ length: map.size }, () => rng.normal(0, 0.6));
      const { next, J } = map.jacobian(s);
      assert.deepEqual(Array.from(next), Array.from(map.step(s)));
      const S = map.size;
      const eps = 1e-6;
      for (let j = 0; j < S; j++) {
        const a = Float64Array.from(s);
        const b = Float64Array.from(s);
        a[j] = a[j]! + eps;
        b[j] = b[j]! - eps;
        const fa = map.step(a);
        const fb = map.step(b);
        for (let k = 0; k < S; k++) {
          const fd = (fa[k]! - fb[k]!) / (2 * eps);
          assert.ok(Math.abs(fd - J[k * S + j]!) < 1e-6, `${v.name}: dF${k}/ds${j}: closed form ${J[k * S + j]} vs finite difference ${fd}`);
        }
      }
    }
  }
});

test('cellMap names the argument it rejects', () => {
  const { rec } = build(VARIANTS[2]!, 1);
  assert.throws(() => cellMap(layerWeights(rec), [1, 2]), /input.*expected 3 values.*received 2/);
  assert.throws(() => cellMap(layerWeights(rec), [1, NaN, 2]), /input\[1\].*finite number/);
  const map = cellMap(layerWeights(rec));
  assert.throws(() => map.step(new Float64Array(3)), /state.*expected 8 values.*received 3/);
});
