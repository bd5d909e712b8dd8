/**
 * Soundness of IBP and CROWN through the gated products on random small "gate" networks:
 * v ∈ Lp ball → x = Wx·v + bx, y = Wy·v + by → z_j = f(x_j, y_j) → out = W2·z + b2, for
 * f ∈ {σ(x)·tanh(y), σ(x)·y, (1 − σ(x))·y}. Sampled and PGD-attacked outputs must stay inside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import {
  ballToBox,
  ibpAffine,
  ibpProduct,
  intersect,
  type NormKind,
} from '../../../src/verify/certify/ibp.js';
import {
  backAffine,
  backProduct,
  concretize,
  identityBound,
} from '../../../src/verify/certify/linear.js';
import { relaxProduct, type ProductKind } from '../../../src/verify/certify/relax/products.js';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const F: Record<ProductKind, (x: number, y: number) => number> = {
  'sigmoid*tanh': (x, y) => sig(x) * Math.tanh(y),
  'sigmoid*y': (x, y) => sig(x) * y,
  '(1-sigmoid)*y': (x, y) => (1 - sig(x)) * y,
};

function affine(
  W: Float64Array,
  b: Float64Array,
  rows: number,
  cols: number,
  v: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = b[i]!;
    for (let j = 0; j < cols; j++) s += W[i * cols + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

test('IBP and CROWN through gated products contain every sampled and PGD-attacked output', (t) => {
  const r = new Rng(61);
  const norms: NormKind[] = ['linf', 'l2', 'l1'];
  let tighter = 0;
  let cases = 0;
  let logRatio = 0;
  for (let trial = 0; trial < 18; trial++) {
    const kind = (Object.keys(F) as ProductKind[])[trial % 3]!;
    const norm = norms[Math.floor(trial / 3) % 3]!;
    const eps = [0.01, 0.3][Math.floor(trial / 9)]!;
    const n = 3;
    const m = 4;
    const rnd = (k: number, s: number): Float64Array =>
      Float64Array.from({ length: k }, () => r.normal(0, s));
    // x and y stacked: Wxy [2m, n]
    const Wxy = rnd(2 * m * n, 1.5);
    const bxy = rnd(2 * m, 1);
    const W2 = rnd(2 * m, 1);
    const b2 = rnd(2, 0.5);
    const c = rnd(n, 1);
    const net = (v: ArrayLike<number>): Float64Array => {
      const xy = affine(Wxy, bxy, 2 * m, n, v);
      const z = Float64Array.from({ length: m }, (_, j) => F[kind](xy[j]!, xy[m + j]!));
      return affine(W2, b2, 2, m, z);
    };
    const inBox = ballToBox(c, eps, norm);
    const xyIbp = ibpAffine(Wxy, 2 * m, n, inBox, bxy);
    const xyCrown = concretize(backAffine(identityBound(2 * m), Wxy, bxy, n, inBox), {
      kind: 'ball',
      centre: c,
      eps,
      norm,
    });
    const xy = intersect(xyIbp, xyCrown);
    const xBox = { lo: xy.lo.slice(0, m), hi: xy.hi.slice(0, m) };
    const yBox = { lo: xy.lo.slice(m), hi: xy.hi.slice(m) };
    const zBox = ibpProduct(kind, xBox, yBox);
    const ibp = ibpAffine(W2, 2, m, zBox, b2);
    const planes = Array.from({ length: m }, (_, j) =>
      relaxProduct(kind, { lx: xBox.lo[j]!, ux: xBox.hi[j]!, ly: yBox.lo[j]!, uy: yBox.hi[j]! }),
    );
    let lb = backAffine(identityBound(2), W2, b2, m, zBox);
    lb = backProduct(lb, planes, xBox, yBox);
    lb = backAffine(lb, Wxy, bxy, n, inBox);
    const crown = concretize(lb, { kind: 'ball', centre: c, eps, norm });
    const final = intersect(ibp, crown);
    const check = (v: Float64Array, how: string): void => {
      const y = net(v);
      for (let o = 0; o < 2; o++) {
        assert.ok(
          final.lo[o]! <= y[o]! && y[o]! <= final.hi[o]!,
          `${how} ${kind} ${norm} ε=${eps} output ${o}: ${y[o]} outside [${final.lo[o]}, ${final.hi[o]}]`,
        );
        assert.ok(crown.lo[o]! <= y[o]! && y[o]! <= crown.hi[o]!, `${how}: CROWN bound violated`);
      }
    };
    const project = (v: Float64Array): void => {
      const d = Array.from(v, (t, i) => t - c[i]!);
      const len =
        norm === 'linf'
          ? Math.max(...d.map(Math.abs))
          : norm === 'l2'
            ? Math.hypot(...d)
            : d.reduce((s, t) => s + Math.abs(t), 0);
      if (norm === 'linf') d.forEach((t, i) => (d[i] = Math.max(-eps, Math.min(eps, t))));
      else if (len > eps) d.forEach((t, i) => (d[i] = (t * eps) / len)); // radial (feasible) for L1 and L2
      d.forEach((t, i) => (v[i] = c[i]! + t * (1 - 1e-12)));
    };
    check(c, 'centre');
    for (let k = 0; k < 300; k++) {
      const v = c.map((t) => t + eps * (2 * r.next() - 1));
      project(v);
      check(v, 'sample');
    }
    for (let o = 0; o < 2; o++) {
      for (const s of [1, -1]) {
        const v = c.map((t) => t + eps * (2 * r.next() - 1));
        project(v);
        for (let step = 0; step < 40; step++) {
          const g = v.map((_, j) => {
            const vp = v.slice();
            const vm = v.slice();
            vp[j] += 1e-7;
            vm[j] -= 1e-7;
            return (s * (net(vp)[o]! - net(vm)[o]!)) / 2e-7;
          });
          const gn = norm === 'linf' ? 1 : Math.hypot(...g) || 1;
          v.forEach(
            (t, j) =>
              (v[j] =
                t +
                0.25 * eps * (1 - step / 40) * (norm === 'linf' ? Math.sign(g[j]!) : g[j]! / gn)),
          );
          project(v);
        }
        check(v, 'PGD');
      }
      cases++;
      if (crown.hi[o]! - crown.lo[o]! < ibp.hi[o]! - ibp.lo[o]!) tighter++;
      logRatio += Math.log((final.hi[o]! - final.lo[o]!) / (ibp.hi[o]! - ibp.lo[o]!));
    }
  }
  t.diagnostic(
    `(IBP ∩ CROWN) width / IBP width, geometric mean ${Math.exp(logRatio / cases).toFixed(3)} over ${cases} outputs`,
  );
  assert.ok(tighter >= cases * 0.75, `CROWN tighter than IBP in only ${tighter}/${cases} outputs`);
});
