/**
 * Against independent references (tools/certify_reference.py: mpmath at 60 digits, SciPy):
 * the activation enclosures contain the exact values, the ulp assumption about Math.tanh/Math.exp
 * holds, and certified offsets are sound and tight (within 1e-9 of the exact extrema).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  sigmoid,
  sigmoidHi,
  sigmoidLo,
  tanhHi,
  tanhLo,
} from '../../../src/verify/certify/activations.js';
import {
  certifiedLowerOffset,
  certifiedUpperOffset,
} from '../../../src/verify/certify/relax/line.js';
import { SIGMOID } from '../../../src/verify/certify/relax/sigmoid.js';
import { TANH } from '../../../src/verify/certify/relax/tanh.js';
import {
  certifiedPlaneLower,
  certifiedPlaneUpper,
} from '../../../src/verify/certify/relax/products.js';
import { productFn, type ProductKind } from '../../../src/verify/certify/relax/product-fns.js';
import { nextUp } from '../../../src/verify/certify/rounding.js';
import { rat, ratDecimal, rcmp } from './exact.js';

interface Ref {
  activations: { x: number; tanh: string; sigmoid: string }[];
  lines: {
    kind: 'tanh' | 'sigmoid';
    l: number;
    u: number;
    slope: number;
    min: string;
    max: string;
  }[];
  planes: {
    kind: ProductKind;
    box: [number, number, number, number];
    a: number;
    b: number;
    min: number;
    max: number;
  }[];
}
const ref = JSON.parse(
  readFileSync(new URL('../../fixtures/certify/reference.json', import.meta.url), 'utf8'),
) as Ref;

/** Distance of a float from an exact decimal in ulps of the nearest float to it. */
function ulpsFrom(v: number, exact: string): number {
  const near = Number(exact);
  const ulp = nextUp(Math.abs(near)) - Math.abs(near);
  return Math.abs(v - near) / ulp;
}

test('activation enclosures contain the exact tanh and σ (mpmath, 617 points incl. subnormals and ±800)', (t) => {
  let worstTanh = 0;
  let worstSig = 0;
  for (const { x, tanh, sigmoid: sg } of ref.activations) {
    const t = ratDecimal(tanh);
    const s = ratDecimal(sg);
    assert.ok(
      rcmp(rat(tanhLo(x)), t) <= 0 && rcmp(rat(tanhHi(x)), t) >= 0,
      `tanh enclosure misses exact at x=${x}`,
    );
    assert.ok(
      rcmp(rat(sigmoidLo(x)), s) <= 0 && rcmp(rat(sigmoidHi(x)), s) >= 0,
      `σ enclosure misses exact at x=${x}`,
    );
    if (Number(tanh) !== 0) worstTanh = Math.max(worstTanh, ulpsFrom(Math.tanh(x), tanh));
    // below 2.3e-308 the forward formula 1/(1 + e^{-x}) underflows to 0 (covered by the 2^-1000 floor)
    if (Number(sg) > 2.3e-308) worstSig = Math.max(worstSig, ulpsFrom(sigmoid(x), sg));
    assert.ok(
      sigmoidLo(x) <= sigmoid(x) && sigmoid(x) <= sigmoidHi(x),
      `forward σ outside the enclosure at x=${x}`,
    );
    assert.ok(
      tanhLo(x) <= Math.tanh(x) && Math.tanh(x) <= tanhHi(x),
      `forward tanh outside the enclosure at x=${x}`,
    );
  }
  // the documented assumption: the float64 formulas are within 4 ulps (here measured)
  t.diagnostic(`worst forward errors: Math.tanh ${worstTanh} ulps, 1/(1+exp(-x)) ${worstSig} ulps`);
  assert.ok(
    worstTanh <= 3 && worstSig <= 3,
    `worst errors: tanh ${worstTanh} ulps, σ ${worstSig} ulps`,
  );
});

test('certified line offsets are sound and within 1e-12 of the exact extrema (mpmath)', () => {
  for (const c of ref.lines) {
    const fn = c.kind === 'tanh' ? TANH : SIGMOID;
    const lo = certifiedLowerOffset(fn, c.slope, c.l, c.u);
    const hi = certifiedUpperOffset(fn, c.slope, c.l, c.u);
    const where = `${c.kind} slope ${c.slope} on [${c.l}, ${c.u}]`;
    assert.ok(
      rcmp(rat(lo), ratDecimal(c.min)) <= 0,
      `${where}: lower offset ${lo} above exact min ${c.min}`,
    );
    assert.ok(
      rcmp(rat(hi), ratDecimal(c.max)) >= 0,
      `${where}: upper offset ${hi} below exact max ${c.max}`,
    );
    assert.ok(
      lo >= Number(c.min) - 1e-12 && hi <= Number(c.max) + 1e-12,
      `${where}: loose offsets ${lo} / ${hi} vs ${c.min} / ${c.max}`,
    );
  }
});

test('certified plane offsets are below (above) the SciPy-attained extrema and within 1e-9 of them', () => {
  for (const c of ref.planes) {
    const [lx, ux, ly, uy] = c.box;
    const fn = productFn(c.kind);
    const lo = certifiedPlaneLower(fn, { lx, ux, ly, uy }, c.a, c.b);
    const hi = certifiedPlaneUpper(fn, { lx, ux, ly, uy }, c.a, c.b);
    const where = `${c.kind} (${c.a}, ${c.b}) on ${JSON.stringify(c.box)}`;
    const slack = 1e-14 * (1 + Math.abs(c.min) + Math.abs(c.max));
    assert.ok(
      lo <= c.min + slack && hi >= c.max - slack,
      `${where}: offsets ${lo} / ${hi} vs attained ${c.min} / ${c.max}`,
    );
    assert.ok(
      lo >= c.min - 1e-9 && hi <= c.max + 1e-9,
      `${where}: loose offsets ${lo} / ${hi} vs ${c.min} / ${c.max}`,
    );
  }
});
