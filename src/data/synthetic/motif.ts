/**
 * Motif classification: token sequences of random background tokens with one class motif placed
 * at a random position; the motif decides the class and its positions are the ground truth.
 *
 * Ids: 0 PAD, 1 UNK, 2..V+1 background tokens, then the motif alphabet of `motifLength` tokens
 * that never occurs in the background. Every class's motif is a different ordering of that same
 * alphabet, so a model must read the order, not just spot a token.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';

export interface MotifOptions {
  n: number;
  seed: number;
  length?: number;
  classes?: number;
  motifLength?: number;
  /** number of background tokens */
  background?: number;
}

/** `k` distinct orderings of 0..m-1: for two classes a motif and its reverse, else the first k in lexicographic order. */
function orderings(m: number, k: number): number[][] {
  const id = Array.from({ length: m }, (_, i) => i);
  if (k === 2) return [id, [...id].reverse()];
  const out: number[][] = [];
  const perm = (prefix: number[], rest: number[]): void => {
    if (out.length >= k) return;
    if (rest.length === 0) out.push(prefix);
    rest.forEach((v, i) => perm([...prefix, v], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  perm([], id);
  return out;
}

export function motifDataset(opts: MotifOptions): Dataset {
  const where = 'motifDataset';
  const T = opts.length ?? 30;
  const K = opts.classes ?? 2;
  const m = opts.motifLength ?? 3;
  const V = opts.background ?? 20;
  let perms = 1;
  for (let i = 2; i <= m; i++) perms *= i;
  for (const [k, v, min] of [
    ['n', opts.n, 1],
    ['classes', K, 2],
    ['motifLength', m, 2],
    ['background', V, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  }
  if (K > perms)
    throw new ArgumentError(
      where,
      'classes',
      `at most ${perms} (orderings of a ${m}-token motif)`,
      describe(K),
    );
  if (!Number.isInteger(T) || T < m)
    throw new ArgumentError(where, 'length', `an integer >= motifLength (${m})`, describe(T));
  const motifBase = 2 + V;
  const motifs = orderings(m, K).map((o) => o.map((j) => motifBase + j));
  const rng = new Rng(opts.seed);
  const items: Item[] = [];
  for (let i = 0; i < opts.n; i++) {
    const label = rng.int(K);
    const x = new Int32Array(T);
    for (let t = 0; t < T; t++) x[t] = 2 + rng.int(V);
    const pos = rng.int(T - m + 1);
    const truth = new Uint8Array(T);
    motifs[label]!.forEach((tok, j) => {
      x[pos + j] = tok;
      truth[pos + j] = 1;
    });
    items.push({ x, steps: T, label, truth, meta: { motifStart: pos } });
  }
  return createDataset({
    name: 'motif',
    input: 'tokens',
    vocabSize: motifBase + m,
    target: 'class',
    classNames: motifs.map((_, k) => `motif${k}`),
    items,
    settings: {
      synthetic: {
        kind: 'motif',
        n: opts.n,
        seed: opts.seed,
        length: T,
        classes: K,
        motifLength: m,
        background: V,
        motifs,
      },
    },
  });
}
