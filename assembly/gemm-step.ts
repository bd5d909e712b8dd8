// Per-step GEMMs of the recurrent kernels: B (the weights) is packed once per layer call, A (the
// rows of x_t, h_{t−1} or dA_t) is read in place through four row pointers, because it changes
// every step and is read only N/8 times (packing it would cost about as much as using it).
import { MR, NR, madd } from './gemm';
import { acc1x32, acc2x16, fullPanels, step1x32, step2x16 } from './gemm-narrow';

/**
 * The 4×8 micro-kernel reading A straight from four row pointers (no packing): used per step,
 * where A (h or dA rows) changes every step and is read only N/8 times.
 */
// @ts-ignore: decorator
@inline
function micro4x8rows(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, pb: usize, pC: usize, ldc: i32, mr: i32, nr: i32, scratch: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(a0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(a1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(a2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(a3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    pb += 32;
  }
  const rs = (<usize>ldc) << 2;
  if (mr == MR && nr == NR) {
    let p = pC;
    v128.store(p, f32x4.add(v128.load(p), c00)); v128.store(p, f32x4.add(v128.load(p, 16), c01), 16);
    p += rs;
    v128.store(p, f32x4.add(v128.load(p), c10)); v128.store(p, f32x4.add(v128.load(p, 16), c11), 16);
    p += rs;
    v128.store(p, f32x4.add(v128.load(p), c20)); v128.store(p, f32x4.add(v128.load(p, 16), c21), 16);
    p += rs;
    v128.store(p, f32x4.add(v128.load(p), c30)); v128.store(p, f32x4.add(v128.load(p, 16), c31), 16);
    return;
  }
  v128.store(scratch, c00); v128.store(scratch, c01, 16);
  v128.store(scratch, c10, 32); v128.store(scratch, c11, 48);
  v128.store(scratch, c20, 64); v128.store(scratch, c21, 80);
  v128.store(scratch, c30, 96); v128.store(scratch, c31, 112);
  for (let i = 0; i < mr; i++) {
    const crow = pC + <usize>i * rs;
    const srow = scratch + ((<usize>(i * NR)) << 2);
    for (let j = 0; j < nr; j++) {
      const o = (<usize>j) << 2;
      store<f32>(crow + o, load<f32>(crow + o) + load<f32>(srow + o));
    }
  }
}

/** Blocks of gemm_acc_packed: MB rows × KB deep of A (32 × 128 floats, 16 KB) stay in L1. */
const MB: i32 = 32;
const KB: i32 = 128;

/**
 * C[M × N] += A[M × K] · Bp with A row-major (row stride lda) and Bp = pack_b of all K rows
 * (the recurrent weight, packed once per layer call and reused at every step).
 * A is walked in blocks of MB rows × KB columns, each block used by every 8-column panel while it
 * sits in L1: the backward step (A = dA_t, K = G·H up to 512+ deep) and the tall dx = dA·Wᵀ
 * (A = all T·B rows) otherwise re-read A from L2 or memory once per panel.
 * work: 32 floats of scratch (edge tiles).
 */
export function gemm_acc_packed(M: i32, N: i32, K: i32, pA: usize, lda: i32, pBp: usize, pC: usize, ldc: i32, work: usize): void {
  if (K == 0) return;
  const rs = (<usize>lda) << 2;
  const npan = (N + NR - 1) / NR;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const m1 = min(M, m0 + MB);
    for (let k0 = 0; k0 < K; k0 += KB) {
      const kc = min(KB, K - k0);
      const ak = (<usize>k0) << 2;
      for (let q = 0; q < npan; q++) {
        const nr = min(NR, N - q * NR);
        const bq = pBp + ((<usize>(q * K * NR + k0 * NR)) << 2);
        // the last 1 or 2 rows of the block go to the narrow tiles below (full panels only)
        const iEnd = narrowRows(m1 - m0, nr) ? m0 + ((m1 - m0) & ~3) : m1;
        for (let i0 = m0; i0 < iEnd; i0 += MR) {
          const mr = min(MR, m1 - i0);
          const a0 = pA + <usize>i0 * rs + ak;
          // rows past the block read row i0 again; the edge store drops them
          const a1 = mr > 1 ? a0 + rs : a0;
          const a2 = mr > 2 ? a0 + 2 * rs : a0;
          const a3 = mr > 3 ? a0 + 3 * rs : a0;
          micro4x8rows(kc, a0, a1, a2, a3, bq, pC + ((<usize>(i0 * ldc + q * NR)) << 2), ldc, mr, nr, work);
        }
      }
      const rem = (m1 - m0) & 3;
      if (rem == 1 || rem == 2) {
        const i0 = m1 - rem;
        const a0 = pA + <usize>i0 * rs + ak;
        const ps = (<usize>(K * NR)) << 2;
        const full = fullPanels(N);
        const step = rem == 1 ? 4 : 2;
        for (let q = 0; q + step <= full; q += step) {
          const bq = pBp + ((<usize>(q * K * NR + k0 * NR)) << 2);
          const c = pC + ((<usize>(i0 * ldc + q * NR)) << 2);
          if (rem == 1) acc1x32(kc, a0, bq, ps, c);
          else acc2x16(kc, a0, a0 + rs, bq, ps, c, (<usize>ldc) << 2);
        }
        // full panels left over from the groups of `step`: the 4×8 kernel
        for (let q = full - (full % step); q < full; q++) {
          const bq = pBp + ((<usize>(q * K * NR + k0 * NR)) << 2);
          micro4x8rows(kc, a0, rem > 1 ? a0 + rs : a0, a0, a0, bq, pC + ((<usize>(i0 * ldc + q * NR)) << 2), ldc, rem, NR, work);
        }
      }
    }
  }
}

/**
 * Whether the last 1 or 2 rows of an M-row block in a panel of nr columns go to the narrow tiles:
 * only in full panels (the partial last panel keeps the 4×8 kernel with its edge store).
 */
// @ts-ignore: decorator
@inline
function narrowRows(M: i32, nr: i32): bool {
  const rem = M & 3;
  return nr == NR && (rem == 1 || rem == 2);
}

/**
 * Packs the row-stacked matrix [B1; B2] (K1 + K2 rows, N columns, both row-major with their own
 * row strides) into 8-column panels of depth K1 + K2: the recurrent step's [W; U].
 */
export function pack_b_stacked(K1: i32, pB1: usize, ldb1: i32, K2: i32, pB2: usize, ldb2: i32, N: i32, dst: usize): void {
  const K = K1 + K2;
  const panels = (N + NR - 1) / NR;
  for (let p = 0; p < panels; p++) {
    const j0 = p * NR;
    const nr = min(NR, N - j0);
    let d = dst + ((<usize>(p * K * NR)) << 2);
    for (let k = 0; k < K; k++) {
      const row = k < K1 ? pB1 + ((<usize>(k * ldb1 + j0)) << 2) : pB2 + ((<usize>((k - K1) * ldb2 + j0)) << 2);
      for (let j = 0; j < NR; j++) store<f32>(d + ((<usize>j) << 2), j < nr ? load<f32>(row + ((<usize>j) << 2)) : 0);
      d += 32;
    }
  }
}

/**
 * The 4×8 step micro-kernel: accumulators start at the bias, run over the first A segment
 * (x_t rows, K1 deep) and then the second (h rows, K2 deep) against one stacked panel, and the
 * tile is stored (overwriting C). All in registers.
 */
// @ts-ignore: decorator
@inline
function microStep(K1: i32, x0: usize, x1: usize, x2: usize, x3: usize, K2: i32, h0: usize, h1: usize, h2: usize, h3: usize,
  pb: usize, bias0: v128, bias1: v128, pC: usize, ldc: i32, mr: i32, nr: i32, scratch: usize): void {
  let c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1;
  let c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
  for (let k = 0; k < K1; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(x0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(x1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(x2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(x3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    x0 += 4; x1 += 4; x2 += 4; x3 += 4;
    pb += 32;
  }
  for (let k = 0; k < K2; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(h0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(h1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(h2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(h3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    h0 += 4; h1 += 4; h2 += 4; h3 += 4;
    pb += 32;
  }
  const rs = (<usize>ldc) << 2;
  if (mr == MR && nr == NR) {
    let p = pC;
    v128.store(p, c00); v128.store(p, c01, 16);
    p += rs;
    v128.store(p, c10); v128.store(p, c11, 16);
    p += rs;
    v128.store(p, c20); v128.store(p, c21, 16);
    p += rs;
    v128.store(p, c30); v128.store(p, c31, 16);
    return;
  }
  v128.store(scratch, c00); v128.store(scratch, c01, 16);
  v128.store(scratch, c10, 32); v128.store(scratch, c11, 48);
  v128.store(scratch, c20, 64); v128.store(scratch, c21, 80);
  v128.store(scratch, c30, 96); v128.store(scratch, c31, 112);
  for (let i = 0; i < mr; i++) {
    const crow = pC + <usize>i * rs;
    const srow = scratch + ((<usize>(i * NR)) << 2);
    for (let j = 0; j < nr; j++) store<f32>(crow + ((<usize>j) << 2), load<f32>(srow + ((<usize>j) << 2)));
  }
}

/**
 * One recurrent step's pre-activations, written (not accumulated) into C [M × N]:
 *   C = bias + A1[M × K1] · Bp[0:K1] + A2[M × K2] · Bp[K1:K1+K2]
 * with A1 = x_t rows, A2 = h_{t−1} rows and Bp = pack_b_stacked([W; U]) — so the bias, the input
 * projection and h·U make one pass over C instead of three. pBias = 0: no bias; K1 or K2 may be 0.
 * scratch: 32 floats (edge tiles).
 */
export function gemm_step(M: i32, N: i32, K1: i32, pA1: usize, lda1: i32, K2: i32, pA2: usize, lda2: i32,
  pBp: usize, pBias: usize, pC: usize, ldc: i32, scratch: usize): void {
  const K = K1 + K2;
  const rs1 = (<usize>lda1) << 2, rs2 = (<usize>lda2) << 2;
  const npan = (N + NR - 1) / NR;
  for (let q = 0; q < npan; q++) {
    const nr = min(NR, N - q * NR);
    const bq = pBp + ((<usize>(q * K * NR)) << 2);
    // bias of this panel's 8 columns (arena buffers are padded, so reading 8 is safe)
    const bias0 = pBias ? v128.load(pBias + ((<usize>(q * NR)) << 2)) : f32x4.splat(0);
    const bias1 = pBias ? v128.load(pBias + ((<usize>(q * NR)) << 2), 16) : f32x4.splat(0);
    // the last 1 or 2 rows go to the narrow tiles below (full panels only)
    const iEnd = narrowRows(M, nr) ? M & ~3 : M;
    for (let i0 = 0; i0 < iEnd; i0 += MR) {
      const mr = min(MR, M - i0);
      // rows past M read row i0 again; the edge store drops them
      const x0 = pA1 + <usize>i0 * rs1;
      const h0 = pA2 + <usize>i0 * rs2;
      microStep(
        K1, x0, mr > 1 ? x0 + rs1 : x0, mr > 2 ? x0 + 2 * rs1 : x0, mr > 3 ? x0 + 3 * rs1 : x0,
        K2, h0, mr > 1 ? h0 + rs2 : h0, mr > 2 ? h0 + 2 * rs2 : h0, mr > 3 ? h0 + 3 * rs2 : h0,
        bq, bias0, bias1, pC + ((<usize>(i0 * ldc + q * NR)) << 2), ldc, mr, nr, scratch,
      );
    }
  }
  const rem = M & 3;
  if (rem != 1 && rem != 2) return;
  const i0 = M - rem;
  const x0 = pA1 + <usize>i0 * rs1, h0 = pA2 + <usize>i0 * rs2;
  const x1 = rem > 1 ? x0 + rs1 : x0, h1 = rem > 1 ? h0 + rs2 : h0;
  const ps = (<usize>(K * NR)) << 2;
  const full = fullPanels(N);
  const step = rem == 1 ? 4 : 2;
  for (let q = 0; q + step <= full; q += step) {
    const bq = pBp + ((<usize>(q * K * NR)) << 2);
    const bias = pBias ? pBias + ((<usize>(q * NR)) << 2) : 0;
    const c = pC + ((<usize>(i0 * ldc + q * NR)) << 2);
    if (rem == 1) step1x32(K1, x0, K2, h0, bq, ps, bias, c);
    else step2x16(K1, x0, x1, K2, h0, h1, bq, ps, bias, c, (<usize>ldc) << 2);
  }
  // full panels left over from the groups of `step`: the 4×8 kernel
  for (let q = full - (full % step); q < full; q++) {
    const bq = pBp + ((<usize>(q * K * NR)) << 2);
    const bias0 = pBias ? v128.load(pBias + ((<usize>(q * NR)) << 2)) : f32x4.splat(0);
    const bias1 = pBias ? v128.load(pBias + ((<usize>(q * NR)) << 2), 16) : f32x4.splat(0);
    microStep(K1, x0, x1, x0, x0, K2, h0, h1, h0, h0, bq, bias0, bias1, pC + ((<usize>(i0 * ldc + q * NR)) << 2), ldc, rem, NR, scratch);
  }
}
