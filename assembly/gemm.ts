// GEMM kernels: C = alpha · op(A) · op(B) + beta · C, f32, row-major, f32x4 SIMD.
//
// Structure (GotoBLAS style, sized for one core of a small x86 VM):
// - op(B) is packed into panels of NR = 8 columns: for each k, the 8 values B[k, j..j+7]
//   are contiguous (zero-padded past N), so the micro-kernel reads two v128 per k.
// - op(A) is packed into panels of MR = 4 rows: for each k, the 4 values A[i..i+3, k] are
//   contiguous (zero-padded past M), read with four load32_splat per k.
// - The 4×8 micro-kernel keeps 8 accumulators (32 floats) in registers: 11 live v128 values,
//   which fits in the 16 xmm registers V8 uses on x64 without spilling.
// - Cache blocking: KC × NC block of packed B (256 KiB, half of a 1 MiB L2), MC × KC block of packed A.
//
// No heap allocation and no static data: every buffer is a pointer passed in by the host
// (with shared memory, each instance would re-initialise data segments).

/**
 * c + a·b per lane. With relaxed SIMD (the kernels-relaxed.wasm build) one fused multiply-add:
 * the micro-kernel is limited by instruction issue, not by the FP units, so halving the FP
 * instructions makes it about 20% faster. The choice is made at compile time.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

export const MR: i32 = 4;
export const NR: i32 = 8;
const KC: i32 = 256;
const NC: i32 = 256;
const MC: i32 = 64;

/** Floats of scratch `gemm` needs: one packed B block and one packed A block. */
export function gemm_work_size(): i32 {
  return KC * NC + MC * KC + 64;
}

/** Floats of a packed op(B) with all K rows: ceil(N / 8) panels of K × 8. */
export function packed_b_size(K: i32, N: i32): i32 {
  return ((N + NR - 1) / NR) * NR * K;
}

/**
 * Packs op(B)[k0 .. k0+kc, n0 .. n0+nc] into 8-column panels at `dst`
 * (panel p starts at dst + p·kc·8 floats). op(B)[k, n] = transB ? B[n·ldb + k] : B[k·ldb + n].
 */
export function pack_b(transB: i32, kc: i32, nc: i32, pB: usize, ldb: i32, k0: i32, n0: i32, dst: usize): void {
  const panels = (nc + NR - 1) / NR;
  for (let p = 0; p < panels; p++) {
    const j0 = n0 + p * NR;
    const nr = min(NR, n0 + nc - j0);
    let d = dst + ((<usize>(p * kc * NR)) << 2);
    if (!transB && nr == NR) {
      // fast path: two vector copies per k
      let s = pB + ((<usize>(k0 * ldb + j0)) << 2);
      const step = (<usize>ldb) << 2;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += step;
        d += 32;
      }
      continue;
    }
    for (let k = 0; k < kc; k++) {
      for (let j = 0; j < NR; j++) {
        let v: f32 = 0;
        if (j < nr) {
          const kk = k0 + k;
          const nn = j0 + j;
          v = transB ? load<f32>(pB + ((<usize>(nn * ldb + kk)) << 2)) : load<f32>(pB + ((<usize>(kk * ldb + nn)) << 2));
        }
        store<f32>(d + ((<usize>j) << 2), v);
      }
      d += 32;
    }
  }
}

/**
 * Packs op(A)[m0 .. m0+mc, k0 .. k0+kc] into 4-row panels at `dst` (panel p at dst + p·kc·4).
 * op(A)[i, k] = transA ? A[k·lda + i] : A[i·lda + k].
 */
export function pack_a(transA: i32, mc: i32, kc: i32, pA: usize, lda: i32, m0: i32, k0: i32, dst: usize): void {
  const panels = (mc + MR - 1) / MR;
  for (let p = 0; p < panels; p++) {
    const i0 = m0 + p * MR;
    const mr = min(MR, m0 + mc - i0);
    let d = dst + ((<usize>(p * kc * MR)) << 2);
    if (!transA && mr == MR) {
      const r0 = pA + ((<usize>(i0 * lda + k0)) << 2);
      const rs = (<usize>lda) << 2;
      for (let k = 0; k < kc; k++) {
        const o = (<usize>k) << 2;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r0 + rs + o), 4);
        store<f32>(d, load<f32>(r0 + 2 * rs + o), 8);
        store<f32>(d, load<f32>(r0 + 3 * rs + o), 12);
        d += 16;
      }
      continue;
    }
    if (transA && mr == MR) {
      // the 4 row values of one k are contiguous in A: one vector copy
      let s = pA + ((<usize>(k0 * lda + i0)) << 2);
      const step = (<usize>lda) << 2;
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(s));
        s += step;
        d += 16;
      }
      continue;
    }
    for (let k = 0; k < kc; k++) {
      for (let r = 0; r < MR; r++) {
        let v: f32 = 0;
        if (r < mr) {
          const ii = i0 + r;
          const kk = k0 + k;
          v = transA ? load<f32>(pA + ((<usize>(kk * lda + ii)) << 2)) : load<f32>(pA + ((<usize>(ii * lda + kk)) << 2));
        }
        store<f32>(d + ((<usize>r) << 2), v);
      }
      d += 16;
    }
  }
}

/**
 * The 4×8 micro-kernel: C[0..mr, 0..nr] += alpha · Σ_k a[k, 0..4]ᵀ b[k, 0..8].
 * pa: packed A panel (kc × 4), pb: packed B panel (kc × 8), pC: top-left of the C tile.
 */
// @ts-ignore: decorator
@inline
function micro4x8(kc: i32, pa: usize, pb: usize, pC: usize, ldc: i32, alpha: f32, mr: i32, nr: i32, scratch: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (alpha != 1) {
    const al = f32x4.splat(alpha);
    c00 = f32x4.mul(c00, al); c01 = f32x4.mul(c01, al);
    c10 = f32x4.mul(c10, al); c11 = f32x4.mul(c11, al);
    c20 = f32x4.mul(c20, al); c21 = f32x4.mul(c21, al);
    c30 = f32x4.mul(c30, al); c31 = f32x4.mul(c31, al);
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
  // edge tile: spill the accumulators to scratch, add the valid part
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

/** C[mc × nc] += alpha · (packed A block) · (packed B block), both packed with depth kc. */
// @ts-ignore: decorator
@inline
function macro(mc: i32, nc: i32, kc: i32, alpha: f32, pa: usize, pb: usize, pC: usize, ldc: i32, scratch: usize): void {
  const npan = (nc + NR - 1) / NR;
  const mpan = (mc + MR - 1) / MR;
  for (let q = 0; q < npan; q++) {
    const nr = min(NR, nc - q * NR);
    const bq = pb + ((<usize>(q * kc * NR)) << 2);
    for (let p = 0; p < mpan; p++) {
      const mr = min(MR, mc - p * MR);
      const ap = pa + ((<usize>(p * kc * MR)) << 2);
      const cp = pC + ((<usize>(p * MR * ldc + q * NR)) << 2);
      micro4x8(kc, ap, bq, cp, ldc, alpha, mr, nr, scratch);
    }
  }
}

/** C ← beta · C for an M × N block with row stride ldc (beta = 0 clears, ignoring NaN in C). */
export function scale_c(M: i32, N: i32, beta: f32, pC: usize, ldc: i32): void {
  if (beta == 1) return;
  for (let i = 0; i < M; i++) {
    const row = pC + ((<usize>(i * ldc)) << 2);
    for (let j = 0; j < N; j++) {
      const o = row + ((<usize>j) << 2);
      store<f32>(o, beta == 0 ? <f32>0 : load<f32>(o) * beta);
    }
  }
}

/**
 * General GEMM: C = alpha · op(A) · op(B) + beta · C.
 * work: gemm_work_size() floats (16-byte aligned), private to the calling thread.
 */
export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  pA: usize, lda: i32, pB: usize, ldb: i32, beta: f32, pC: usize, ldc: i32, work: usize,
): void {
  scale_c(M, N, beta, pC, ldc);
  if (K == 0 || alpha == 0) return;
  const pbw = work;
  const paw = work + ((<usize>(KC * NC)) << 2);
  const scratch = paw + ((<usize>(MC * KC)) << 2);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    for (let n0 = 0; n0 < N; n0 += NC) {
      const nc = min(NC, N - n0);
      pack_b(transB, kc, nc, pB, ldb, k0, n0, pbw);
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = min(MC, M - m0);
        pack_a(transA, mc, kc, pA, lda, m0, k0, paw);
        macro(mc, nc, kc, alpha, paw, pbw, pC + ((<usize>(m0 * ldc + n0)) << 2), ldc, scratch);
      }
    }
  }
}
