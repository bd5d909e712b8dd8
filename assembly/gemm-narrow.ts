// Narrow row tiles of the per-step GEMMs: the last 1 or 2 rows of a block (a batch of one
// sequence, or a thread's share of 50 rows ending in 2) would otherwise run the 4×8 kernel with
// its unused rows recomputing row 0, at a quarter or half of its useful rate. These kernels cover
// 1 row × 4 panels (32 columns) or 2 rows × 2 panels (16 columns) instead, again eight
// accumulators and one multiply-add per accumulator per k, so they run at the full rate.
// Every output element gets exactly the operations the 4×8 kernels give it (start value, then
// c = madd(a_k, b_k, c) for k in order, then the same store or add into C), so a row's result does
// not depend on which tile, block or thread computed it.
import { NR, madd } from './gemm';

/**
 * Step tile, 1 row × 4 panels: C[0, 32 columns] = bias + x·Bp[0:K1] + h·Bp[K1:K1+K2] for the
 * 4 consecutive full panels starting at pb (panel stride ps bytes). pBias = 0: no bias.
 */
export function step1x32(K1: i32, x: usize, K2: i32, h: usize, pb: usize, ps: usize, pBias: usize, pC: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  if (pBias) {
    c0 = v128.load(pBias); c1 = v128.load(pBias, 16); c2 = v128.load(pBias, 32); c3 = v128.load(pBias, 48);
    c4 = v128.load(pBias, 64); c5 = v128.load(pBias, 80); c6 = v128.load(pBias, 96); c7 = v128.load(pBias, 112);
  }
  const p1 = ps, p2 = 2 * ps, p3 = 3 * ps;
  for (let k = 0; k < K1; k++) {
    const a = v128.load32_splat(x);
    c0 = madd(a, v128.load(pb), c0);
    c1 = madd(a, v128.load(pb, 16), c1);
    c2 = madd(a, v128.load(pb + p1), c2);
    c3 = madd(a, v128.load(pb + p1, 16), c3);
    c4 = madd(a, v128.load(pb + p2), c4);
    c5 = madd(a, v128.load(pb + p2, 16), c5);
    c6 = madd(a, v128.load(pb + p3), c6);
    c7 = madd(a, v128.load(pb + p3, 16), c7);
    x += 4;
    pb += 32;
  }
  for (let k = 0; k < K2; k++) {
    const a = v128.load32_splat(h);
    c0 = madd(a, v128.load(pb), c0);
    c1 = madd(a, v128.load(pb, 16), c1);
    c2 = madd(a, v128.load(pb + p1), c2);
    c3 = madd(a, v128.load(pb + p1, 16), c3);
    c4 = madd(a, v128.load(pb + p2), c4);
    c5 = madd(a, v128.load(pb + p2, 16), c5);
    c6 = madd(a, v128.load(pb + p3), c6);
    c7 = madd(a, v128.load(pb + p3, 16), c7);
    h += 4;
    pb += 32;
  }
  v128.store(pC, c0); v128.store(pC, c1, 16); v128.store(pC, c2, 32); v128.store(pC, c3, 48);
  v128.store(pC, c4, 64); v128.store(pC, c5, 80); v128.store(pC, c6, 96); v128.store(pC, c7, 112);
}

/** Step tile, 2 rows × 2 panels (rows x0/h0 and x1/h1, C rows pC and pC + rs bytes). */
export function step2x16(K1: i32, x0: usize, x1: usize, K2: i32, h0: usize, h1: usize, pb: usize, ps: usize,
  pBias: usize, pC: usize, rs: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  if (pBias) {
    c0 = v128.load(pBias); c1 = v128.load(pBias, 16); c2 = v128.load(pBias, 32); c3 = v128.load(pBias, 48);
  }
  let d0 = c0, d1 = c1, d2 = c2, d3 = c3;
  for (let k = 0; k < K1; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const b2 = v128.load(pb + ps), b3 = v128.load(pb + ps, 16);
    let a = v128.load32_splat(x0);
    c0 = madd(a, b0, c0); c1 = madd(a, b1, c1); c2 = madd(a, b2, c2); c3 = madd(a, b3, c3);
    a = v128.load32_splat(x1);
    d0 = madd(a, b0, d0); d1 = madd(a, b1, d1); d2 = madd(a, b2, d2); d3 = madd(a, b3, d3);
    x0 += 4; x1 += 4;
    pb += 32;
  }
  for (let k = 0; k < K2; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const b2 = v128.load(pb + ps), b3 = v128.load(pb + ps, 16);
    let a = v128.load32_splat(h0);
    c0 = madd(a, b0, c0); c1 = madd(a, b1, c1); c2 = madd(a, b2, c2); c3 = madd(a, b3, c3);
    a = v128.load32_splat(h1);
    d0 = madd(a, b0, d0); d1 = madd(a, b1, d1); d2 = madd(a, b2, d2); d3 = madd(a, b3, d3);
    h0 += 4; h1 += 4;
    pb += 32;
  }
  v128.store(pC, c0); v128.store(pC, c1, 16); v128.store(pC, c2, 32); v128.store(pC, c3, 48);
  const q = pC + rs;
  v128.store(q, d0); v128.store(q, d1, 16); v128.store(q, d2, 32); v128.store(q, d3, 48);
}

/** Accumulating tile, 1 row × 4 panels: C[0, 32 columns] += a[0:kc] · (4 panels from pb). */
export function acc1x32(kc: i32, a0: usize, pb: usize, ps: usize, pC: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const p1 = ps, p2 = 2 * ps, p3 = 3 * ps;
  for (let k = 0; k < kc; k++) {
    const a = v128.load32_splat(a0);
    c0 = madd(a, v128.load(pb), c0);
    c1 = madd(a, v128.load(pb, 16), c1);
    c2 = madd(a, v128.load(pb + p1), c2);
    c3 = madd(a, v128.load(pb + p1, 16), c3);
    c4 = madd(a, v128.load(pb + p2), c4);
    c5 = madd(a, v128.load(pb + p2, 16), c5);
    c6 = madd(a, v128.load(pb + p3), c6);
    c7 = madd(a, v128.load(pb + p3, 16), c7);
    a0 += 4;
    pb += 32;
  }
  v128.store(pC, f32x4.add(v128.load(pC), c0)); v128.store(pC, f32x4.add(v128.load(pC, 16), c1), 16);
  v128.store(pC, f32x4.add(v128.load(pC, 32), c2), 32); v128.store(pC, f32x4.add(v128.load(pC, 48), c3), 48);
  v128.store(pC, f32x4.add(v128.load(pC, 64), c4), 64); v128.store(pC, f32x4.add(v128.load(pC, 80), c5), 80);
  v128.store(pC, f32x4.add(v128.load(pC, 96), c6), 96); v128.store(pC, f32x4.add(v128.load(pC, 112), c7), 112);
}

/** Accumulating tile, 2 rows × 2 panels: rows a0 and a1 of A, C rows pC and pC + rs bytes. */
export function acc2x16(kc: i32, a0: usize, a1: usize, pb: usize, ps: usize, pC: usize, rs: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let d0 = c0, d1 = c1, d2 = c2, d3 = c3;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const b2 = v128.load(pb + ps), b3 = v128.load(pb + ps, 16);
    let a = v128.load32_splat(a0);
    c0 = madd(a, b0, c0); c1 = madd(a, b1, c1); c2 = madd(a, b2, c2); c3 = madd(a, b3, c3);
    a = v128.load32_splat(a1);
    d0 = madd(a, b0, d0); d1 = madd(a, b1, d1); d2 = madd(a, b2, d2); d3 = madd(a, b3, d3);
    a0 += 4; a1 += 4;
    pb += 32;
  }
  v128.store(pC, f32x4.add(v128.load(pC), c0)); v128.store(pC, f32x4.add(v128.load(pC, 16), c1), 16);
  v128.store(pC, f32x4.add(v128.load(pC, 32), c2), 32); v128.store(pC, f32x4.add(v128.load(pC, 48), c3), 48);
  const q = pC + rs;
  v128.store(q, f32x4.add(v128.load(q), d0)); v128.store(q, f32x4.add(v128.load(q, 16), d1), 16);
  v128.store(q, f32x4.add(v128.load(q, 32), d2), 32); v128.store(q, f32x4.add(v128.load(q, 48), d3), 48);
}

/** Full 8-column panels of an N-column matrix. */
// @ts-ignore: decorator
@inline
export function fullPanels(N: i32): i32 {
  return N / NR;
}
