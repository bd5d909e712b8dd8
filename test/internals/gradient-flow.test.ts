import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientFlow, gradientFlowFigureData } from '../../src/explain/internals/gradient-flow.js';
import { createDataset, type Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/core/rng.js';
import { SequenceModel } from '../../src/nn/model.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { buildFigure } from '../../src/report/figures/index.js';

function numericData(n: number, steps: number, features: number, seed: number): Dataset {
  const rng = new Rng(seed);
  return createDataset({
    name: 'noise',
    input: 'numeric',
    features,
    target: 'class',
    classNames: ['a', 'b'],
    items: Array.from({ length: n }, (_, i) => ({
      x: rng.fillNormal(new Float32Array(steps * features)) as Float32Array,
      steps,
      label: i % 2,
    })),
  });
}

const cfg = (rec: ModelConfig['layers'][number]): ModelConfig => ({
  input: { kind: 'numeric', features: 3 },
  layers: [rec, { kind: 'dense', units: 2 }],
});

function setParam(
  model: SequenceModel,
  name: string,
  f: (v: Float32Array | Float64Array, i: number) => number,
): void {
  const p = model.parameters().find((q) => q.name === name)!;
  assert.ok(p, name);
  for (let i = 0; i < p.value.length; i++) p.value[i] = f(p.value, i);
}

test('∂out/∂x_t equals central finite differences (float64), by lag', () => {
  const data = numericData(3, 6, 3, 1);
  const model = new SequenceModel(cfg({ kind: 'gru', units: 4 }), { backend: 'ts64', seed: 2 });
  const r = gradientFlow(model, data);
  // direct: top logit of sequence b as a function of its inputs
  const eps = 1e-6;
  const expected = new Array<number>(6).fill(0);
  data.items.forEach((it) => {
    const f = (x: Float32Array | Float64Array): number => {
      const out = model.predict({
        data: Float64Array.from(x),
        batch: 1,
        steps: 6,
        features: 3,
        lengths: new Int32Array([6]),
      }) as { data: Float64Array };
      return Math.max(out.data[0]!, out.data[1]!);
    };
    const x = Float64Array.from(it.x as Float32Array);
    for (let t = 0; t < 6; t++) {
      let s = 0;
      for (let j = 0; j < 3; j++) {
        const xp = x.slice();
        const xm = x.slice();
        xp[t * 3 + j]! += eps;
        xm[t * 3 + j]! -= eps;
        s += ((f(xp) - f(xm)) / (2 * eps)) ** 2;
      }
      expected[5 - t]! += Math.sqrt(s) / data.items.length;
    }
  });
  expected.forEach((e, lag) =>
    assert.ok(
      Math.abs(r.input.mean[lag]! - e) < 1e-6 * Math.max(1, e),
      `lag ${lag}: ${r.input.mean[lag]} vs ${e}`,
    ),
  );
  const share = r.attributionShare.reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(share - 1) < 1e-9, `shares sum to 1 (${share})`);
  assert.deepEqual(
    r.hidden.map((h) => h.series),
    ['gru/forward'],
  );
  assert.equal(r.memory[0]!.gate, 'z');
});

test('a SimpleRNN with small recurrent weights shows vanishing gradients (norm falls with lag)', () => {
  const model = new SequenceModel(cfg({ kind: 'simple_rnn', units: 5 }), { seed: 4 });
  setParam(model, 'simple_rnn/U', (v, i) => 0.2 * v[i]!);
  const r = gradientFlow(model, numericData(8, 10, 3, 2));
  const h = r.hidden[0]!.mean;
  for (let k = 1; k < h.length; k++)
    assert.ok(h[k]! < h[k - 1]!, `lag ${k}: ${h[k]} >= ${h[k - 1]}`);
  assert.ok(h[9]! < 1e-3 * h[0]!);
  assert.equal(r.firstStep.flagged, false);
  const fig = gradientFlowFigureData(r);
  assert.ok(fig.points.length >= 20);
  assert.ok(buildFigure('gradient-flow', fig));
});

test('forget-gate product: f ≈ 1 keeps everything, f ≈ 0.5 halves per step (effective length 2)', () => {
  const data = numericData(4, 8, 3, 3);
  const open = new SequenceModel(cfg({ kind: 'lstm', units: 3 }), { seed: 5 });
  // forget gate: block 1 of (i f g o); zero weights so f = σ(bias) exactly
  for (const n of ['lstm/W', 'lstm/U'])
    setParam(open, n, (v, i) => (Math.floor((i % 12) / 3) === 1 ? 0 : v[i]!));
  setParam(open, 'lstm/bh', (v, i) => (i >= 3 && i < 6 ? 0 : v[i]!));
  setParam(open, 'lstm/bx', (v, i) => (i >= 3 && i < 6 ? 30 : v[i]!));
  let m = gradientFlow(open, data).memory[0]!;
  assert.equal(m.gate, 'f');
  assert.equal(m.effectiveLength, null);
  assert.ok(m.retained.every((v) => v > 0.999999));
  setParam(open, 'lstm/bx', (v, i) => (i >= 3 && i < 6 ? 0 : v[i]!));
  m = gradientFlow(open, data).memory[0]!;
  m.retained.forEach((v, k) => assert.ok(Math.abs(v - 0.5 ** k) < 1e-6, `lag ${k}: ${v}`));
  assert.equal(m.effectiveLength, 2); // 0.25 < 1/e < 0.5
});

test('a model that only reads the first step is flagged for a first-step spike', () => {
  // goBackwards: the final state is the one after reading position 0; U = 0 forgets the rest
  const model = new SequenceModel(cfg({ kind: 'simple_rnn', units: 4, goBackwards: true }), {
    seed: 6,
  });
  setParam(model, 'simple_rnn/U', () => 0);
  const r = gradientFlow(model, numericData(5, 7, 3, 4));
  assert.equal(r.firstStep.flagged, true);
  assert.ok(r.attributionShare[6]! > 0.99, `share at lag 6 (step 0): ${r.attributionShare[6]}`);
});

test('a model without recurrent layers is a clear error', () => {
  const model = new SequenceModel({
    input: { kind: 'numeric', features: 3 },
    layers: [
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 2 },
    ],
  });
  assert.throws(() => gradientFlow(model, numericData(2, 4, 3, 1)), /at least one recurrent layer/);
});
