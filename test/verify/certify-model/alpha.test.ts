/**
 * α-CROWN optimisation (src/verify/certify/alpha.ts): the optimised bounds are sound (audited by
 * sampling and PGD against every bound), never looser than CROWN, and actually tighter on gated
 * cells (where every nonlinearity is a product plane) and on tanh networks.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { alphaRefine } from '../../../src/verify/certify/alpha.js';
import { boundOutputs, regionFor } from '../../../src/verify/certify/certify.js';
import { concretizeRegion, type Perturbation } from '../../../src/verify/certify/perturbation.js';
import { backSubstitute } from '../../../src/verify/certify/propagate.js';
import { pgdMaximize } from '../../../src/verify/certify/attack.js';
import { assertSound, numericModel, randomInput } from './helpers.js';

const CASES = [
  [
    'LSTM',
    [
      { kind: 'lstm', units: 5 },
      { kind: 'dense', units: 3 },
    ],
  ],
  [
    'GRU',
    [
      { kind: 'gru', units: 5 },
      { kind: 'dense', units: 3 },
    ],
  ],
  [
    'SimpleRNN tanh',
    [
      { kind: 'simple_rnn', units: 5 },
      { kind: 'dense', units: 3 },
    ],
  ],
] as const;

for (const [name, layers] of CASES) {
  test(`α: ${name} output bounds are sound, within CROWN's and tighter in total`, () => {
    const model = numericModel(3, layers as never, 900 + name.length, 1.5);
    const input = randomInput(5, 3, 31);
    const p: Perturbation = { kind: 'ball', norm: 'linf', eps: 0.1 };
    const region = regionFor(model, input, p);
    const crown = boundOutputs(model, region, { method: 'crown' });
    const alpha = boundOutputs(model, region, { method: 'alpha' });
    let crownW = 0;
    let alphaW = 0;
    for (let k = 0; k < 3; k++) {
      assert.ok(alpha.lower[k]! >= crown.lower[k]! && alpha.upper[k]! <= crown.upper[k]!);
      crownW += crown.upper[k]! - crown.lower[k]!;
      alphaW += alpha.upper[k]! - alpha.lower[k]!;
      // PGD towards each end of the α bound never crosses it
      const c = new Float64Array(3);
      c[k] = 1;
      const hi = pgdMaximize(model, region, c, { steps: 30, restarts: 2, seed: k }).value;
      c[k] = -1;
      const lo = -pgdMaximize(model, region, c, { steps: 30, restarts: 2, seed: 50 + k }).value;
      assert.ok(hi <= alpha.upper[k]! && lo >= alpha.lower[k]!, `${name} output ${k}`);
    }
    assert.ok(alphaW < crownW * 0.999, `${name}: α width ${alphaW} vs CROWN ${crownW}`);
  });
}

test('α: margins through certify are audited sound (LSTM, GRU, L2 ball)', () => {
  for (const [i, [, layers]] of CASES.slice(0, 2).entries()) {
    const model = numericModel(3, layers as never, 700 + i, 1.5);
    const p: Perturbation = { kind: 'ball', norm: 'l2', eps: 0.2 };
    const crown = assertSound('crown', model, randomInput(4, 3, 9 + i), p, { method: 'crown' });
    const alpha = assertSound('alpha', model, randomInput(4, 3, 9 + i), p, { method: 'alpha' });
    for (let k = 0; k < 3; k++)
      assert.ok(alpha.certificate!.marginLower[k]! >= crown.certificate!.marginLower[k]!);
  }
});

test('α: a row with nothing to optimise returns the CROWN bound unchanged', () => {
  // a Dense-only model has no activations or products to tune
  const model = numericModel(3, [{ kind: 'dense', units: 2 }] as never, 5);
  const region = regionFor(model, randomInput(1, 3, 1), { kind: 'ball', norm: 'linf', eps: 0.1 });
  const b = boundOutputs(model, region, { method: 'crown' });
  const node = b.prop.graph.nodes.length - 1;
  const a = alphaRefine(b.prop, node);
  const crown = concretizeRegion(backSubstitute(b.prop, node), region);
  assert.deepEqual(a, crown);
});
