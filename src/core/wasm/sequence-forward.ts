/**
 * sequenceForward on the wasm kernels. The host copies the inputs into the padded layout, packs
 * W and U once, writes a descriptor, and hands each thread a contiguous block of batch rows; each
 * thread runs the whole time loop in wasm (per step: input projection, h·U with the packed U, the
 * fused gate kernel), so the threads meet only at the start and the end of the layer.
 */
import type { SequenceForwardArgs, SequenceForwardResult } from '../backend.js';
import { checkForwardArgs } from '../ts/validate.js';
import { D, D_FIELDS } from './descriptor.js';
import { copyInGates, copyInRows, copyOutGates, pad4, splitRange } from './layout.js';
import type { Call } from './pool.js';
import type { Runtime } from './runtime.js';

/** Packs op(B) [K, N] (B at byte offset pB, row stride ldb) for gemm_acc_packed; returns the offset. */
export function packB(rt: Runtime, transB: boolean, K: number, N: number, pB: number, ldb: number): number {
  const dst = rt.arena.alloc(rt.kernels.packed_b_size(K, N));
  rt.kernels.pack_b(transB ? 1 : 0, K, N, pB, ldb, 0, 0, dst);
  return dst;
}

/** Floats of gemm_acc_packed scratch for `rows` rows and depth up to K. */
export const packWork = (rows: number, K: number): number => (pad4(rows) * K + 64);

export function wasmSequenceForward(rt: Runtime, a: SequenceForwardArgs): SequenceForwardResult {
  const kind = a.cell.kind;
  const { T, B, D: Din, H, G } = checkForwardArgs(`wasm.sequenceForward(${kind})`, a);
  const resetAfter = a.cell.resetAfter !== false;
  const Hp = pad4(H);
  const GHp = G * Hp;
  const ar = rt.arena;
  ar.reset();

  const pX = ar.copyIn(a.x);
  const pW = copyInGates(ar, a.W, Din, G, H, Hp);
  const pU = copyInGates(ar, a.U, H, G, H, Hp, Hp);
  // Bias added to x·W each step: bx + bh, except GRU reset-after keeps bh_n inside r⊙(h·U_n + bh_n).
  const bias = new Float32Array(G * H);
  for (let i = 0; i < G * H; i++) bias[i] = a.bx[i]! + (kind === 'gru' && resetAfter && i >= 2 * H ? 0 : a.bh[i]!);
  const pBiasX = copyInGates(ar, bias, 1, G, H, Hp);
  const pBiasH = copyInGates(ar, a.bh, 1, G, H, Hp);
  const pH0 = copyInRows(ar, a.h0, B, H, Hp);
  const pC0 = kind === 'lstm' ? copyInRows(ar, a.c0, B, H, Hp) : 0;
  let pMask = 0;
  if (a.mask) {
    pMask = ar.allocBytes(T * B);
    ar.u8.set(a.mask, pMask);
  }
  const pWp = packB(rt, false, Din, GHp, pW, GHp);
  let pUp: number;
  let pUp2 = 0;
  if (kind === 'gru' && !resetAfter) {
    pUp = packB(rt, false, Hp, 2 * Hp, pU, GHp);
    pUp2 = packB(rt, false, Hp, Hp, pU + 2 * Hp * 4, GHp);
  } else {
    pUp = packB(rt, false, Hp, GHp, pU, GHp);
  }

  const TBH = T * B * Hp;
  const pG = ar.alloc(T * B * GHp);
  const pHs = ar.alloc(TBH);
  const pCs = kind === 'lstm' ? ar.alloc(TBH) : 0;
  const pOut = a.mask ? ar.alloc(TBH) : 0;
  const pHn = kind === 'gru' && resetAfter ? ar.alloc(TBH) : 0;
  const pPre = a.keepPreactivations ? ar.alloc(T * B * GHp) : 0;

  const desc = ar.allocBytes(D_FIELDS * 4);
  const f = ar.i32;
  const d = desc >> 2;
  f.fill(0, d, d + D_FIELDS);
  f[d + D.T] = T; f[d + D.B] = B; f[d + D.HP] = Hp; f[d + D.D] = Din;
  f[d + D.FLAGS] = a.cell.activation === 'relu' ? 1 : 0;
  f[d + D.X] = pX; f[d + D.WP] = pWp; f[d + D.BIASX] = pBiasX; f[d + D.UP] = pUp; f[d + D.UP2] = pUp2;
  f[d + D.H0] = pH0; f[d + D.C0] = pC0; f[d + D.MASK] = pMask; f[d + D.G] = pG; f[d + D.HS] = pHs;
  f[d + D.CS] = pCs; f[d + D.OUT] = pOut; f[d + D.PRE] = pPre; f[d + D.HN] = pHn; f[d + D.BIASH] = pBiasH;

  const threads = rt.threadsFor(T * B * GHp * (Din + Hp), B);
  const programs: Call[][] = [];
  for (const [b0, b1] of splitRange(B, threads, 4)) {
    const rows = b1 - b0;
    const work = ar.alloc(packWork(rows, Math.max(Din, Hp)));
    if (kind === 'lstm') programs.push([['lstm_forward', desc, b0, b1, work]]);
    else if (kind === 'rnn') programs.push([['rnn_forward', desc, b0, b1, work]]);
    else if (resetAfter) programs.push([['gru_forward', desc, b0, b1, work, ar.alloc(rows * GHp)]]);
    else programs.push([['gru_rb_forward', desc, b0, b1, work, ar.alloc(rows * 2 * Hp), ar.alloc(rows * 2 * Hp)]]);
  }
  rt.parallel(programs);

  const TB = T * B;
  const hs = copyOutGates(ar, pHs, TB, 1, H, Hp);
  const res: SequenceForwardResult = {
    out: pOut ? copyOutGates(ar, pOut, TB, 1, H, Hp) : hs.slice(),
    hs,
    gates: copyOutGates(ar, pG, TB, G, H, Hp),
    hLast: hs.slice((T - 1) * B * H, T * B * H),
  };
  if (kind === 'lstm') {
    res.cs = copyOutGates(ar, pCs, TB, 1, H, Hp);
    res.cLast = res.cs.slice((T - 1) * B * H, T * B * H);
  }
  if (pHn) res.hn = copyOutGates(ar, pHn, TB, 1, H, Hp);
  if (pPre) res.preact = copyOutGates(ar, pPre, TB, G, H, Hp);
  return res;
}
