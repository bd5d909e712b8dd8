/**
 * `rnnlens dynamics`: a model's recurrent layer as a dynamical system under a constant input.
 * States on real trajectories (the dataset run through the model) seed the fixed-point search;
 * the points found are classified (stable, saddle, unstable), projected onto the principal
 * components of the trajectories, and tested for an approximate line attractor: many slow points
 * spread along one direction, each with its top eigenvalue close to 1.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { ArgumentError, describe } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import { collectTraces } from '../explain/internals/collect.js';
import { BidirectionalLayer } from '../nn/bidirectional.js';
import { EmbeddingLayer } from '../nn/embedding.js';
import type { SequenceModel } from '../nn/model.js';
import { RecurrentLayer } from '../nn/recurrent.js';
import { cellMap, layerWeights } from './cell-map.js';
import { findFixedPoints, type FixedPointOptions, type FoundPoint } from './fixed-points.js';

export interface DynamicsOptions extends Omit<FixedPointOptions, 'onProgress'> {
  /** `<layer>/<direction>` or a layer name (default: the first recurrent layer). */
  layer?: string;
  /** The constant input x* (default zeros), in the layer's input space. */
  input?: number[];
  /** For a token model: hold the embedding of this token id constant instead. */
  inputToken?: number;
  /** Starting states sampled from the trajectories (default 256). */
  starts?: number;
  /** Standard deviation of Gaussian noise added to each start (default 0). */
  noise?: number;
  /** Sequences run through the model (default 200). */
  sequences?: number;
  /** Trajectories kept for the figure (default 30). */
  figureSequences?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface LineAttractor {
  /** whether the slow points form an approximate line attractor */
  detected: boolean;
  /** fixed and slow points considered */
  points: number;
  /** share of the points' variance along their first principal direction */
  explained: number;
  /** median over the points of the largest |eigenvalue| */
  topEigenvalue: number;
  /** share of the trajectories' variance along that direction */
  trajectoryVariance: number;
  reason: string;
}

export interface DynamicsResult {
  layer: string;
  cell: 'rnn' | 'lstm' | 'gru';
  units: number;
  stateSize: number;
  input: number[];
  starts: number;
  unconverged: number;
  points: FoundPoint[];
  counts: { fixed: number; slow: number; stable: number; saddle: number; unstable: number; stableFixed: number };
  /** share of trajectory variance on each of the first principal components */
  pcaExplained: number[];
  lineAttractor: LineAttractor;
  figure: DynamicsFigureData;
}

export interface DynamicsFigureData {
  trajectories: { id: string; label?: string; points: [number, number][] }[];
  points: { x: number; y: number; kind: string; stability: string; q: number; radius: number }[];
  xTitle: string;
  yTitle: string;
}

interface Target {
  key: string;
  layer: RecurrentLayer;
  index: number;
}

/** The recurrent directions of a model, in trace order. */
function recurrentTargets(model: SequenceModel): Target[] {
  const out: Target[] = [];
  let index = 0;
  for (const l of model.layers) {
    const subs = l instanceof RecurrentLayer ? [l] : l instanceof BidirectionalLayer ? [l.forwardLayer, l.backwardLayer] : [];
    for (const s of subs) out.push({ key: `${s.name}/${s.direction}`, layer: s, index: index++ });
  }
  return out;
}

/** Principal directions of the rows of X [n, S] (mean-centred): eigenvectors of the covariance, largest first. */
export function principalDirections(X: Float64Array[], S: number): { mean: Float64Array; vectors: number[][]; variances: number[] } {
  const n = X.length;
  const mean = new Float64Array(S);
  for (const x of X) for (let k = 0; k < S; k++) mean[k] = mean[k]! + x[k]! / n;
  const C = Matrix.zeros(S, S);
  for (const x of X)
    for (let i = 0; i < S; i++) {
      const di = x[i]! - mean[i]!;
      if (di === 0) continue;
      for (let j = i; j < S; j++) C.set(i, j, C.get(i, j) + di * (x[j]! - mean[j]!));
    }
  for (let i = 0; i < S; i++) for (let j = 0; j < i; j++) C.set(i, j, C.get(j, i));
  C.div(Math.max(1, n - 1));
  const e = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const order = vals.map((_, i) => i).sort((a, b) => vals[b]! - vals[a]!);
  const V = e.eigenvectorMatrix;
  return { mean, vectors: order.map((i) => V.getColumn(i)), variances: order.map((i) => Math.max(0, vals[i]!)) };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>, mean?: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - (mean ? mean[k]! : 0)) * b[k]!;
  return s;
};

export function analyseDynamics(model: SequenceModel, ds: Dataset, opts: DynamicsOptions = {}): DynamicsResult {
  const where = 'dynamics';
  const targets = recurrentTargets(model);
  if (targets.length === 0) throw new ArgumentError(where, 'model', 'a model with a recurrent layer', 'none');
  const target = opts.layer === undefined ? targets[0]! : targets.find((t) => t.key === opts.layer || t.layer.name === opts.layer);
  if (!target) throw new ArgumentError(where, 'layer', `one of ${targets.map((t) => t.key).join(', ')}`, JSON.stringify(opts.layer));
  const rec = target.layer;
  const D = rec.inputFeatures;
  let input: number[];
  if (opts.inputToken !== undefined) {
    const emb = model.layers[0];
    const second = model.layers[1];
    const readsEmbedding = second === rec || (second instanceof BidirectionalLayer && (second.forwardLayer === rec || second.backwardLayer === rec));
    if (!(emb instanceof EmbeddingLayer) || !readsEmbedding)
      throw new ArgumentError(where, 'inputToken', 'a token model whose analysed layer reads the embedding', 'another model');
    const V = emb.inputFeatures;
    if (!Number.isInteger(opts.inputToken) || opts.inputToken < 0 || opts.inputToken >= V) throw new ArgumentError(where, 'inputToken', `a token id in [0, ${V})`, describe(opts.inputToken));
    input = Array.from(emb.embeddings.value.subarray(opts.inputToken * D, (opts.inputToken + 1) * D));
  } else {
    input = opts.input ?? new Array<number>(D).fill(0);
    if (input.length !== D) throw new ArgumentError(where, 'input', `${D} values (the input features of ${target.key})`, `${input.length}`);
  }
  const map = cellMap(layerWeights(rec), input);
  const S = map.size;
  const H = map.units;
  const rng = new Rng(opts.seed ?? 0);
  const nSeq = Math.min(opts.sequences ?? 200, ds.items.length);
  if (nSeq < 1) throw new ArgumentError(where, 'data', 'at least one sequence', `${ds.items.length} in '${ds.name}'`);
  const traces = collectTraces(model, ds, { sequences: Int32Array.from({ length: nSeq }, (_, i) => i), fields: rec.cell.kind === 'lstm' ? ['h', 'c'] : ['h'], onProgress: opts.onProgress });
  const v = traces.values[target.index]!;
  const hm = v.h!;
  const cm = v.c;
  const rows = hm.rows;
  const stateAt = (row: number): Float64Array => {
    const s = new Float64Array(S);
    for (let k = 0; k < H; k++) s[k] = hm.data[row * H + k]!;
    if (cm) for (let k = 0; k < H; k++) s[H + k] = cm.data[row * H + k]!;
    return s;
  };
  const nStarts = opts.starts ?? 256;
  if (!Number.isInteger(nStarts) || nStarts < 1) throw new ArgumentError(where, 'starts', 'an integer >= 1', describe(nStarts));
  const noise = opts.noise ?? 0;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new ArgumentError(where, 'noise', 'a number >= 0', describe(noise));
  const starts: Float64Array[] = [];
  for (let i = 0; i < nStarts; i++) {
    const s = stateAt(rng.int(rows));
    if (noise > 0) for (let k = 0; k < S; k++) s[k] = s[k]! + rng.normal(0, noise);
    starts.push(s);
  }
  const fp = findFixedPoints(map, starts, { ...opts, onProgress: opts.onProgress });
  // principal components of the trajectories (up to 5000 states)
  const sample: Float64Array[] = [];
  const stride = Math.max(1, Math.floor(rows / 5000));
  for (let r = 0; r < rows; r += stride) sample.push(stateAt(r));
  const pca = principalDirections(sample, S);
  const totalVar = pca.variances.reduce((a, b) => a + b, 0) || 1;
  const pcaExplained = pca.variances.slice(0, 3).map((x) => x / totalVar);
  const [pc1, pc2] = [pca.vectors[0]!, pca.vectors[1] ?? pca.vectors[0]!];
  const proj = (s: ArrayLike<number>): [number, number] => [dot(s, pc1, pca.mean), dot(s, pc2, pca.mean)];
  const counts = { fixed: 0, slow: 0, stable: 0, saddle: 0, unstable: 0, stableFixed: 0 };
  for (const p of fp.points) {
    counts[p.kind]++;
    counts[p.stability]++;
    if (p.kind === 'fixed' && p.stability === 'stable') counts.stableFixed++;
  }
  const lineAttractor = detectLineAttractor(fp.points, S, sample, pca.mean, totalVar);
  const nFig = Math.min(opts.figureSequences ?? 30, nSeq);
  const trajectories: DynamicsFigureData['trajectories'] = [];
  for (let i = 0; i < nFig; i++) {
    const pts: [number, number][] = [];
    for (let r = traces.offsets[i]!; r < traces.offsets[i + 1]!; r++) pts.push(proj(stateAt(r)));
    const item = ds.items[i]!;
    const label = item.label !== undefined && ds.classNames ? ds.classNames[item.label] : undefined;
    trajectories.push(label !== undefined ? { id: String(i), label, points: pts } : { id: String(i), points: pts });
  }
  const figure: DynamicsFigureData = {
    trajectories,
    points: fp.points.map((p) => {
      const [x, y] = proj(p.state);
      return { x, y, kind: p.kind, stability: p.stability, q: p.q, radius: p.radius };
    }),
    xTitle: `PC 1 of the trajectories (${(100 * (pcaExplained[0] ?? 0)).toFixed(1)}% of variance)`,
    yTitle: `PC 2 (${(100 * (pcaExplained[1] ?? 0)).toFixed(1)}%)`,
  };
  return { layer: target.key, cell: rec.cell.kind, units: H, stateSize: S, input, starts: fp.starts, unconverged: fp.unconverged, points: fp.points, counts, pcaExplained, lineAttractor, figure };
}

/** An approximate line attractor: at least 5 fixed or slow points, ≥ 90% of their variance on one direction, median top |λ| within 0.05 of 1. */
export function detectLineAttractor(points: readonly FoundPoint[], S: number, trajectory: Float64Array[], trajMean: Float64Array, trajTotalVar: number): LineAttractor {
  const n = points.length;
  const none = (reason: string, extra: Partial<LineAttractor> = {}): LineAttractor => ({ detected: false, points: n, explained: 0, topEigenvalue: 0, trajectoryVariance: 0, reason, ...extra });
  if (n < 5) return none(`${n} fixed or slow point${n === 1 ? '' : 's'} (a line needs at least 5)`);
  const X = points.map((p) => Float64Array.from(p.state));
  const pd = principalDirections(X, S);
  const tot = pd.variances.reduce((a, b) => a + b, 0);
  const explained = tot > 0 ? pd.variances[0]! / tot : 0;
  const radii = points.map((p) => p.radius).sort((a, b) => a - b);
  const topEigenvalue = radii[Math.floor(radii.length / 2)]!;
  const dir = pd.vectors[0]!;
  let along = 0;
  for (const x of trajectory) along += dot(x, dir, trajMean) ** 2;
  const trajectoryVariance = along / Math.max(1, trajectory.length - 1) / (trajTotalVar || 1);
  // the points must also be spread out, not a cluster of near-duplicates
  const spread = Math.sqrt(pd.variances[0]!);
  const stats = { explained, topEigenvalue, trajectoryVariance };
  if (spread < 1e-2) return none(`the points lie within ${spread.toExponential(1)} of each other (no extended manifold)`, stats);
  if (explained < 0.9) return none(`only ${(100 * explained).toFixed(1)}% of the points' variance lies on one direction (needs 90%)`, stats);
  if (Math.abs(topEigenvalue - 1) > 0.05) return none(`median top |eigenvalue| ${topEigenvalue.toFixed(3)} is not within 0.05 of 1`, stats);
  return { detected: true, points: n, ...stats, reason: `${n} points along one direction (${(100 * explained).toFixed(1)}% of their variance), median top |eigenvalue| ${topEigenvalue.toFixed(3)}` };
}
