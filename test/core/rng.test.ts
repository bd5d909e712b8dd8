import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';

test('Rng: same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
});

test('Rng: uniform in [0,1) with mean near 1/2, normal with mean 0 and sd 1', () => {
  const r = new Rng(7);
  let s = 0;
  let n = 0;
  let s2 = 0;
  const N = 20000;
  for (let i = 0; i < N; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u;
    const z = r.normal();
    n += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / N - 0.5) < 0.01);
  assert.ok(Math.abs(n / N) < 0.03);
  assert.ok(Math.abs(s2 / N - 1) < 0.05);
});

test('Rng: permutation contains every index once', () => {
  const p = Array.from(new Rng(1).permutation(100)).sort((x, y) => x - y);
  assert.deepEqual(p, Array.from({ length: 100 }, (_, i) => i));
});
