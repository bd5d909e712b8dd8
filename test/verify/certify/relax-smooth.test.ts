/**
 * The smooth-function bound rules (src/verify/certify/relax/smooth.ts): every line and range is
 * checked against mpmath's exact values (test/fixtures/certify/smooth-mpmath.json, from
 * tools/make_certify_smooth_fixtures.py), against the float64 function on dense grids of random
 * intervals, and against an adversary (projected gradient ascent on line − f and f − line from
 * many random starts) that tries to find a point of the interval outside the bounds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/core/rng.js';
import { erf } from '../../../src/nn/graph/ops-elementwise.js';
import { ERF_ERR, SMOOTH, SMOOTH_KINDS, type SmoothFn, type SmoothKind } from '../../../src/verify/certify/relax/smooth-fns.js';
import { relaxSmooth, smoothRange, valleyMinimum } from '../../../src/verify/certify/relax/smooth.js';
import type { Line } from '../../../src/verify/certify/relax/line.js';
import { addDown, addUp, mulDown, mulUp } from '../../../src/verify/certify/rounding.js';

interface Table {
  functions: Record<SmoothKind, { l: number; u: number; points: [number, number][] }[]>;
  minima: { gelu: number; silu: number };
  erf: [number, number][];
}
const table = JSON.parse(readFileSync('test/fixtures/certify/smooth-mpmath.json', 'utf8')) as Table;

/** The line's value rounded so that the comparisons below can only be stricter than exact. */
const lineUp = (l: Line, x: number) => addUp(mulUp(l.slope, x), l.offset);
const lineDown = (l: Line, x: number) => addDown(mulDown(l.slope, x), l.offset);

/** Random intervals of the function's domain, from narrow to wide. */
function randomIntervals(fn: SmoothFn, rng: Rng, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const w = 10 ** rng.uniform(-5, 1.2);
    let l: number;
    if (fn.kind === 'sqrt') l = rng.next() < 0.2 ? 0 : 10 ** rng.uniform(-6, 1);
    else if (fn.kind === 'rsqrt') l = 10 ** rng.uniform(-3, 1);
    else if (fn.kind === 'recip') l = (rng.next() < 0.5 ? 1 : -1) * 10 ** rng.uniform(-2, 1);
    else if (fn.kind === 'exp') l = rng.uniform(-8, 3);
    else l = rng.uniform(-8, 6);
    if (fn.kind === 'recip' && l < 0) out.push([l - w, l]);
    else out.push([l, l + w]);
  }
  return out;
}

/** Largest violation of lower ≤ f ≤ upper found by projected gradient ascent from random starts. */
function attack(fn: SmoothFn, l: number, u: number, lower: Line, upper: Line, rng: Rng): number {
  let worst = -Infinity;
  for (const side of [1, -1]) {
    for (let r = 0; r < 24; r++) {
      let x = r === 0 ? l : r === 1 ? u : rng.uniform(l, u);
      let step = (u - l) / 8;
      for (let k = 0; k < 60; k++) {
        // side 1: maximise lower(x) − f(x); side −1: maximise f(x) − upper(x)
        const g = side > 0 ? lower.slope - fn.deriv(x) : fn.deriv(x) - upper.slope;
        const v = side > 0 ? lineUp(lower, x) - fn.f(x) : fn.f(x) - lineDown(upper, x);
        worst = Math.max(worst, v);
        if (!Number.isFinite(g) || g === 0) break;
        x = Math.min(u, Math.max(l, x + Math.sign(g) * step));
        step *= 0.85;
      }
      const v = side > 0 ? lineUp(lower, x) - fn.f(x) : fn.f(x) - lineDown(upper, x);
      worst = Math.max(worst, v);
    }
  }
  return worst;
}

describe('smooth-function bound rules', () => {
  it('erf of the graph ops is within the assumed error of mpmath erf', () => {
    let worst = 0;
    for (const [x, ref] of table.erf) worst = Math.max(worst, Math.abs(erf(x) - ref));
    assert.ok(worst <= ERF_ERR / 10, `|erf − mpmath| reaches ${worst}`);
    assert.ok(worst > 0, 'the table compares something');
  });

  it('the certified valley minima of GELU and SiLU lie just below the exact minima', () => {
    for (const kind of ['gelu', 'silu'] as const) {
      const m = valleyMinimum(SMOOTH[kind]);
      assert.ok(m <= table.minima[kind], `${kind}: ${m} above the exact minimum ${table.minima[kind]}`);
      assert.ok(m >= table.minima[kind] - 1e-9, `${kind}: ${m} far below ${table.minima[kind]}`);
    }
  });

  for (const kind of SMOOTH_KINDS) {
    const fn = SMOOTH[kind];
    it(`${kind}: lines and ranges hold at mpmath's exact values`, () => {
      const rows = table.functions[kind];
      assert.ok(rows.length > 10);
      for (const { l, u, points } of rows) {
        const r = relaxSmooth(fn, l, u);
        const rg = smoothRange(fn, l, u);
        for (const [x, exact] of points) {
          if (x < l || x > u) continue; // grid points rounded just outside the interval
          const at = `${kind} on [${l}, ${u}] at ${x}`;
          assert.ok(lineUp(r.lower, x) <= exact, `${at}: lower line ${lineUp(r.lower, x)} above ${exact}`);
          assert.ok(lineDown(r.upper, x) >= exact, `${at}: upper line ${lineDown(r.upper, x)} below ${exact}`);
          assert.ok(rg.lo <= exact && exact <= rg.hi, `${at}: ${exact} outside the range [${rg.lo}, ${rg.hi}]`);
        }
      }
    });

    it(`${kind}: nothing escapes the lines on dense grids or under attack`, () => {
      const rng = new Rng(SMOOTH_KINDS.indexOf(kind) + 11);
      for (const [l, u] of randomIntervals(fn, rng, 60)) {
        const r = relaxSmooth(fn, l, u);
        const rg = smoothRange(fn, l, u);
        assert.ok(Number.isFinite(r.lower.offset) && Number.isFinite(r.upper.offset), `${kind} [${l}, ${u}]: lines not finite`);
        for (let i = 0; i <= 2000; i++) {
          const x = i === 2000 ? u : l + ((u - l) * i) / 2000;
          const v = fn.f(x);
          assert.ok(lineUp(r.lower, x) <= v && v <= lineDown(r.upper, x), `${kind} [${l}, ${u}] at ${x}: ${v} outside the lines`);
          assert.ok(rg.lo <= v && v <= rg.hi, `${kind} [${l}, ${u}] at ${x}: ${v} outside the range`);
        }
        const worst = attack(fn, l, u, r.lower, r.upper, rng);
        assert.ok(worst <= 0, `${kind} [${l}, ${u}]: the attack escapes the lines by ${worst}`);
      }
    });

    it(`${kind}: lines are tight on narrow intervals and the curvature bound holds`, () => {
      const rng = new Rng(SMOOTH_KINDS.indexOf(kind) + 101);
      for (const [l0] of randomIntervals(fn, rng, 20)) {
        const [l, u] = fn.kind === 'recip' && l0 < 0 ? [l0 - 1e-4, l0] : [l0, l0 + 1e-4];
        const r = relaxSmooth(fn, l, u);
        const m = l / 2 + u / 2;
        const gap = lineDown(r.upper, m) - lineUp(r.lower, m);
        // the best lines can do: tangent and chord are M·w²/8 apart at the midpoint for |f''| ≤ M
        const best = (fn.curvMax(l, u) * (u - l) ** 2) / 4;
        const slack = 1e-9 * (Math.abs(fn.f(m)) + 1) + (kind === 'erf' || kind === 'gelu' ? 4 * ERF_ERR * (1 + Math.abs(m)) : 0);
        assert.ok(gap >= 0 && gap <= 1.05 * best + slack, `${kind} [${l}, ${u}]: gap ${gap} at the midpoint (curvature allows ${best})`);
        // |f''| by central differences of f' never exceeds the bound
        const h = 1e-5 * (u - l);
        for (let i = 1; i < 10; i++) {
          const x = l + ((u - l) * i) / 10;
          const d2 = Math.abs((fn.deriv(x + h) - fn.deriv(x - h)) / (2 * h));
          assert.ok(d2 <= fn.curvMax(l, u) * 1.01 + 1e-6, `${kind} at ${x}: |f''| ≈ ${d2} above ${fn.curvMax(l, u)}`);
        }
      }
    });
  }

  it('relaxations of convex pieces are tangent below and chords above', () => {
    const r = relaxSmooth(SMOOTH.square, -1, 3);
    assert.ok(Math.abs(r.upper.slope - 2) < 1e-6 && Math.abs(r.upper.offset - 3) < 1e-6, JSON.stringify(r.upper));
    // the lower line touches x² near the midpoint 1 (the slope is searched on a grid of step 1/16)
    assert.ok(lineUp(r.lower, 1) <= 1 && lineUp(r.lower, 1) >= 1 - 5e-3, JSON.stringify(r.lower));
    assert.ok(Math.abs(r.lower.slope - 2) <= 1 / 16, JSON.stringify(r.lower));
  });

  it('undefined or unbounded pieces give constant lines at the range', () => {
    const r = relaxSmooth(SMOOTH.recip, -1, 1);
    assert.equal(r.lower.offset, -Infinity);
    assert.equal(r.upper.offset, Infinity);
    const s = relaxSmooth(SMOOTH.softplus, -Infinity, 2);
    assert.equal(s.lower.slope, 0);
    assert.ok(s.lower.offset <= 0 && s.upper.offset >= Math.log1p(Math.exp(2)));
  });
});
