/** Shared helpers of the explain tests: fixture models and tolerant comparison. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BackendName } from '../../src/core/backends.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { loadTorchState } from '../../src/nn/names.js';
import type { AttributeOptions, Baseline, Target } from '../../src/explain/types.js';

export interface FixtureCase {
  method: string;
  options: Record<string, unknown>;
  target: Target;
  baseline: Baseline;
  attributions: number[];
  tokenAttributions: number[];
  outputs: number[];
  delta?: number[];
}

export interface FixtureModel {
  name: string;
  lengths: number[];
  steps: number;
  config: ModelConfig;
  state: Record<string, { shape: number[]; data: number[] }>;
  input?: number[];
  ids?: number[];
  cases: FixtureCase[];
}

export function loadAttributionFixtures(): FixtureModel[] {
  const url = new URL('../fixtures/explain/attribution.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { models: FixtureModel[] }).models;
}

export function buildModel(f: FixtureModel, backend: BackendName): SequenceModel {
  const model = new SequenceModel(f.config, { backend });
  loadTorchState(model, f.state);
  return model;
}

export function fixtureInput(f: FixtureModel): SeqBatch | TokenBatch {
  const lengths = Int32Array.from(f.lengths);
  const batch = f.lengths.length;
  if (f.ids) return { ids: Int32Array.from(f.ids), batch, steps: f.steps, lengths };
  const features = f.input!.length / (batch * f.steps);
  return { data: Float64Array.from(f.input!), batch, steps: f.steps, features, lengths };
}

export function caseOptions(c: FixtureCase): AttributeOptions {
  return {
    ...c.options,
    method: c.method,
    target: c.target,
    baseline: c.baseline,
  } as AttributeOptions;
}

export { assertClose } from '../nn/helpers.js';

/** Asserts that every padded step of a [B, T, F] map is exactly 0. */
export function assertZeroPadding(
  data: ArrayLike<number>,
  lengths: ArrayLike<number>,
  steps: number,
  features: number,
  what: string,
): void {
  for (let b = 0; b < lengths.length; b++)
    for (let t = lengths[b]!; t < steps; t++)
      for (let f = 0; f < features; f++)
        assert.ok(
          Object.is(data[(b * steps + t) * features + f], 0),
          `${what}: padded [${b}, ${t}, ${f}] = ${data[(b * steps + t) * features + f]}`,
        );
}
