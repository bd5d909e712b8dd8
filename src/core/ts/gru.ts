/**
 * GRU step kernels (gate order r, z, n). With a_k = x·W_k + bx_k + h·U_k + bh_k:
 *   r = σ(a_r)  z = σ(a_z)  h' = (1−z)⊙n + z⊙h   (σ: the cell's gate activation)
 *   reset-after:  n = tanh(x·W_n + bx_n + r⊙(h·U_n + bh_n))
 *   reset-before: n = tanh(x·W_n + bx_n + (r⊙h)·U_n + bh_n)
 * Backward: ∂n = ∂h'⊙(1−z), ∂a_z = ∂h'⊙(h−n)⊙σ'(a_z), ∂h (direct) = ∂h'⊙z, ∂a_n = ∂n⊙(1−n²);
 *   reset-after:  ∂(h·U_n + bh_n) = ∂a_n⊙r,  ∂r = ∂a_n⊙(h·U_n + bh_n)
 *   reset-before: ∂((r⊙h)·U_n + bh_n) = ∂a_n, ∂(r⊙h) = ∂a_n·U_nᵀ, ∂r = ∂(r⊙h)⊙h, ∂h += ∂(r⊙h)⊙r
 * The forward step is split in two halves (r, z first; then n, h') because reset-before needs the
 * GEMM (r⊙h)·U_n between them; backward likewise for ∂(r⊙h).
 */
import type { BackwardBuffers, ForwardBuffers } from './buffers.js';
import { prevRow } from './buffers.js';

// σ is the gate activation (logistic or hard sigmoid, see backend.ts); dsig(s) = σ'(a) from s = σ(a).

/** r and z of step t from xw and hu (whose r, z blocks must hold h·U + bh). */
export function gruForwardRZ(f: ForwardBuffers, t: number, sigmoid: (x: number) => number): void {
  const { B, H, xw, hu, gates, preact } = f;
  const GH = 3 * H;
  for (let b = 0; b < B; b++) {
    const grow = (t * B + b) * GH;
    const urow = b * GH;
    for (let k = 0; k < 2 * H; k++) {
      const a = xw[grow + k]! + hu[urow + k]!;
      if (preact) preact[grow + k] = a;
      gates[grow + k] = sigmoid(a);
    }
  }
}

/** rh = r ⊙ h_{t−1} [B, H] (reset-before's input to U_n). */
export function gruResetHidden(
  f: ForwardBuffers,
  t: number,
  rh: Float64Array | Float32Array,
): void {
  const { B, H, gates } = f;
  const hp = t === 0 ? f.h0 : f.hs;
  for (let b = 0; b < B; b++) {
    const grow = (t * B + b) * 3 * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) rh[b * H + j] = gates[grow + j]! * hp[prow + j]!;
  }
}

/** n and h' of step t; hu's n block holds h·U_n + bh_n (reset-after) or (r⊙h)·U_n + bh_n (reset-before). */
export function gruForwardN(f: ForwardBuffers, t: number, resetAfter: boolean): void {
  const { B, H, mask, xw, hu, hs, out, gates, preact, hn } = f;
  const hp = t === 0 ? f.h0 : hs;
  const GH = 3 * H;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const grow = (t * B + b) * GH;
    const urow = b * GH + 2 * H;
    const hrow = (t * B + b) * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      const r = gates[grow + j]!;
      const z = gates[grow + H + j]!;
      const un = hu[urow + j]!;
      const a = resetAfter ? xw[grow + 2 * H + j]! + r * un : xw[grow + 2 * H + j]! + un;
      if (resetAfter) hn![hrow + j] = un;
      if (preact) preact[grow + 2 * H + j] = a;
      const n = Math.tanh(a);
      gates[grow + 2 * H + j] = n;
      const h = hp[prow + j]!;
      if (real) {
        const hNew = (1 - z) * n + z * h;
        hs[hrow + j] = hNew;
        out[hrow + j] = hNew;
      } else {
        hs[hrow + j] = h;
      }
    }
  }
}

/**
 * First half of the backward step: ∂a_n, ∂a_z, the direct ∂h, and for reset-after also ∂a_r.
 * Reset-before leaves ∂a_r to gruBackwardR once ∂(r⊙h) = ∂a_n·U_nᵀ is known.
 */
export function gruBackwardZN(
  g: BackwardBuffers,
  t: number,
  resetAfter: boolean,
  dsig: (s: number) => number,
): void {
  const { B, H, mask, gates, hs, dh, dhPrev, dGx, dGh } = g;
  const hp = t === 0 ? g.h0 : hs;
  const GH = 3 * H;
  for (let b = 0; b < B; b++) {
    const real = mask === null || mask[t * B + b] === 1;
    const grow = (t * B + b) * GH;
    const hrow = (t * B + b) * H;
    const brow = b * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      if (!real) {
        dGx[grow + j] = 0;
        dGx[grow + H + j] = 0;
        dGx[grow + 2 * H + j] = 0;
        dGh[grow + j] = 0;
        dGh[grow + H + j] = 0;
        dGh[grow + 2 * H + j] = 0;
        dhPrev[brow + j] = dh[brow + j]!;
        continue;
      }
      const r = gates[grow + j]!;
      const z = gates[grow + H + j]!;
      const n = gates[grow + 2 * H + j]!;
      const h = hp[prow + j]!;
      const d = dh[brow + j]!;
      const dnPre = d * (1 - z) * (1 - n * n);
      const dzPre = d * (h - n) * dsig(z);
      dGx[grow + H + j] = dzPre;
      dGh[grow + H + j] = dzPre;
      dGx[grow + 2 * H + j] = dnPre;
      dhPrev[brow + j] = d * z;
      if (resetAfter) {
        const un = g.hn![hrow + j]!;
        const drPre = dnPre * un * dsig(r);
        dGx[grow + j] = drPre;
        dGh[grow + j] = drPre;
        dGh[grow + 2 * H + j] = dnPre * r;
      } else {
        dGh[grow + 2 * H + j] = dnPre;
      }
    }
  }
}

/** Reset-before second half: ∂a_r = (∂(r⊙h)⊙h)⊙σ'(a_r) and ∂h += ∂(r⊙h)⊙r, with drh = ∂(r⊙h) [B, H]. */
export function gruBackwardR(
  g: BackwardBuffers,
  t: number,
  drh: Float64Array | Float32Array,
  dsig: (s: number) => number,
): void {
  const { B, H, mask, gates, hs, dhPrev, dGx, dGh } = g;
  const hp = t === 0 ? g.h0 : hs;
  const GH = 3 * H;
  for (let b = 0; b < B; b++) {
    if (mask !== null && mask[t * B + b] !== 1) continue; // padded: ∂a_r stays 0
    const grow = (t * B + b) * GH;
    const brow = b * H;
    const prow = prevRow(t, b, B, H);
    for (let j = 0; j < H; j++) {
      const r = gates[grow + j]!;
      const d = drh[brow + j]!;
      const drPre = d * hp[prow + j]! * dsig(r);
      dGx[grow + j] = drPre;
      dGh[grow + j] = drPre;
      dhPrev[brow + j] = dhPrev[brow + j]! + d * r;
    }
  }
}
