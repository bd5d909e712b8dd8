/**
 * The kernels' static data (the activation constants in assembly/activations.ts) lives in the
 * module's data segments, which every thread's instantiation writes into the shared memory: they
 * must lie below the arena's first byte, or instantiating a worker would overwrite live buffers.
 * Read from the text build (build/kernels.wat; the relaxed build has the same data).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE } from '../../src/core/wasm/arena.js';

/** Byte length of a WAT string literal's contents (binaryen writes every non-ASCII byte as \hh). */
function watStringBytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    if (s[i] === '\\') i += /[0-9a-fA-F]/.test(s[i + 1]!) ? 2 : 1;
  }
  return n;
}

test('the data segments of the kernels end below the arena base', () => {
  const wat = readFileSync(fileURLToPath(new URL('../../build/kernels.wat', import.meta.url)), 'utf8');
  const segments = [...wat.matchAll(/\(data \$\S+ \(i32\.const (\d+)\) "((?:[^"\\]|\\.)*)"\)/g)];
  assert.ok(segments.length > 0, 'expected the activation constants as a data segment');
  for (const [, offset, body] of segments) {
    const end = Number(offset) + watStringBytes(body!);
    assert.ok(end <= BASE, `data segment at ${offset} ends at ${end}, above the arena base ${BASE}`);
  }
  // the constant table: 27 vectors of 16 bytes
  const total = segments.reduce((s, m) => s + watStringBytes(m[2]!), 0);
  assert.ok(total >= 27 * 16, `expected at least ${27 * 16} bytes of constants, found ${total}`);
});
