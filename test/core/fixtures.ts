/**
 * Loading the committed reference fixtures (test/fixtures/<area>/<file>.json, written by the
 * scripts under tools/). Tensors are stored as { shape, data } with `data` flat and row-major.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import type { DType, FloatArray } from '../../src/core/tensor.js';
import { allocFloat } from '../../src/core/tensor.js';

export interface TensorJson {
  shape: number[];
  data: number[];
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Parses test/fixtures/<area>/<file> (add `.json` yourself). */
export function loadFixture<T = unknown>(area: string, file: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, area, file), 'utf8')) as T;
}

/** The tensor's values as an array of `dtype` (float64 by default). */
export function tensorData(t: TensorJson, dtype: DType = 'float64'): FloatArray {
  const n = t.shape.reduce((a, b) => a * b, 1);
  assert.equal(
    t.data.length,
    n,
    `fixture tensor of shape [${t.shape.join(', ')}] has ${t.data.length} values`,
  );
  const out = allocFloat(dtype, n);
  out.set(t.data);
  return out;
}

/** The transpose of a 2-D tensor (e.g. PyTorch weight_ih [G*H, D] to rnnlens W [D, G*H]). */
export function transpose2d(t: TensorJson): TensorJson {
  assert.equal(
    t.shape.length,
    2,
    `transpose2d needs a 2-D tensor, got shape [${t.shape.join(', ')}]`,
  );
  const [r, c] = t.shape as [number, number];
  const data = new Array<number>(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j]!;
  return { shape: [c, r], data };
}

/** Drops leading size-1 axes' meaning: the same values with a new shape (sizes must agree). */
export function reshapeJson(t: TensorJson, shape: number[]): TensorJson {
  assert.equal(
    shape.reduce((a, b) => a * b, 1),
    t.data.length,
    `cannot reshape [${t.shape.join(', ')}] to [${shape.join(', ')}]`,
  );
  return { shape, data: t.data };
}

/**
 * Asserts |actual − expected| ≤ rtol · max|expected| for every element, with a message naming
 * the first offending index.
 */
export function assertCloseToFixture(
  what: string,
  actual: ArrayLike<number> | undefined,
  expected: TensorJson | ArrayLike<number>,
  rtol: number,
): void {
  const e: ArrayLike<number> = 'data' in expected ? expected.data : expected;
  assert.ok(actual, `${what}: missing`);
  assert.equal(actual.length, e.length, `${what}: length`);
  let m = 0;
  for (let i = 0; i < e.length; i++) m = Math.max(m, Math.abs(e[i]!));
  const tol = rtol * m;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(actual[i]! - e[i]!);
    if (!(err <= tol))
      assert.fail(
        `${what}[${i}]: got ${actual[i]}, expected ${e[i]} (|error| ${err.toExponential(2)} > ${tol.toExponential(2)})`,
      );
  }
}
