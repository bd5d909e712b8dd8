/**
 * What the ONNX lifter knows about each graph value while it walks the graph (an abstract
 * interpretation: constants are computed, activations are tracked by the meaning of their axes).
 *
 * - const: a known tensor (weights, shapes); integer entries may be symbolic batch/time sizes
 *   (a `Role`), as produced by Shape-driven subgraphs.
 * - zeros: an all-zero tensor whose shape may be symbolic (ConstantOfShape, Expand), e.g. h0 = 0.
 * - input: a graph input not yet claimed (the data input, or an initial state), maybe rows of it.
 * - flow: the output of the rnnlens layer chain so far; `axes` say what each ONNX axis means.
 * - rnn: outputs of recurrent nodes not yet turned into a layer (Y, Y_h, Y_c), with the direction
 *   axis still explicit, so that whatever torch does with it (squeeze, transpose, reshape, gather
 *   h_n[-1], cat of both directions, sum) decides the layer's returnSequences and merge mode.
 */
import type { OnnxNode, OnnxValueInfo } from './parse.js';

/** A batch or time axis: which one it is is learned when a recurrent node consumes it. */
export interface Role {
  id: number;
  role: 'B' | 'T' | '?';
  /** Static size when the graph declares one. */
  size?: number;
}

export type Axis =
  | { k: 'bt'; r: Role }
  | { k: 'f'; n: number }
  | { k: 'one' }
  | { k: 'dir' }
  | { k: 'h'; n: number };

export type Merge = 'concat' | 'sum' | 'mul' | 'mean';

export interface RnnWeights {
  W: Float64Array; // [F, G·H] rnnlens layout and gate order
  U: Float64Array; // [H, G·H]
  bx: Float64Array;
  bh: Float64Array;
}

export interface StateSource {
  input: string;
  /** Row of the ONNX state input [rows, B, H] holding direction 0 of this node. */
  row: number;
  /** Layout 1 nodes read states [B, rows, H]. */
  batchMajor: boolean;
}

export interface PendingRnn {
  node: OnnxNode;
  kind: 'simple_rnn' | 'lstm' | 'gru';
  units: number;
  features: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  activation?: 'tanh' | 'relu';
  resetAfter?: boolean;
  weights: RnnWeights[];
  /** Chain length when the node's input was produced (the layer must come right after it). */
  tip: number;
  h0: StateSource | null;
  c0: StateSource | null;
  committed: { key: string; val: FlowVal } | null;
}

export interface DirRef {
  node: PendingRnn;
  dir: number;
  what: 'Y' | 'h' | 'c';
}

export interface ConstVal {
  v: 'const';
  float: boolean;
  shape: number[];
  data: Float64Array | Array<number | Role>;
}
export interface ZerosVal {
  v: 'zeros';
  shape: Array<number | Role>;
}
export interface InputVal {
  v: 'input';
  info: OnnxValueInfo;
  /** Rows [start, end) along axis 0 when sliced (initial states of stacked nodes). */
  rows?: [number, number];
}
export interface FlowVal {
  v: 'flow';
  axes: Axis[];
  tip: number;
  tokens?: boolean;
  softmax?: boolean;
}
export interface RnnVal {
  v: 'rnn';
  axes: Axis[];
  parts: DirRef[];
  merge: Merge;
}
export type Val = ConstVal | ZerosVal | InputVal | FlowVal | RnnVal;

export function isRole(x: number | Role): x is Role {
  return typeof x === 'object';
}

/** Size of an axis: a number, or the Role of an unsized batch/time axis. */
export function axisSize(a: Axis, parts: number): number | Role {
  switch (a.k) {
    case 'bt':
      return a.r.size ?? a.r;
    case 'f':
    case 'h':
      return a.n;
    case 'one':
      return 1;
    case 'dir':
      return parts;
  }
}

export function describeVal(x: Val): string {
  if (x.v === 'const') return `a constant [${x.shape.join(', ')}]`;
  if (x.v === 'zeros') return 'a zero tensor';
  if (x.v === 'input') return `graph input '${x.info.name}'`;
  const axes = x.axes.map((a) => (a.k === 'bt' ? (a.r.role === '?' ? 'B|T' : a.r.role) : a.k === 'f' || a.k === 'h' ? `F${a.n}` : a.k === 'one' ? '1' : 'dirs')).join(', ');
  return x.v === 'flow' ? `activations [${axes}]` : `recurrent outputs [${axes}]`;
}
