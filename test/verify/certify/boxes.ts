/** Random input intervals of every kind the certifier meets, for the relaxation tests. */
import { Rng } from '../../../src/core/rng.js';

export function randomIntervals(seed: number, count: number): [number, number][] {
  const r = new Rng(seed);
  const out: [number, number][] = [
    [0, 0],
    [-1e-12, 1e-12],
    [-50, 50],
    [-50, -49.9],
    [49.9, 50],
    [-3, 0],
    [0, 3],
    [-0.5, 40],
    [-40, 0.5],
    [1.3169578969248166, 1.3169578969248166],
    [0.6584789484624084, 0.66],
    [-1e-300, 1e-300],
    [-20, -19],
    [19, 50],
  ];
  while (out.length < count) {
    const kind = r.int(7);
    const c = kind === 6 ? r.uniform(-50, 50) : r.normal(0, 3);
    let w: number;
    if (kind === 0)
      w = 0; // a point
    else if (kind === 1)
      w = 10 ** r.uniform(-12, -6); // tiny widths
    else if (kind === 2)
      w = r.uniform(0, 0.5); // narrow
    else if (kind === 3)
      w = r.uniform(0.5, 8); // wide
    else if (kind === 4)
      w = r.uniform(8, 100); // very wide
    else w = r.uniform(0, 10);
    let l = c - w * r.next();
    let u = l + w;
    if (kind === 5) {
      // straddling 0 on purpose
      l = -r.uniform(0, 5);
      u = r.uniform(0, 5);
    }
    out.push([Math.max(-50, Math.min(l, 50)), Math.min(50, Math.max(u, -50))]);
  }
  return out;
}

/** A dense grid, random points and the ends of [l, u]. */
export function probePoints(r: Rng, l: number, u: number, grid: number, random: number): number[] {
  const xs = [l, u, l + (u - l) / 2, 0, -0.6584789484624084, 0.6584789484624084].filter(
    (x) => x >= l && x <= u,
  );
  for (let i = 0; i <= grid; i++) xs.push(l + ((u - l) * i) / grid);
  for (let i = 0; i < random; i++) xs.push(l + (u - l) * r.next());
  return xs.map((x) => Math.min(u, Math.max(l, x)));
}

/**
 * Maximises v over [l, u] adversarially: golden-section search on each of `pieces` sub-intervals
 * (v is unimodal on small enough pieces for these smooth functions), returning the best point.
 */
export function attackMax1D(
  v: (x: number) => number,
  l: number,
  u: number,
  pieces: number,
): number {
  let best = l;
  let bestV = v(l);
  const consider = (x: number): void => {
    const vx = v(x);
    if (vx > bestV) {
      bestV = vx;
      best = x;
    }
  };
  consider(u);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < pieces; k++) {
    let a = l + ((u - l) * k) / pieces;
    let b = l + ((u - l) * (k + 1)) / pieces;
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = v(c);
    let fd = v(d);
    for (let it = 0; it < 60 && b - a > 0; it++) {
      if (fc > fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = v(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = v(d);
      }
    }
    for (const x of [a, b, c, d]) consider(Math.min(u, Math.max(l, x)));
  }
  return best;
}
