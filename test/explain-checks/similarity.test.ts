import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pearson, rankAverage, spearman, ssim } from '../../src/verify/explanations/similarity.js';

interface Ref {
  spearman: { a: number[]; b: number[]; rho: number }[];
}
const ref = JSON.parse(
  readFileSync(new URL('../fixtures/explain-checks/reference.json', import.meta.url), 'utf8'),
) as Ref;

describe('Spearman rank correlation', () => {
  it('matches scipy.stats.spearmanr, ties included', () => {
    assert.ok(ref.spearman.length >= 6);
    for (const c of ref.spearman) {
      const r = spearman(c.a, c.b);
      assert.ok(Math.abs(r - c.rho) < 1e-12, `n=${c.a.length}: ${r} vs scipy ${c.rho}`);
    }
  });
  it('gives average ranks to ties and NaN for a constant side', () => {
    assert.deepEqual(Array.from(rankAverage([3, 1, 3, 2])), [3.5, 1, 3.5, 2]);
    assert.equal(spearman([1, 2, 3], [10, 20, 30]), 1);
    assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
    assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 4, 6, 8.5]) - 0.99846) < 1e-4);
    assert.throws(() => spearman([1, 2], [1]), /spearman.*argument 'b'/);
  });
});

describe('SSIM-style similarity', () => {
  it('is 1 for identical maps (and scale-free), lower for unrelated ones', () => {
    const a = Array.from({ length: 50 }, (_, i) => Math.sin(i / 3));
    assert.ok(Math.abs(ssim(a, a) - 1) < 1e-12);
    assert.ok(
      Math.abs(
        ssim(
          a,
          a.map((v) => 7 * v),
        ) - 1,
      ) < 1e-12,
    );
    const b = Array.from({ length: 50 }, (_, i) => Math.cos(i * 1.7 + 0.3));
    assert.ok(ssim(a, b) < 0.5, `unrelated maps: ${ssim(a, b)}`);
  });
});
