// The layer-call descriptor: one block of i32 fields in shared memory, written by the host
// (src/core/wasm/descriptor.ts mirrors these indices) and read by every thread's kernel call.
// Pointers are byte offsets into the shared memory; 0 means "absent".

export const D_T = 0; //          steps
export const D_B = 1; //          batch (row stride of every [T, B, *] array)
export const D_HP = 2; //         hidden size padded to a multiple of 4
export const D_D = 3; //          input features
export const D_FLAGS = 4; //      bit 0: SimpleRNN uses relu; bits 1–2: gate activation (0 σ, 1 hard, 2 hard Keras 3); bit 3: outputs only (gates [B, G·Hp], reused per step; LSTM cs a two-row ring [2, B, Hp]); bit 4: hs a two-row ring [2, B, Hp] (only the last step is read); bit 5: x batch-major [B, T, D]
export const D_X = 5; //          x [T, B, D], or [B, T, D] with FLAGS bit 5
export const D_WP = 6; //         W packed (K = D, N = G·Hp); LSTM, SimpleRNN: [W; U] stacked (K = D + Hp); GRU reset-after: [W; U] of r, z stacked (N = 2Hp)
export const D_BIASX = 7; //      per-step bias added to x·W [G·Hp]
export const D_UP = 8; //         GRU reset-before: U packed, the r,z columns (K = Hp, N = 2Hp); reset-after: W_n packed (K = D, N = Hp)
export const D_UP2 = 9; //        GRU: U_n packed (K = Hp, N = Hp)
export const D_H0 = 10; //        [B, Hp]
export const D_C0 = 11; //        [B, Hp]
export const D_MASK = 12; //      u8 [T, B] or 0
export const D_G = 13; //         gates [T, B, G·Hp]
export const D_HS = 14; //        [T, B, Hp]
export const D_CS = 15; //        [T, B, Hp]
export const D_OUT = 16; //       [T, B, Hp] or 0
export const D_PRE = 17; //       [T, B, G·Hp] or 0
export const D_HN = 18; //        GRU reset-after: h·U_n + bh_n [T, B, Hp]
export const D_BIASH = 19; //     GRU reset-after: bh [G·Hp] (only the n block is read)
export const D_DOUT = 20; //      [T, B, Hp] or 0
export const D_DH = 21; //        [B, Hp]: dhLast on entry, dh0 on exit
export const D_DC = 22; //        [B, Hp]: dcLast on entry, dc0 on exit
export const D_UTP = 23; //       Uᵀ packed (K = G·Hp, N = Hp; GRU reset-before: r,z rows only)
export const D_UTP2 = 24; //      GRU reset-before: U_nᵀ packed (K = Hp, N = Hp)
export const D_DA = 25; //        gate pre-activation gradients [T, B, G·Hp] (x side)
export const D_DA2 = 26; //       GRU reset-after: h-side gradients [T, B, G·Hp]
export const D_DHSTEPS = 27; //   [T, B, Hp] or 0
export const D_RH = 28; //        GRU reset-before: r ⊙ h_prev per step [T, B, Hp]
export const D_FIELDS = 32;

// @ts-ignore: decorator
@inline
export function field(desc: usize, i: i32): i32 {
  return load<i32>(desc + ((<usize>i) << 2));
}

// @ts-ignore: decorator
@inline
export function ptr(desc: usize, i: i32): usize {
  return <usize>load<i32>(desc + ((<usize>i) << 2));
}

/** Byte offset of row (t, b) in a [T, B, width] f32 array. */
// @ts-ignore: decorator
@inline
export function rowAt(base: usize, t: i32, B: i32, b: i32, width: i32): usize {
  return base + ((<usize>((t * B + b) * width)) << 2);
}

/**
 * Row stride of x in floats: D for time-major x [T, B, D]; T·D for batch-major x [B, T, D]
 * (FLAGS bit 5: the host passes its input as it is instead of transposing it).
 */
// @ts-ignore: decorator
@inline
export function xStride(desc: usize): i32 {
  const D = field(desc, D_D);
  return (field(desc, D_FLAGS) & 32) != 0 ? field(desc, D_T) * D : D;
}

/** Byte offset of x at step t of sequence b, in either layout (see xStride). */
// @ts-ignore: decorator
@inline
export function xRow(desc: usize, t: i32, b: i32): usize {
  const D = field(desc, D_D), base = ptr(desc, D_X);
  return (field(desc, D_FLAGS) & 32) != 0
    ? base + ((<usize>((b * field(desc, D_T) + t) * D)) << 2)
    : base + ((<usize>((t * field(desc, D_B) + b) * D)) << 2);
}

/** dst[0..n] = src[0..n], n a multiple of 4. */
export function copy4(dst: usize, src: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const o = (<usize>j) << 2;
    v128.store(dst + o, v128.load(src + o));
  }
}

/** dst[0..n] = 0, n a multiple of 4. */
export function zero4(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  for (let j = 0; j < n; j += 4) v128.store(dst + ((<usize>j) << 2), z);
}

/** Is step t of sequence b real? (no mask: every step is) */
// @ts-ignore: decorator
@inline
export function isReal(pMask: usize, t: i32, B: i32, b: i32): bool {
  return pMask == 0 || load<u8>(pMask + <usize>(t * B + b)) != 0;
}

/**
 * Row mask of a [T, B, *] array that may be a two-row ring: step t lives in row t & mask, which is
 * t & 1 when the descriptor FLAGS bit `bit` is set (only the last rows are read afterwards) and t
 * otherwise.
 */
// @ts-ignore: decorator
@inline
export function ringMask(desc: usize, bit: i32): i32 {
  return (field(desc, D_FLAGS) & bit) != 0 ? 1 : -1;
}
