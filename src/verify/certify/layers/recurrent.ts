/**
 * Unrolling one recurrent direction over the steps of one sequence, shared by the SimpleRNN,
 * LSTM and GRU rules (each supplies its cell step). Gate pre-activations are affine in
 * (x_t, h_{t−1}): for gate block k and unit j
 *   a_kj = Σ_d x_d·W[d, kH+j] + Σ_i h_i·U[i, kH+j] + bh[kH+j]·1 + bx[kH+j],
 * one node over [x_t; h_{t−1}; 1] — the forward pass adds x·W + bx and h·U + bh, one sum of those
 * terms, which is what an affine node's forward-error widening assumes.
 */
import { gateCount } from '../../../core/backend.js';
import { RnnlensError } from '../../../core/errors.js';
import type { RecurrentLayer } from '../../../nn/recurrent.js';
import type { BoundGraph, LFlow } from './graph.js';
import { expectSeqFlow, f64 } from './flow.js';

export interface CellWeights {
  name: string;
  D: number;
  H: number;
  G: number;
  W: Float64Array; // [D, G·H]
  U: Float64Array; // [H, G·H]
  bx: Float64Array; // [G·H]
  bh: Float64Array; // [G·H]
}

export function cellWeights(layer: RecurrentLayer, name: string): CellWeights {
  const H = layer.cell.hiddenSize;
  const act = layer.cell.recurrentActivation ?? 'sigmoid';
  if (act !== 'sigmoid') {
    // the gate relaxations and product planes are those of the logistic sigmoid
    throw new RnnlensError(`certify: no bound rule for ${layer.cell.kind} gates with recurrent activation '${act}' (layer ${name}); only the logistic sigmoid is supported`);
  }
  return {
    name,
    D: layer.cell.inputSize,
    H,
    G: gateCount(layer.cell.kind),
    W: f64(layer.W.value),
    U: f64(layer.U.value),
    bx: f64(layer.bx.value),
    bh: f64(layer.bh.value),
  };
}

export interface CellState {
  h: number;
  c?: number;
}

/** One cell step: the new state from x_t and the previous state. */
export type CellStep = (
  g: BoundGraph,
  w: CellWeights,
  x: number,
  s: CellState,
  t: number,
) => CellState;

/**
 * The pre-activation of gate block k: rows over [x; h; 1] (or [x; 1] when `h` is null) with
 * weights W[:, k], U[:, k], bh[k] and bias bx[k]. `withBh` false leaves bh out (GRU reset-after's
 * n gate adds h·U_n + bh_n through the reset product instead).
 */
export function gatePre(
  g: BoundGraph,
  w: CellWeights,
  k: number,
  x: number,
  h: number | null,
  label: string,
  withBh = true,
): number {
  const { D, H, G } = w;
  const GH = G * H;
  const nh = h === null ? 0 : H;
  const cols = D + nh + (withBh ? 1 : 0);
  const M = new Float64Array(H * cols);
  for (let j = 0; j < H; j++) {
    const col = k * H + j;
    const row = j * cols;
    for (let d = 0; d < D; d++) M[row + d] = w.W[d * GH + col]!;
    for (let i = 0; i < nh; i++) M[row + D + i] = w.U[i * GH + col]!;
    if (withBh) M[row + D + nh] = w.bh[col]!;
  }
  const srcs = h === null ? [x] : [x, h];
  if (withBh) srcs.push(g.one());
  return g.affine(srcs, M, w.bx.slice(k * H, (k + 1) * H), H, label);
}

/**
 * Runs the cell over the sequence (reversed when `reverse`, i.e. goBackwards: each sequence read
 * from its last step) from zero initial states; returns the hidden state after each PROCESSED step
 * and the final cell state (LSTM; −1 otherwise).
 */
export function unroll(
  g: BoundGraph,
  w: CellWeights,
  xs: readonly number[],
  step: CellStep,
  reverse: boolean,
  hasCell: boolean,
): { hs: number[]; c: number } {
  const zero = g.zeros(w.H);
  let s: CellState = hasCell ? { h: zero, c: zero } : { h: zero };
  const hs: number[] = [];
  const T = xs.length;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    g.step = t;
    s = step(g, w, xs[t]!, s, t);
    hs.push(s.h);
  }
  g.step = -1;
  return { hs, c: s.c ?? -1 };
}

/**
 * The layer's output: the final state, or every step's state — in processing order (a standalone
 * goBackwards layer, as Keras) or put back at input positions (`align`, inside Bidirectional).
 */
export function lowerDirection(
  layer: RecurrentLayer,
  input: LFlow,
  g: BoundGraph,
  step: CellStep,
  hasCell: boolean,
  opts: { reverse?: boolean; align?: boolean; name?: string } = {},
): LFlow {
  const xs = expectSeqFlow(layer.name, input);
  const reverse = opts.reverse ?? layer.direction === 'backward';
  const w = cellWeights(layer, opts.name ?? layer.name);
  const { hs, c } = unroll(g, w, xs, step, reverse, hasCell);
  const cells = hasCell ? { cells: [c] } : {};
  if (!layer.sequenceOutput) return { kind: 'flat', node: hs[hs.length - 1]!, ...cells };
  return { kind: 'seq', steps: reverse && opts.align ? hs.slice().reverse() : hs, ...cells };
}
