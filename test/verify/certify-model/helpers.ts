/** Shared builders for the whole-model certification tests. */
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import type { LayerConfig, ModelConfig } from '../../../src/nn/config.js';
import { SequenceModel } from '../../../src/nn/model.js';
import { audit, type AuditOptions, type AuditReport } from '../../../src/verify/certify/audit.js';
import type { CertifyInput } from '../../../src/verify/certify/certify.js';
import type { Perturbation } from '../../../src/verify/certify/perturbation.js';

/** A float64 model with seeded PyTorch-style weights, every parameter multiplied by `scale`. */
export function makeModel(cfg: ModelConfig, seed: number, scale = 1): SequenceModel {
  const m = new SequenceModel({ init: 'torch', ...cfg }, { backend: 'ts64', seed });
  if (scale !== 1)
    for (const p of m.parameters())
      for (let i = 0; i < p.value.length; i++) p.value[i] = p.value[i]! * scale;
  return m;
}

export function numericModel(
  features: number,
  layers: LayerConfig[],
  seed: number,
  scale = 1,
): SequenceModel {
  return makeModel({ input: { kind: 'numeric', features }, layers }, seed, scale);
}

export function randomInput(T: number, D: number, seed: number, sd = 1): CertifyInput {
  const rng = new Rng(seed);
  return {
    kind: 'numeric',
    data: Float64Array.from({ length: T * D }, () => rng.normal(0, sd)),
    steps: T,
  };
}

/** Runs an audit and fails with every violation's numbers. */
export function assertSound(
  name: string,
  model: SequenceModel,
  input: CertifyInput,
  p: Perturbation,
  opts: AuditOptions = {},
): AuditReport {
  const r = audit(model, input, p, { samples: 60, pgd: { steps: 15, restarts: 1 }, ...opts });
  const msg = r.violations
    .map((v) => `${v.quantity} ${v.side}: bound ${v.bound}, observed ${v.observed}`)
    .join('; ');
  assert.ok(
    r.ok,
    `${name} (${opts.method ?? 'crown'}): observed values outside the bounds: ${msg}`,
  );
  for (let k = 0; k < r.lower.length; k++) {
    assert.ok(r.lower[k]! <= r.upper[k]!, `${name}: output ${k} bounds cross`);
    assert.ok(
      Number.isFinite(r.lower[k]!) && Number.isFinite(r.upper[k]!),
      `${name}: output ${k} bound not finite`,
    );
  }
  return r;
}
