import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import { relaxTanh, relaxTanhAlpha } from '../../../src/verify/certify/relax/tanh.js';
import { relaxSigmoid, relaxSigmoidAlpha } from '../../../src/verify/certify/relax/sigmoid.js';
import { relaxRelu } from '../../../src/verify/certify/relax/relu.js';
import type { LinearRelaxation } from '../../../src/verify/certify/relax/line.js';
import { addDown, addUp, mulDown, mulUp } from '../../../src/verify/certify/rounding.js';
import { radd, rat, rcmp, rmul } from './exact.js';
import { attackMax1D, probePoints, randomIntervals } from './boxes.js';

/** The activations exactly as a float64 forward pass computes them (two sigmoid formulas). */
const FNS: Record<string, ((x: number) => number)[]> = {
  tanh: [Math.tanh],
  sigmoid: [
    (x) => 1 / (1 + Math.exp(-x)),
    (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  ],
  relu: [(x) => Math.max(0, x)],
};

/**
 * Exact value of (s·x + b) − y, sign only: directed rounding decides most cases; when it cannot,
 * BigInt rationals decide exactly.
 */
function lineMinus(s: number, b: number, x: number, y: number): number {
  if (addUp(mulUp(s, x), b) - y < 0 && addUp(addUp(mulUp(s, x), b), -y) < 0) return -1;
  if (addDown(addDown(mulDown(s, x), b), -y) > 0) return 1;
  return rcmp(radd(rmul(rat(s), rat(x)), rat(b)), rat(y));
}

/**
 * Looks for a point of [l, u] where a line is on the wrong side of f: dense grid, random points,
 * then a golden-section attack on the (approximate) violation; the verdict at each point is exact.
 * Returns a description of the first violation, or null.
 */
function findViolation(
  f: (x: number) => number,
  rel: LinearRelaxation,
  l: number,
  u: number,
  r: Rng,
  grid = 400,
  attack = true,
): string | null {
  const { lower, upper } = rel;
  const below = (x: number): number => lower.slope * x + lower.offset - f(x);
  const above = (x: number): number => f(x) - (upper.slope * x + upper.offset);
  const verdict = (x: number, how: string): string | null => {
    const y = f(x);
    if (lineMinus(lower.slope, lower.offset, x, y) > 0)
      return `${how}: lower line above f at x=${x} in [${l}, ${u}] by ${below(x)}`;
    if (lineMinus(upper.slope, upper.offset, x, y) < 0)
      return `${how}: upper line below f at x=${x} in [${l}, ${u}] by ${above(x)}`;
    return null;
  };
  for (const x of probePoints(r, l, u, grid, grid / 2)) {
    const v = verdict(x, 'grid');
    if (v) return v;
  }
  if (!attack) return null;
  return (
    verdict(attackMax1D(below, l, u, 16), 'attack on lower') ??
    verdict(attackMax1D(above, l, u, 16), 'attack on upper')
  );
}

function checkRelaxation(name: string, rel: LinearRelaxation, l: number, u: number, r: Rng): void {
  assert.ok(
    Number.isFinite(rel.lower.slope) && Number.isFinite(rel.upper.slope),
    `${name} [${l}, ${u}]: slopes finite`,
  );
  assert.ok(
    !Number.isNaN(rel.lower.offset) && !Number.isNaN(rel.upper.offset),
    `${name} [${l}, ${u}]: offsets not NaN`,
  );
  for (const f of FNS[name]!) {
    const v = findViolation(f, rel, l, u, r);
    assert.equal(v, null, `${name}: ${v}`);
  }
}

test('the checker itself finds a line that is wrong by 1e-10 near its tangent point (where a grid misses it)', () => {
  const r = new Rng(23);
  let caught = 0;
  let caughtByGrid = 0;
  const cases = 40;
  for (let k = 0; k < cases; k++) {
    const l = -6 + 3 * r.next();
    const u = l + 0.5 + 2 * r.next(); // u ≤ −0.5: tanh is convex here
    // the tangent at d raised by 1e-10 is invalid only within ~1e-5 of d
    const d = l + (u - l) * (0.05 + 0.9 * r.next());
    const s = 1 - Math.tanh(d) ** 2;
    const bad: LinearRelaxation = {
      lower: { slope: s, offset: Math.tanh(d) - s * d + 1e-10 },
      upper: { slope: 0, offset: 1 },
    };
    if (findViolation(Math.tanh, bad, l, u, r)) caught++;
    if (findViolation(Math.tanh, bad, l, u, r, 400, false)) caughtByGrid++;
  }
  assert.equal(caught, cases, `the attack caught only ${caught}/${cases} wrong lines`);
  assert.ok(
    caughtByGrid < cases / 2,
    `the grid alone caught ${caughtByGrid}/${cases}: the case is too easy to show anything`,
  );
});

for (const [name, relax] of [
  ['tanh', relaxTanh],
  ['sigmoid', relaxSigmoid],
  ['relu', (l: number, u: number) => relaxRelu(l, u)],
] as const) {
  test(`${name}: CROWN lines are sound on 300 random intervals (dense grid, random points, golden-section attack)`, () => {
    const r = new Rng(21);
    const huge: [number, number][] = [
      [-1e300, 1e300],
      [1e10, 1e300],
      [-1e300, -5],
      [-800, 800],
      [-1e-310, 1e-310],
    ];
    for (const [l, u] of [...huge, ...randomIntervals(100 + name.length, 300)])
      checkRelaxation(name, relax(l, u), l, u, r);
  });
}

test('tanh, sigmoid: α-CROWN lines are sound for random α on random intervals', () => {
  const r = new Rng(22);
  for (const [l, u] of randomIntervals(7, 120)) {
    const aL = r.next();
    const aU = r.next();
    checkRelaxation('tanh', relaxTanhAlpha(l, u, aL, aU), l, u, r);
    checkRelaxation('sigmoid', relaxSigmoidAlpha(l, u, aL, aU), l, u, r);
    checkRelaxation('relu', relaxRelu(l, u, aL), l, u, r);
  }
});

test('a point interval gives lines through f(l) within rounding; lines are tight on narrow intervals', () => {
  for (const x of [-50, -3.2, -1e-9, 0, 0.7, 2, 17, 50]) {
    for (const [f, rel] of [
      [Math.tanh, relaxTanh(x, x)],
      [(t: number) => 1 / (1 + Math.exp(-t)), relaxSigmoid(x, x)],
    ] as const) {
      const lo = rel.lower.slope * x + rel.lower.offset;
      const hi = rel.upper.slope * x + rel.upper.offset;
      const tol =
        64 * Number.EPSILON * Math.max(Math.abs(f(x)), Math.abs(rel.lower.slope * x)) + 2 ** -999; // 2^-1000: enclosure floor
      assert.ok(
        Math.abs(lo - f(x)) <= tol && Math.abs(hi - f(x)) <= tol,
        `point ${x}: [${lo}, ${hi}] vs ${f(x)}`,
      );
    }
  }
  // On [0.1, 0.2] the gap between the lines is second order in the width (≈ |f''|·w²/4 at most).
  const rel = relaxTanh(0.1, 0.2);
  const gapAt = (x: number): number =>
    rel.upper.slope * x + rel.upper.offset - (rel.lower.slope * x + rel.lower.offset);
  assert.ok(
    Math.max(gapAt(0.1), gapAt(0.2)) < (0.77 * 0.01) / 4,
    `gap ${gapAt(0.1)}, ${gapAt(0.2)}`,
  );
});

test('infinite ends give constant lines at the limits; relu is exact on one-signed intervals', () => {
  const t = relaxTanh(-Infinity, 3);
  assert.deepEqual([t.lower.slope, t.lower.offset, t.upper.slope], [0, -1, 0]);
  assert.ok(t.upper.offset >= Math.tanh(3) && t.upper.offset < Math.tanh(3) + 1e-14);
  const s = relaxSigmoid(-2, Infinity);
  assert.ok(s.lower.offset <= 1 / (1 + Math.exp(2)) && s.upper.offset === 1);
  assert.deepEqual(relaxRelu(1, 2), {
    lower: { slope: 1, offset: 0 },
    upper: { slope: 1, offset: 0 },
  });
  assert.deepEqual(relaxRelu(-2, -1), {
    lower: { slope: 0, offset: 0 },
    upper: { slope: 0, offset: 0 },
  });
  const r = relaxRelu(-1, 3);
  assert.equal(r.lower.slope, 1);
  assert.ok(r.upper.slope >= 0.75 && r.upper.slope < 0.75 + 1e-15 && r.upper.offset >= 0.75);
});

test('bad intervals and α are rejected with clear errors', () => {
  assert.throws(
    () => relaxTanh(1, 0),
    /relaxTanh: argument '\[l, u\]' expected an interval with l ≤ u and no NaN, received \[1, 0\]/,
  );
  assert.throws(() => relaxSigmoid(NaN, 0), /received \[NaN, 0\]/);
  assert.throws(
    () => relaxTanhAlpha(0, 1, 1.5, 0),
    /argument 'alphaLower' expected a number in \[0, 1\], received 1.5/,
  );
  assert.throws(() => relaxRelu(-1, 1, -0.1), /argument 'alpha'/);
});
