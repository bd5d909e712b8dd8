/**
 * Scoring attribution maps against a known truth (Ismail et al. 2020): which steps × features
 * (or tokens) really decide the class.
 *
 * Per sequence, the map's magnitudes |a| over the valid units are min-max scaled to s ∈ [0, 1];
 * the salient set at threshold τ is {u : s_u ≥ τ}, τ = 0, 0.01, ..., 1;
 *   AUP  = ∫ precision(τ) dτ,   AUR = ∫ recall(τ) dτ            (trapezoid rule over τ)
 *   AUPR = average precision of s against the truth (sklearn's average_precision_score).
 * An empty salient set has precision 0. Levels: 'steps' (a step is salient with Σ_f |a[t, f]|,
 * true when any of its features is) and 'features' (every step × feature cell; for token models
 * the same as steps). Results are means over the sequences that have at least one true unit.
 * A random map scores AUP ≈ the share of true units, AUR ≈ 0.5, AUPR ≈ the share of true units.
 *
 * Accuracy drop: the model's accuracy after replacing the top k % of the elements (by |a|) with
 * the replacement, beside the same for k % chosen at random.
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type { AttributionMap } from '../../explain/types.js';
import { averagePrecision } from '../metrics/ranking.js';
import { trapezoid } from './faithfulness.js';
import {
  checkMap,
  featuresOf,
  maskRows,
  predictedClasses,
  rankUnits,
  topMask,
  unitImportance,
  type MaskedRow,
  type Replacement,
  type Unit,
} from './perturb.js';

export type TruthLevel = 'steps' | 'features';

export interface TruthScores {
  aup: number;
  aur: number;
  aupr: number;
  /** Sequences scored (with at least one true unit). */
  sequences: number;
}

const THRESHOLDS = Array.from({ length: 101 }, (_, j) => j / 100);

/** AUP, AUR and AUPR of one sequence's importances `imp` against `truth` (same length). */
export function truthCurves(
  imp: ArrayLike<number>,
  truth: ArrayLike<number>,
): { aup: number; aur: number; aupr: number } {
  const n = imp.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, imp[i]!);
    hi = Math.max(hi, imp[i]!);
  }
  // A constant map has no ranking: every unit scores 0 (only τ = 0 selects them).
  const s = Float64Array.from({ length: n }, (_, i) => (hi > lo ? (imp[i]! - lo) / (hi - lo) : 0));
  let positives = 0;
  for (let i = 0; i < n; i++) positives += truth[i] ? 1 : 0;
  const prec: number[] = [];
  const rec: number[] = [];
  for (const tau of THRESHOLDS) {
    let sel = 0;
    let tp = 0;
    for (let i = 0; i < n; i++)
      if (s[i]! >= tau) {
        sel++;
        if (truth[i]) tp++;
      }
    prec.push(sel > 0 ? tp / sel : 0);
    rec.push(positives > 0 ? tp / positives : 0);
  }
  const y = Int32Array.from({ length: n }, (_, i) => (truth[i] ? 1 : 0));
  return { aup: trapezoid(prec), aur: trapezoid(rec), aupr: averagePrecision(y, s) };
}

/** The truth of sequence b at a level: [L·F] cells or [L] steps. */
function truthAt(truth: Uint8Array, L: number, F: number, level: TruthLevel): Uint8Array {
  if (level === 'features') return truth.subarray(0, L * F);
  const out = new Uint8Array(L);
  for (let t = 0; t < L; t++) for (let f = 0; f < F; f++) if (truth[t * F + f]) out[t] = 1;
  return out;
}

/**
 * AUP, AUR, AUPR of a map against per-sequence truth masks ([T·F] for numeric series, [T] for
 * tokens, as the synthetic datasets' items carry them).
 */
export function groundTruthScores(
  map: AttributionMap,
  truth: readonly Uint8Array[],
  level: TruthLevel,
): TruthScores {
  const where = 'groundTruthScores';
  if (truth.length !== map.batch)
    throw new ArgumentError(
      where,
      'truth',
      `one mask per sequence (${map.batch})`,
      `${truth.length}`,
    );
  if (level !== 'steps' && level !== 'features')
    throw new ArgumentError(where, 'level', "'steps' or 'features'", String(level));
  const F = map.features;
  let aup = 0;
  let aur = 0;
  let aupr = 0;
  let n = 0;
  for (let b = 0; b < map.batch; b++) {
    const L = map.lengths[b]!;
    if (truth[b]!.length < L * F)
      throw new ArgumentError(
        where,
        `truth[${b}]`,
        `at least ${L * F} values`,
        `${truth[b]!.length}`,
      );
    const t = truthAt(truth[b]!, L, F, level);
    if (!t.some((v) => v === 1)) continue;
    const imp = unitImportance(map, b, level === 'steps' ? 'steps' : 'elements', true);
    const c = truthCurves(imp, t);
    aup += c.aup;
    aur += c.aur;
    aupr += c.aupr;
    n++;
  }
  return n === 0
    ? { aup: NaN, aur: NaN, aupr: NaN, sequences: 0 }
    : { aup: aup / n, aur: aur / n, aupr: aupr / n, sequences: n };
}

export interface AccuracyDropOptions {
  /** Fractions of the units masked; default [0.05, 0.1, 0.2, 0.5]. */
  fractions?: number[];
  /** Default 'elements' (tokens: steps). */
  unit?: Unit;
  replacement?: Replacement;
  randomRepeats?: number;
  seed?: number;
}

export interface AccuracyDrop {
  fractions: number[];
  accuracy: number;
  /** Accuracy after masking the map's top fraction, and a random fraction. */
  masked: number[];
  randomMasked: number[];
  /** accuracy − masked (bigger = the map found what the model uses). */
  drop: number[];
  randomDrop: number[];
}

/** The accuracy drop when the top-k % units by |attribution| are masked, beside random masks. */
export function accuracyDrop(
  model: SequenceModel,
  input: ModelInput,
  labels: ArrayLike<number>,
  map: AttributionMap,
  opts: AccuracyDropOptions = {},
): AccuracyDrop {
  const where = 'accuracyDrop';
  checkMap(where, input, map);
  if (labels.length !== input.batch)
    throw new ArgumentError(where, 'labels', `${input.batch} labels`, `${labels.length}`);
  const fr = opts.fractions ?? [0.05, 0.1, 0.2, 0.5];
  fr.forEach((q, i) => {
    if (!(q >= 0 && q <= 1))
      throw new ArgumentError(where, `fractions[${i}]`, 'a number in [0, 1]', String(q));
  });
  const repeats = opts.randomRepeats ?? 3;
  checkInt(where, 'randomRepeats', repeats, 1, 100);
  const unit: Unit = featuresOf(input) === 1 ? 'steps' : (opts.unit ?? 'elements');
  const rng = new Rng(opts.seed ?? 0);
  const rows: MaskedRow[] = [];
  for (let b = 0; b < input.batch; b++) {
    const order = rankUnits(unitImportance(map, b, unit, true));
    const N = order.length;
    for (const q of fr) rows.push({ seq: b, removed: topMask(order, Math.round(q * N)) });
    for (let r = 0; r < repeats; r++) {
      const ro = rng.permutation(N);
      for (const q of fr) rows.push({ seq: b, removed: topMask(ro, Math.round(q * N)) });
    }
  }
  const pred = predictedClasses(model, maskRows(model, input, rows, unit, opts.replacement));
  const base = predictedClasses(model, input);
  const per = fr.length * (1 + repeats);
  const acc = (k: (b: number) => number[]): number[] =>
    fr.map((_, j) => {
      let c = 0;
      let tot = 0;
      for (let b = 0; b < input.batch; b++)
        for (const r of k(b)) {
          tot++;
          if (pred[b * per + r * fr.length + j] === labels[b]) c++;
        }
      return c / tot;
    });
  let a0 = 0;
  for (let b = 0; b < input.batch; b++) if (base[b] === labels[b]) a0++;
  const accuracy = a0 / input.batch;
  const masked = acc(() => [0]);
  const randomMasked = acc(() => Array.from({ length: repeats }, (_, r) => r + 1));
  return {
    fractions: fr,
    accuracy,
    masked,
    randomMasked,
    drop: masked.map((m) => accuracy - m),
    randomDrop: randomMasked.map((m) => accuracy - m),
  };
}
