/**
 * Projections of hidden states to 2-D, drawn as one trajectory per sequence (TensorBoard's
 * projector): PCA (ml-pca, centred, not scaled), UMAP (umap-js) and t-SNE (druidjs). All are
 * seeded: UMAP through a seeded random function, t-SNE through its seed option, so the same
 * seed gives the same picture. UMAP and t-SNE cost grows quickly with the number of points
 * (t-SNE keeps an N × N matrix), so at most `maxPoints` steps are projected: whole sequences,
 * spread evenly over the traced ones, until the budget is reached.
 */
import { PCA } from 'ml-pca';
import { UMAP } from 'umap-js';
import { TSNE } from '@saehrimnir/druidjs';
import { ArgumentError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { ProjectionData } from '../../report/figures/projection-trajectories.js';
import type { StepMatrix } from './collect.js';

export type ProjectionMethod = 'pca' | 'umap' | 'tsne';
export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'umap', 'tsne'];

export interface ProjectionOptions {
  seed?: number;
  /** default 1500 */
  maxPoints?: number;
  /** UMAP neighbours, default 15; t-SNE perplexity, default 30 (both capped for few points) */
  neighbors?: number;
  perplexity?: number;
  /** optimisation epochs (UMAP) / iterations (t-SNE); default 200 / 300 */
  iterations?: number;
  /** a label per sequence (colour); default the sequence number */
  labels?: readonly string[];
}

export interface Projection {
  method: ProjectionMethod;
  /** sequences projected (positions in the matrix) */
  sequences: number[];
  /** [points][2] in row order of the kept sequences */
  points: [number, number][];
  /** PCA only: explained variance ratio of the two components */
  explained?: [number, number];
}

export function project(
  m: StepMatrix,
  method: ProjectionMethod,
  opts: ProjectionOptions = {},
): Projection {
  const where = 'project';
  if (!PROJECTION_METHODS.includes(method))
    throw new ArgumentError(
      where,
      'method',
      `one of ${PROJECTION_METHODS.join(', ')}`,
      JSON.stringify(method),
    );
  const maxPoints = opts.maxPoints ?? 1500;
  // whole sequences spread evenly over the traced ones (datasets are often sorted by label, so
  // the first ones alone could all be one class), as many as the budget takes on average
  const n = m.offsets.length - 1;
  const total = m.offsets[n]! - m.offsets[0]!;
  const k = Math.max(1, Math.min(n, Math.floor((maxPoints * n) / Math.max(1, total))));
  const sequences: number[] = [];
  let rows = 0;
  for (let i = 0; i < k; i++) {
    const s = Math.floor((i * n) / k);
    const len = m.offsets[s + 1]! - m.offsets[s]!;
    if (rows + len > maxPoints && sequences.length > 0) continue;
    sequences.push(s);
    rows += len;
  }
  if (rows < 3) throw new ArgumentError(where, 'states', 'at least 3 steps to project', `${rows}`);
  const X: number[][] = [];
  for (const s of sequences)
    for (let i = m.offsets[s]!; i < m.offsets[s + 1]!; i++)
      X.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const seed = opts.seed ?? 0;
  let points: [number, number][];
  let explained: [number, number] | undefined;
  if (method === 'pca') {
    const pca = new PCA(X, { center: true, scale: false });
    const Y = pca.predict(X, { nComponents: 2 }).to2DArray();
    points = Y.map((r) => [r[0] ?? 0, r[1] ?? 0]);
    const ev = pca.getExplainedVariance();
    explained = [ev[0] ?? 0, ev[1] ?? 0];
  } else if (method === 'umap') {
    const rng = new Rng(seed);
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: Math.min(opts.neighbors ?? 15, X.length - 1),
      nEpochs: opts.iterations ?? 200,
      random: () => rng.next(),
    });
    points = umap.fit(X).map((r) => [r[0]!, r[1]!]);
  } else {
    const perplexity = Math.max(2, Math.min(opts.perplexity ?? 30, (X.length - 1) / 3));
    const Y = new TSNE(X, { perplexity, seed, d: 2 }).transform(
      opts.iterations ?? 300,
    ) as number[][];
    points = Y.map((r) => [r[0]!, r[1]!]);
  }
  return explained ? { method, sequences, points, explained } : { method, sequences, points };
}

/** Trajectories per sequence for the projection figure. */
export function projectionFigureData(
  m: StepMatrix,
  p: Projection,
  opts: { labels?: readonly string[]; layer?: string; ids?: ArrayLike<number> } = {},
): ProjectionData {
  let o = 0;
  const sequences = p.sequences.map((s) => {
    const len = m.offsets[s + 1]! - m.offsets[s]!;
    const pts = p.points.slice(o, o + len);
    o += len;
    // the sequence's id: its dataset position when known (what the run's sequence list uses)
    return { id: String(opts.ids?.[s] ?? s), label: opts.labels?.[s] ?? 'sequence', points: pts };
  });
  const name = { pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' }[p.method];
  const ev = p.explained ? p.explained.map((e) => ` (${(100 * e).toFixed(1)} %)`) : ['', ''];
  return {
    sequences,
    xTitle: `${name} 1${ev[0]}`,
    yTitle: `${name} 2${ev[1]}`,
    title: `Hidden-state trajectories${opts.layer ? ` of ${opts.layer}` : ''} (${name})`,
  };
}
