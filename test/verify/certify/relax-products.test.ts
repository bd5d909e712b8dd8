import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import {
  relaxProduct,
  type Plane,
  type ProductKind,
} from '../../../src/verify/certify/relax/products.js';
import { imul, ioneMinus } from '../../../src/verify/certify/interval.js';
import { sigmoidHi, sigmoidLo, tanhHi, tanhLo } from '../../../src/verify/certify/activations.js';
import { addDown, addUp, mulDown, mulUp } from '../../../src/verify/certify/rounding.js';
import { radd, rat, rcmp, rmul } from './exact.js';
import { randomIntervals } from './boxes.js';

/** The products exactly as a float64 forward pass computes them. */
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const F: Record<ProductKind, (x: number, y: number) => number> = {
  'sigmoid*tanh': (x, y) => sig(x) * Math.tanh(y),
  'sigmoid*y': (x, y) => sig(x) * y,
  '(1-sigmoid)*y': (x, y) => (1 - sig(x)) * y,
};
const KINDS = Object.keys(F) as ProductKind[];

/** Exact sign of (a·x + b·y + c) − v (directed rounding first, BigInt rationals when undecided). */
function planeMinus(p: Plane, x: number, y: number, v: number): number {
  if (addUp(addUp(addUp(mulUp(p.a, x), mulUp(p.b, y)), p.c), -v) < 0) return -1;
  if (addDown(addDown(addDown(mulDown(p.a, x), mulDown(p.b, y)), p.c), -v) > 0) return 1;
  return rcmp(radd(radd(rmul(rat(p.a), rat(x)), rmul(rat(p.b), rat(y))), rat(p.c)), rat(v));
}

/** Coordinate-wise golden-section ascent of v from a start point, staying in the box. */
function ascend(
  v: (x: number, y: number) => number,
  bx: number[],
  x: number,
  y: number,
): [number, number] {
  const [lx, ux, ly, uy] = bx as [number, number, number, number];
  const gr = (Math.sqrt(5) - 1) / 2;
  const line = (h: (t: number) => number, a: number, b: number, t0: number): number => {
    let best = t0;
    let bv = h(t0);
    let c = b - gr * (b - a);
    let d = a + gr * (b - a);
    for (let i = 0; i < 50 && b > a; i++) {
      if (h(c) > h(d)) b = d;
      else a = c;
      c = b - gr * (b - a);
      d = a + gr * (b - a);
    }
    for (const t of [a, b, c, d]) if (h(t) > bv) [best, bv] = [t, h(t)];
    return best;
  };
  for (let round = 0; round < 6; round++) {
    x = line((t) => v(t, y), lx, ux, x);
    y = line((t) => v(x, t), ly, uy, y);
  }
  return [x, y];
}

function checkPlanes(kind: ProductKind, bx: [number, number, number, number], r: Rng): void {
  const [lx, ux, ly, uy] = bx;
  const rel = relaxProduct(kind, { lx, ux, ly, uy });
  const f = F[kind];
  const verdict = (x: number, y: number, how: string): void => {
    const v = f(x, y);
    const where = `${kind} ${how} at (${x}, ${y}) in [${lx}, ${ux}]×[${ly}, ${uy}]`;
    assert.ok(planeMinus(rel.lower, x, y, v) <= 0, `${where}: lower plane above f`);
    assert.ok(planeMinus(rel.upper, x, y, v) >= 0, `${where}: upper plane below f`);
  };
  const n = 40;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++)
      verdict(lx + ((ux - lx) * i) / n, ly + ((uy - ly) * j) / n, 'grid');
  }
  for (let k = 0; k < 200; k++)
    verdict(lx + (ux - lx) * r.next(), ly + (uy - ly) * r.next(), 'random');
  const low = (x: number, y: number): number =>
    rel.lower.a * x + rel.lower.b * y + rel.lower.c - f(x, y);
  const up = (x: number, y: number): number =>
    f(x, y) - (rel.upper.a * x + rel.upper.b * y + rel.upper.c);
  const starts: [number, number][] = [
    [lx, ly],
    [lx, uy],
    [ux, ly],
    [ux, uy],
    [(lx + ux) / 2, (ly + uy) / 2],
  ];
  for (let k = 0; k < 4; k++) starts.push([lx + (ux - lx) * r.next(), ly + (uy - ly) * r.next()]);
  for (const [x0, y0] of starts) {
    verdict(...ascend(low, bx, x0, y0), 'attack on lower');
    verdict(...ascend(up, bx, x0, y0), 'attack on upper');
  }
}

function randomBoxes(seed: number, count: number): [number, number, number, number][] {
  const xs = randomIntervals(seed, count);
  const ys = randomIntervals(seed + 1, count + 7).slice(7); // a different pairing
  const out = xs.map(([lx, ux], i) => [lx, ux, ...ys[i]!] as [number, number, number, number]);
  out.push([-50, 50, -50, 50], [3, 3, -2, -2], [-1e-12, 1e-12, 5, 5 + 1e-12], [40, 50, -50, 50]);
  return out;
}

for (const kind of KINDS) {
  test(`${kind}: bounding planes are sound on 120 random boxes (41×41 grid, random points, corner/edge/interior attack)`, () => {
    const r = new Rng(31);
    for (const bx of randomBoxes(40 + kind.length, 120)) checkPlanes(kind, bx, r);
  });
}

test('a point box gives planes through f within rounding', () => {
  for (const kind of KINDS) {
    for (const [x, y] of [
      [0, 0],
      [-3, 2],
      [7, -0.4],
      [50, -50],
    ] as const) {
      const rel = relaxProduct(kind, { lx: x, ux: x, ly: y, uy: y });
      const v = F[kind](x, y);
      const lo = rel.lower.a * x + rel.lower.b * y + rel.lower.c;
      const hi = rel.upper.a * x + rel.upper.b * y + rel.upper.c;
      // 1 − σ(x) cancels near saturation: its float64 value carries an absolute error ~ulp(1).
      const tol = 1e-13 * (1 + Math.abs(rel.lower.a * x) + Math.abs(rel.lower.b * y) + Math.abs(y));
      assert.ok(
        lo <= v && v <= hi && hi - lo <= tol,
        `${kind} at (${x}, ${y}): [${lo}, ${hi}] vs ${v}`,
      );
    }
  }
});

/** The interval (IBP) enclosure of the product over the box. */
function intervalWidth(kind: ProductKind, lx: number, ux: number, ly: number, uy: number): number {
  const s = { lo: sigmoidLo(lx), hi: sigmoidHi(ux) };
  const v = kind === 'sigmoid*tanh' ? { lo: tanhLo(ly), hi: tanhHi(uy) } : { lo: ly, hi: uy };
  const i = imul(kind === '(1-sigmoid)*y' ? ioneMinus(s) : s, v);
  return i.hi - i.lo;
}

test('tightness: mean gap between the planes is below the interval bound width on random boxes', (t) => {
  const r = new Rng(33);
  for (const kind of KINDS) {
    let gapSum = 0;
    let ibpSum = 0;
    const N = 200;
    for (let k = 0; k < N; k++) {
      const lx = r.normal(0, 2);
      const ly = r.normal(0, 2);
      const ux = lx + r.uniform(0.01, 2);
      const uy = ly + r.uniform(0.01, 2);
      const { lower, upper } = relaxProduct(kind, { lx, ux, ly, uy });
      const cx = (lx + ux) / 2;
      const cy = (ly + uy) / 2;
      // the mean of a plane over the box is its value at the centre
      const gap = (upper.a - lower.a) * cx + (upper.b - lower.b) * cy + upper.c - lower.c;
      gapSum += gap;
      ibpSum += intervalWidth(kind, lx, ux, ly, uy);
    }
    t.diagnostic(
      `${kind}: mean plane gap ${(gapSum / N).toFixed(4)} vs mean interval width ${(ibpSum / N).toFixed(4)} (widths 0.01–2)`,
    );
    assert.ok(
      gapSum < 0.5 * ibpSum,
      `${kind}: planes ${gapSum / N} not tighter than intervals ${ibpSum / N}`,
    );
  }
});

test('bad boxes are rejected with clear errors', () => {
  assert.throws(
    () => relaxProduct('sigmoid*y', { lx: 1, ux: 0, ly: 0, uy: 1 }),
    /relaxProduct: argument '\[lx, ux\]' expected a finite interval/,
  );
  assert.throws(
    () => relaxProduct('sigmoid*tanh', { lx: 0, ux: 1, ly: 0, uy: Infinity }),
    /'\[ly, uy\]'.*received \[0, Infinity\]/,
  );
});
