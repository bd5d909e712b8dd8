/**
 * A spam-like token model (16-dimensional embeddings of unit scale, one "spam" token's three times
 * larger, output changes of tenths of a logit): no perturbation method gives a token an
 * attribution larger than the output changes its perturbations made. The model's outputs on every
 * coalition of tokens replaced by PAD are computed here from token ids (model.predict), not through
 * the embedding space the methods work in.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute } from '../../src/explain/attribute.js';
import type { AttributeOptions } from '../../src/explain/types.js';

const E = 16;
const SPAM = 3;
const model = new SequenceModel(
  {
    input: { kind: 'tokens', vocabSize: 12 },
    layers: [
      { kind: 'embedding', vocabSize: 12, dim: E },
      { kind: 'lstm', units: 8 },
      { kind: 'dense', units: 2 },
    ],
  },
  { backend: 'ts64', seed: 7 },
);
// Embedding vectors of unit scale, the "spam" token's three times larger.
const table = model.layers[0]!.parameters()[0]!.value as Float32Array | Float64Array;
new Rng(3).fillNormal(table);
for (let j = 0; j < E; j++) table[SPAM * E + j] = table[SPAM * E + j]! * 3;
const T = 6;
const texts = [
  [5, SPAM, 7, 2, 9, 4],
  [8, 6, 2, SPAM, 10, 5],
  [4, 9, 11, 7, 6, 2],
];
const input: TokenBatch = {
  ids: Int32Array.from(texts.flat()),
  batch: texts.length,
  steps: T,
  lengths: Int32Array.from(texts.map((t) => t.length)),
};
const PAD = 0;
const TARGET = 1;

/** F on token ids (one text), straight from the model. */
function F(ids: number[]): number {
  const out = model.predict({
    ids: Int32Array.from(ids),
    batch: 1,
    steps: T,
    lengths: Int32Array.of(ids.length),
  }) as Tensor;
  return out.data[TARGET]!;
}

/** F with every token not in coalition z (bit t) replaced by PAD. */
const coalition = (ids: number[], z: number): number =>
  F(ids.map((id, t) => ((z >> t) & 1 ? id : PAD)));

const ALL = (1 << T) - 1;
const fx = texts.map((ids) => F(ids));
/** Largest |F(x) − F(x')| over one-token replacements (occlusion, feature ablation). */
const oneToken = texts.map((ids, b) =>
  Math.max(...ids.map((_, t) => Math.abs(fx[b]! - coalition(ids, ALL & ~(1 << t))))),
);
/** Largest |F(x) − F(x')| over windows of two tokens (occlusion with window 2). */
const twoTokens = texts.map((ids, b) =>
  Math.max(...ids.slice(1).map((_, t) => Math.abs(fx[b]! - coalition(ids, ALL & ~(3 << t))))),
);
/** Range max F − min F over every coalition (Shapley sampling, KernelSHAP, LIME). */
const range = texts.map((ids) => {
  const v = Array.from({ length: ALL + 1 }, (_, z) => coalition(ids, z));
  return Math.max(...v) - Math.min(...v);
});
/**
 * Feature permutation: F(x_b) − F(x_b with token t from text k), for every k (a random permutation
 * of the batch other than the identity may leave a text its own token: change 0).
 */
const swaps = texts.map((ids, b) =>
  ids.map((_, t) => texts.map((d) => fx[b]! - F(ids.map((id, u) => (u === t ? d[t]! : id))))),
);

type Options = Partial<AttributeOptions> & { method: string };
const run = (options: Options) =>
  attribute(model, input, { baseline: { kind: 'token', id: PAD }, target: TARGET, ...options });

describe('a spam-like token model: attributions stay within the output changes', () => {
  it('the output changes are large enough that E times a token value would exceed them', () => {
    // (the convention that summed a whole-token value over the E dimensions)
    for (let b = 0; b < texts.length; b++)
      assert.ok(oneToken[b]! > 0.05 && E * oneToken[b]! > range[b]!);
  });

  const cases: [string, Options, number[]][] = [
    ['occlusion, one token', { method: 'occlusion' }, oneToken],
    ['occlusion, two-token windows', { method: 'occlusion', window: 2 }, twoTokens],
    ['feature ablation', { method: 'feature-ablation' }, oneToken],
    ['Shapley sampling, 25 permutations', { method: 'shapley-sampling' }, range],
    ['KernelSHAP, 25 samples', { method: 'kernel-shap' }, range],
    ['LIME, 25 samples', { method: 'lime' }, range],
  ];
  for (const [name, options, bound] of cases)
    it(`${name}: |token| <= the largest output change of its perturbations`, () => {
      const r = run(options);
      for (let b = 0; b < texts.length; b++) {
        let top = 0;
        for (let t = 0; t < T; t++) {
          const v = Math.abs(r.attributions.data[b * T + t]!);
          top = Math.max(top, v);
          assert.ok(
            v <= bound[b]! * (1 + 1e-9),
            `${name} text ${b} token ${t}: ${v} > ${bound[b]}`,
          );
        }
        assert.ok(top > 0, `${name} text ${b}: some token has a value`);
      }
    });

  it('occlusion and feature ablation of one token are exactly F(x) − F(x with that token PAD)', () => {
    for (const method of ['occlusion', 'feature-ablation']) {
      const r = run({ method });
      texts.forEach((ids, b) =>
        ids.forEach((_, t) => {
          const want = fx[b]! - coalition(ids, ALL & ~(1 << t));
          const got = r.attributions.data[b * T + t]!;
          assert.ok(
            Math.abs(got - want) <= 1e-12,
            `${method} text ${b} token ${t}: ${got} vs ${want}`,
          );
        }),
      );
    }
  });

  it('feature permutation: each token gets the output change of one swap between texts', () => {
    const r = run({ method: 'feature-permutation' });
    texts.forEach((ids, b) =>
      ids.forEach((_, t) => {
        const got = r.attributions.data[b * T + t]!;
        const options = swaps[b]![t]!;
        assert.ok(
          options.some((v) => Math.abs(v - got) <= 1e-12),
          `text ${b} token ${t}: ${got} not among ${options.join(', ')}`,
        );
        assert.ok(Math.abs(got) <= Math.max(...options.map(Math.abs)) + 1e-12);
      }),
    );
  });
});
