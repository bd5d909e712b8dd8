/**
 * sequenceForward on the wasm kernels. The host copies the inputs into the padded layout, packs
 * the weights once, writes a descriptor, and splits the batch into blocks of rows that the threads
 * claim; a block runs the whole time loop in wasm (per step one GEMM a = bias + [x_t, h]·[W; U]
 * — GRU reset-after: r, z that way and x·W_n, h·U_n apart; reset-before: x·W and h·U apart — then
 * the fused gate kernel), so threads meet only at the start and the end of the layer. Rows never
 * interact, so the result does not depend on the split.
 */
import type { SequenceForwardArgs, SequenceForwardResult } from '../backend.js';
import { checkForwardArgs } from '../ts/validate.js';
import { D, D_FIELDS, cellFlags } from './descriptor.js';
import { chunks, copyInGates, copyInRows, copyOutGates, pad4 } from './layout.js';
import type { Task } from './pool.js';
import { LazyTape, type TapeLoaders } from './lazy-tape.js';
import { forwardInputs } from './resident.js';
import type { Runtime } from './runtime.js';

/** Packs op(B) [K, N] (B at byte offset pB, row stride ldb) for gemm_acc_packed; returns the offset. */
export function packB(
  rt: Runtime,
  transB: boolean,
  K: number,
  N: number,
  pB: number,
  ldb: number,
): number {
  const dst = rt.arena.alloc(rt.kernels.packed_b_size(K, N));
  rt.kernels.pack_b(transB ? 1 : 0, K, N, pB, ldb, 0, 0, dst);
  return dst;
}

/** Scratch floats of gemm_acc_packed (one edge tile). */
export const STEP_WORK = 64;

export function wasmSequenceForward(rt: Runtime, a: SequenceForwardArgs): SequenceForwardResult {
  const kind = a.cell.kind;
  const { T, B, D: Din, H, G } = checkForwardArgs(`wasm.sequenceForward(${kind})`, a);
  const resetAfter = a.cell.resetAfter !== false;
  const Hp = pad4(H);
  const GHp = G * Hp;
  const ar = rt.arena;
  // an outputs-only pass keeps nothing; any other pass stays resident for its backward pass
  // (an outputs-only pass allocates above every kept region and releases none but over budget)
  const start = a.outputsOnly ? rt.resident.beginInference() : rt.resident.beginForward(a.W);
  ar.reset();

  const pX = ar.copyIn(a.x);
  const pW = copyInGates(ar, a.W, Din, G, H, Hp);
  const pU = copyInGates(ar, a.U, H, G, H, Hp, Hp);
  // Bias added to x·W each step: bx + bh, except GRU reset-after keeps bh_n inside r⊙(h·U_n + bh_n).
  const bias = new Float32Array(G * H);
  for (let i = 0; i < G * H; i++)
    bias[i] = a.bx[i]! + (kind === 'gru' && resetAfter && i >= 2 * H ? 0 : a.bh[i]!);
  const pBiasX = copyInGates(ar, bias, 1, G, H, Hp);
  const pBiasH = copyInGates(ar, a.bh, 1, G, H, Hp);
  const pH0 = copyInRows(ar, a.h0, B, H, Hp);
  const pC0 = kind === 'lstm' ? copyInRows(ar, a.c0, B, H, Hp) : 0;
  let pMask = 0;
  if (a.mask) {
    pMask = ar.allocBytes(T * B);
    ar.u8.set(a.mask, pMask);
  }
  let pWp: number;
  let pUp = 0;
  let pUp2 = 0;
  if (kind === 'gru') {
    if (resetAfter) {
      // r, z: one pass over [x_t, h_{t−1}]·[W; U]; n: x·W_n and h·U_n apart
      pWp = ar.alloc(rt.kernels.packed_b_size(Din + Hp, 2 * Hp));
      rt.kernels.pack_b_stacked(Din, pW, GHp, Hp, pU, GHp, 2 * Hp, pWp);
      pUp = packB(rt, false, Din, Hp, pW + 2 * Hp * 4, GHp);
      pUp2 = packB(rt, false, Hp, Hp, pU + 2 * Hp * 4, GHp);
    } else {
      pWp = packB(rt, false, Din, GHp, pW, GHp);
      pUp = packB(rt, false, Hp, 2 * Hp, pU, GHp);
      pUp2 = packB(rt, false, Hp, Hp, pU + 2 * Hp * 4, GHp);
    }
  } else {
    // LSTM and SimpleRNN: one GEMM per step over [x_t, h_{t−1}] · [W; U]
    pWp = ar.alloc(rt.kernels.packed_b_size(Din + Hp, GHp));
    rt.kernels.pack_b_stacked(Din, pW, GHp, Hp, pU, GHp, GHp, pWp);
  }
  const TBH = T * B * Hp;
  // outputs only: one step's gate rows [B, G·Hp], reused at every step (FLAGS bit 3), and the
  // LSTM cell states in a two-row ring [2, B, Hp] (step t in row t & 1); with lastOnly the hidden
  // states too (FLAGS bit 4), and no per-step outputs
  const ringH = a.outputsOnly === true && a.lastOnly === true;
  const pG = ar.alloc((a.outputsOnly ? B : T * B) * GHp);
  const pHs = ar.alloc(ringH ? 2 * B * Hp : TBH);
  const pCs = kind === 'lstm' ? ar.alloc(a.outputsOnly ? 2 * B * Hp : TBH) : 0;
  const pOut = a.mask && !ringH ? ar.alloc(TBH) : 0;
  const pHn = kind === 'gru' && resetAfter && !a.outputsOnly ? ar.alloc(TBH) : 0;
  const pPre = a.keepPreactivations ? ar.alloc(T * B * GHp) : 0;

  const desc = ar.allocBytes(D_FIELDS * 4);
  const f = ar.i32;
  const d = desc >> 2;
  f.fill(0, d, d + D_FIELDS);
  f[d + D.T] = T;
  f[d + D.B] = B;
  f[d + D.HP] = Hp;
  f[d + D.D] = Din;
  f[d + D.FLAGS] = cellFlags(a.cell) | (a.outputsOnly ? 8 : 0) | (ringH ? 16 : 0) | (a.batchMajor ? 32 : 0);
  f[d + D.X] = pX;
  f[d + D.WP] = pWp;
  f[d + D.BIASX] = pBiasX;
  f[d + D.UP] = pUp;
  f[d + D.UP2] = pUp2;
  f[d + D.H0] = pH0;
  f[d + D.C0] = pC0;
  f[d + D.MASK] = pMask;
  f[d + D.G] = pG;
  f[d + D.HS] = pHs;
  f[d + D.CS] = pCs;
  f[d + D.OUT] = pOut;
  f[d + D.PRE] = pPre;
  f[d + D.HN] = pHn;
  f[d + D.BIASH] = pBiasH;

  // tasks: blocks of batch rows, each through all steps; scratch per thread (−1 work, −2 s, −3 s2)
  const threads = rt.threadsFor(T * B * GHp * (Din + Hp), B);
  const blocks = chunks(B, threads, 4, 8, 4);
  const maxRows = blocks[0]![1] - blocks[0]![0];
  const tasks: Task[] = blocks.map(([b0, b1]): Task => {
    if (kind === 'lstm') return [['lstm_forward', desc, b0, b1, -1]];
    if (kind === 'rnn') return [['rnn_forward', desc, b0, b1, -1]];
    return resetAfter
      ? [['gru_forward', desc, b0, b1, -1, -2]]
      : [['gru_rb_forward', desc, b0, b1, -1, -2, -3]];
  });
  const scratch: number[][] = [];
  for (let w = 0; w < threads; w++) {
    const sWidth = kind === 'gru' ? (resetAfter ? GHp : 2 * Hp) : 0;
    scratch.push([
      ar.alloc(STEP_WORK),
      sWidth ? ar.alloc(maxRows * sWidth) : 0,
      sWidth ? ar.alloc(maxRows * 2 * Hp) : 0,
    ]);
  }
  rt.runTasks(tasks, threads, scratch);

  const TB = T * B;
  const last = (T - 1) * B;
  const ringLast = ((T - 1) & 1) * B; // the last step's rows in a two-row ring
  const hLast = copyOutGates(ar, pHs + (ringH ? ringLast : last) * Hp * 4, B, 1, H, Hp);
  if (a.outputsOnly) {
    // inference: only the outputs leave the arena (out aliases hs when there is no mask), and
    // with lastOnly not even those
    const hs = a.lastOnly ? new Float32Array(0) : copyOutGates(ar, pHs, TB, 1, H, Hp);
    const res: SequenceForwardResult = {
      out: pOut && !a.lastOnly ? copyOutGates(ar, pOut, TB, 1, H, Hp) : hs,
      hs,
      gates: new Float32Array(0),
      hLast,
    };
    if (kind === 'lstm') res.cLast = copyOutGates(ar, pCs + ringLast * Hp * 4, B, 1, H, Hp);
    return res;
  }
  // kept for the backward pass: the host gets the final states now and the rest when read
  const res = { hLast } as SequenceForwardResult;
  const loaders: TapeLoaders = {
    out: () => copyOutGates(ar, pOut || pHs, TB, 1, H, Hp),
    hs: () => copyOutGates(ar, pHs, TB, 1, H, Hp),
    gates: () => copyOutGates(ar, pG, TB, G, H, Hp),
  };
  if (kind === 'lstm') {
    res.cLast = copyOutGates(ar, pCs + last * Hp * 4, B, 1, H, Hp);
    loaders.cs = () => copyOutGates(ar, pCs, TB, 1, H, Hp);
  }
  if (pHn) loaders.hn = () => copyOutGates(ar, pHn, TB, 1, H, Hp);
  if (pPre) loaders.preact = () => copyOutGates(ar, pPre, TB, G, H, Hp);
  const tape = new LazyTape(res, loaders);
  rt.resident.keep(start, res, { pX, pG, pHs, pCs, pHn, pH0, pC0, ...forwardInputs(a) }, tape);
  return res;
}
