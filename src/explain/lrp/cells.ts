/**
 * LRP through one recurrent direction, backwards over its steps (Arras et al. 2017, "Explaining
 * recurrent neural network predictions in sentiment analysis"):
 *
 * - elementwise activations (tanh, relu, the tanh of h = o⊙tanh(c)) pass relevance unchanged;
 * - gate × signal products: signal-take-all. The signal gets all the relevance, the gate none:
 *     LSTM h = o⊙tanh(c): R_c += R_h;   i⊙g: R_g is the i⊙g term's share;
 *     GRU  r⊙(h·U_n + bh_n) (or (r⊙h)·U_n): r is a fixed per-column (per-row) scale of the linear map;
 * - sums of two signals: proportional split with ε,
 *     LSTM c = f⊙c_prev + i⊙g:     R_cprev = f·c_prev/(c + ε·sgn c)·R_c,  R_g = i·g/(c + ε·sgn c)·R_c
 *     GRU  h = (1−z)⊙n + z⊙h_prev: R_n = (1−z)·n/(h + ε·sgn h)·R_h, R_hprev += z·h_prev/(…)·R_h
 *   (the ε·sgn share goes to the bias account, so nothing is lost);
 * - gate pre-activations are linear maps of x_t and h_{t−1}: ε-rule (linear.ts). Only the signal's
 *   pre-activation (SimpleRNN a, LSTM a_g, GRU a_n) receives relevance.
 *
 * Bias (+ ε) shares are booked in the bias account ('keep'), or ('redistribute') spread equally
 * over the inputs of the map they arise in: the D + H inputs of a gate map, the 2H terms of the
 * state split (all units together). Both modes reproduce Arras et al.'s reference code
 * (LRP_for_LSTM, bias_factor 0 and 1): test/explain/lrp-arras.test.ts.
 */
import { RnnlensError } from '../../core/errors.js';
import type { CellRun } from './unroll.js';
import { addShares, stab } from './linear.js';

/** Running totals of relevance that leaves the network other than through the input. */
export interface Accounts {
  eps: number;
  /**
   * 'keep': the bias (+ ε) share of every map goes to the `bias` account;
   * 'redistribute': it is spread equally over the map's inputs (Arras et al.'s bias_factor = 1),
   * so input + initial-state relevance alone equal the score.
   */
  mode: 'keep' | 'redistribute';
  /** Relevance absorbed by biases (and the ε stabilisers) in 'keep' mode. */
  bias: number;
  /** Relevance on the initial states h0 (and c0). */
  initial: number;
}

/** Books `amount` of bias relevance; returns the part each of `n` inputs receives instead. */
export function spill(acc: Accounts, amount: number, n: number): number {
  if (acc.mode === 'keep') {
    acc.bias += amount;
    return 0;
  }
  return amount / n;
}

/**
 * Relevance on the direction's input [len, D] (input positions) given relevance on its output:
 * `Rout` is [len, H] by output row when `seqOut`, else [H] on the final state. `Rcell` [H]: LSTM
 * relevance arriving at the final cell state c_T directly (a graph layer reading ONNX Y_c); it
 * joins what c_T takes from h_T and follows the same split.
 */
export function lrpCell(
  run: CellRun,
  Rout: Float64Array,
  seqOut: boolean,
  acc: Accounts,
  Rcell?: Float64Array,
): Float64Array {
  const { H, D, G, len, cell, x, h, c, a, gates, W, U, bx, bh, mn } = run;
  const eps = acc.eps;
  const Rh = new Float64Array((len + 1) * H); // relevance on h rows (row 0 = h0)
  const Rc = c ? new Float64Array((len + 1) * H) : null;
  if (seqOut) {
    for (let p = 0; p < len; p++)
      for (let j = 0; j < H; j++) Rh[(p + 1) * H + j] += Rout[run.outRow[p]! * H + j]!;
  } else {
    for (let j = 0; j < H; j++) Rh[len * H + j] += Rout[j]!;
  }
  if (Rcell) {
    if (!Rc) throw new RnnlensError(`LRP: cell-state relevance given to a ${cell.kind} direction (layer ${run.layer.name})`);
    for (let j = 0; j < H; j++) Rc[len * H + j] += Rcell[j]!;
  }
  const Rx = new Float64Array(len * D);
  const q = new Float64Array(H);
  const reset = new Float64Array(H);
  const Rsig = new Float64Array(H); // relevance on the signal's activation
  const GH = G * H;
  for (let p = len - 1; p >= 0; p--) {
    const hp = p * H;
    const ho = (p + 1) * H;
    const ao = p * GH;
    const block = cell.kind === 'rnn' ? 0 : 2; // gate block of the signal pre-activation
    // (1) the split of the new state between the kept state and the signal, unit by unit;
    // the ε share of all units is booked, or spread over the 2H terms (as Arras et al.'s
    // reference code does with bias_factor = 1: lrp_linear(…, identity, …, 2d, …)).
    let epsShare = 0;
    for (let j = 0; j < H; j++) {
      if (cell.kind === 'rnn') {
        Rsig[j] = Rh[ho + j]!;
      } else if (cell.kind === 'lstm') {
        const Rct = Rc![ho + j]! + Rh[ho + j]!; // o⊙tanh(c): signal-take-all
        const den = stab(c![ho + j]!, eps);
        const fc = gates[ao + H + j]! * c![hp + j]!;
        const ig = gates[ao + j]! * gates[ao + 2 * H + j]!;
        Rc![hp + j] += (fc / den) * Rct;
        Rsig[j] = (ig / den) * Rct;
        epsShare += ((den - fc - ig) / den) * Rct;
      } else {
        const z = gates[ao + H + j]!;
        const den = stab(h[ho + j]!, eps);
        const nTerm = (1 - z) * gates[ao + 2 * H + j]!;
        const hTerm = z * h[hp + j]!;
        Rh[hp + j] += (hTerm / den) * Rh[ho + j]!;
        Rsig[j] = (nTerm / den) * Rh[ho + j]!;
        epsShare += ((den - nTerm - hTerm) / den) * Rh[ho + j]!;
        reset[j] = gates[ao + j]!;
      }
    }
    if (cell.kind !== 'rnn') {
      const each = spill(acc, epsShare, 2 * H);
      const kept = cell.kind === 'lstm' ? Rc! : Rh;
      if (each !== 0)
        for (let j = 0; j < H; j++) {
          kept[hp + j] += each;
          Rsig[j] += each;
        }
    }
    // (2) the ε-rule through the signal's pre-activation, a linear map of x_t and h_{t−1}.
    let stepBias = 0; // bias share of the map at this step
    for (let j = 0; j < H; j++) {
      const col = block * H + j;
      q[j] = Rsig[j]! / stab(a[ao + col]!, eps);
      // Bias share of the signal's linear map: bx + bh (GRU reset-after: bx_n + r·bh_n) + ε·sgn.
      const bhScale = cell.kind === 'gru' && mn ? reset[j]! : 1;
      stepBias +=
        (bx[col]! + bhScale * bh[col]! + (stab(a[ao + col]!, eps) - a[ao + col]!)) * q[j]!;
    }
    const off = block * H;
    const rx = run.order[p]! * D;
    addShares(x, p * D, D, W, GH, off, q, H, Rx, rx);
    if (cell.kind === 'gru' && mn) {
      addShares(h, hp, H, U, GH, off, q, H, Rh, hp, reset); // r⊙(h·U_n + bh_n)
    } else if (cell.kind === 'gru') {
      const rh = new Float64Array(H); // (r⊙h)·U_n: the product r⊙h is the signal
      for (let k = 0; k < H; k++) rh[k] = gates[ao + k]! * h[hp + k]!;
      const Rrh = new Float64Array(H);
      addShares(rh, 0, H, U, GH, off, q, H, Rrh, 0);
      for (let k = 0; k < H; k++) Rh[hp + k] += Rrh[k]!;
    } else {
      addShares(h, hp, H, U, GH, off, q, H, Rh, hp);
    }
    // The map's inputs are x_t (D values) and h_{t−1} (H values).
    const each = spill(acc, stepBias, D + H);
    if (each !== 0) {
      for (let d = 0; d < D; d++) Rx[rx + d] += each;
      for (let k = 0; k < H; k++) Rh[hp + k] += each;
    }
  }
  for (let j = 0; j < H; j++) acc.initial += Rh[j]! + (Rc ? Rc[j]! : 0);
  return Rx;
}
