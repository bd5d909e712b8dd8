/** Shared helpers for the train tests: fixture loading and tolerance checks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export function fixture<T>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/train/${name}`, import.meta.url), 'utf8'),
  ) as T;
}

/** |a − b| ≤ rtol·|b| + atol for every element, naming the first element that fails. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    assert.ok(
      Math.abs(a - b) <= rtol * Math.abs(b) + atol,
      `${label}[${i}]: got ${a}, expected ${b} (diff ${Math.abs(a - b)})`,
    );
  }
}
