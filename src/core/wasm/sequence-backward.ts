/**
 * sequenceBackward on the wasm kernels, in two parallel phases (the forward pass's gates, states
 * and input are used where its kernels left them when still resident, see resident.ts):
 * 1. per batch-row block, the whole reverse time loop in wasm: fused gate backward, then
 *    dh_prev += dA_t·Uᵀ with the pre-packed Uᵀ; writes dA for every step;
 * 2. the big GEMMs over all T·B rows, split by output columns (dW = Xᵀ·dAx, dU = Hprevᵀ·dAh,
 *    bias column sums) and by rows (dx = dAx·Wᵀ). Every output element is computed by one thread
 *    in a fixed order, so the results do not depend on the thread count at all.
 */
import type { SequenceBackwardArgs, SequenceBackwardResult } from '../backend.js';
import { checkBackwardArgs } from '../ts/validate.js';
import { D, D_FIELDS, cellFlags } from './descriptor.js';
import {
  chunks,
  copyBackGates,
  copyInGates,
  copyInRows,
  copyOut,
  copyOutGates,
  pad4,
} from './layout.js';
import type { Call, Task } from './pool.js';
import type { Runtime } from './runtime.js';
import { STEP_WORK, packB } from './sequence-forward.js';

export function wasmSequenceBackward(rt: Runtime, a: SequenceBackwardArgs): SequenceBackwardResult {
  const kind = a.cell.kind;
  // the forward pass's buffers when still resident (resident.ts), else copied from `fwd`
  const r = a.fwd && typeof a.fwd === 'object' ? rt.resident.lookup(a) : null;
  const { T, B, D: Din, H, G } = checkBackwardArgs(`wasm.sequenceBackward(${kind})`, a, r !== null);
  const resetAfter = a.cell.resetAfter !== false;
  const rb = kind === 'gru' && !resetAfter;
  const ra = kind === 'gru' && resetAfter;
  const Hp = pad4(H);
  const GHp = G * Hp;
  const TB = T * B;
  const ar = rt.arena;
  ar.reset();
  const f = a.fwd;

  const pX = r ? r.pX : ar.copyIn(a.x);
  const pW = copyInGates(ar, a.W, Din, G, H, Hp);
  const pU = copyInGates(ar, a.U, H, G, H, Hp, Hp);
  const pG = r ? r.pG : copyInGates(ar, f.gates, TB, G, H, Hp);
  const pHs = r ? r.pHs : copyInRows(ar, f.hs, TB, H, Hp);
  const pCs = kind !== 'lstm' ? 0 : r ? r.pCs : copyInRows(ar, f.cs, TB, H, Hp);
  const pHn = !ra ? 0 : r ? r.pHn : copyInRows(ar, f.hn, TB, H, Hp);
  const pH0 = r ? r.pH0 : copyInRows(ar, a.h0, B, H, Hp);
  const pC0 = kind !== 'lstm' ? 0 : r ? r.pC0 : copyInRows(ar, a.c0, B, H, Hp);
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
  v[d + D.T] = T;
  v[d + D.B] = B;
  v[d + D.HP] = Hp;
  v[d + D.D] = Din;
  v[d + D.FLAGS] = cellFlags(a.cell);
  v[d + D.X] = pX;
  v[d + D.H0] = pH0;
  v[d + D.C0] = pC0;
  v[d + D.MASK] = pMask;
  v[d + D.G] = pG;
  v[d + D.HS] = pHs;
  v[d + D.CS] = pCs;
  v[d + D.HN] = pHn;
  v[d + D.DOUT] = pDOut;
  v[d + D.DH] = pDh;
  v[d + D.DC] = pDc;
  v[d + D.UTP] = pUTp;
  v[d + D.UTP2] = pUTp2;
  v[d + D.DA] = pDA;
  v[d + D.DA2] = pDA2;
  v[d + D.DHSTEPS] = pSteps;
  v[d + D.RH] = pRH;

  const threads = rt.threadsFor(TB * GHp * (Din + 2 * Hp), B);
  // phase 1: the reverse time loop per block of batch rows (scratch: −1 work, −2 s)
  const blocks = chunks(B, threads, 4, 8, 4);
  const maxRows = blocks[0]![1] - blocks[0]![0];
  const phase1: Task[] = blocks.map(([b0, b1]): Task => {
    if (kind === 'lstm') return [['lstm_backward', desc, b0, b1, -1]];
    if (kind === 'rnn') return [['rnn_backward', desc, b0, b1, -1]];
    return ra ? [['gru_backward', desc, b0, b1, -1]] : [['gru_rb_backward', desc, b0, b1, -1, -2]];
  });
  const scratch: number[][] = [];
  for (let w = 0; w < threads; w++)
    scratch.push([ar.alloc(Math.max(STEP_WORK, rt.gemmWork)), rb ? ar.alloc(maxRows * Hp) : 0]);
  rt.runTasks(phase1, threads, scratch);

  // phase 2: parameter and input gradients as big GEMMs
  const pDAx = pDA;
  const pDAh = ra ? pDA2 : pDA;
  const g = a.grads;
  let pdW = 0,
    pdU = 0,
    pdbx = 0,
    pdbh = 0,
    pdx = 0;
  if (g) {
    pdW = copyInGates(ar, g.W, Din, G, H, Hp);
    pdU = copyInGates(ar, g.U, H, G, H, Hp, Hp);
    pdbx = copyInGates(ar, g.bx, 1, G, H, Hp);
    pdbh = copyInGates(ar, g.bh, 1, G, H, Hp);
  }
  if (a.wantDx) pdx = ar.zeros(TB * Din);
  // independent tasks: column blocks of dW, dU and the bias sums (two per thread: each block
  // packs Xᵀ and Hprevᵀ again, so fewer, wider blocks); row blocks of dx (−1: gemm work)
  const phase2: Task[] = [];
  if (g) {
    for (const [n0, n1] of chunks(GHp, threads, 8, 64, 2)) {
      const task: Task = [];
      // dW[:, n0:n1] += Xᵀ · dAx[:, n0:n1]
      task.push(
        gemmCall(1, 0, Din, n1 - n0, TB, pX, Din, pDAx + n0 * 4, GHp, 1, pdW + n0 * 4, GHp),
      );
      // dU += Hprevᵀ · dAh, Hprev = [h0; hs_0 … hs_{T−2}]; reset-before: the n columns use r⊙h_prev
      const split = rb ? Math.min(Math.max(2 * Hp, n0), n1) : n1;
      if (split > n0) pushHprevGemm(task, n0, split, Hp, GHp, B, T, pH0, pHs, pDAh, pdU);
      if (n1 > split) {
        task.push(
          gemmCall(
            1,
            0,
            Hp,
            n1 - split,
            TB,
            pRH,
            Hp,
            pDAh + split * 4,
            GHp,
            1,
            pdU + split * 4,
            GHp,
          ),
        );
      }
      task.push(['col_sums', pDAx, TB, GHp, n0, n1, pdbx]);
      task.push(['col_sums', pDAh, TB, GHp, n0, n1, pdbh]);
      phase2.push(task);
    }
  }
  if (pdx) {
    // dx = dAx · Wᵀ with Wᵀ packed once and dAx rows read in place: packing the tall dAx
    // (T·B × G·Hp) for a product only D wide would cost as much as the product itself
    const pWTp = packB(rt, true, GHp, Din, pW, GHp);
    for (const [r0, r1] of chunks(TB, threads, 4, 64, 4)) {
      phase2.push([
        [
          'gemm_acc_packed',
          r1 - r0,
          Din,
          GHp,
          pDAx + r0 * GHp * 4,
          GHp,
          pWTp,
          pdx + r0 * Din * 4,
          Din,
          -1,
        ],
      ]);
    }
  }
  rt.runTasks(phase2, threads, scratch);

  if (g) {
    copyBackGates(ar, pdW, g.W, Din, G, H, Hp);
    copyBackGates(ar, pdU, g.U, H, G, H, Hp);
    copyBackGates(ar, pdbx, g.bx, 1, G, H, Hp);
    copyBackGates(ar, pdbh, g.bh, 1, G, H, Hp);
  }
  const res: SequenceBackwardResult = { dh0: copyOutGates(ar, pDh, B, 1, H, Hp) };
  if (kind === 'lstm') res.dc0 = copyOutGates(ar, pDc, B, 1, H, Hp);
  if (pSteps) res.dhSteps = copyOutGates(ar, pSteps, TB, 1, H, Hp);
  if (pdx) res.dx = copyOut(ar, pdx, TB * Din);
  return res;
}

/** dU[:, n0:n1] += h0ᵀ·dA_0 + hs[0:T−1]ᵀ·dA[1:T] (two GEMMs; no stacked copy of Hprev needed). */
function pushHprevGemm(
  task: Task,
  n0: number,
  n1: number,
  Hp: number,
  GHp: number,
  B: number,
  T: number,
  pH0: number,
  pHs: number,
  pDAh: number,
  pdU: number,
): void {
  task.push(gemmCall(1, 0, Hp, n1 - n0, B, pH0, Hp, pDAh + n0 * 4, GHp, 1, pdU + n0 * 4, GHp));
  if (T > 1) {
    task.push(
      gemmCall(
        1,
        0,
        Hp,
        n1 - n0,
        (T - 1) * B,
        pHs,
        Hp,
        pDAh + (B * GHp + n0) * 4,
        GHp,
        1,
        pdU + n0 * 4,
        GHp,
      ),
    );
  }
}

/** A `gemm` task call with alpha = 1 and the running thread's workspace (scratch −1). */
function gemmCall(
  transA: 0 | 1,
  transB: 0 | 1,
  M: number,
  N: number,
  K: number,
  pA: number,
  lda: number,
  pB: number,
  ldb: number,
  beta: number,
  pC: number,
  ldc: number,
): Call {
  return ['gemm', transA, transB, M, N, K, 1, pA, lda, pB, ldb, beta, pC, ldc, -1];
}
