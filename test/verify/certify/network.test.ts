/**
 * Soundness of IBP and CROWN back-substitution on random small networks written out here:
 * x ∈ Lp ball → W1,b1 → act1 → W2,b2 → act2 → W3,b3. Every sampled and every attacked (PGD)
 * output must stay within the bounds; CROWN ∩ IBP is never looser than IBP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng.js';
import {
  ballToBox,
  ibpActivation,
  ibpAffine,
  intersect,
  type ActivationKind,
  type NormKind,
} from '../../../src/verify/certify/ibp.js';
import type { Box } from '../../../src/verify/certify/interval.js';
import {
  backActivation,
  backAffine,
  concretize,
  identityBound,
  type InputSet,
  type LinearBound,
} from '../../../src/verify/certify/linear.js';
import { relaxRelu } from '../../../src/verify/certify/relax/relu.js';
import { relaxSigmoid } from '../../../src/verify/certify/relax/sigmoid.js';
import { relaxTanh } from '../../../src/verify/certify/relax/tanh.js';
import type { LinearRelaxation } from '../../../src/verify/certify/relax/line.js';

interface Layer {
  W: Float64Array; // [out, in]
  b: Float64Array;
  out: number;
  in: number;
}
interface Net {
  layers: Layer[]; // affine layers; an activation follows every layer but the last
  acts: ('tanh' | 'sigmoid' | 'relu')[];
}

const ACT: Record<'tanh' | 'sigmoid' | 'relu', (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(0, x),
};
const RELAX: Record<'tanh' | 'sigmoid' | 'relu', (l: number, u: number) => LinearRelaxation> = {
  tanh: relaxTanh,
  sigmoid: relaxSigmoid,
  relu: (l, u) => relaxRelu(l, u),
};

function randomNet(r: Rng, sizes: number[], scale: number): Net {
  const layers: Layer[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const [n, m] = [sizes[k]!, sizes[k + 1]!];
    layers.push({
      W: Float64Array.from({ length: m * n }, () => r.normal(0, scale / Math.sqrt(n))),
      b: Float64Array.from({ length: m }, () => r.normal(0, 0.5)),
      out: m,
      in: n,
    });
  }
  const kinds: ('tanh' | 'sigmoid' | 'relu')[] = ['tanh', 'sigmoid', 'relu'];
  return { layers, acts: layers.slice(1).map(() => kinds[r.int(3)]!) };
}

function forward(net: Net, x: ArrayLike<number>): Float64Array {
  let v = Float64Array.from(x);
  net.layers.forEach((L, k) => {
    const z = new Float64Array(L.out);
    for (let i = 0; i < L.out; i++) {
      let s = L.b[i]!;
      for (let j = 0; j < L.in; j++) s += L.W[i * L.in + j]! * v[j]!;
      z[i] = k < net.acts.length ? ACT[net.acts[k]!](s) : s;
    }
    v = z;
  });
  return v;
}

/** IBP and CROWN (with IBP ∩ CROWN boxes at every pre-activation) for the outputs. */
function bounds(net: Net, set: InputSet & { kind: 'ball' }): { ibp: Box; crown: Box; final: Box } {
  const inBox = ballToBox(set.centre, set.eps, set.norm);
  const pre: Box[] = []; // pre-activation boxes (tightest known)
  const post: Box[] = [inBox]; // inputs of each affine layer
  const relax: LinearRelaxation[][] = [];
  for (let k = 0; k < net.layers.length; k++) {
    const L = net.layers[k]!;
    const ibp = ibpAffine(L.W, L.out, L.in, post[k]!, L.b);
    // back-substitute from this layer's pre-activations to the input
    let lb: LinearBound = backAffine(identityBound(L.out), L.W, L.b, L.in, post[k]!);
    for (let j = k - 1; j >= 0; j--) {
      lb = backActivation(lb, relax[j]!, pre[j]!);
      lb = backAffine(lb, net.layers[j]!.W, net.layers[j]!.b, net.layers[j]!.in, post[j]!);
    }
    const crown = concretize(lb, set);
    const z = intersect(ibp, crown);
    if (k === net.layers.length - 1) return { ibp, crown, final: z };
    pre.push(z);
    relax.push(Array.from(z.lo, (l, i) => RELAX[net.acts[k]!](l, z.hi[i]!)));
    post.push(ibpActivation(net.acts[k]!, z));
  }
  throw new Error('unreachable');
}

/** Euclidean projection onto the Lp ball (L1 by Duchi et al. 2008's sort-and-threshold). */
function project(x: Float64Array, c: ArrayLike<number>, eps: number, norm: NormKind): void {
  const d = Array.from(x, (v, i) => v - c[i]!);
  if (norm === 'linf') d.forEach((v, i) => (d[i] = Math.max(-eps, Math.min(eps, v))));
  else if (norm === 'l2') {
    const n = Math.hypot(...d);
    if (n > eps) d.forEach((v, i) => (d[i] = (v * eps) / n));
  } else if (d.reduce((s, v) => s + Math.abs(v), 0) > eps) {
    const a = d.map(Math.abs).sort((p, q) => q - p);
    let cum = 0;
    let theta = 0;
    for (let i = 0; i < a.length; i++) {
      cum += a[i]!;
      const t = (cum - eps) / (i + 1);
      if (a[i]! > t) theta = t;
    }
    d.forEach((v, i) => (d[i] = Math.sign(v) * Math.max(0, Math.abs(v) - theta)));
  }
  // shrink by a hair so rounding in c + d cannot leave the ball
  d.forEach((v, i) => (x[i] = c[i]! + v * (1 - 1e-12)));
}

/** PGD on ±output[o] inside the ball (signed gradient steps for L∞, normalised otherwise). */
function attack(
  net: Net,
  c: Float64Array,
  eps: number,
  norm: NormKind,
  o: number,
  sign: number,
  r: Rng,
): Float64Array {
  const x = c.map((v) => v + eps * (2 * r.next() - 1));
  project(x, c, eps, norm);
  const h = 1e-7;
  for (let step = 0; step < 40; step++) {
    const g = x.map((_, j) => {
      const xp = x.slice();
      const xm = x.slice();
      xp[j] += h;
      xm[j] -= h;
      return (sign * (forward(net, xp)[o]! - forward(net, xm)[o]!)) / (2 * h);
    });
    const gn = norm === 'linf' ? 1 : Math.hypot(...g) || 1;
    const lr = eps * 0.25 * (1 - step / 40);
    x.forEach((v, j) => (x[j] = v + lr * (norm === 'linf' ? Math.sign(g[j]!) : g[j]! / gn)));
    project(x, c, eps, norm);
  }
  return x;
}

function sampleBall(c: Float64Array, eps: number, norm: NormKind, r: Rng): Float64Array {
  const x = c.map((v) => v + eps * (2 * r.next() - 1) * (norm === 'linf' ? 1 : r.next()));
  project(x, c, eps, norm);
  return x;
}

test('IBP and CROWN bounds contain every sampled and PGD-attacked output of random 2-hidden-layer nets', (t) => {
  const r = new Rng(51);
  const norms: NormKind[] = ['linf', 'l2', 'l1'];
  let crownTighter = 0;
  let cases = 0;
  const ratios: number[] = [];
  for (let trial = 0; trial < 36; trial++) {
    const n = 2 + r.int(4);
    const net = randomNet(r, [n, 3 + r.int(5), 3 + r.int(5), 2], trial % 6 === 5 ? 4 : 1.5);
    const norm = norms[trial % 3]!;
    const eps = [0, 1e-6, 0.01, 0.1, 0.5, 3][Math.floor(trial / 6)]!;
    const c = Float64Array.from({ length: n }, () => r.normal());
    const { ibp, crown, final } = bounds(net, { kind: 'ball', centre: c, eps, norm });
    const check = (x: Float64Array, how: string): void => {
      const y = forward(net, x);
      for (let o = 0; o < y.length; o++) {
        assert.ok(
          final.lo[o]! <= y[o]! && y[o]! <= final.hi[o]!,
          `${how} trial ${trial} (${norm}, ε=${eps}) output ${o}: ${y[o]} outside [${final.lo[o]}, ${final.hi[o]}]`,
        );
        assert.ok(ibp.lo[o]! <= y[o]! && y[o]! <= ibp.hi[o]!, `${how}: IBP bound violated`);
        assert.ok(crown.lo[o]! <= y[o]! && y[o]! <= crown.hi[o]!, `${how}: CROWN bound violated`);
      }
    };
    check(c, 'centre');
    for (let k = 0; k < 200; k++) check(sampleBall(c, eps, norm, r), 'sample');
    for (let o = 0; o < 2; o++)
      for (const s of [1, -1]) check(attack(net, c, eps, norm, o, s, r), 'PGD');
    for (let o = 0; o < 2; o++) {
      assert.ok(
        final.hi[o]! - final.lo[o]! <= ibp.hi[o]! - ibp.lo[o]!,
        'IBP ∩ CROWN never looser than IBP',
      );
      if (eps > 0 && eps <= 0.1) {
        cases++;
        // not looser up to rounding slack (dead relus make both exact; linear nets make both equal)
        const ibpW = ibp.hi[o]! - ibp.lo[o]!;
        if (ibpW > 0) ratios.push((final.hi[o]! - final.lo[o]!) / ibpW);
        if (crown.hi[o]! - crown.lo[o]! <= ibpW * (1 + 1e-6) + 1e-12) crownTighter++;
      }
    }
    if (eps === 0) {
      const y = forward(net, c);
      for (let o = 0; o < 2; o++)
        assert.ok(
          final.hi[o]! - final.lo[o]! <= 1e-12 * (1 + Math.abs(y[o]!)),
          `ε = 0: width ${final.hi[o]! - final.lo[o]!}`,
        );
    }
  }
  const geo = Math.exp(ratios.reduce((a, b) => a + Math.log(b), 0) / ratios.length);
  t.diagnostic(
    `ε ≤ 0.1: (IBP ∩ CROWN) width / IBP width, geometric mean ${geo.toFixed(3)} over ${ratios.length} outputs`,
  );
  // Linear bounds beat intervals on small-ε problems (they are exact for ε → 0 to first order).
  assert.ok(
    crownTighter >= cases * 0.9,
    `CROWN tighter than IBP in only ${crownTighter}/${cases} outputs`,
  );
});

test('a bad ball is rejected with a clear error, never a bound', () => {
  const c = [0, 0];
  assert.throws(
    () => ballToBox(c, -1, 'linf'),
    /ballToBox: argument 'eps' expected a finite number ≥ 0, received -1/,
  );
  assert.throws(() => ballToBox(c, NaN, 'l2'), /received NaN/);
  assert.throws(
    () =>
      concretize(identityBound(2), { kind: 'ball', centre: c, eps: 0.1, norm: 'l3' as NormKind }),
    /argument 'norm' expected 'linf', 'l2' or 'l1', received "l3"/,
  );
  assert.throws(
    () => concretize(identityBound(2), { kind: 'ball', centre: [0, 0, 0], eps: 0.1, norm: 'l2' }),
    /argument 'centre' expected 2 values/,
  );
});
