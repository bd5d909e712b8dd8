/**
 * Corner cases of whole-model bounds: ε = 0, huge ε, saturated gates, a single step, long
 * sequences; token models (embedding balls, substitution sets); per-step outputs; and a check
 * that the audit catches a wrong bound rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Layer } from '../../../src/nn/layer.js';
import { audit } from '../../../src/verify/certify/audit.js';
import {
  boundOutputs,
  certify,
  evaluateFlat,
  regionFor,
} from '../../../src/verify/certify/certify.js';
import type { BoundGraph, LFlow } from '../../../src/verify/certify/layers/graph.js';
import { registerRule, ruleFor } from '../../../src/verify/certify/layers/registry.js';
import {
  gatePre,
  lowerDirection,
  type CellStep,
} from '../../../src/verify/certify/layers/recurrent.js';
import type { RecurrentLayer } from '../../../src/nn/recurrent.js';
import { assertSound, makeModel, numericModel, randomInput } from './helpers.js';

const LSTM = [
  { kind: 'lstm' as const, units: 3 },
  { kind: 'dense' as const, units: 3 },
];
const GRU = [
  { kind: 'gru' as const, units: 3 },
  { kind: 'dense' as const, units: 3 },
];

test('ε = 0: bounds equal the float64 output within rounding', () => {
  for (const [i, layers] of [
    LSTM,
    GRU,
    [
      { kind: 'simple_rnn' as const, units: 3, activation: 'relu' as const },
      { kind: 'dense' as const, units: 2 },
    ],
  ].entries()) {
    const model = numericModel(3, layers, 500 + i);
    const input = randomInput(5, 3, 500 + i);
    for (const method of ['ibp', 'crown'] as const) {
      const r = certify(model, input, { kind: 'ball', norm: 'linf', eps: 0 }, { method });
      r.output.forEach((y, k) => {
        assert.ok(r.lower[k]! <= y && y <= r.upper[k]!, `output ${k} outside its ε = 0 bounds`);
        assert.ok(
          r.upper[k]! - r.lower[k]! <= 1e-12 * Math.max(1, Math.abs(y)),
          `${method} width ${r.upper[k]! - r.lower[k]!} at ε = 0`,
        );
      });
      assert.equal(r.certified, true, 'a unique argmax is certified at ε = 0');
    }
  }
});

test('huge ε: finite, sound bounds containing every reachable output', () => {
  const model = numericModel(3, LSTM, 510);
  const r = assertSound('LSTM ε = 1e6', model, randomInput(4, 3, 1), {
    kind: 'ball',
    norm: 'linf',
    eps: 1e6,
  });
  assert.equal(r.certificate!.certified, false);
  const g = numericModel(
    3,
    [
      { kind: 'simple_rnn', units: 3, activation: 'relu' },
      { kind: 'dense', units: 2 },
    ],
    511,
  );
  assertSound('relu RNN ε = 1e3', g, randomInput(3, 3, 2), { kind: 'ball', norm: 'l2', eps: 1e3 });
});

test('saturated gates (weights ×12), single step and long sequences (T = 30)', () => {
  assertSound('saturated LSTM', numericModel(3, LSTM, 520, 12), randomInput(4, 3, 3), {
    kind: 'ball',
    norm: 'linf',
    eps: 0.05,
  });
  assertSound('saturated GRU', numericModel(3, GRU, 521, 12), randomInput(4, 3, 4), {
    kind: 'ball',
    norm: 'l1',
    eps: 0.2,
  });
  assertSound('single-step LSTM', numericModel(3, LSTM, 522), randomInput(1, 3, 5), {
    kind: 'ball',
    norm: 'l2',
    eps: 0.5,
  });
  const long = numericModel(
    2,
    [
      { kind: 'gru', units: 2 },
      { kind: 'dense', units: 2 },
    ],
    523,
  );
  const r = assertSound(
    'T = 30 GRU',
    long,
    randomInput(30, 2, 6),
    { kind: 'ball', norm: 'linf', eps: 0.02 },
    { samples: 30, pgd: { steps: 10, restarts: 1 } },
  );
  assert.ok(r.upper[0]! - r.lower[0]! < 10, 'long-sequence bounds stay useful');
});

test('token models: balls in embedding space and substitution sets', () => {
  const model = makeModel(
    {
      input: { kind: 'tokens', vocabSize: 12 },
      layers: [
        { kind: 'embedding', vocabSize: 12, dim: 3 },
        { kind: 'lstm', units: 3 },
        { kind: 'dense', units: 2 },
      ],
    },
    530,
  );
  const input = { kind: 'tokens' as const, ids: [3, 7, 1, 9] };
  assertSound('embedding l2 per token', model, input, {
    kind: 'ball',
    norm: 'l2',
    eps: 0.3,
    perStep: true,
  });
  assertSound('embedding linf', model, input, { kind: 'ball', norm: 'linf', eps: 0.2 });
  const subst = { kind: 'substitution' as const, allowed: [[4, 5], [], [2, 8, 11], [0]] };
  const r = assertSound('substitutions', model, input, subst, { samples: 80 });
  // every single substitution is inside the bounds (the hull contains the vertices)
  const m = model.to('ts64');
  for (const [t, alts] of subst.allowed.entries())
    for (const a of alts) {
      const ids = [...input.ids];
      ids[t] = a;
      const region = regionFor(m, { kind: 'tokens', ids }, { kind: 'ball', norm: 'linf', eps: 0 });
      const y = evaluateFlat(m, region.centre, 1, 4, 3);
      y.forEach((v, k) =>
        assert.ok(
          r.lower[k]! <= v && v <= r.upper[k]!,
          `substitution ${t}→${a} leaves output ${k}'s bounds`,
        ),
      );
    }
});

test('per-step outputs (every head) are bounded at every step', () => {
  const model = numericModel(
    2,
    [
      { kind: 'gru', units: 3, returnSequences: true },
      { kind: 'head', pool: 'every' },
      { kind: 'dense', units: 2, activation: 'tanh' },
    ],
    540,
  );
  const r = assertSound('every head', model, randomInput(3, 2, 7), {
    kind: 'ball',
    norm: 'linf',
    eps: 0.1,
  });
  assert.equal(r.lower.length, 6);
  assert.equal(r.certificate, null);
});

test('linear models: CROWN bounds are exact and PGD reaches them', () => {
  // mean of the inputs through one linear Dense: the bound is attained at a corner of the ball
  const model = numericModel(
    3,
    [
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 2 },
    ],
    550,
  );
  const r = audit(
    model,
    randomInput(4, 3, 8),
    { kind: 'ball', norm: 'linf', eps: 0.25 },
    { pgd: { steps: 10, restarts: 0 } },
  );
  assert.ok(r.ok);
  for (let k = 0; k < 2; k++) {
    assert.ok(
      r.upper[k]! - r.observedMax[k]! < 1e-9,
      `PGD max ${r.observedMax[k]} vs bound ${r.upper[k]}`,
    );
    assert.ok(
      r.observedMin[k]! - r.lower[k]! < 1e-9,
      `PGD min ${r.observedMin[k]} vs bound ${r.lower[k]}`,
    );
  }
});

test('the audit catches a wrong bound rule', () => {
  // a SimpleRNN rule that forgets the recurrent term bounds a different network
  const right = ruleFor('simple_rnn', 'test');
  const wrongStep: CellStep = (g, w, x, _s, t) => ({
    h: g.act('tanh', gatePre(g, w, 0, x, null, `bad[${t}]`), `bad h[${t}]`),
  });
  registerRule('simple_rnn', (layer: Layer, input: LFlow, g: BoundGraph) =>
    lowerDirection(layer as RecurrentLayer, input, g, wrongStep, false),
  );
  try {
    const model = numericModel(
      3,
      [
        { kind: 'simple_rnn', units: 4 },
        { kind: 'dense', units: 2 },
      ],
      560,
      2,
    );
    const r = audit(
      model,
      randomInput(4, 3, 9),
      { kind: 'ball', norm: 'linf', eps: 0.01 },
      { samples: 20, pgd: { steps: 5, restarts: 0 } },
    );
    assert.equal(r.ok, false, 'the broken rule must be caught');
    assert.ok(r.violations.length > 0);
  } finally {
    registerRule('simple_rnn', right);
  }
});

test('bounds are reported per output in model order', () => {
  const model = numericModel(
    2,
    LSTM.map((l) => ({ ...l })),
    570,
  );
  const region = regionFor(model, randomInput(3, 2, 10), { kind: 'ball', norm: 'l1', eps: 0.1 });
  const b = boundOutputs(model, region, { method: 'crown' });
  assert.equal(b.lower.length, 3);
  assert.equal(b.output.kind, 'flat');
});
