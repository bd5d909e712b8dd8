/**
 * Randomised soundness: many tiny random models (cell, options, sizes, weight scale), inputs,
 * norms and radii; every one audited with CROWN and IBP (samples + PGD toward every bound).
 */
import { test } from 'node:test';
import { Rng } from '../../../src/core/rng.js';
import type { LayerConfig } from '../../../src/nn/config.js';
import type { Perturbation } from '../../../src/verify/certify/perturbation.js';
import { assertSound, numericModel, randomInput } from './helpers.js';

function randomLayers(rng: Rng): LayerConfig[] {
  const H = 1 + rng.int(3);
  const seq = rng.next() < 0.4;
  const kinds = ['simple_rnn', 'lstm', 'gru'] as const;
  const kind = kinds[rng.int(3)]!;
  const inner: LayerConfig & { kind: (typeof kinds)[number] } = { kind, units: H };
  if (kind === 'simple_rnn' && rng.next() < 0.5) inner.activation = 'relu';
  if (kind === 'gru') inner.resetAfter = rng.next() < 0.5;
  if (seq) inner.returnSequences = true;
  const layers: LayerConfig[] = [];
  if (rng.next() < 0.3) {
    const merges = ['concat', 'sum', 'mean', 'mul'] as const;
    layers.push({ kind: 'bidirectional', merge: merges[rng.int(4)]!, layer: inner });
  } else {
    if (rng.next() < 0.3) inner.goBackwards = true;
    layers.push(inner);
  }
  if (seq) {
    const pools = ['last', 'mean', 'max'] as const;
    layers.push({ kind: 'head', pool: pools[rng.int(3)]! });
  }
  layers.push({ kind: 'dense', units: 2 + rng.int(2) });
  return layers;
}

test('random tiny models: no sampled or attacked output leaves its bounds', () => {
  const rng = new Rng(2026);
  for (let n = 0; n < 24; n++) {
    const layers = randomLayers(rng);
    const D = 1 + rng.int(3);
    const T = 1 + rng.int(6);
    const scale = Math.exp(rng.uniform(Math.log(0.5), Math.log(8)));
    const model = numericModel(D, layers, 900 + n, scale);
    const norms = ['linf', 'l2', 'l1'] as const;
    const p: Perturbation = {
      kind: 'ball',
      norm: norms[rng.int(3)]!,
      eps: Math.exp(rng.uniform(Math.log(1e-3), Math.log(2))),
    };
    const name = `#${n} ${JSON.stringify(layers)} D=${D} T=${T} scale=${scale.toFixed(2)} ${p.norm} ε=${p.eps.toPrecision(3)}`;
    const input = randomInput(T, D, 900 + n, 1.5);
    const opts = { samples: 30, pgd: { steps: 10, restarts: 1 }, seed: n };
    assertSound(name, model, input, p, { ...opts, method: 'crown' });
    assertSound(name, model, input, p, { ...opts, method: 'ibp' });
  }
});
