/**
 * Properties every method must have on padded batches: exact zeros at padded steps, determinism
 * per seed, completeness of integrated gradients (Gauss–Legendre, 50 points) and of Shapley value
 * sampling, KernelSHAP/Shapley sampling close to exact Shapley values, feature permutation's
 * definition, noise-tunnel identities, and every baseline kind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/core/tensor.js';
import { Rng } from '../../src/core/rng.js';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute, listMethods } from '../../src/explain/attribute.js';
import type { AttributeOptions } from '../../src/explain/types.js';
import {
  assertClose,
  assertZeroPadding,
  buildModel,
  fixtureInput,
  loadAttributionFixtures,
} from './helpers.js';

const fixtures = loadAttributionFixtures();
const lstm = fixtures.find((f) => f.name === 'lstm_cls')!;
const gru = fixtures.find((f) => f.name === 'gru_cls')!;
const emb = fixtures.find((f) => f.name === 'emb_lstm')!;
const OWN = [
  'saliency',
  'input-x-gradient',
  'integrated-gradients',
  'noise-tunnel',
  'smoothgrad',
  'gradient-shap',
  'occlusion',
  'feature-ablation',
  'feature-permutation',
  'shapley-sampling',
  'kernel-shap',
  'lime',
];

/** F for one sequence, straight from the model (independent of the explain code). */
function logit(model: SequenceModel, x: SeqBatch, b: number, k: number): number {
  const one: SeqBatch = {
    data: x.data.slice(b * x.steps * x.features, (b + 1) * x.steps * x.features),
    batch: 1,
    steps: x.steps,
    features: x.features,
    lengths: x.lengths.subarray(b, b + 1),
  };
  const out = model.predict(one) as Tensor;
  return out.data[k]!;
}

describe('every method on padded batches', () => {
  const model = buildModel(gru, 'ts64');
  const x = fixtureInput(gru) as SeqBatch;
  for (const method of OWN) {
    it(`${method}: zeros at padded steps, deterministic per seed`, () => {
      const opts: AttributeOptions = { method, target: [1, 0, 1], seed: 3, steps: 8, samples: 6 };
      const a = attribute(model, x, opts);
      assertZeroPadding(a.attributions.data, gru.lengths, gru.steps, x.features, method);
      assert.ok(a.attributions.data.every(Number.isFinite));
      assert.ok(
        a.attributions.data.some((v) => v !== 0),
        `${method}: some non-zero attribution`,
      );
      const again = attribute(model, x, opts);
      assert.deepEqual(again.attributions.data, a.attributions.data);
      assert.deepEqual(
        Array.from(a.outputs),
        [0, 1, 2].map((b) => logit(model, x, b, [1, 0, 1][b]!)),
      );
    });
  }
  it('the registry lists every method of this brief', () => {
    for (const m of OWN) assert.ok(listMethods().includes(m), m);
  });
  it('random methods change with the seed', () => {
    for (const method of [
      'gradient-shap',
      'smoothgrad',
      'shapley-sampling',
      'kernel-shap',
      'lime',
    ]) {
      const a = attribute(model, x, { method, target: 0, seed: 1, groups: 'steps' });
      const b = attribute(model, x, { method, target: 0, seed: 2, groups: 'steps' });
      assert.notDeepEqual(a.attributions.data, b.attributions.data, method);
    }
  });
});

describe('completeness', () => {
  for (const [f, backend] of [
    [lstm, 'ts64'],
    [gru, 'ts64'],
    [emb, 'ts64'],
    [lstm, 'wasm'],
  ] as const) {
    it(`integrated gradients, Gauss–Legendre 50: |delta| < 1e-3 |F(x) − F(b)| (${f.name}, ${backend})`, () => {
      const model = buildModel(f, backend);
      const input = fixtureInput(f);
      for (const baseline of ['zeros', 0.3] as const) {
        const r = attribute(model, input, { method: 'integrated-gradients', target: 1, baseline });
        const fb = r.diagnostics.baselineOutputs as number[];
        r.delta!.forEach((d, b) => {
          const gap = Math.abs(r.outputs[b]! - fb[b]!);
          assert.ok(
            Math.abs(d) < 1e-3 * gap,
            `${f.name} seq ${b}: delta ${d}, |F(x) − F(b)| ${gap}`,
          );
          // delta is what it claims: Σ attributions − (F(x) − F(b)).
          let s = 0;
          for (let i = 0; i < f.steps * r.attributions.features; i++)
            s += r.attributions.data[b * f.steps * r.attributions.features + i]!;
          assert.ok(Math.abs(s - (r.outputs[b]! - fb[b]!) - d) < 1e-9 * Math.max(1, gap));
        });
      }
    });
  }

  it('Shapley value sampling is efficient: Σ φ = F(x) − F(b) for every sequence', () => {
    const model = buildModel(lstm, 'ts64');
    const x = fixtureInput(lstm) as SeqBatch;
    const r = attribute(model, x, {
      method: 'shapley-sampling',
      target: 2,
      permutations: 7,
      baseline: 0.2,
    });
    const fb = attribute(
      model,
      {
        ...x,
        data: x.data.map((_, i) =>
          i % (x.steps * x.features) <
          x.lengths[Math.floor(i / (x.steps * x.features))]! * x.features
            ? 0.2
            : 0,
        ),
      },
      { method: 'saliency', target: 2 },
    ).outputs;
    for (let b = 0; b < x.batch; b++) {
      let s = 0;
      for (let i = 0; i < x.steps * x.features; i++)
        s += r.attributions.data[b * x.steps * x.features + i]!;
      assert.ok(
        Math.abs(s - (r.outputs[b]! - fb[b]!)) < 1e-10,
        `seq ${b}: ${s} vs ${r.outputs[b]! - fb[b]!}`,
      );
    }
  });
});

/** Exact Shapley values of the step groups of sequence 0 (every coalition enumerated). */
function exactShapley(model: SequenceModel, x: SeqBatch, k: number): number[] {
  const L = x.lengths[0]!;
  const F = x.features;
  const value = (mask: number): number => {
    const d = new Float64Array(x.steps * F);
    for (let t = 0; t < L; t++)
      if (mask & (1 << t)) for (let f = 0; f < F; f++) d[t * F + f] = x.data[t * F + f]!;
    return logit(
      model,
      { data: d, batch: 1, steps: x.steps, features: F, lengths: Int32Array.of(L) },
      0,
      k,
    );
  };
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi: number[] = [];
  for (let g = 0; g < L; g++) {
    let s = 0;
    for (let m = 0; m < 1 << L; m++) {
      if (m & (1 << g)) continue;
      let size = 0;
      for (let t = 0; t < L; t++) if (m & (1 << t)) size++;
      s += ((fact(size) * fact(L - size - 1)) / fact(L)) * (value(m | (1 << g)) - value(m));
    }
    phi.push(s);
  }
  return phi;
}

describe('sampling estimators approach exact Shapley values', () => {
  const model = buildModel(lstm, 'ts64');
  const full = fixtureInput(lstm) as SeqBatch;
  // Sequence 1 has 3 valid steps: 3 step groups, 8 coalitions.
  const x: SeqBatch = {
    ...full,
    batch: 1,
    data: full.data.slice(15, 30),
    lengths: Int32Array.of(3),
  };
  const exact = exactShapley(model, x, 0);
  const perStep = (r: { attributions: { data: Float64Array } }): number[] =>
    [0, 1, 2].map((t) => r.attributions.data[t * 3]!);
  const scale = Math.max(...exact.map(Math.abs));
  it('Shapley value sampling, 400 permutations', () => {
    const r = attribute(model, x, {
      method: 'shapley-sampling',
      target: 0,
      groups: 'steps',
      permutations: 400,
    });
    perStep(r).forEach((v, t) =>
      assert.ok(Math.abs(v - exact[t]!) < 0.05 * scale, `step ${t}: ${v} vs ${exact[t]}`),
    );
  });
  it('KernelSHAP, 3000 samples', () => {
    const r = attribute(model, x, {
      method: 'kernel-shap',
      target: 0,
      groups: 'steps',
      samples: 3000,
      batchSize: 1024,
    });
    perStep(r).forEach((v, t) =>
      assert.ok(Math.abs(v - exact[t]!) < 0.05 * scale, `step ${t}: ${v} vs ${exact[t]}`),
    );
    // The 1e6-weighted end coalitions make it (nearly) efficient.
    const sum = perStep(r).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - exact.reduce((a, b) => a + b, 0)) < 1e-4 * scale);
  });
  it('LIME with a huge penalty gives all-zero coefficients', () => {
    const r = attribute(model, x, { method: 'lime', target: 0, groups: 'steps', alpha: 1e6 });
    assert.ok(r.attributions.data.every((v) => v === 0));
  });
});

describe('definitions of the batched perturbation methods', () => {
  it('feature permutation with two sequences swaps each element between them', () => {
    const model = buildModel(lstm, 'ts64');
    const full = fixtureInput(lstm) as SeqBatch;
    const S = full.steps * full.features;
    const x: SeqBatch = {
      ...full,
      batch: 2,
      data: full.data.slice(0, 2 * S),
      lengths: Int32Array.of(5, 5),
    };
    x.data.set(new Rng(5).fillNormal(new Float64Array(S)), S); // make the second sequence full length
    const r = attribute(model, x, { method: 'feature-permutation', target: 1 });
    for (let b = 0; b < 2; b++)
      for (const e of [0, 4, 8, 14]) {
        const y: SeqBatch = { ...x, data: x.data.slice() };
        y.data[b * S + e] = x.data[(1 - b) * S + e]!;
        const expected = logit(model, x, b, 1) - logit(model, y, b, 1);
        assert.ok(
          Math.abs(r.attributions.data[b * S + e]! - expected) < 1e-12,
          `seq ${b} element ${e}`,
        );
      }
  });

  it('user groups: every element of a group gets the group ablation', () => {
    const model = buildModel(gru, 'ts64');
    const x = fixtureInput(gru) as SeqBatch;
    const T = x.steps;
    const F = x.features;
    const mask = Array.from({ length: T * F }, (_, i) =>
      i % F < 2 ? 0 : 1 + Math.floor(i / F / 2),
    );
    const r = attribute(model, x, { method: 'feature-ablation', target: 0, groups: { mask } });
    const b = 1; // full length
    for (const g of new Set(mask)) {
      const y: SeqBatch = { ...x, data: x.data.slice() };
      mask.forEach((m, i) => m === g && (y.data[b * T * F + i] = 0));
      const expected = logit(model, x, b, 0) - logit(model, y, b, 0);
      mask.forEach(
        (m, i) =>
          m === g && assert.ok(Math.abs(r.attributions.data[b * T * F + i]! - expected) < 1e-12),
      );
    }
  });

  it('noise tunnel with zero noise equals its inner method; vargrad is then zero', () => {
    const model = buildModel(gru, 'ts64');
    const x = fixtureInput(gru) as SeqBatch;
    const ig = attribute(model, x, { method: 'integrated-gradients', target: 1, steps: 10 });
    const nt = attribute(model, x, {
      method: 'noise-tunnel',
      inner: 'integrated-gradients',
      target: 1,
      steps: 10,
      stdevs: 0,
      samples: 3,
    });
    assertClose(nt.attributions.data, ig.attributions.data, 1e-12, 'smoothgrad over IG');
    const sq = attribute(model, x, {
      method: 'noise-tunnel',
      noiseType: 'smoothgrad_sq',
      inner: 'integrated-gradients',
      target: 1,
      steps: 10,
      stdevs: 0,
    });
    assertClose(
      sq.attributions.data,
      ig.attributions.data.map((v) => v * v),
      1e-12,
      'smoothgrad_sq',
    );
    const vg = attribute(model, x, {
      method: 'noise-tunnel',
      noiseType: 'vargrad',
      target: 1,
      stdevs: 0,
    });
    assert.ok(vg.attributions.data.every((v) => Math.abs(v) < 1e-15));
  });

  it('gradient SHAP with one baseline and no noise is an expectation of IG points', () => {
    const model = buildModel(gru, 'ts64');
    const x = fixtureInput(gru) as SeqBatch;
    const r = attribute(model, x, { method: 'gradient-shap', target: 1, samples: 400, seed: 1 });
    const ig = attribute(model, x, {
      method: 'integrated-gradients',
      target: 1,
      rule: 'riemann-middle',
      steps: 100,
    });
    const scale = Math.max(...ig.attributions.data.map(Math.abs));
    r.attributions.data.forEach((v, i) =>
      assert.ok(Math.abs(v - ig.attributions.data[i]!) < 0.1 * scale, `element ${i}`),
    );
  });
});

describe('every method on a token model', () => {
  const model = buildModel(emb, 'ts64');
  const t = fixtureInput(emb) as TokenBatch;
  for (const method of OWN) {
    it(`${method}: one value per token, zeros at padding`, () => {
      // LIME's default lasso (α = 0.01) zeroes this random model's small effects; plain least
      // squares makes "some value is nonzero" a real check
      const extra = method === 'lime' ? { alpha: 0 } : {};
      const r = attribute(model, t, { method, target: 1, steps: 8, samples: 6, seed: 1, ...extra });
      assert.equal(r.attributions.features, 1);
      assert.equal(r.embeddingAttributions!.features, 4);
      assertZeroPadding(r.attributions.data, emb.lengths, emb.steps, 1, method);
      assertZeroPadding(r.embeddingAttributions!.data, emb.lengths, emb.steps, 4, method);
      // The embedding dimensions sum to the token's value (their own values, or its even split).
      for (let i = 0; i < r.attributions.data.length; i++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += r.embeddingAttributions!.data[i * 4 + j]!;
        assert.ok(Math.abs(s - r.attributions.data[i]!) < 1e-12);
      }
      assert.ok(r.attributions.data.some((v) => v !== 0));
    });
  }
});

describe('batching does not change results', () => {
  it('integrated gradients in groups of sequences and small chunks equals one batch', () => {
    const model = buildModel(gru, 'ts64');
    const x = fixtureInput(gru) as SeqBatch;
    const one = attribute(model, x, { method: 'integrated-gradients', target: 1, steps: 8 });
    for (const gradientBatchSize of [1, 8, 20]) {
      const r = attribute(model, x, {
        method: 'integrated-gradients',
        target: 1,
        steps: 8,
        gradientBatchSize,
      });
      assertClose(
        r.attributions.data,
        one.attributions.data,
        1e-12,
        `gradientBatchSize ${gradientBatchSize}`,
      );
      assertClose(r.delta!, one.delta!, 1e-9, 'delta');
    }
    for (const batchSize of [1, 7]) {
      const a = attribute(model, x, { method: 'feature-ablation', target: 1, batchSize });
      const b = attribute(model, x, { method: 'feature-ablation', target: 1 });
      assertClose(a.attributions.data, b.attributions.data, 1e-12, `batchSize ${batchSize}`);
    }
  });
});
