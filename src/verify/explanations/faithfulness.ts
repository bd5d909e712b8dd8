/**
 * Faithfulness of an attribution map: does removing what the map calls important change the
 * model's output, and more than removing positions at random?
 *
 * - Deletion / insertion curves (Petsiuk et al. 2018, RISE): remove (insert) the most important
 *   units first; the score of the explained class after removing (keeping) the top fraction q of
 *   the units, on a grid q = 0, 1/P, ..., 1; the area under the curve by the trapezoid rule.
 *   Faithful maps give a LOW deletion AUC and a HIGH insertion AUC.
 * - ERASER (DeYoung et al. 2020) with AOPC over the top 1, 5, 10, 20, 50 %:
 *     comprehensiveness = p(y|x) − p(y|x without the rationale)   (higher is more faithful)
 *     sufficiency       = p(y|x) − p(y|the rationale only)        (lower is more faithful)
 *   The rationale at q is the top max(1, round(q·N)) units of N.
 * Every number comes with the same number for random orderings (mean over `randomRepeats`).
 * Infidelity and max-sensitivity live in sensitivity.ts.
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type { AttributionMap } from '../../explain/types.js';
import {
  checkMap,
  checkUnit,
  maskRows,
  rankUnits,
  resolveClasses,
  scores,
  topMask,
  unitImportance,
  type MaskedRow,
  type Replacement,
  type ScoreOutput,
  type Unit,
} from './perturb.js';

export const ERASER_BINS = [0.01, 0.05, 0.1, 0.2, 0.5] as const;

export interface FaithfulnessOptions {
  /** The explained class per sequence (or one for all); default the predicted class. */
  target?: number | ArrayLike<number>;
  /** Default 'steps' (token models always use steps). */
  unit?: Unit;
  replacement?: Replacement;
  /** Default 'probability'. */
  output?: ScoreOutput;
  /** Rank units by |attribution| instead of the signed value; default false. */
  abs?: boolean;
  /** Grid points of the curves minus one; default 20. */
  points?: number;
  /** Random orderings averaged for the reference; default 3. */
  randomRepeats?: number;
  seed?: number;
  batchSize?: number;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

/** A metric's value for the map and for random orderings (means over sequences). */
export interface VersusRandom {
  value: number;
  random: number;
  /** Per sequence, for the map. */
  perSequence: number[];
}

export interface CurveResult {
  /** Fractions of units removed (deletion) or present (insertion). */
  fractions: number[];
  /** Mean score over sequences at each fraction: map ordering and random ordering. */
  curve: number[];
  randomCurve: number[];
  auc: VersusRandom;
}

export interface FaithfulnessResult {
  unit: Unit;
  deletion: CurveResult;
  insertion: CurveResult;
  comprehensiveness: VersusRandom & { bins: number[]; perBin: number[]; randomPerBin: number[] };
  sufficiency: VersusRandom & { bins: number[]; perBin: number[]; randomPerBin: number[] };
  /** Score of the explained class on the intact input, per sequence. */
  fullScores: number[];
}

/** Trapezoid area of ys over evenly spaced xs on [0, 1]. */
export function trapezoid(ys: ArrayLike<number>): number {
  const n = ys.length - 1;
  if (n < 1) return ys[0] ?? 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += (ys[i]! + ys[i + 1]!) / 2;
  return s / n;
}

const mean = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : NaN;
};

/** All faithfulness curves and ERASER scores of one map, each against random orderings. */
export function faithfulness(
  model: SequenceModel,
  input: ModelInput,
  map: AttributionMap,
  opts: FaithfulnessOptions = {},
): FaithfulnessResult {
  const where = 'faithfulness';
  checkMap(where, input, map);
  const unit = checkUnit(where, opts.unit ?? 'steps', model);
  const P = opts.points ?? 20;
  checkInt(where, 'points', P, 1, 1000);
  const repeats = opts.randomRepeats ?? 3;
  checkInt(where, 'randomRepeats', repeats, 1, 100);
  const output = opts.output ?? 'probability';
  if (output !== 'probability' && output !== 'logit')
    throw new ArgumentError(where, 'output', "'probability' or 'logit'", String(output));
  const cls = resolveClasses(where, model, input, opts.target);
  const rng = new Rng(opts.seed ?? 0);
  const B = input.batch;
  const fractions = Array.from({ length: P + 1 }, (_, j) => j / P);
  const bins = [...ERASER_BINS];

  // Orderings: index 0 is the map's, 1..repeats are random.
  const orders: Int32Array[][] = [];
  for (let b = 0; b < B; b++) {
    const imp = unitImportance(map, b, unit, opts.abs ?? false);
    const list = [rankUnits(imp)];
    for (let r = 0; r < repeats; r++) list.push(rng.permutation(imp.length));
    orders.push(list);
  }
  // Rows: per sequence and ordering, deletion and insertion at each grid point, then ERASER bins.
  const rows: MaskedRow[] = [];
  const addRow = (seq: number, removed: Uint8Array): number => rows.push({ seq, removed }) - 1;
  type Ix = { del: number[]; ins: number[]; comp: number[]; suff: number[] };
  const ix: Ix[][] = orders.map((list, b) =>
    list.map((order) => {
      const N = order.length;
      const at = (q: number): number => Math.round(q * N);
      const rat = (q: number): number => Math.max(1, Math.round(q * N));
      return {
        del: fractions.map((q) => addRow(b, topMask(order, at(q)))),
        ins: fractions.map((q) => addRow(b, topMask(order, at(q), true))),
        comp: bins.map((q) => addRow(b, topMask(order, rat(q)))),
        suff: bins.map((q) => addRow(b, topMask(order, rat(q), true))),
      };
    }),
  );
  const full = scores(model, input, cls, output, opts.batchSize);
  const chunk = Math.max(1, opts.batchSize ?? 2048);
  const s = new Float64Array(rows.length);
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const x = maskRows(model, input, part, unit, opts.replacement);
    const c = Int32Array.from(part, (r) => cls[r.seq]!);
    s.set(scores(model, x, c, output, opts.batchSize), start);
    opts.onProgress?.({
      done: Math.min(rows.length, start + chunk),
      total: rows.length,
      message: 'faithfulness',
    });
  }
  const val = (b: number, o: number, k: keyof Ix, j: number): number => s[ix[b]![o]![k][j]!]!;
  const avgRandom = (b: number, k: keyof Ix, j: number): number => {
    let t = 0;
    for (let o = 1; o <= repeats; o++) t += val(b, o, k, j);
    return t / repeats;
  };
  const seqs = Array.from({ length: B }, (_, b) => b);

  const curve = (k: 'del' | 'ins'): CurveResult => {
    const per = seqs.map((b) => fractions.map((_, j) => val(b, 0, k, j)));
    const perRandom = seqs.map((b) => fractions.map((_, j) => avgRandom(b, k, j)));
    const aucs = per.map(trapezoid);
    return {
      fractions,
      curve: fractions.map((_, j) => mean(per.map((c) => c[j]!))),
      randomCurve: fractions.map((_, j) => mean(perRandom.map((c) => c[j]!))),
      auc: { value: mean(aucs), random: mean(perRandom.map(trapezoid)), perSequence: aucs },
    };
  };
  const eraser = (k: 'comp' | 'suff'): FaithfulnessResult['comprehensiveness'] => {
    // AOPC: the mean over bins of p(y|x) − p(y|masked).
    const per = seqs.map((b) => bins.map((_, j) => full[b]! - val(b, 0, k, j)));
    const perRandom = seqs.map((b) => bins.map((_, j) => full[b]! - avgRandom(b, k, j)));
    const aopc = per.map(mean);
    return {
      value: mean(aopc),
      random: mean(perRandom.map(mean)),
      perSequence: aopc,
      bins,
      perBin: bins.map((_, j) => mean(per.map((p) => p[j]!))),
      randomPerBin: bins.map((_, j) => mean(perRandom.map((p) => p[j]!))),
    };
  };
  return {
    unit,
    deletion: curve('del'),
    insertion: curve('ins'),
    comprehensiveness: eraser('comp'),
    sufficiency: eraser('suff'),
    fullScores: Array.from(full),
  };
}
