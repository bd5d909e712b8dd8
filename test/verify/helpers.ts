/** Shared helpers for the verify tests: fixture loading and tolerance checks. */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

// Fixtures are untyped JSON written by tools/make_stats_fixtures.py; tests index them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFixture<T = any>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/stats/${name}`, import.meta.url), 'utf8'),
  ) as T;
}

/** |a − b| ≤ rtol·|b| + atol. */
export function close(
  actual: number,
  expected: number,
  rtol = 1e-9,
  atol = 1e-12,
  what = '',
): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    assert.equal(actual, expected, what);
    return;
  }
  const tol = rtol * Math.abs(expected) + atol;
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: ${actual} vs expected ${expected} (diff ${Math.abs(actual - expected)}, tol ${tol})`,
  );
}

export function closeAll(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-9,
  atol = 1e-12,
  what = '',
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++)
    close(actual[i]!, expected[i]!, rtol, atol, `${what}[${i}]`);
}
