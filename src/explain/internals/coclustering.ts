/**
 * RNNVis-style co-clustering of units and tokens (Ming et al. 2017). A unit's expected response
 * to a token is the mean update of its hidden state when that token is read,
 * s(u, w) = E[h_t(u) − h_{t−1}(u) | x_t = w] (h_{−1} = 0). The unit × token matrix of these
 * responses is clustered on both sides with k-means (ml-kmeans, seeded, k-means++): units by
 * their response profiles over tokens, tokens by the profiles of the units' responses to them.
 * This is two one-sided clusterings of the same matrix rather than a joint bipartite spectral
 * co-clustering; it reproduces RNNVis's view (blocks of units that react alike to alike tokens).
 */
import { kmeans } from 'ml-kmeans';
import { ArgumentError } from '../../core/errors.js';
import type { HeatmapData } from '../../report/figures/heatmap.js';
import type { StepMatrix } from './collect.js';

export interface CoClustering {
  tokens: string[];
  /** [units][tokens] expected responses */
  response: number[][];
  unitCluster: number[];
  tokenCluster: number[];
  /** units and tokens in cluster order, for drawing */
  unitOrder: number[];
  tokenOrder: number[];
}

export interface CoClusterOptions {
  unitClusters?: number;
  tokenClusters?: number;
  /** tokens seen fewer times are left out; default 5 */
  minCount?: number;
  /** most frequent tokens kept; default 40 */
  maxTokens?: number;
  seed?: number;
}

/** `tokens[s][t]`: the token read at step t of sequence s (aligned with the matrix rows). */
export function expectedResponse(
  h: StepMatrix,
  tokens: string[][],
  opts: CoClusterOptions = {},
): { tokens: string[]; response: number[][] } {
  const S = h.offsets.length - 1;
  if (tokens.length !== S)
    throw new ArgumentError('expectedResponse', 'tokens', `${S} sequences`, `${tokens.length}`);
  const counts = new Map<string, number>();
  tokens.forEach((ts, s) => {
    const len = h.offsets[s + 1]! - h.offsets[s]!;
    if (ts.length !== len)
      throw new ArgumentError(
        'expectedResponse',
        `tokens[${s}]`,
        `${len} tokens (the sequence's length)`,
        `${ts.length}`,
      );
    for (const w of ts) counts.set(w, (counts.get(w) ?? 0) + 1);
  });
  const keep = [...counts.entries()]
    .filter(([, c]) => c >= (opts.minCount ?? 5))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, opts.maxTokens ?? 40)
    .map(([w]) => w);
  const col = new Map(keep.map((w, j) => [w, j]));
  const H = h.cols;
  const sum = Array.from({ length: H }, () => new Float64Array(keep.length));
  const n = new Float64Array(keep.length);
  tokens.forEach((ts, s) => {
    const a = h.offsets[s]!;
    ts.forEach((w, t) => {
      const j = col.get(w);
      if (j === undefined) return;
      n[j]++;
      for (let u = 0; u < H; u++) {
        const prev = t > 0 ? h.data[(a + t - 1) * H + u]! : 0;
        sum[u]![j]! += h.data[(a + t) * H + u]! - prev;
      }
    });
  });
  return { tokens: keep, response: sum.map((row) => Array.from(row, (v, j) => v / n[j]!)) };
}

function order(clusters: number[], k: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < k; c++) clusters.forEach((v, i) => v === c && out.push(i));
  return out;
}

export function coCluster(
  h: StepMatrix,
  tokens: string[][],
  opts: CoClusterOptions = {},
): CoClustering {
  const { tokens: words, response } = expectedResponse(h, tokens, opts);
  if (words.length < 2)
    throw new ArgumentError(
      'coCluster',
      'tokens',
      `at least 2 tokens seen ${opts.minCount ?? 5}+ times`,
      `${words.length}`,
    );
  const ku = Math.min(opts.unitClusters ?? 4, response.length);
  const kw = Math.min(opts.tokenClusters ?? 4, words.length);
  const seed = opts.seed ?? 0;
  const unitCluster = kmeans(response, ku, { seed, initialization: 'kmeans++' }).clusters;
  const byToken = words.map((_, j) => response.map((row) => row[j]!));
  const tokenCluster = kmeans(byToken, kw, { seed: seed + 1, initialization: 'kmeans++' }).clusters;
  return {
    tokens: words,
    response,
    unitCluster,
    tokenCluster,
    unitOrder: order(unitCluster, ku),
    tokenOrder: order(tokenCluster, kw),
  };
}

/** The co-clustered response matrix as a heatmap (units × tokens, in cluster order). */
export function coClusterFigureData(c: CoClustering, layer: string): HeatmapData {
  return {
    values: c.unitOrder.map((u) => c.tokenOrder.map((j) => c.response[u]![j]!)),
    rowLabels: c.unitOrder.map((u) => `${u} (c${c.unitCluster[u]})`),
    colLabels: c.tokenOrder.map(
      (j) => `${JSON.stringify(c.tokens[j]).slice(1, -1)} (c${c.tokenCluster[j]})`,
    ),
    rowKeys: c.unitOrder.map((u) => String(u)),
    rowTitle: 'unit (cluster)',
    colTitle: 'token (cluster)',
    valueTitle: 'E[Δh | token]',
    title: `Expected response of ${layer} units to tokens`,
  };
}
