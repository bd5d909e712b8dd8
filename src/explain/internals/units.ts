/**
 * Units that mean something: every unit of every recurrent layer (hidden state h, and the LSTM
 * cell state c) is scored against every annotation by Pearson r and by mutual information
 * (unit on `bins` equal-width bins; annotation by its own levels when it has few, else binned).
 * The best units per annotation get a permutation p-value: the statistic (|r| or MI) is
 * recomputed on `permutations` null annotations that exchange whole sequences (or rotate them,
 * see stats.ts), so autocorrelation within a sequence cannot fake significance;
 * p = (1 + #null ≥ observed) / (1 + permutations).
 */
import { ArgumentError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import { Rng } from '../../core/rng.js';
import type { TraceSet } from './collect.js';
import type { Annotation } from './annotations.js';
import {
  defaultMethod,
  discretise,
  equalWidthBins,
  mutualInformation,
  nullAnnotation,
  pearson,
  permutationP,
  type PermutationMethod,
} from './stats.js';

export interface UnitScore {
  layer: string;
  field: 'h' | 'c';
  unit: number;
  annotation: string;
  r: number;
  mi: number;
  /** |r| or MI, whichever ranks */
  score: number;
  /** permutation p-value (only for the `top` units per annotation) */
  p?: number;
}

export interface RankOptions {
  /** Rank by |Pearson r| (default) or mutual information. */
  by?: 'correlation' | 'mi';
  /** Units per annotation that get a p-value and are returned; default 5. */
  top?: number;
  /** default 199 */
  permutations?: number;
  method?: PermutationMethod;
  seed?: number;
  /** Bins of a unit's activation for MI; default 10. */
  bins?: number;
  onProgress?: ProgressCallback;
}

export interface UnitRanking {
  /** the default null; `methods` says what each annotation actually used */
  method: PermutationMethod;
  methods: Record<string, PermutationMethod>;
  permutations: number;
  by: 'correlation' | 'mi';
  /** Best units per annotation, best first. */
  byAnnotation: Record<string, UnitScore[]>;
}

function column(
  data: Float32Array,
  rows: number,
  cols: number,
  c: number,
  out: Float64Array,
): Float64Array {
  for (let i = 0; i < rows; i++) out[i] = data[i * cols + c]!;
  return out;
}

export function rankUnits(
  ts: TraceSet,
  annotations: readonly Annotation[],
  opts: RankOptions = {},
): UnitRanking {
  const where = 'rankUnits';
  const by = opts.by ?? 'correlation';
  const top = opts.top ?? 5;
  const nPerm = opts.permutations ?? 199;
  const bins = opts.bins ?? 10;
  if (!Number.isInteger(nPerm) || nPerm < 0)
    throw new ArgumentError(where, 'permutations', 'an integer >= 0', String(nPerm));
  if (!Number.isInteger(top) || top < 1)
    throw new ArgumentError(where, 'top', 'an integer >= 1', String(top));
  const N = ts.totalSteps;
  for (const a of annotations)
    if (a.values.length !== N)
      throw new ArgumentError(
        where,
        `annotation '${a.name}'`,
        `${N} values (one per traced step)`,
        `${a.values.length}`,
      );
  const method = opts.method ?? defaultMethod(ts.offsets);
  // Every unit column once, with its binned codes for MI.
  const cols: {
    layer: string;
    field: 'h' | 'c';
    unit: number;
    x: Float64Array;
    codes: Int32Array;
  }[] = [];
  ts.layers.forEach((info, k) => {
    for (const field of ['h', 'c'] as const) {
      const m = ts.values[k]![field];
      if (!m) continue;
      for (let u = 0; u < m.cols; u++) {
        const x = column(m.data, m.rows, m.cols, u, new Float64Array(N));
        cols.push({ layer: info.key, field, unit: u, x, codes: equalWidthBins(x, bins) });
      }
    }
  });
  const rng = new Rng(opts.seed ?? 0);
  const byAnnotation: Record<string, UnitScore[]> = {};
  const methods: Record<string, PermutationMethod> = {};
  annotations.forEach((a, ai) => {
    const y = a.values;
    const yCodes = discretise(y, bins);
    const stat = (c: (typeof cols)[number], yy: Float64Array, yc: Int32Array): number =>
      by === 'mi' ? mutualInformation(c.codes, yc) : Math.abs(pearson(c.x, yy));
    const scores: UnitScore[] = cols.map((c) => {
      const r = pearson(c.x, y);
      const mi = mutualInformation(c.codes, yCodes);
      return {
        layer: c.layer,
        field: c.field,
        unit: c.unit,
        annotation: a.name,
        r,
        mi,
        score: by === 'mi' ? mi : Math.abs(r),
      };
    });
    scores.sort((p, q) => q.score - p.score);
    const best = scores.slice(0, top);
    // Exchanging sequences cannot move an annotation that is the same in every sequence of a
    // length (position in the sequence, say): such an annotation is rotated instead.
    const own =
      opts.method ??
      (method === 'sequences' && sameAcrossSequences(y, ts.offsets) ? 'cyclic-shift' : method);
    methods[a.name] = own;
    if (nPerm > 0) {
      const nulls = best.map(() => new Float64Array(nPerm));
      const yp = new Float64Array(N);
      for (let j = 0; j < nPerm; j++) {
        nullAnnotation(y, ts.offsets, own, rng, yp);
        const ypc = by === 'mi' ? discretise(yp, bins) : yCodes;
        best.forEach((s, i) => {
          const c = cols.find(
            (x) => x.layer === s.layer && x.field === s.field && x.unit === s.unit,
          )!;
          nulls[i]![j] = stat(c, yp, ypc);
        });
      }
      best.forEach((s, i) => (s.p = permutationP(s.score, nulls[i]!)));
    }
    byAnnotation[a.name] = best;
    opts.onProgress?.({ task: 'rank units', done: ai + 1, total: annotations.length });
  });
  return { method, methods, permutations: nPerm, by, byAnnotation };
}

/** Whether every sequence carries the same annotation as the other sequences of its length. */
function sameAcrossSequences(y: Float64Array, offsets: Int32Array): boolean {
  const first = new Map<number, number>();
  for (let s = 0; s + 1 < offsets.length; s++) {
    const a = offsets[s]!;
    const len = offsets[s + 1]! - a;
    const b = first.get(len);
    if (b === undefined) first.set(len, a);
    else for (let t = 0; t < len; t++) if (y[a + t] !== y[b + t]) return false;
  }
  return true;
}

/** One best unit per annotation (the CLI's `units` summary). */
export function bestUnits(r: UnitRanking): UnitScore[] {
  return Object.values(r.byAnnotation)
    .map((list) => list[0]!)
    .filter(Boolean);
}
