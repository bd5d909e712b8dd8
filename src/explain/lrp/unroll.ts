/**
 * A float64 re-run of a SequenceModel on ONE sequence (its real steps only) that records every
 * intermediate value the relevance passes need: each layer's input and output, and for each
 * recurrent direction the state before and after every step, the gate pre-activations and
 * activations. LRP (this folder) and DeepLIFT (../deeplift) walk these records backwards.
 *
 * The cell equations are those of src/core/backend.ts (σ = logistic sigmoid,
 * a_k = x·W_k + bx_k + h·U_k + bh_k for gate block k):
 *   SimpleRNN  h' = act(a)
 *   LSTM       i=σ(a_i) f=σ(a_f) g=tanh(a_g) o=σ(a_o); c' = f⊙c + i⊙g; h' = o⊙tanh(c')
 *   GRU        r=σ(a_r) z=σ(a_z); n = tanh(a_n); h' = (1−z)⊙n + z⊙h with
 *              a_n = x·W_n + bx_n + r⊙(h·U_n + bh_n)   (reset-after)
 *              a_n = x·W_n + bx_n + (r⊙h)·U_n + bh_n   (reset-before)
 * Dropout is the identity (inference). Tests check this re-run against `model.predict`.
 */
import { gateCount, type CellSpec } from '../../core/backend.js';
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import type { FloatArray } from '../../core/tensor.js';
import { BidirectionalLayer } from '../../nn/bidirectional.js';
import { DenseLayer } from '../../nn/dense.js';
import { EmbeddingLayer } from '../../nn/embedding.js';
import { HeadLayer } from '../../nn/heads.js';
import type { Layer, RecurrentState } from '../../nn/layer.js';
import { RecurrentLayer } from '../../nn/recurrent.js';
import { GraphLayer } from '../../nn/graph/layer.js';
import { finalStates, traceGraph, type GraphTrace } from '../graph/trace.js';

/** One sequence's activation: [steps, features] when `steps` is a number, else a vector [features]. */
export interface Act {
  data: Float64Array;
  steps: number | null;
  features: number;
}

/** One recurrent direction run over `len` steps, all arrays in PROCESSING order p = 0..len−1. */
export interface CellRun {
  layer: RecurrentLayer;
  cell: CellSpec;
  D: number;
  H: number;
  G: number;
  len: number;
  /** Input position read at processing step p. */
  order: Int32Array;
  /** Output row of step p in the layer's sequence output. */
  outRow: Int32Array;
  /** Inputs [len, D]. */
  x: Float64Array;
  /** States [len + 1, H]: row 0 is h0, row p + 1 the state after step p. */
  h: Float64Array;
  /** LSTM cell states [len + 1, H], as h. */
  c: Float64Array | null;
  /** Pre-activations [len, G·H] (GRU n block: the argument of tanh). */
  a: Float64Array;
  /** Activations [len, G·H]. */
  gates: Float64Array;
  /** GRU reset-after: h·U_n + bh_n [len, H]. */
  mn: Float64Array | null;
  /** Parameters in float64. */
  W: Float64Array;
  U: Float64Array;
  bx: Float64Array;
  bh: Float64Array;
}

export type LayerRecord =
  | { kind: 'embedding'; layer: EmbeddingLayer; ids: Int32Array; out: Act }
  | { kind: 'dense'; layer: DenseLayer; x: Act; z: Float64Array; out: Act }
  | { kind: 'head'; layer: HeadLayer; x: Act; argmax: Int32Array | null; out: Act }
  | { kind: 'dropout'; layer: Layer; x: Act; out: Act }
  | { kind: 'recurrent'; layer: RecurrentLayer; x: Act; run: CellRun; out: Act }
  | { kind: 'graph'; layer: GraphLayer; x: Act; trace: GraphTrace; out: Act }
  | {
      kind: 'bidirectional';
      layer: BidirectionalLayer;
      x: Act;
      fwd: CellRun;
      bwd: CellRun;
      a: Act;
      b: Act;
      out: Act;
    };

export interface Unrolled {
  records: LayerRecord[];
  output: Act;
}

export const f64 = (a: FloatArray): Float64Array =>
  a instanceof Float64Array ? a : Float64Array.from(a);

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Initial states of one sequence, by recurrent layer name and direction (each [H]). */
export type SequenceStates = Record<
  string,
  Partial<Record<'forward' | 'backward', RecurrentState>>
>;

/** Runs one direction of a recurrent layer over x [len, D] (input positions). */
export function runCell(
  layer: RecurrentLayer,
  x: Act,
  aligned: boolean,
  init: RecurrentState | undefined,
): CellRun {
  const cell = layer.cell;
  if ((cell.recurrentActivation ?? 'sigmoid') !== 'sigmoid') {
    // the relevance and multiplier rules recompute gates with the logistic sigmoid
    throw new RnnlensError(`LRP/DeepLIFT: no rule for ${cell.kind} gates with recurrent activation '${cell.recurrentActivation}' (layer ${layer.name})`);
  }
  const D = cell.inputSize;
  const H = cell.hiddenSize;
  const G = gateCount(cell.kind);
  const len = x.steps!;
  const W = f64(layer.W.value);
  const U = f64(layer.U.value);
  const bx = f64(layer.bx.value);
  const bh = f64(layer.bh.value);
  const rev = layer.direction === 'backward';
  const order = new Int32Array(len);
  const outRow = new Int32Array(len);
  for (let p = 0; p < len; p++) {
    order[p] = rev ? len - 1 - p : p;
    outRow[p] = rev && aligned ? len - 1 - p : p;
  }
  const xs = new Float64Array(len * D);
  for (let p = 0; p < len; p++) xs.set(x.data.subarray(order[p]! * D, (order[p]! + 1) * D), p * D);
  const h = new Float64Array((len + 1) * H);
  if (init?.h) h.set(f64(init.h).subarray(0, H));
  const c = cell.kind === 'lstm' ? new Float64Array((len + 1) * H) : null;
  if (c && init?.c) c.set(f64(init.c).subarray(0, H));
  const a = new Float64Array(len * G * H);
  const gates = new Float64Array(len * G * H);
  const mn = cell.kind === 'gru' && cell.resetAfter !== false ? new Float64Array(len * H) : null;
  const ax = new Float64Array(G * H);
  const ah = new Float64Array(G * H);
  const rhs = new Float64Array(H); // reset-before GRU: r⊙h
  for (let p = 0; p < len; p++) {
    const xo = p * D;
    const hp = p * H; // previous state row
    // ax = x·W + bx, ah = h·U + bh over all gate blocks (row by row: contiguous weight reads).
    const GH = G * H;
    ax.set(bx);
    ah.set(bh);
    for (let d = 0; d < D; d++) {
      const v = xs[xo + d]!;
      if (v === 0) continue;
      for (let j = 0, w = d * GH; j < GH; j++, w++) ax[j] += v * W[w]!;
    }
    for (let k = 0; k < H; k++) {
      const v = h[hp + k]!;
      if (v === 0) continue;
      for (let j = 0, w = k * GH; j < GH; j++, w++) ah[j] += v * U[w]!;
    }
    if (mn === null && cell.kind === 'gru') {
      // reset-before: (r⊙h)·U_n + bh_n replaces h·U_n + bh_n in the n block.
      for (let j = 0; j < H; j++) {
        const r = sigmoid(ax[j]! + ah[j]!);
        rhs[j] = r * h[hp + j]!;
      }
      ah.fill(0, 2 * H, 3 * H);
      for (let k = 0; k < H; k++) {
        const v = rhs[k]!;
        if (v === 0) continue;
        for (let j = 0, w = k * GH + 2 * H; j < H; j++, w++) ah[2 * H + j] += v * U[w]!;
      }
      for (let j = 0; j < H; j++) ah[2 * H + j] += bh[2 * H + j]!;
    }
    const ao = p * G * H;
    const ho = (p + 1) * H;
    if (cell.kind === 'rnn') {
      for (let j = 0; j < H; j++) {
        const v = ax[j]! + ah[j]!;
        a[ao + j] = v;
        const y = cell.activation === 'relu' ? Math.max(0, v) : Math.tanh(v);
        gates[ao + j] = y;
        h[ho + j] = y;
      }
    } else if (cell.kind === 'lstm') {
      for (let j = 0; j < H; j++) {
        for (let k = 0; k < 4; k++) a[ao + k * H + j] = ax[k * H + j]! + ah[k * H + j]!;
        const i = sigmoid(a[ao + j]!);
        const f = sigmoid(a[ao + H + j]!);
        const g = Math.tanh(a[ao + 2 * H + j]!);
        const o = sigmoid(a[ao + 3 * H + j]!);
        gates[ao + j] = i;
        gates[ao + H + j] = f;
        gates[ao + 2 * H + j] = g;
        gates[ao + 3 * H + j] = o;
        const cn = f * c![hp + j]! + i * g; // c' = f⊙c + i⊙g
        c![ho + j] = cn;
        h[ho + j] = o * Math.tanh(cn); // h' = o⊙tanh(c')
      }
    } else {
      for (let j = 0; j < 2 * H; j++) {
        a[ao + j] = ax[j]! + ah[j]!;
        gates[ao + j] = sigmoid(a[ao + j]!);
      }
      for (let j = 0; j < H; j++) {
        const r = gates[ao + j]!;
        if (mn) mn[p * H + j] = ah[2 * H + j]!;
        // reset-after: x·W_n + bx_n + r⊙(h·U_n + bh_n); reset-before: ah holds (r⊙h)·U_n + bh_n.
        const an = mn ? ax[2 * H + j]! + r * ah[2 * H + j]! : ax[2 * H + j]! + ah[2 * H + j]!;
        a[ao + 2 * H + j] = an;
        const n = Math.tanh(an);
        gates[ao + 2 * H + j] = n;
        const z = gates[ao + H + j]!;
        h[ho + j] = (1 - z) * n + z * h[hp + j]!; // h' = (1−z)⊙n + z⊙h
      }
    }
  }
  return { layer, cell, D, H, G, len, order, outRow, x: xs, h, c, a, gates, mn, W, U, bx, bh };
}

/** The layer output of a direction: every step at its output row, or the final state. */
export function cellOutput(run: CellRun, sequence: boolean): Act {
  const { H, len } = run;
  if (!sequence) return { data: run.h.slice(len * H, (len + 1) * H), steps: null, features: H };
  const out = new Float64Array(len * H);
  for (let p = 0; p < len; p++)
    out.set(run.h.subarray((p + 1) * H, (p + 2) * H), run.outRow[p]! * H);
  return { data: out, steps: len, features: H };
}

function dense(layer: DenseLayer, x: Act): LayerRecord {
  const I = layer.inputFeatures;
  const O = layer.outputFeatures;
  const K = f64(layer.kernel.value);
  const b = f64(layer.bias.value);
  const rows = x.steps ?? 1;
  const z = new Float64Array(rows * O);
  const y = new Float64Array(rows * O);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < O; j++) {
      let s = b[j]!; // z = x·K + b
      for (let i = 0; i < I; i++) s += x.data[r * I + i]! * K[i * O + j]!;
      z[r * O + j] = s;
      y[r * O + j] = activate(layer.activation, s);
    }
  }
  return { kind: 'dense', layer, x, z, out: { data: y, steps: x.steps, features: O } };
}

export function activate(act: DenseLayer['activation'], v: number): number {
  return act === 'relu'
    ? Math.max(0, v)
    : act === 'tanh'
      ? Math.tanh(v)
      : act === 'sigmoid'
        ? sigmoid(v)
        : v;
}

function head(layer: HeadLayer, x: Act): LayerRecord {
  const F = x.features;
  const len = x.steps!;
  if (layer.pool === 'every') return { kind: 'head', layer, x, argmax: null, out: x };
  const y = new Float64Array(F);
  let argmax: Int32Array | null = null;
  if (layer.pool === 'last') y.set(x.data.subarray((len - 1) * F, len * F));
  else if (layer.pool === 'mean') {
    for (let t = 0; t < len; t++) for (let j = 0; j < F; j++) y[j] = y[j]! + x.data[t * F + j]!;
    for (let j = 0; j < F; j++) y[j] = y[j]! / len;
  } else {
    argmax = new Int32Array(F); // the first maximising step, as the layer's backward
    for (let j = 0; j < F; j++) {
      let best = 0;
      for (let t = 1; t < len; t++) if (x.data[t * F + j]! > x.data[best * F + j]!) best = t;
      argmax[j] = best;
      y[j] = x.data[best * F + j]!;
    }
  }
  return { kind: 'head', layer, x, argmax, out: { data: y, steps: null, features: F } };
}

function bidirectional(layer: BidirectionalLayer, x: Act, states: SequenceStates): LayerRecord {
  const st = states[layer.name] ?? {};
  const seq = layer.sequenceOutput;
  const fwd = runCell(layer.forwardLayer, x, true, st.forward);
  const bwd = runCell(layer.backwardLayer, x, true, st.backward);
  const a = cellOutput(fwd, seq);
  const b = cellOutput(bwd, seq);
  const H = a.features;
  const rows = a.steps ?? 1;
  const F = layer.outputFeatures;
  const out = new Float64Array(rows * F);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      const u = a.data[r * H + j]!;
      const v = b.data[r * H + j]!;
      if (layer.merge === 'concat') {
        out[r * F + j] = u;
        out[r * F + H + j] = v;
      } else {
        out[r * F + j] =
          layer.merge === 'sum' ? u + v : layer.merge === 'mean' ? 0.5 * (u + v) : u * v;
      }
    }
  }
  return {
    kind: 'bidirectional',
    layer,
    x,
    fwd,
    bwd,
    a,
    b,
    out: { data: out, steps: a.steps, features: F },
  };
}

/** Embedding rows of one sequence's ids [len] → [len, E]. */
export function embed(layer: EmbeddingLayer, ids: Int32Array): LayerRecord {
  const E = layer.outputFeatures;
  const table = layer.embeddings.value;
  const out = new Float64Array(ids.length * E);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (id < 0 || id >= layer.vocabSize)
      throw new ArgumentError(
        layer.name,
        `ids[${t}]`,
        `a token id in [0, ${layer.vocabSize - 1}]`,
        String(id),
      );
    for (let e = 0; e < E; e++) out[t * E + e] = table[id * E + e]!;
  }
  return { kind: 'embedding', layer, ids, out: { data: out, steps: ids.length, features: E } };
}

/**
 * Runs the layers from `start` on one sequence. `x` is the input of layer `start` (numeric
 * features or embedding vectors); for a token model starting at 0 pass `ids` instead.
 */
export function unroll(
  layers: readonly Layer[],
  x: Act | Int32Array,
  states: SequenceStates = {},
  start = 0,
): Unrolled {
  const records: LayerRecord[] = [];
  let cur: Act | null = x instanceof Int32Array ? null : x;
  for (let i = start; i < layers.length; i++) {
    const layer = layers[i]!;
    let rec: LayerRecord;
    if (layer instanceof EmbeddingLayer) rec = embed(layer, x as Int32Array);
    else if (layer instanceof DenseLayer) rec = dense(layer, cur!);
    else if (layer instanceof HeadLayer) rec = head(layer, cur!);
    else if (layer instanceof RecurrentLayer) {
      const run = runCell(layer, cur!, false, states[layer.name]?.[layer.direction]);
      rec = { kind: 'recurrent', layer, x: cur!, run, out: cellOutput(run, layer.sequenceOutput) };
    } else if (layer instanceof BidirectionalLayer) rec = bidirectional(layer, cur!, states);
    else if (layer.kind === 'dropout') rec = { kind: 'dropout', layer, x: cur!, out: cur! };
    else if (layer instanceof GraphLayer) {
      const prev = records[records.length - 1];
      const runs = prev?.kind === 'recurrent' ? [prev.run] : prev?.kind === 'bidirectional' ? [prev.fwd, prev.bwd] : [];
      const t = traceGraph(layer, cur!, finalStates(runs), i === layers.length - 1);
      rec = { kind: 'graph', layer, x: cur!, trace: t.trace, out: t.out };
    }
    else throw new ArgumentError('unroll', `layers[${i}].kind`, 'a known layer kind', layer.kind);
    records.push(rec);
    cur = rec.out;
  }
  return { records, output: cur! };
}
