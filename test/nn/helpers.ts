/** Shared helpers for the nn tests: fixtures, tolerant comparison, random inputs, finite differences. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/core/rng.js';
import { Tensor, allocFloat, type DType, type FloatArray } from '../../src/core/tensor.js';
import type { Flow, SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import type { SequenceModel, ModelInput, ModelForwardOptions } from '../../src/nn/model.js';
import type { ModelConfig } from '../../src/nn/config.js';

const FIXTURES = new URL('../fixtures/model/', import.meta.url);

export interface Arr {
  shape: number[];
  data: number[];
}

export interface ModelFixture {
  name: string;
  config: ModelConfig;
  lengths: number[];
  input?: Arr;
  ids?: Arr;
  state: Record<string, Arr>;
  output: Arr;
  gradOutput: Arr;
  grads: Record<string, Arr>;
  inputGrad: Arr;
  h0?: Arr;
  h0Grad?: Arr;
  c0?: Arr;
  c0Grad?: Arr;
}

export function fixtureNames(): string[] {
  return JSON.parse(readFileSync(new URL('index.json', FIXTURES), 'utf8')).fixtures as string[];
}

export function loadFixture(name: string): ModelFixture {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as ModelFixture;
}

/** Elementwise |a − b| ≤ rtol·(|b| + max|b|): relative to the array's scale. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  what: string,
): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: length ${actual.length} vs ${expected.length}`,
  );
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= rtol * (Math.abs(e) + scale))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, scale ${scale})`);
    }
  }
}

export function seqBatch(
  data: FloatArray,
  batch: number,
  steps: number,
  features: number,
  lengths: ArrayLike<number>,
): SeqBatch {
  return { data, batch, steps, features, lengths: Int32Array.from(lengths) };
}

/** Random [B, T, F] input, zero at padded steps. */
export function randomSeq(
  rng: Rng,
  dtype: DType,
  B: number,
  T: number,
  F: number,
  lengths: number[],
): SeqBatch {
  const data = allocFloat(dtype, B * T * F);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < lengths[b]!; t++)
      for (let j = 0; j < F; j++) data[(b * T + t) * F + j] = rng.normal();
  return seqBatch(data, B, T, F, lengths);
}

export function randomTokens(
  rng: Rng,
  vocab: number,
  B: number,
  T: number,
  lengths: number[],
): TokenBatch {
  const ids = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = rng.int(vocab);
  return { ids, batch: B, steps: T, lengths: Int32Array.from(lengths) };
}

/** A random upstream gradient shaped like `out` (zero at padded steps of a sequence). */
export function randomGrad(rng: Rng, out: Flow): Flow {
  const g = allocFloat(out.data instanceof Float64Array ? 'float64' : 'float32', out.data.length);
  rng.fillNormal(g);
  if (out instanceof Tensor) return new Tensor(out.shape, g);
  const F = out.features;
  for (let b = 0; b < out.batch; b++)
    g.fill(0, (b * out.steps + out.lengths[b]!) * F, (b + 1) * out.steps * F);
  return { ...out, data: g };
}

/** loss = Σ output ⊙ G (the quantity whose gradients the tests compare). */
export function lossOf(
  model: SequenceModel,
  input: ModelInput,
  G: Flow,
  opts: ModelForwardOptions = {},
): number {
  const out = model.predict(input, { embedded: opts.embedded ?? false });
  let s = 0;
  for (let i = 0; i < out.data.length; i++) s += out.data[i]! * G.data[i]!;
  return s;
}

/**
 * Central finite differences (eps 1e-6) of Σ output ⊙ G with respect to every entry of `values`,
 * compared with `analytic`. Run on the float64 backend.
 */
export function checkFiniteDifferences(
  values: FloatArray,
  analytic: ArrayLike<number>,
  loss: () => number,
  what: string,
  tol = 1e-6,
): void {
  const eps = 1e-6;
  const numeric = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i] = v + eps;
    const up = loss();
    values[i] = v - eps;
    const down = loss();
    values[i] = v;
    numeric[i] = (up - down) / (2 * eps);
  }
  for (let i = 0; i < values.length; i++) {
    const a = analytic[i]!;
    const n = numeric[i]!;
    if (!(Math.abs(a - n) <= tol * Math.max(1, Math.abs(n)))) {
      assert.fail(`${what}[${i}]: analytic ${a}, finite difference ${n}`);
    }
  }
}
