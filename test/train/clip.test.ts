import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parameter } from '../../src/core/parameter.js';
import { clipGradNorm, clipGradValue, gradNorm } from '../../src/train/clip.js';
import { assertClose, fixture } from './helpers.js';

interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | 'inf';
  shapes: number[][];
  grads: number[][];
  norm: number;
  after: number[][];
}

function params(grads: number[][], float32 = false): Parameter[] {
  return grads.map((g, i) => ({
    name: `p${i}`,
    shape: [g.length],
    value: float32 ? new Float32Array(g.length) : new Float64Array(g.length),
    grad: float32 ? Float32Array.from(g) : Float64Array.from(g),
  }));
}

for (const c of fixture<ClipCase[]>('clip.json')) {
  const normType = c.normType === 'inf' ? Infinity : c.normType;
  test(`clipGradNorm matches PyTorch: ${c.name}`, () => {
    const ps = params(c.grads);
    const norm = clipGradNorm(ps, c.maxNorm, { normType });
    assertClose([norm], [c.norm], 1e-12, 0, 'norm');
    ps.forEach((p, i) => assertClose(p.grad, c.after[i]!, 1e-12, 1e-15, p.name));
    const p32 = params(c.grads, true);
    assertClose([clipGradNorm(p32, c.maxNorm, { normType })], [c.norm], 1e-6, 0, 'norm float32');
    p32.forEach((p, i) => assertClose(p.grad, c.after[i]!, 1e-6, 1e-7, `${p.name} float32`));
  });
}

test('clipGradNorm: a clipped norm lands just below maxNorm; NaN handling', () => {
  const ps = params([[3, 4], [12]]);
  assert.equal(clipGradNorm(ps, 1), 13);
  const after = gradNorm(ps);
  assert.ok(after < 1 && after > 1 - 1e-6, `norm after ${after}`);
  const bad = params([[1, Number.NaN]]);
  assert.throws(() => clipGradNorm(bad, 1, { errorIfNonfinite: true }), /NaN or infinite/);
  assert.ok(Number.isNaN(clipGradNorm(bad, 1)));
  assert.ok(Number.isNaN(gradNorm(params([[Number.NaN, 1]]), Infinity)));
  assert.throws(() => clipGradNorm(ps, -1), /maxNorm/);
});

test('clipGradValue clamps every element', () => {
  const ps = params([[-3, 0.5, 2], [0.1]]);
  clipGradValue(ps, 1);
  assert.deepEqual(Array.from(ps[0]!.grad), [-1, 0.5, 1]);
  assert.deepEqual(Array.from(ps[1]!.grad), [0.1]);
  assert.throws(() => clipGradValue(ps, Number.NaN), /clipValue/);
});
