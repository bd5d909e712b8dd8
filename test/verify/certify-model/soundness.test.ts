/**
 * Soundness of whole-model bounds: for random small models of every layer kind and option and
 * random inputs and sets, random points AND PGD toward each output / margin bound must stay inside
 * the certified bounds (IBP and CROWN); CROWN is never looser than IBP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerConfig } from '../../../src/nn/config.js';
import type { Perturbation } from '../../../src/verify/certify/perturbation.js';
import { assertSound, numericModel, randomInput } from './helpers.js';

const dense = (units: number, activation?: 'relu' | 'tanh' | 'sigmoid'): LayerConfig =>
  activation ? { kind: 'dense', units, activation } : { kind: 'dense', units };

/** name → layers (numeric input, 3 features). */
const CASES: [string, LayerConfig[]][] = [
  ['SimpleRNN tanh', [{ kind: 'simple_rnn', units: 4 }, dense(3)]],
  ['SimpleRNN relu', [{ kind: 'simple_rnn', units: 4, activation: 'relu' }, dense(3)]],
  ['LSTM', [{ kind: 'lstm', units: 3 }, dense(3)]],
  ['GRU reset-after', [{ kind: 'gru', units: 3, resetAfter: true }, dense(3)]],
  ['GRU reset-before', [{ kind: 'gru', units: 3, resetAfter: false }, dense(3)]],
  [
    'Bidirectional LSTM concat + mean head',
    [
      {
        kind: 'bidirectional',
        merge: 'concat',
        layer: { kind: 'lstm', units: 2, returnSequences: true },
      },
      { kind: 'head', pool: 'mean' },
      dense(3),
    ],
  ],
  [
    'Bidirectional GRU sum',
    [{ kind: 'bidirectional', merge: 'sum', layer: { kind: 'gru', units: 3 } }, dense(3)],
  ],
  [
    'Bidirectional SimpleRNN mean',
    [{ kind: 'bidirectional', merge: 'mean', layer: { kind: 'simple_rnn', units: 3 } }, dense(3)],
  ],
  [
    'Bidirectional LSTM mul',
    [{ kind: 'bidirectional', merge: 'mul', layer: { kind: 'lstm', units: 2 } }, dense(3)],
  ],
  [
    'stacked LSTM → GRU reset-before → Dense relu → Dense',
    [
      { kind: 'lstm', units: 3, returnSequences: true },
      { kind: 'dropout', rate: 0.3 },
      { kind: 'gru', units: 3, resetAfter: false },
      dense(4, 'relu'),
      dense(3),
    ],
  ],
  [
    'goBackwards GRU sequences + max head + Dense tanh',
    [
      { kind: 'gru', units: 3, returnSequences: true, goBackwards: true },
      { kind: 'head', pool: 'max' },
      dense(3, 'tanh'),
      dense(3),
    ],
  ],
  [
    'goBackwards LSTM + last head on sequences + Dense sigmoid',
    [
      { kind: 'lstm', units: 3, returnSequences: true, goBackwards: true },
      { kind: 'head', pool: 'last' },
      dense(3, 'sigmoid'),
      dense(2),
    ],
  ],
];

const SETS: Perturbation[] = [
  { kind: 'ball', norm: 'linf', eps: 0.1 },
  { kind: 'ball', norm: 'l2', eps: 0.3, steps: [1, 3] },
  { kind: 'ball', norm: 'l1', eps: 0.4, features: [0, 2] },
];

CASES.forEach(([name, layers], i) => {
  test(`sound: ${name}`, () => {
    const model = numericModel(3, layers, 100 + i, 1.5);
    SETS.forEach((p, s) => {
      const input = randomInput(4, 3, 10 * i + s);
      const ibp = assertSound(`${name} ${p.kind === 'ball' ? p.norm : ''}`, model, input, p, {
        method: 'ibp',
        seed: s,
      });
      const crown = assertSound(`${name} ${p.kind === 'ball' ? p.norm : ''}`, model, input, p, {
        method: 'crown',
        seed: s,
      });
      for (let k = 0; k < crown.lower.length; k++) {
        assert.ok(
          crown.lower[k]! >= ibp.lower[k]!,
          `${name}: CROWN lower looser than IBP at output ${k}`,
        );
        assert.ok(
          crown.upper[k]! <= ibp.upper[k]!,
          `${name}: CROWN upper looser than IBP at output ${k}`,
        );
      }
    });
  });
});

test('sound: α variant (LSTM and SimpleRNN relu) is sound and never looser than CROWN', () => {
  for (const [i, layers] of [CASES[2]![1], CASES[1]![1]].entries()) {
    const model = numericModel(3, layers, 300 + i, 1.5);
    const input = randomInput(4, 3, 77 + i);
    const p: Perturbation = { kind: 'ball', norm: 'linf', eps: 0.15 };
    const crown = assertSound('crown', model, input, p, { method: 'crown' });
    const alpha = assertSound('alpha', model, input, p, { method: 'alpha' });
    for (let k = 0; k < crown.lower.length; k++) {
      assert.ok(alpha.lower[k]! >= crown.lower[k]! && alpha.upper[k]! <= crown.upper[k]!);
      assert.ok(alpha.certificate!.marginLower[k]! >= crown.certificate!.marginLower[k]!);
    }
  }
});

test('sound: per-step L2 balls (one ball per frame)', () => {
  const model = numericModel(3, CASES[3]![1], 401);
  assertSound('GRU per-step l2', model, randomInput(4, 3, 5), {
    kind: 'ball',
    norm: 'l2',
    eps: 0.3,
    perStep: true,
  });
});

test('sound: windowed back-substitution (window 1 and 3) on T = 8', () => {
  for (const [i, layers] of [CASES[2]![1], CASES[4]![1]].entries()) {
    const model = numericModel(3, layers, 700 + i, 1.5);
    const input = randomInput(8, 3, 700 + i);
    const p: Perturbation = { kind: 'ball', norm: 'linf', eps: 0.1 };
    const ibp = assertSound('ibp', model, input, p, { method: 'ibp' });
    for (const window of [1, 3]) {
      const w = assertSound(`window ${window}`, model, input, p, { method: 'crown', window });
      for (let k = 0; k < w.lower.length; k++)
        assert.ok(w.lower[k]! >= ibp.lower[k]! && w.upper[k]! <= ibp.upper[k]!);
    }
  }
});
