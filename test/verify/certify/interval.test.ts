import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import {
  box,
  iadd,
  idot,
  imatvec,
  imul,
  interval,
  ioneMinus,
  iscale,
  isub,
  type Interval,
} from '../../../src/verify/certify/interval.js';
import { ibpAffine, ibpActivation, ibpProduct } from '../../../src/verify/certify/ibp.js';
import { radd, rat, rcmp, rmul, type Rat } from './exact.js';

function randInterval(r: Rng): Interval {
  const e = 2 ** (r.int(60) - 30);
  const a = r.normal() * e;
  const b = r.int(4) === 0 ? a : a + Math.abs(r.normal()) * e * (r.int(2) === 0 ? 1e-12 : 1);
  return { lo: a, hi: b };
}
/** Ends and random interior points of an interval. */
function pointsOf(r: Rng, i: Interval): number[] {
  return [i.lo, i.hi, i.lo + (i.hi - i.lo) * r.next(), i.lo + (i.hi - i.lo) * r.next()].map((v) =>
    Math.min(i.hi, Math.max(i.lo, v)),
  );
}
function contains(i: Interval, exact: Rat): boolean {
  return rcmp(rat(i.lo), exact) <= 0 && rcmp(rat(i.hi), exact) >= 0;
}

test('iadd, isub, iscale, imul, ioneMinus contain the exact results at ends and interior points', () => {
  const r = new Rng(71);
  for (let k = 0; k < 400; k++) {
    const a = randInterval(r);
    const b = randInterval(r);
    const s = r.normal() * 3;
    const sum = iadd(a, b);
    const dif = isub(a, b);
    const prod = imul(a, b);
    const sc = iscale(a, s);
    const om = ioneMinus(a);
    for (const x of pointsOf(r, a)) {
      for (const y of pointsOf(r, b)) {
        assert.ok(contains(sum, radd(rat(x), rat(y))), `sum ${x} + ${y}`);
        assert.ok(contains(dif, radd(rat(x), rat(-y))), `difference ${x} - ${y}`);
        assert.ok(contains(prod, rmul(rat(x), rat(y))), `product ${x} * ${y}`);
      }
      assert.ok(contains(sc, rmul(rat(s), rat(x))), `scale ${s} * ${x}`);
      assert.ok(contains(om, radd(rat(1), rat(-x))), `1 - ${x}`);
    }
  }
  assert.deepEqual(imul({ lo: 0, hi: 0 }, { lo: -Infinity, hi: Infinity }), { lo: 0, hi: 0 }); // 0·∞ = 0
});

test('idot and imatvec contain the exact W·v + b for points of the box', () => {
  const r = new Rng(72);
  for (let k = 0; k < 100; k++) {
    const rows = 1 + r.int(4);
    const cols = 1 + r.int(6);
    const W = Array.from({ length: rows * cols }, () => r.normal() * 2 ** (r.int(20) - 10));
    const b = Array.from({ length: rows }, () => r.normal());
    const ivs = Array.from({ length: cols }, () => randInterval(r));
    const v = box(
      ivs.map((i) => i.lo),
      ivs.map((i) => i.hi),
    );
    const out = imatvec(W, rows, cols, v, b);
    for (let t = 0; t < 5; t++) {
      const x = ivs.map((i) => pointsOf(r, i)[r.int(4)]!);
      for (let i = 0; i < rows; i++) {
        let exact = rat(b[i]!);
        for (let j = 0; j < cols; j++) exact = radd(exact, rmul(rat(W[i * cols + j]!), rat(x[j]!)));
        assert.ok(contains({ lo: out.lo[i]!, hi: out.hi[i]! }, exact), `row ${i}`);
        assert.ok(contains(idot(v, W, i * cols, b[i]!), exact));
      }
    }
  }
});

test('ibpAffine also contains float64 forward sums in any order (which exact enclosures can miss)', () => {
  const r = new Rng(74);
  let missedByExact = 0;
  for (let k = 0; k < 3000; k++) {
    const n = 2 + r.int(8);
    const W = Array.from({ length: n }, () => r.normal() * 2 ** (r.int(40) - 20));
    const x = Array.from({ length: n }, () => r.normal());
    const b = [r.normal()];
    const v = box(x, x); // a point box: the exact enclosure is only rounding-wide
    const withMargin = ibpAffine(W, 1, n, v, b);
    const exactOnly = imatvec(W, 1, n, v, b);
    for (let t = 0; t < 4; t++) {
      const order = Array.from(r.permutation(n));
      let s = t % 2 === 0 ? b[0]! : 0;
      for (const j of order) s += W[j]! * x[j]!;
      if (t % 2 === 1) s += b[0]!;
      assert.ok(
        withMargin.lo[0]! <= s && s <= withMargin.hi[0]!,
        `float sum ${s} outside [${withMargin.lo[0]}, ${withMargin.hi[0]}]`,
      );
      if (s < exactOnly.lo[0]! || s > exactOnly.hi[0]!) missedByExact++;
    }
  }
  assert.ok(
    missedByExact > 0,
    'some float forward sums leave the exact enclosure: the margin is needed',
  );
});

test('ibpActivation and ibpProduct contain forward values at ends and interior points', () => {
  const r = new Rng(73);
  const sig = (t: number): number => 1 / (1 + Math.exp(-t));
  for (let k = 0; k < 300; k++) {
    const c = r.normal(0, 10);
    const w = Math.abs(r.normal(0, 3));
    const x = box([c - w], [c + w]);
    const y = box([c * 0.3 - w], [c * 0.3 + 2 * w]);
    for (const t of [c - w, c + w, c + w * (2 * r.next() - 1)]) {
      const tb = ibpActivation('tanh', x);
      const sb = ibpActivation('sigmoid', x);
      const rb = ibpActivation('relu', x);
      assert.ok(tb.lo[0]! <= Math.tanh(t) && Math.tanh(t) <= tb.hi[0]!);
      assert.ok(sb.lo[0]! <= sig(t) && sig(t) <= sb.hi[0]!);
      assert.ok(rb.lo[0]! <= Math.max(0, t) && Math.max(0, t) <= rb.hi[0]!);
      for (const u of [y.lo[0]!, y.hi[0]!, y.lo[0]! + (y.hi[0]! - y.lo[0]!) * r.next()]) {
        const vals: [Parameters<typeof ibpProduct>[0], number][] = [
          ['sigmoid*tanh', sig(t) * Math.tanh(u)],
          ['sigmoid*y', sig(t) * u],
          ['(1-sigmoid)*y', (1 - sig(t)) * u],
        ];
        for (const [kind, v] of vals) {
          const p = ibpProduct(kind, x, y);
          assert.ok(p.lo[0]! <= v && v <= p.hi[0]!, `${kind} at (${t}, ${u})`);
        }
      }
    }
  }
});

test('bad intervals and shapes are rejected with clear errors', () => {
  assert.throws(
    () => interval(2, 1),
    /interval: argument '\[lo, hi\]' expected lo ≤ hi without NaN, received \[2, 1\]/,
  );
  assert.throws(
    () => box([0, 1], [1]),
    /box: argument 'hi' expected 2 values \(as many as lo\), received 1 values/,
  );
  assert.throws(() => box([0, NaN], [1, 1]), /at index 1/);
  assert.throws(
    () => imatvec([1, 2, 3], 2, 2, box([0, 0], [1, 1])),
    /imatvec: argument 'W' expected 4 values \(2×2\), received 3 values/,
  );
  assert.throws(
    () => ibpActivation('softsign' as 'tanh', box([0], [1])),
    /ibpActivation: argument 'kind'/,
  );
});
