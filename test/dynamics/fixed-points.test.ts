import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CellSpec } from '../../src/core/backend.js';
import { detectLineAttractor } from '../../src/dynamics/analyse.js';
import { cellMap } from '../../src/dynamics/cell-map.js';
import { analysePoint, findFixedPoints } from '../../src/dynamics/fixed-points.js';

interface RefCase {
  name: string;
  cell: CellSpec;
  W: number[];
  U: number[];
  bx: number[];
  bh: number[];
  input: number[];
  starts: number[][];
  jacobians: { state: number[]; J: number[][] }[];
  points: { state: number[]; q: number; moduli: number[]; stability: string }[];
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/dynamics/reference.json', import.meta.url), 'utf8')) as { cases: RefCase[]; qTol: number; uniqueTol: number };

const dist = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return Math.sqrt(s);
};

test('the Jacobian of the cell map equals torch.autograd.functional.jacobian of torch\'s own cells', () => {
  for (const c of ref.cases) {
    const map = cellMap(c, c.input);
    for (const { state, J } of c.jacobians) {
      const ours = map.jacobian(Float64Array.from(state)).J;
      const S = state.length;
      for (let i = 0; i < S; i++)
        for (let j = 0; j < S; j++) assert.ok(Math.abs(ours[i * S + j]! - J[i]![j]!) < 1e-10, `${c.name} J[${i}][${j}]: ${ours[i * S + j]} vs torch ${J[i]![j]}`);
    }
  }
});

test('fixed points from the same starts match the PyTorch reference (Adam + L-BFGS on torch cells): the same points with the same eigenvalue moduli and stability', (t) => {
  const extra: string[] = [];
  for (const c of ref.cases) {
    const map = cellMap(c, c.input);
    const r = findFixedPoints(map, c.starts.map((s) => Float64Array.from(s)), { qTol: ref.qTol, slowTol: ref.qTol, uniqueTol: ref.uniqueTol });
    let matched = 0;
    for (const p of c.points) {
      // every reference point is a fixed point of our map with the same spectrum ...
      const at = Float64Array.from(p.state);
      assert.ok(0.5 * dist(map.step(at), at) ** 2 < 1e-12, `${c.name}: reference point is not fixed under our map`);
      const a = analysePoint(map, at, p.moduli.length);
      assert.equal(a.stability, p.stability, `${c.name}: stability`);
      a.eigenvalues.forEach((e, k) => assert.ok(Math.abs(e.abs - p.moduli[k]!) < 1e-6, `${c.name}: |λ${k}| ${e.abs} vs ${p.moduli[k]}`));
      // ... and our search from the same starts finds it
      const mine = r.points.find((q) => dist(q.state, p.state) < 1e-4);
      if (!mine) continue;
      matched++;
      assert.equal(mine.kind, 'fixed');
      assert.equal(mine.stability, p.stability, `${c.name}: stability`);
      mine.eigenvalues.forEach((e, k) => assert.ok(Math.abs(e.abs - p.moduli[k]!) < 1e-6, `${c.name}: |λ${k}| ${e.abs} vs ${p.moduli[k]}`));
    }
    // two optimisers from the same start may end at different points (a start between basins, a
    // slow point one of them stalls at), so the sets found differ a little; most points must agree
    assert.ok(matched >= Math.ceil(0.75 * c.points.length), `${c.name}: found ${matched} of the ${c.points.length} reference points`);
    // points beyond the reference's (its optimiser stalled where Newton went on) must be genuine, distinct fixed points
    for (const q of r.points) {
      if (c.points.some((p) => dist(q.state, p.state) < 1e-4)) continue;
      const next = map.step(Float64Array.from(q.state));
      assert.ok(0.5 * dist(next, q.state) ** 2 < ref.qTol, `${c.name}: extra point is not fixed`);
      assert.ok(c.points.every((p) => dist(q.state, p.state) >= ref.uniqueTol), `${c.name}: extra point duplicates a reference point`);
    }
    extra.push(`${c.name}: ${matched}/${c.points.length} reference points found, ${r.points.length} in all`);
  }
  t.diagnostic(extra.join("; "));
});

test('a GRU unit whose update gate is shut holds any value: the finder sees a line of slow points and calls it a line attractor', () => {
  // unit 0: z ≈ 1 (bias 30), so h0' = h0; unit 1 (r = z = ½) relaxes to n1 = tanh(½ · 0.5·h0)
  const H = 2;
  const U = new Array(H * 3 * H).fill(0);
  U[0 * 3 * H + 2 * H + 1] = 0.5; // h0 → n1
  const bx = new Array(3 * H).fill(0);
  bx[H + 0] = 30;
  const map = cellMap({ cell: { kind: 'gru', inputSize: 1, hiddenSize: H }, W: new Array(3 * H).fill(0), U, bx, bh: new Array(3 * H).fill(0) });
  const starts = Array.from({ length: 12 }, (_, i) => Float64Array.of(-0.9 + 0.15 * i, 0.3));
  const r = findFixedPoints(map, starts, { slowTol: 1e-8 });
  assert.ok(r.points.length >= 10, `${r.points.length} points`);
  for (const p of r.points) assert.ok(Math.abs(p.state[1]! - Math.tanh(0.25 * p.state[0]!)) < 1e-3);
  const la = detectLineAttractor(r.points, 2, starts, Float64Array.of(0, 0.3), 1);
  assert.equal(la.detected, true, la.reason);
  assert.ok(Math.abs(la.topEigenvalue - 1) < 1e-6);
  // two isolated points are no line
  const none = detectLineAttractor(r.points.slice(0, 2), 2, starts, Float64Array.of(0, 0), 1);
  assert.equal(none.detected, false);
  assert.match(none.reason, /needs at least 5|a line needs/);
});

test('findFixedPoints names what it rejects', () => {
  const map = cellMap({ cell: { kind: 'rnn', inputSize: 1, hiddenSize: 2 }, W: [0, 0], U: [1, 0, 0, 1], bx: [0, 0], bh: [0, 0] });
  assert.throws(() => findFixedPoints(map, []), /starts.*at least one/);
  assert.throws(() => findFixedPoints(map, [Float64Array.of(1)]), /starts\[0\].*2 values/);
  assert.throws(() => findFixedPoints(map, [Float64Array.of(1, NaN)]), /starts\[0\]\[1\].*finite/);
  assert.throws(() => findFixedPoints(map, [Float64Array.of(1, 0)], { qTol: 1e-3, slowTol: 1e-6 }), /slowTol.*>= qTol/);
});
