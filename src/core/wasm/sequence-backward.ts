/**
 * sequenceBackward on the wasm kernels, in two parallel phases:
 * 1. per batch-row block, the whole reverse time loop in wasm: fused gate backward, then
 *    dh_prev += dA_t·Uᵀ with the pre-packed Uᵀ; writes dA for every step;
 * 2. the big GEMMs over all T·B rows, split by output columns (dW = Xᵀ·dAx, dU = Hprevᵀ·dAh,
 *    bias column sums) and by rows (dx = dAx·Wᵀ). Every output element is computed by one thread
 *    in a fixed order, so the results do not depend on the thread count at all.
 */
import type { SequenceBackwardArgs, SequenceBackwardResult } from '../backend.js';
import { checkBackwardArgs } from '../ts/validate.js';
import { D, D_FIELDS } from './descriptor.js';
import { copyBackGates, copyInGates, copyInRows, copyOutGates, pad4, splitRange } from './layout.js';
import type { Call } from './pool.js';
import type { Runtime } from './runtime.js';
import { packB, packWork } from './sequence-forward.js';

export function wasmSequenceBackward(rt: Runtime, a: SequenceBackwardArgs): SequenceBackwardResult {
  const kind = a.cell.kind;
  const { T, B, D: Din, H, G } = checkBackwardArgs(`wasm.sequenceBackward(${kind})`, a);
  const resetAfter = a.cell.resetAfter !== false;
  const rb = kind === 'gru' && !resetAfter;
  const ra = kind === 'gru' && resetAfter;
  const Hp = pad4(H);
  const GHp = G * Hp;
  const TB = T * B;
  const ar = rt.arena;
  ar.reset();
  const f = a.fwd;

  const pX = ar.copyIn(a.x);
  const pW = copyInGates(ar, a.W, Din, G, H, Hp);
  const pU = copyInGates(ar, a.U, H, G, H, Hp, Hp);
  const pG = copyInGates(ar, f.gates, TB, G, H, Hp);
  const pHs = copyInRows(ar, f.hs, TB, H, Hp);
  const pCs = kind === 'lstm' ? copyInRows(ar, f.cs, TB, H, Hp) : 0;
  const pHn = ra ? copyInRows(ar, f.hn, TB, H, Hp) : 0;
  const pH0 = copyInRows(ar, a.h0, B, H, Hp);
  const pC0 = kind === 'lstm' ? copyInRows(ar, a.c0, B, H, Hp) : 0;
  const pDOut = a.dOut ? copyInRows(ar, a.dOut, TB, H, Hp) : 0;
  const pDh = copyInRows(ar, a.dhLast, B, H, Hp);
  const pDc = kind === 'lstm' ? copyInRows(ar, a.dcLast, B, H, Hp) : 0;
  let pMask = 0;
  if (a.mask) {
    pMask = ar.allocBytes(TB);
    ar.u8.set(a.mask, pMask);
  }
  // Uᵀ packed as the B operand of dA·Uᵀ: op(B)[k, n] = U[n, k]
  let pUTp: number;
  let pUTp2 = 0;
  if (rb) {
    pUTp = packB(rt, true, 2 * Hp, Hp, pU, GHp);
    pUTp2 = packB(rt, true, Hp, Hp, pU + 2 * Hp * 4, GHp);
  } else {
    pUTp = packB(rt, true, GHp, Hp, pU, GHp);
  }
  const pDA = ar.alloc(TB * GHp);
  const pDA2 = ra ? ar.alloc(TB * GHp) : 0;
  const pRH = rb ? ar.alloc(TB * Hp) : 0;
  const pSteps = a.wantDhSteps ? ar.alloc(TB * Hp) : 0;

  const desc = ar.allocBytes(D_FIELDS * 4);
  const v = ar.i32;
  const d = desc >> 2;
  v.fill(0, d, d + D_FIELDS);
  v[d + D.T] = T; v[d + D.B] = B; v[d + D.HP] = Hp; v[d + D.D] = Din;
  v[d + D.FLAGS] = a.cell.activation === 'relu' ? 1 : 0;
  v[d + D.X] = pX; v[d + D.H0] = pH0; v[d + D.C0] = pC0; v[d + D.MASK] = pMask; v[d + D.G] = pG;
  v[d + D.HS] = pHs; v[d + D.CS] = pCs; v[d + D.HN] = pHn; v[d + D.DOUT] = pDOut; v[d + D.DH] = pDh;
  v[d + D.DC] = pDc; v[d + D.UTP] = pUTp; v[d + D.UTP2] = pUTp2; v[d + D.DA] = pDA; v[d + D.DA2] = pDA2;
  v[d + D.DHSTEPS] = pSteps; v[d + D.RH] = pRH;

  const threads = rt.threadsFor(TB * GHp * (Din + 2 * Hp), B);
  // phase 1: the reverse time loop per block of batch rows
  const phase1: Call[][] = [];
  for (const [b0, b1] of splitRange(B, threads, 4)) {
    const work = ar.alloc(packWork(b1 - b0, GHp));
    if (kind === 'lstm') phase1.push([['lstm_backward', desc, b0, b1, work]]);
    else if (kind === 'rnn') phase1.push([['rnn_backward', desc, b0, b1, work]]);
    else if (ra) phase1.push([['gru_backward', desc, b0, b1, work]]);
    else phase1.push([['gru_rb_backward', desc, b0, b1, work, ar.alloc((b1 - b0) * Hp)]]);
  }
  rt.parallel(phase1);

  // phase 2: parameter and input gradients as big GEMMs
  const pDAx = pDA;
  const pDAh = ra ? pDA2 : pDA;
  const g = a.grads;
  let pdW = 0, pdU = 0, pdbx = 0, pdbh = 0, pdx = 0;
  if (g) {
    pdW = copyInGates(ar, g.W, Din, G, H, Hp);
    pdU = copyInGates(ar, g.U, H, G, H, Hp, Hp);
    pdbx = copyInGates(ar, g.bx, 1, G, H, Hp);
    pdbh = copyInGates(ar, g.bh, 1, G, H, Hp);
  }
  if (a.wantDx) pdx = ar.alloc(TB * Din);
  const phase2: Call[][] = [];
  const cols = splitRange(GHp, threads, 8);
  const rowsDx = splitRange(TB, threads, 4);
  for (let w = 0; w < threads; w++) {
    const calls: Call[] = [];
    const work = ar.alloc(rt.gemmWork);
    if (g && cols[w]) {
      const [n0, n1] = cols[w]!;
      // dW[:, n0:n1] += Xᵀ · dAx[:, n0:n1]
      calls.push(['gemm', 1, 0, Din, n1 - n0, TB, 1, pX, Din, pDAx + n0 * 4, GHp, 1, pdW + n0 * 4, GHp, work]);
      // dU += Hprevᵀ · dAh, Hprev = [h0; hs_0 … hs_{T−2}]; reset-before: the n columns use r⊙h_prev
      const split = rb ? Math.min(Math.max(2 * Hp, n0), n1) : n1;
      if (split > n0) pushHprevGemm(calls, n0, split, Hp, GHp, B, T, pH0, pHs, pDAh, pdU, work);
      if (n1 > split) {
        calls.push(['gemm', 1, 0, Hp, n1 - split, TB, 1, pRH, Hp, pDAh + split * 4, GHp, 1, pdU + split * 4, GHp, work]);
      }
      calls.push(['col_sums', pDAx, TB, GHp, n0, n1, pdbx]);
      calls.push(['col_sums', pDAh, TB, GHp, n0, n1, pdbh]);
    }
    if (pdx && rowsDx[w]) {
      const [r0, r1] = rowsDx[w]!;
      // dx[r0:r1] = dAx[r0:r1] · Wᵀ
      calls.push(['gemm', 0, 1, r1 - r0, Din, GHp, 1, pDAx + r0 * GHp * 4, GHp, pW, GHp, 0, pdx + r0 * Din * 4, Din, work]);
    }
    phase2.push(calls);
  }
  if (g || pdx) rt.parallel(phase2);

  if (g) {
    copyBackGates(ar, pdW, g.W, Din, G, H, Hp);
    copyBackGates(ar, pdU, g.U, H, G, H, Hp);
    copyBackGates(ar, pdbx, g.bx, 1, G, H, Hp);
    copyBackGates(ar, pdbh, g.bh, 1, G, H, Hp);
  }
  const res: SequenceBackwardResult = { dh0: copyOutGates(ar, pDh, B, 1, H, Hp) };
  if (kind === 'lstm') res.dc0 = copyOutGates(ar, pDc, B, 1, H, Hp);
  if (pSteps) res.dhSteps = copyOutGates(ar, pSteps, TB, 1, H, Hp);
  if (pdx) res.dx = ar.f32.slice(pdx >> 2, (pdx >> 2) + TB * Din);
  return res;
}

/** dU[:, n0:n1] += h0ᵀ·dA_0 + hs[0:T−1]ᵀ·dA[1:T] (two GEMMs; no stacked copy of Hprev needed). */
function pushHprevGemm(calls: Call[], n0: number, n1: number, Hp: number, GHp: number, B: number, T: number,
  pH0: number, pHs: number, pDAh: number, pdU: number, work: number): void {
  calls.push(['gemm', 1, 0, Hp, n1 - n0, B, 1, pH0, Hp, pDAh + n0 * 4, GHp, 1, pdU + n0 * 4, GHp, work]);
  if (T > 1) {
    calls.push(['gemm', 1, 0, Hp, n1 - n0, (T - 1) * B, 1, pHs, Hp, pDAh + (B * GHp + n0) * 4, GHp, 1, pdU + n0 * 4, GHp, work]);
  }
}
