import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import {
  addDown,
  addUp,
  divDown,
  divUp,
  dotDown,
  dotUp,
  mulDown,
  mulUp,
  nextDown,
  nextUp,
  sqrtDown,
  sqrtUp,
  subDown,
  subUp,
} from '../../../src/verify/certify/rounding.js';
import { radd, rat, rcmp, rdiv, rmul, type Rat } from './exact.js';

test('nextUp / nextDown at special values', () => {
  assert.equal(nextUp(0), Number.MIN_VALUE);
  assert.equal(nextUp(-0), Number.MIN_VALUE);
  assert.equal(nextDown(0), -Number.MIN_VALUE);
  assert.equal(nextDown(-0), -Number.MIN_VALUE);
  assert.equal(nextUp(-Number.MIN_VALUE), -0);
  assert.equal(nextUp(Infinity), Infinity);
  assert.equal(nextDown(-Infinity), -Infinity);
  assert.equal(nextUp(-Infinity), -Number.MAX_VALUE);
  assert.equal(nextUp(Number.MAX_VALUE), Infinity);
  assert.equal(nextDown(Infinity), Number.MAX_VALUE);
  assert.ok(Number.isNaN(nextUp(NaN)) && Number.isNaN(nextDown(NaN)));
  assert.equal(nextUp(1), 1 + Number.EPSILON);
  assert.equal(nextDown(1), 1 - Number.EPSILON / 2);
  assert.equal(nextUp(2 ** -1022 - Number.MIN_VALUE), 2 ** -1022); // subnormal → normal
  assert.equal(nextDown(2 ** -1022), 2 ** -1022 - Number.MIN_VALUE);
});

test('nextUp is the successor: exact rational checks on random floats of all magnitudes', () => {
  const r = new Rng(11);
  for (let i = 0; i < 2000; i++) {
    const x = randomFloat(r);
    if (!Number.isFinite(nextUp(x))) continue;
    const up = nextUp(x);
    assert.ok(up > x);
    assert.equal(nextDown(up), x === 0 ? 0 : x); // −0 maps to +0, equal numerically
    // nothing lies strictly between x and up: their midpoint rounds to one of them
    const mid = x / 2 + up / 2;
    assert.ok(mid === x || mid === up);
  }
});

/** Random float with random sign and exponent in [-1074, 1023], including subnormals. */
function randomFloat(r: Rng): number {
  const kind = r.int(10);
  if (kind === 0) return (r.next() - 0.5) * 2 ** -1060; // subnormal range
  const e = r.int(2000) - 1000;
  return (r.next() < 0.5 ? -1 : 1) * (1 + r.next()) * 2 ** e;
}
/** Moderate floats: sums and products of these stay finite. */
function randomModerate(r: Rng): number {
  const kind = r.int(6);
  if (kind === 0) return r.int(200) - 100; // small integers: exact results happen
  if (kind === 1) return (r.next() - 0.5) * 2 ** -1070;
  return (r.next() < 0.5 ? -1 : 1) * (1 + r.next()) * 2 ** (r.int(900) - 450);
}

/** Up must be the smallest float ≥ exact, Down the largest ≤ exact (tight directed rounding). */
function checkDirected(exact: Rat, up: number, down: number, tight: boolean, label: string): void {
  assert.ok(rcmp(rat(up), exact) >= 0, `${label}: up ${up} below exact`);
  assert.ok(rcmp(rat(down), exact) <= 0, `${label}: down ${down} above exact`);
  if (tight) {
    if (Number.isFinite(nextDown(up)))
      assert.ok(rcmp(rat(nextDown(up)), exact) < 0, `${label}: up ${up} not tight`);
    if (Number.isFinite(nextUp(down)))
      assert.ok(rcmp(rat(nextUp(down)), exact) > 0, `${label}: down ${down} not tight`);
  }
}

test('addUp/addDown/subUp/subDown enclose the exact sum and are tight (BigInt rationals)', () => {
  const r = new Rng(12);
  for (let i = 0; i < 3000; i++) {
    const a = randomModerate(r);
    const b = r.int(3) === 0 ? a * (1 + (r.next() - 0.5) * 1e-10) : randomModerate(r);
    checkDirected(radd(rat(a), rat(b)), addUp(a, b), addDown(a, b), true, `${a} + ${b}`);
    checkDirected(radd(rat(a), rat(-b)), subUp(a, b), subDown(a, b), true, `${a} - ${b}`);
  }
  assert.equal(addUp(0.1, 0.2), 0.30000000000000004); // exact sum lies below this float
  assert.equal(addDown(0.1, 0.2), 0.3);
  assert.equal(addUp(Number.MAX_VALUE, Number.MAX_VALUE), Infinity);
  assert.equal(addDown(Number.MAX_VALUE, Number.MAX_VALUE), Number.MAX_VALUE);
  assert.equal(addUp(-Number.MAX_VALUE, -Number.MAX_VALUE), -Number.MAX_VALUE);
});

test('mulUp/mulDown enclose the exact product; tight where Dekker splitting is exact', () => {
  const r = new Rng(13);
  for (let i = 0; i < 3000; i++) {
    const a = randomModerate(r);
    const b = randomModerate(r);
    const p = Math.abs(a * b);
    const tight =
      p >= 2 ** -900 && p < 2 ** 900 && Math.abs(a) < 2 ** 995 && Math.abs(b) < 2 ** 995;
    if (!Number.isFinite(a * b)) continue;
    checkDirected(rmul(rat(a), rat(b)), mulUp(a, b), mulDown(a, b), tight, `${a} * ${b}`);
  }
  assert.equal(mulUp(3, 7), 21);
  assert.equal(mulDown(2 ** -1074, 0.5), 0); // underflow rounds down to 0 …
  assert.equal(mulUp(2 ** -1074, 0.5), 2 ** -1074); // … and up to the smallest subnormal
  assert.equal(mulDown(-(2 ** -1074), 0.5), -(2 ** -1074));
  assert.equal(mulUp(-Number.MAX_VALUE, 2), -Number.MAX_VALUE);
});

test('divUp/divDown and sqrtUp/sqrtDown enclose the exact result', () => {
  const r = new Rng(14);
  for (let i = 0; i < 2000; i++) {
    const a = randomModerate(r);
    let b = randomModerate(r);
    if (b === 0) b = 3;
    const q = a / b;
    if (!Number.isFinite(q) || (q === 0 && a !== 0)) continue;
    checkDirected(rdiv(rat(a), rat(b)), divUp(a, b), divDown(a, b), false, `${a} / ${b}`);
    const s = Math.abs(a);
    const up = sqrtUp(s);
    const down = sqrtDown(s);
    assert.ok(rcmp(rmul(rat(up), rat(up)), rat(s)) >= 0, `sqrtUp(${s})`);
    assert.ok(rcmp(rmul(rat(down), rat(down)), rat(s)) <= 0, `sqrtDown(${s})`);
  }
  assert.equal(divUp(1, 4), 0.25);
  assert.equal(divDown(1, 4), 0.25);
  assert.equal(sqrtUp(9), 3);
  assert.ok(divUp(1, 3) > divDown(1, 3));
});

test('dotUp/dotDown enclose the exact dot product', () => {
  const r = new Rng(15);
  for (let i = 0; i < 300; i++) {
    const n = 1 + r.int(12);
    const a = Array.from({ length: n }, () => r.normal() * 2 ** (r.int(40) - 20));
    const b = Array.from({ length: n }, () => r.normal());
    let exact: Rat = rat(0);
    for (let k = 0; k < n; k++) exact = radd(exact, rmul(rat(a[k]!), rat(b[k]!)));
    checkDirected(exact, dotUp(a, b), dotDown(a, b), false, 'dot');
  }
});
