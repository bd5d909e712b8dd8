/**
 * The bound rules of attention: the McCormick planes of x·y (src/verify/certify/relax/bilinear.ts)
 * checked in exact rational arithmetic against the exact and the float64 product on dense grids of
 * many boxes, degenerate ones included (zero width, an end at 0, negative boxes), and under attack
 * (projected gradient ascent on plane − xy); then the lowered MatMul of two input-dependent values
 * and Softmax / LogSoftmax (src/verify/certify/layers/graph-attention.ts) as bound graphs over L∞
 * balls: IBP and CROWN bounds must contain the graph ops' own forward pass at random points,
 * corners and PGD-attacked points, softmax bounds must lie in [0, 1], and ε = 0 must give
 * near-zero widths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/core/rng.js';
import { nd, type Nd } from '../../../src/nn/graph/nd.js';
import { GRAPH_OPS } from '../../../src/nn/graph/ops.js';
import type { GNode } from '../../../src/nn/graph/rule.js';
import { backSubstitute } from '../../../src/verify/certify/backsub.js';
import { BoundGraph } from '../../../src/verify/certify/layers/graph.js';
import { lowerMatMul, lowerSoftmax } from '../../../src/verify/certify/layers/graph-attention.js';
import { nodeSym, type Sym } from '../../../src/verify/certify/layers/graph-sym.js';
import { ballRegion, concretizeRegion } from '../../../src/verify/certify/perturbation.js';
import { propagate, type Method } from '../../../src/verify/certify/propagate.js';
import { relaxBilinear } from '../../../src/verify/certify/relax/bilinear.js';
import type { Plane } from '../../../src/verify/certify/relax/products.js';
import { addDown, addUp, mulDown, mulUp } from '../../../src/verify/certify/rounding.js';
import { radd, rat, rcmp, rmul, type Rat } from './exact.js';

/** Exact sign of (a·x + b·y + c) − v for a rational v (directed rounding first, rationals when undecided). */
function planeMinus(p: Plane, x: number, y: number, v: Rat, vf: number): number {
  if (Number.isFinite(vf)) {
    if (addUp(addUp(addUp(mulUp(p.a, x), mulUp(p.b, y)), p.c), -vf) < 0 && rcmp(rat(vf), v) <= 0) return -1;
    if (addDown(addDown(addDown(mulDown(p.a, x), mulDown(p.b, y)), p.c), -vf) > 0 && rcmp(rat(vf), v) >= 0) return 1;
  }
  return rcmp(radd(radd(rmul(rat(p.a), rat(x)), rmul(rat(p.b), rat(y))), rat(p.c)), v);
}

/** Checks lower ≤ xy ≤ upper for the exact product and for fl(x·y). */
function checkPoint(r: { lower: Plane; upper: Plane }, x: number, y: number, at: string): void {
  const exact = rmul(rat(x), rat(y));
  const fl = x * y;
  for (const [v, vf, what] of [
    [exact, fl, 'exact'],
    [rat(fl), fl, 'float'],
  ] as const) {
    assert.ok(planeMinus(r.lower, x, y, v, vf) <= 0, `${at}: lower plane above the ${what} product at (${x}, ${y})`);
    assert.ok(planeMinus(r.upper, x, y, v, vf) >= 0, `${at}: upper plane below the ${what} product at (${x}, ${y})`);
  }
}

function boxes(seed: number): [number, number, number, number][] {
  const rng = new Rng(seed);
  const out: [number, number, number, number][] = [
    [0, 0, -1, 2],
    [1.5, 1.5, 0.25, 0.25],
    [0, 3, 0, 2],
    [-2, 0, 0, 5],
    [-3, -1, -4, -0.5],
    [-1e-9, 1e-9, -7, 3],
    [-0.3, 0.7, -0.3, 0.7],
    [1e-300, 2e-300, -1e10, 1e10],
    [-1e150, 1e150, 0.1, 0.2],
    [2 ** -1074, 2 ** -1070, -(2 ** -1060), 2 ** -1072],
  ];
  for (let i = 0; i < 60; i++) {
    const iv = (): [number, number] => {
      const c = rng.normal(0, 10 ** rng.uniform(-2, 1.5));
      const w = rng.next() < 0.1 ? 0 : 10 ** rng.uniform(-6, 1);
      return rng.next() < 0.15 ? [0, Math.abs(w)] : [c - w / 2, c + w / 2];
    };
    out.push([...iv(), ...iv()]);
  }
  return out;
}

describe('McCormick planes of x·y', () => {
  it('hold for the exact and the float product on dense grids, corners and random points', () => {
    const rng = new Rng(3);
    for (const [lx, ux, ly, uy] of boxes(1)) {
      const r = relaxBilinear(lx, ux, ly, uy);
      const at = `[${lx}, ${ux}]×[${ly}, ${uy}]`;
      for (let i = 0; i <= 12; i++)
        for (let j = 0; j <= 12; j++) {
          const x = i === 12 ? ux : lx + ((ux - lx) * i) / 12;
          const y = j === 12 ? uy : ly + ((uy - ly) * j) / 12;
          checkPoint(r, Math.min(ux, Math.max(lx, x)), Math.min(uy, Math.max(ly, y)), at);
        }
      for (let k = 0; k < 20; k++) checkPoint(r, Math.min(ux, lx + (ux - lx) * rng.next()), Math.min(uy, ly + (uy - ly) * rng.next()), at);
    }
  });

  it('survive projected gradient ascent on plane − xy and touch xy at three corners', () => {
    const rng = new Rng(5);
    for (const [lx, ux, ly, uy] of boxes(2)) {
      const r = relaxBilinear(lx, ux, ly, uy);
      const at = `[${lx}, ${ux}]×[${ly}, ${uy}]`;
      for (const side of [1, -1] as const) {
        const p = side > 0 ? r.lower : r.upper;
        for (let s = 0; s < 6; s++) {
          let x = lx + (ux - lx) * rng.next();
          let y = ly + (uy - ly) * rng.next();
          let hx = (ux - lx) / 4;
          let hy = (uy - ly) / 4;
          for (let k = 0; k < 40; k++) {
            // ascend side·(plane − xy): gradient side·(a − y, b − x)
            x = Math.min(ux, Math.max(lx, x + Math.sign(side * (p.a - y)) * hx));
            y = Math.min(uy, Math.max(ly, y + Math.sign(side * (p.b - x)) * hy));
            hx *= 0.8;
            hy *= 0.8;
          }
          checkPoint(r, x, y, `${at} (attack)`);
        }
      }
      // tightness: the lower plane equals xy at (lx, ly), (lx, uy), (ux, ly) up to the rounding allowance
      if ([lx, ux, ly, uy].every((v) => Math.abs(v) < 1e100 && Math.abs(v) > 1e-100)) {
        const m = Math.max(Math.abs(lx), Math.abs(ux)) * Math.max(Math.abs(ly), Math.abs(uy));
        for (const [x, y] of [
          [lx, ly],
          [lx, uy],
          [ux, ly],
        ] as const) {
          const gap = x * y - (r.lower.a * x + r.lower.b * y + r.lower.c);
          assert.ok(gap <= 8 * 2 ** -52 * m + 1e-300, `${at}: lower plane ${gap} below xy at (${x}, ${y})`);
        }
      }
    }
  });
});

// ---- lowered MatMul and Softmax as bound graphs ----

interface Built {
  g: BoundGraph;
  out: Sym;
  /** The graph ops' forward pass on the flat input. */
  f: (x: Float64Array) => Float64Array;
  N: number;
}

const node = (op: string, attrs: GNode['attrs'] = {}): GNode => ({ op, name: op.toLowerCase(), inputs: ['a', 'b'], outputs: ['y'], attrs });
const env = { opset: 13 };
const noRefuse = (why: string): never => {
  throw new Error(why);
};

/** Input slices [off, off + numel(shape)) as symbolic values. */
function slices(g: BoundGraph, shapes: number[][]): Sym[] {
  let off = 0;
  return shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const id = g.input(off, n, `x${off}`);
    off += n;
    return nodeSym(id, s);
  });
}
function ndSlices(x: Float64Array, shapes: number[][]): Nd[] {
  let off = 0;
  return shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const v = nd(s, x.slice(off, off + n));
    off += n;
    return v;
  });
}
const total = (shapes: number[][]) => shapes.reduce((t, s) => t + s.reduce((a, b) => a * b, 1), 0);

function matmulCase(sa: number[], sb: number[]): Built {
  const shapes = [sa, sb];
  const N = total(shapes);
  const g = new BoundGraph(N);
  const [a, b] = slices(g, shapes);
  const out = lowerMatMul(g, 'test', node('MatMul'), a!, b!, noRefuse);
  return { g, out, N, f: (x) => GRAPH_OPS.MatMul!.forward(ndSlices(x, shapes), node('MatMul'), env).outs[0]!.data };
}

function softmaxCase(shape: number[], axis: number, log: boolean, opset = 13): Built {
  const N = total([shape]);
  const g = new BoundGraph(N);
  const [x] = slices(g, [shape]);
  const n = node(log ? 'LogSoftmax' : 'Softmax', { axis });
  const out = lowerSoftmax(g, 'test', n, x!, { opset });
  return { g, out, N, f: (v) => GRAPH_OPS[n.op]!.forward(ndSlices(v, [shape]), n, { opset }).outs[0]!.data };
}

/** Attention: softmax(Q·Kᵀ)·V with Q, K [T, d], V [T, dv] all inputs. */
function attentionCase(T: number, d: number, dv: number): Built {
  const shapes = [[T, d], [d, T], [T, dv]];
  const N = total(shapes);
  const g = new BoundGraph(N);
  const [q, kt, v] = slices(g, shapes);
  const s = lowerMatMul(g, 'test', node('MatMul'), q!, kt!, noRefuse);
  const w = lowerSoftmax(g, 'test', node('Softmax', { axis: -1 }), s, env);
  const out = lowerMatMul(g, 'test', node('MatMul'), w, v!, noRefuse);
  const f = (x: Float64Array): Float64Array => {
    const [Q, K, V] = ndSlices(x, shapes);
    const S = GRAPH_OPS.MatMul!.forward([Q!, K!], node('MatMul'), env).outs[0]!;
    const W = GRAPH_OPS.Softmax!.forward([S], node('Softmax', { axis: -1 }), env).outs[0]!;
    return GRAPH_OPS.MatMul!.forward([W, V!], node('MatMul'), env).outs[0]!.data;
  };
  return { g, out, N, f };
}

function bounds(c: Built, centre: Float64Array, eps: number, method: Method) {
  const region = ballRegion(centre, 1, c.N, { kind: 'ball', norm: 'linf', eps });
  const prop = propagate(c.g, region, { method });
  const m = c.out.ref.length;
  const lo = new Float64Array(m);
  const hi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const id = c.out.ref[i]!;
    const j = c.out.idx[i]!;
    let l = prop.boxes[id]!.lo[j]!;
    let h = prop.boxes[id]!.hi[j]!;
    if (method !== 'ibp') {
      const lin = concretizeRegion(backSubstitute(prop, id), region);
      l = Math.max(l, lin.lo[j]!);
      h = Math.min(h, lin.hi[j]!);
    }
    lo[i] = l;
    hi[i] = h;
  }
  return { lo, hi };
}

/** Extremes of every output over the ball: random points, corners, PGD (finite-difference gradients). */
function attacked(c: Built, centre: Float64Array, eps: number, rng: Rng): { min: Float64Array; max: Float64Array } {
  const m = c.out.ref.length;
  const min = new Float64Array(m).fill(Infinity);
  const max = new Float64Array(m).fill(-Infinity);
  const see = (x: Float64Array) => {
    const y = c.f(x);
    for (let i = 0; i < m; i++) {
      min[i] = Math.min(min[i]!, y[i]!);
      max[i] = Math.max(max[i]!, y[i]!);
    }
  };
  const clamp = (x: Float64Array) => x.map((v, i) => Math.min(centre[i]! + eps, Math.max(centre[i]! - eps, v)));
  see(centre);
  for (let k = 0; k < 40; k++) see(clamp(centre.map((v) => v + eps * (2 * rng.next() - 1))));
  for (let k = 0; k < 20; k++) see(centre.map((v) => v + (rng.next() < 0.5 ? -eps : eps)));
  if (eps === 0) return { min, max };
  const h = 1e-7;
  for (let i = 0; i < m; i++)
    for (const side of [1, -1]) {
      for (let r = 0; r < 2; r++) {
        let x = r === 0 ? centre.slice() : clamp(centre.map((v) => v + eps * (2 * rng.next() - 1)));
        let step = eps / 2;
        for (let k = 0; k < 25; k++) {
          const y0 = c.f(x)[i]!;
          const gx = x.map((v, j) => {
            const xp = x.slice();
            xp[j] = v + h;
            return (c.f(xp)[i]! - y0) / h;
          });
          x = clamp(x.map((v, j) => v + side * step * Math.sign(gx[j]!)));
          see(x);
          step *= 0.85;
        }
      }
    }
  return { min, max };
}

const CASES: [string, () => Built, number][] = [
  ['MatMul [2,3]·[3,2]', () => matmulCase([2, 3], [3, 2]), 1],
  ['MatMul with batch broadcast [2,2,3]·[3,2]', () => matmulCase([2, 2, 3], [3, 2]), 1],
  ['MatMul of a vector [3]·[3,2]', () => matmulCase([3], [3, 2]), 1],
  ['Softmax over the last axis [2,4]', () => softmaxCase([2, 4], -1, false), 2],
  ['Softmax over axis 0 [3,2]', () => softmaxCase([3, 2], 0, false), 2],
  ['Softmax of large logits [1,5]', () => softmaxCase([1, 5], -1, false), 60],
  ['Softmax at opset 11 (flattened from axis 1) [1,2,3]', () => softmaxCase([1, 2, 3], 1, false, 11), 2],
  ['LogSoftmax over the last axis [2,3]', () => softmaxCase([2, 3], -1, true), 2],
  ['attention softmax(Q·Kᵀ)·V, T = 3', () => attentionCase(3, 2, 2), 1],
];

describe('lowered MatMul, Softmax and LogSoftmax bounds', () => {
  for (const [name, make, scale] of CASES) {
    it(`${name}: IBP and CROWN contain the forward pass under sampling and PGD`, () => {
      const c = make();
      const rng = new Rng(name.length);
      for (const eps of [0, 0.001, 0.01, 0.05, 0.3]) {
        const centre = Float64Array.from({ length: c.N }, () => scale * rng.normal(0, 1));
        const obs = attacked(c, centre, eps, rng);
        const ibp = bounds(c, centre, eps, 'ibp');
        const crown = bounds(c, centre, eps, 'crown');
        for (let i = 0; i < obs.min.length; i++) {
          for (const [m, b] of [
            ['ibp', ibp],
            ['crown', crown],
          ] as const) {
            const at = `${name} ε=${eps} ${m} output ${i}`;
            assert.ok(b.lo[i]! <= obs.min[i]! && obs.max[i]! <= b.hi[i]!, `${at}: observed [${obs.min[i]}, ${obs.max[i]}] outside [${b.lo[i]}, ${b.hi[i]}]`);
            if (name.startsWith('Softmax'))
              assert.ok(b.lo[i]! >= 0 && b.hi[i]! <= 1, `${at}: softmax bounds [${b.lo[i]}, ${b.hi[i]}] leave [0, 1]`);
            if (eps === 0) assert.ok(b.hi[i]! - b.lo[i]! <= 1e-12 * (1 + Math.abs(obs.max[i]!)), `${at}: width ${b.hi[i]! - b.lo[i]!} at ε = 0`);
          }
          assert.ok(crown.hi[i]! - crown.lo[i]! <= ibp.hi[i]! - ibp.lo[i]! + 1e-15, `${name} ε=${eps} output ${i}: CROWN looser than IBP`);
        }
      }
    });
  }
});
