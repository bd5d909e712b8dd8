/** Shared helpers of the io tests: fixtures, closeness checks, temp folders. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'io');

export interface Named {
  shape: number[];
  data: number[];
}

export interface OnnxFixture {
  name: string;
  onnx: string;
  batchFirst: boolean;
  inputs: Record<string, Named & { dtype: 'float32' | 'int64' }>;
  output: Named;
  gradOutput?: Named;
  inputGrads?: Record<string, Named>;
  paramGrads?: Record<string, Named>;
}

export function onnxFixtureNames(): string[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf8')) as string[];
}

export function loadOnnxFixture(name: string): { fx: OnnxFixture; bytes: Uint8Array } {
  const fx = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as OnnxFixture;
  return { fx, bytes: new Uint8Array(readFileSync(join(FIXTURES, fx.onnx))) };
}

/** |a − b| <= rtol·max(1, |b|) elementwise (relative, with an absolute floor at magnitude 1). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= rtol * Math.max(1, Math.abs(e)))) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol})`);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rnnlens-${prefix}-`));
}
