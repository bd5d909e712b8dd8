import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SequenceModel } from '../../src/nn/model.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { lrp } from '../../src/explain/lrp/lrp.js';
import { LRP_RULES } from '../../src/explain/lrp/rules.js';
import { unroll } from '../../src/explain/lrp/unroll.js';
import { workSpace } from '../../src/explain/lrp/sequences.js';
import { ZOO, zooInput, zooModel, T, LENGTHS } from './lrp-zoo.js';

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

describe('LRP re-run', () => {
  for (const name of Object.keys(ZOO)) {
    it(`reproduces model.predict: ${name}`, () => {
      const model = zooModel(name);
      const input = zooInput(model);
      const out = model.predict(input);
      const ws = workSpace('test', model, input);
      const K = model.outputFeatures;
      ws.rows.forEach((x, b) => {
        const got = unroll(model.layers, x, {}, ws.start).output;
        const rows = got.steps ?? 1;
        const base = got.steps === null ? b * K : b * T * K;
        for (let i = 0; i < rows * K; i++)
          assert.ok(Math.abs(got.data[i]! - out.data[base + i]!) < 1e-12, `${name} b${b} [${i}]`);
      });
    });
  }
});

describe('LRP conservation (float64, ε = 0.001, bias relevance kept)', () => {
  for (const name of Object.keys(ZOO)) {
    it(name, () => {
      const model = zooModel(name);
      const input = zooInput(model);
      const target = name.endsWith('every') ? { kind: 'step' as const, index: 1, step: 1 } : 1;
      const r = lrp(model, input, { target });
      for (let b = 0; b < LENGTHS.length; b++) {
        const F = r.relevance.features;
        const rel = r.relevance.data.subarray(b * T * F, (b + 1) * T * F);
        const total = sum(rel) + r.initialStateRelevance[b]! + r.biasRelevance[b]!;
        const score = r.outputs[b]!;
        assert.ok(Math.abs(score) > 1e-4, `score not degenerate (${score})`);
        assert.ok(
          Math.abs(total - score) <= 1e-6 * Math.abs(score),
          `${name} b${b}: ${total} vs ${score}`,
        );
        assert.ok(Math.abs(r.conservationGap[b]!) <= 1e-6 * Math.abs(score));
        // the input carries relevance, and padding none
        assert.ok(sum(Array.from(rel, Math.abs)) > 0);
        for (let i = LENGTHS[b]! * F; i < T * F; i++) assert.equal(rel[i], 0);
      }
      if (model.inputSpec.kind === 'tokens') {
        const tok = r.tokenRelevance!;
        assert.equal(tok.features, 1);
        assert.ok(Math.abs(sum(tok.data) - sum(r.relevance.data)) < 1e-12);
      }
    });
  }

  it("bias: 'redistribute' spreads the bias share over each map's inputs (no bias account)", () => {
    for (const name of Object.keys(ZOO)) {
      const model = zooModel(name);
      const input = zooInput(model);
      const target = name.endsWith('every') ? { kind: 'step' as const, index: 1, step: 1 } : 1;
      const r = lrp(model, input, { target, bias: 'redistribute' });
      const kept = lrp(model, input, { target });
      for (let b = 0; b < LENGTHS.length; b++) {
        const F = r.relevance.features;
        const rel = sum(r.relevance.data.subarray(b * T * F, (b + 1) * T * F));
        assert.equal(r.biasRelevance[b], 0);
        const score = r.outputs[b]!;
        assert.ok(
          Math.abs(rel + r.initialStateRelevance[b]! - score) <= 1e-6 * Math.abs(score),
          `${name} b${b}`,
        );
        const keptRel = sum(kept.relevance.data.subarray(b * T * F, (b + 1) * T * F));
        assert.ok(Math.abs(rel - keptRel) > 1e-9, 'the bias share moved onto the inputs');
      }
    }
    assert.throws(
      () =>
        lrp(zooModel('lstm'), zooInput(zooModel('lstm')), { target: 0, bias: 'drop' as 'keep' }),
      /'bias' expected 'keep' or 'redistribute'/,
    );
  });

  it('with zero biases, ε = 0 and zero initial states everything lands on the input', () => {
    const model = zooModel('gru-after');
    for (const p of model.parameters()) if (/\/(bx|bh|bias)$/.test(p.name)) p.value.fill(0);
    const r = lrp(model, zooInput(model), { target: 0, epsilon: 0 });
    for (let b = 0; b < 2; b++) {
      assert.ok(Math.abs(r.biasRelevance[b]!) < 1e-12);
      assert.equal(r.initialStateRelevance[b], 0);
      const rel = sum(r.relevance.data.subarray(b * T * 3, (b + 1) * T * 3));
      assert.ok(Math.abs(rel - r.outputs[b]!) < 1e-10 * Math.abs(r.outputs[b]!));
    }
  });

  it('initial states receive relevance and conservation still holds', () => {
    const model = zooModel('lstm');
    const input = zooInput(model);
    const h = Float64Array.from({ length: 8 }, (_, i) => 0.3 * Math.sin(i + 1));
    const c = Float64Array.from({ length: 8 }, (_, i) => 0.5 * Math.cos(i));
    const initialStates = { lstm: { forward: { h, c } } };
    const r = lrp(model, input, { target: 0, initialStates });
    const plain = model.predict(input);
    const withState = model.forward(input, { initialStates }).output;
    assert.notEqual(withState.data[0], plain.data[0]);
    for (let b = 0; b < 2; b++) {
      assert.ok(
        Math.abs(r.outputs[b]! - withState.data[b * 2]!) < 1e-12,
        'score is the output with the given states',
      );
      assert.ok(Math.abs(r.initialStateRelevance[b]!) > 1e-6);
      assert.ok(Math.abs(r.conservationGap[b]!) <= 1e-6 * Math.abs(r.outputs[b]!));
    }
  });

  it('a padded sequence gets what it gets alone', () => {
    const model = zooModel('bidi-concat-lstm');
    const input = zooInput(model) as SeqBatch;
    const both = lrp(model, input, { target: 1 });
    const len = LENGTHS[1]!;
    const alone: SeqBatch = {
      data: input.data.slice(T * 3, T * 3 + len * 3),
      batch: 1,
      steps: len,
      features: 3,
      lengths: Int32Array.of(len),
    };
    const one = lrp(model, alone, { target: 1 });
    for (let i = 0; i < len * 3; i++)
      assert.ok(Math.abs(one.relevance.data[i]! - both.relevance.data[T * 3 + i]!) < 1e-12);
  });
});

describe('LRP rules on a hand-computed LSTM (1 unit, 2 steps)', () => {
  it('signal-take-all at o and i, proportional split at c, ε-rule on a_g', () => {
    const model = new SequenceModel(
      { input: { kind: 'numeric', features: 1 }, layers: [{ kind: 'lstm', units: 1 }] },
      { backend: 'ts64' },
    );
    // Gate order i, f, g, o.
    const set: Record<string, number[]> = {
      'lstm/W': [0.5, -0.4, 0.9, 0.3],
      'lstm/U': [0.2, 0.6, -0.7, 0.1],
      'lstm/bx': [0.1, 0.8, -0.2, 0.05],
      'lstm/bh': [0, 0, 0.1, 0],
    };
    for (const p of model.parameters()) p.value.set(set[p.name]!);
    const x1 = 1.2;
    const x2 = -0.7;
    const input: SeqBatch = {
      data: Float64Array.of(x1, x2),
      batch: 1,
      steps: 2,
      features: 1,
      lengths: Int32Array.of(2),
    };
    const eps = 0.001;
    const sg = (v: number): number => 1 / (1 + Math.exp(-v));
    const st = (v: number): number => v + (v >= 0 ? eps : -eps);
    // Forward by hand: h0 = c0 = 0.
    const ag1 = 0.9 * x1 - 0.2 + 0.1;
    const i1 = sg(0.5 * x1 + 0.1);
    const g1 = Math.tanh(ag1);
    const o1 = sg(0.3 * x1 + 0.05);
    const c1 = i1 * g1;
    const h1 = o1 * Math.tanh(c1);
    const ag2 = 0.9 * x2 - 0.7 * h1 - 0.2 + 0.1;
    const i2 = sg(0.5 * x2 + 0.2 * h1 + 0.1);
    const f2 = sg(-0.4 * x2 + 0.6 * h1 + 0.8);
    const g2 = Math.tanh(ag2);
    const o2 = sg(0.3 * x2 + 0.1 * h1 + 0.05);
    const c2 = f2 * c1 + i2 * g2;
    const h2 = o2 * Math.tanh(c2);
    // Relevance by hand: R_h2 = score = h2, all of it to c2 (o2 takes none).
    const Rc2 = h2;
    const Rc1 = ((f2 * c1) / st(c2)) * Rc2; // proportional split at c2
    const Rg2 = ((i2 * g2) / st(c2)) * Rc2; // the i2 gate takes none of the i2·g2 share
    const Rx2 = ((0.9 * x2) / st(ag2)) * Rg2; // ε-rule on a_g2 = 0.9·x2 − 0.7·h1 − 0.1
    const Rh1 = ((-0.7 * h1) / st(ag2)) * Rg2;
    const Rg1 = ((i1 * g1) / st(c1)) * (Rc1 + Rh1); // h1 = o1·tanh(c1): R_c1 += R_h1
    const Rx1 = ((0.9 * x1) / st(ag1)) * Rg1;
    const r = lrp(model, input, { target: 0 });
    assert.ok(Math.abs(r.outputs[0]! - h2) < 1e-14);
    assert.ok(
      Math.abs(r.relevance.data[0]! - Rx1) < 1e-14,
      `R_x1 ${r.relevance.data[0]} vs ${Rx1}`,
    );
    assert.ok(
      Math.abs(r.relevance.data[1]! - Rx2) < 1e-14,
      `R_x2 ${r.relevance.data[1]} vs ${Rx2}`,
    );
    assert.ok(Math.abs(r.biasRelevance[0]! - (h2 - Rx1 - Rx2)) < 1e-14);
    assert.equal(r.initialStateRelevance[0], 0);
  });

  it('GRU (reset-after, 1 unit, 2 steps): proportional split at h, r takes none', () => {
    const model = new SequenceModel(
      { input: { kind: 'numeric', features: 1 }, layers: [{ kind: 'gru', units: 1 }] },
      { backend: 'ts64' },
    );
    // Gate order r, z, n.
    const set: Record<string, number[]> = {
      'gru/W': [0.4, -0.3, 1.1],
      'gru/U': [0.5, 0.2, -0.8],
      'gru/bx': [0.1, -0.2, 0.05],
      'gru/bh': [0, 0.1, 0.3],
    };
    for (const p of model.parameters()) p.value.set(set[p.name]!);
    const [x1, x2] = [0.9, -1.3];
    const input: SeqBatch = {
      data: Float64Array.of(x1, x2),
      batch: 1,
      steps: 2,
      features: 1,
      lengths: Int32Array.of(2),
    };
    const eps = 0.001;
    const sg = (v: number): number => 1 / (1 + Math.exp(-v));
    const st = (v: number): number => v + (v >= 0 ? eps : -eps);
    const r1 = sg(0.4 * x1 + 0.1);
    const z1 = sg(-0.3 * x1 - 0.2 + 0.1);
    const an1 = 1.1 * x1 + 0.05 + r1 * 0.3;
    const n1 = Math.tanh(an1);
    const h1 = (1 - z1) * n1;
    const r2 = sg(0.4 * x2 + 0.5 * h1 + 0.1);
    const z2 = sg(-0.3 * x2 + 0.2 * h1 - 0.2 + 0.1);
    const an2 = 1.1 * x2 + 0.05 + r2 * (-0.8 * h1 + 0.3);
    const n2 = Math.tanh(an2);
    const h2 = (1 - z2) * n2 + z2 * h1;
    const Rn2 = (((1 - z2) * n2) / st(h2)) * h2;
    const Rh1direct = ((z2 * h1) / st(h2)) * h2;
    const Rx2 = ((1.1 * x2) / st(an2)) * Rn2;
    const Rh1 = Rh1direct + ((r2 * -0.8 * h1) / st(an2)) * Rn2;
    const Rn1 = (((1 - z1) * n1) / st(h1)) * Rh1;
    const Rx1 = ((1.1 * x1) / st(an1)) * Rn1;
    const r = lrp(model, input, { target: 0 });
    assert.ok(Math.abs(r.relevance.data[0]! - Rx1) < 1e-14);
    assert.ok(Math.abs(r.relevance.data[1]! - Rx2) < 1e-14);
    assert.ok(Math.abs(r.biasRelevance[0]! - (h2 - Rx1 - Rx2)) < 1e-14);
  });
});

describe('LRP bad input', () => {
  it('a layer kind without a rule names the kind and the pass', () => {
    const model = zooModel('gru-after');
    const { gru: _gru, ...rules } = LRP_RULES;
    assert.throws(
      () => lrp(model, zooInput(model), { target: 0, rules }),
      /LRP has no rule for layer kind 'gru'/,
    );
  });
  it('a product merge has no rule', () => {
    const model = new SequenceModel(
      {
        input: { kind: 'numeric', features: 3 },
        layers: [{ kind: 'bidirectional', merge: 'mul', layer: { kind: 'gru', units: 2 } }],
      },
      { backend: 'ts64' },
    );
    assert.throws(
      () => lrp(model, zooInput(model), { target: 0 }),
      /LRP has no rule for layer kind 'bidirectional' with merge 'mul'/,
    );
  });
  it('a target out of range', () => {
    const model = zooModel('lstm');
    assert.throws(
      () => lrp(model, zooInput(model), { target: 2 }),
      /target.*expected an output index in \[0, 1\], received 2/,
    );
    assert.throws(() => lrp(model, zooInput(model), { target: [0] }), /target.*2 indices/);
    const every = zooModel('lstm-every');
    assert.throws(
      () => lrp(every, zooInput(every), { target: { kind: 'step', index: 0, step: 4 } }),
      /step in \[0, 2\]/,
    );
    assert.throws(
      () =>
        lrp(model, zooInput(model), { target: { kind: 'output', index: 0, probability: true } }),
      /probability/,
    );
  });
  it('a negative ε', () => {
    const model = zooModel('lstm');
    assert.throws(() => lrp(model, zooInput(model), { target: 0, epsilon: -1 }), /epsilon/);
  });
});

describe('LRP through attribute()', () => {
  it('gives the standalone relevance and reports conservation', async () => {
    const { attribute, registerMethod } = await import('../../src/explain/attribute.js');
    const { lrpMethod } = await import('../../src/explain/lrp/lrp.js');
    registerMethod(lrpMethod);
    for (const name of ['gru-before', 'tokens-gru']) {
      const model = zooModel(name);
      const input = zooInput(model);
      const res = attribute(model, input, { method: 'lrp', target: 0 });
      const ref = lrp(model, input, { target: 0 });
      const want = ref.tokenRelevance ?? ref.relevance;
      for (let i = 0; i < want.data.length; i++)
        assert.ok(Math.abs(res.attributions.data[i]! - want.data[i]!) < 1e-12);
      assert.ok((res.diagnostics.conservationRelativeGap as number) < 1e-6);
      assert.deepEqual(res.diagnostics.biasRelevance, Array.from(ref.biasRelevance));
    }
    assert.throws(
      () =>
        attribute(zooModel('lstm'), zooInput(zooModel('lstm')), {
          method: 'lrp',
          target: { kind: 'output', index: 0, probability: true },
        }),
      /probability/,
    );
  });
});

describe('LRP for a hidden-unit target', () => {
  for (const [name, layer, direction] of [
    ['stacked-lstm-gru', 'lstm', undefined],
    ['stacked-lstm-gru', 'gru', undefined],
    ['bidi-concat-lstm', 'bidirectional', 'backward'],
    ['tokens-gru', 'gru', undefined],
  ] as const) {
    it(`${name}: ${layer}${direction ? ` (${direction})` : ''} conserves the unit's final value`, () => {
      const model = zooModel(name);
      const input = zooInput(model);
      const target = direction
        ? { kind: 'hidden' as const, layer, unit: 1, direction }
        : { kind: 'hidden' as const, layer, unit: 1 };
      const r = lrp(model, input, { target });
      const tr = model
        .forward(input, { trace: true })
        .trace!.find((d) => d.layer === layer && d.direction === (direction ?? 'forward'))!;
      for (let b = 0; b < 2; b++) {
        const pos = direction === 'backward' ? 0 : LENGTHS[b]! - 1;
        const value = tr.h[(b * T + pos) * tr.units + 1]!;
        assert.ok(Math.abs(r.outputs[b]! - value) < 1e-12, 'the score is the final state');
        assert.ok(Math.abs(r.conservationGap[b]!) <= 1e-6 * Math.abs(value));
      }
    });
  }
  it('bad hidden targets', () => {
    const model = zooModel('stacked-lstm-gru');
    const input = zooInput(model);
    assert.throws(
      () => lrp(model, input, { target: { kind: 'hidden', layer: 'dense', unit: 0 } }),
      /target\.layer/,
    );
    assert.throws(
      () => lrp(model, input, { target: { kind: 'hidden', layer: 'gru', unit: 3 } }),
      /unit in \[0, 2\]/,
    );
    assert.throws(
      () =>
        lrp(model, input, {
          target: { kind: 'hidden', layer: 'gru', unit: 0, direction: 'backward' },
        }),
      /target\.direction/,
    );
  });
});

describe('LRP on a float32 model', () => {
  it('re-runs in float64: the score matches predict to float32 precision, conservation to 1e-6', () => {
    const m64 = zooModel('gru-after');
    const m32 = m64.to('ts');
    const input = zooInput(m64);
    const out = m32.predict(input);
    const r = lrp(m32, input, { target: 1 });
    for (let b = 0; b < 2; b++) {
      assert.ok(Math.abs(r.outputs[b]! - out.data[b * 2 + 1]!) < 1e-5);
      assert.ok(Math.abs(r.conservationGap[b]!) <= 1e-6 * Math.abs(r.outputs[b]!));
    }
  });
});
