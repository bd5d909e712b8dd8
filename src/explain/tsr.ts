/**
 * Temporal Saliency Rescaling (Ismail et al. 2020, "Benchmarking deep learning interpretability
 * in time series predictions"): a wrapper over ANY attribution function R(·) that separates
 * "when" from "what".
 *
 *   1. time relevance   Δ_t   = Σ_{s,f} |R(X)[s,f] − R(X with step t masked)[s,f]|
 *   2. keep the steps whose (min-max scaled) Δ_t is above the α-quantile of all steps' scores
 *   3. feature relevance, kept steps only:
 *                       Δ_t,f = Σ_{s,g} |R(X)[s,g] − R(X with element (t, f) masked)[s,g]|
 *   4. TSR[t, f] = Δ_t · Δ_t,f        (both min-max scaled: steps over the sequence, features
 *                                      within the step); dropped steps get `droppedFeatureScore`.
 *
 * Masking replaces values by the baseline (default zeros; for token models the baseline's
 * embedding vector, e.g. PAD). Only valid steps are masked, scored and kept.
 *
 * Defaults, checked against the authors' released code (TS-Interpretability-Benchmark,
 * getTwoStepRescaling): the threshold is np.quantile(minmax(Δ), 0.55) with a strict '>', and
 * scores are min-max scaled as above; so alpha defaults to 0.55. The paper's Algorithm 1 gives
 * dropped steps feature relevance 0 (our default); the released code uses 0.1 (pass
 * droppedFeatureScore: 0.1 to match it). A constant score vector (e.g. a single feature) scales
 * to 1 when positive (min-max would make it 0 and erase the map), to 0 when all zero.
 *
 * Cost: the inner method runs on 1 + len + kept·F rows per sequence, batched in two calls.
 */
import { ArgumentError } from '../core/errors.js';
import type { SeqBatch } from '../nn/layer.js';
import type { AttributionMethod, Progress } from './types.js';
import { maxOf, minOf } from '../core/extent.js';

/** An attribution function over a batch of rows [rows, T, F]; row r explains sequence origin[r]. */
export type AttributionFn = (
  x: SeqBatch & { data: Float64Array },
  origin: Int32Array,
) => Float64Array;

export interface TsrOptions {
  /** Quantile of the time-relevance scores a step must exceed to be kept; default 0.55. */
  alpha?: number;
  /** Feature score of dropped steps; default 0 (paper), 0.1 in the authors' code. */
  droppedFeatureScore?: number;
  onProgress?: (p: Progress) => void;
}

export interface TsrResult {
  /** The rescaled map [B, T, F] (zeros at padding). */
  attributions: Float64Array;
  /** Scaled time relevance per step [B, T]. */
  timeScores: Float64Array;
  /** Scaled feature relevance [B, T, F] (dropped steps: droppedFeatureScore). */
  featureScores: Float64Array;
  /** 1 where the step was kept [B, T]. */
  kept: Uint8Array;
}

export const DEFAULT_TSR_ALPHA = 0.55;

/** Linear-interpolation quantile (numpy's default) of `v`. */
export function quantile(v: readonly number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (pos - lo) * (s[hi]! - s[lo]!);
}

/** Min-max scaling to [0, 1]; a constant vector becomes 1 when positive, else 0. */
export function minmax(v: number[]): number[] {
  const lo = minOf(v);
  const hi = maxOf(v);
  if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) return v.map(() => (hi > 0 ? 1 : 0));
  return v.map((x) => (x - lo) / (hi - lo));
}

interface Batch {
  rows: SeqBatch & { data: Float64Array };
  origin: Int32Array;
}

/** Copies of sequences with some elements replaced by the baseline: mask(b, t, f) → masked? */
function masked(
  x: SeqBatch & { data: Float64Array },
  baseline: Float64Array,
  jobs: { b: number; t: number; f: number | null }[],
): Batch {
  const { steps: T, features: F } = x;
  const n = jobs.length;
  const data = new Float64Array(n * T * F);
  const lengths = new Int32Array(n);
  const origin = new Int32Array(n);
  jobs.forEach((j, r) => {
    const src = j.b * T * F;
    data.set(x.data.subarray(src, src + T * F), r * T * F);
    lengths[r] = x.lengths[j.b]!;
    origin[r] = j.b;
    if (j.t < 0) return; // the unmasked reference
    const f0 = j.f ?? 0;
    const f1 = j.f === null ? F : j.f + 1;
    for (let f = f0; f < f1; f++) data[r * T * F + j.t * F + f] = baseline[src + j.t * F + f]!;
  });
  return { rows: { data, batch: n, steps: T, features: F, lengths }, origin };
}

/** Σ |a − b| over one [T, F] block of each. */
function change(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[ao + i]! - b[bo + i]!);
  return s;
}

/** TSR of every sequence of `x` (rows [B, T, F]) against `baseline` [B, T, F]. */
export function temporalSaliencyRescaling(
  fn: AttributionFn,
  x: SeqBatch & { data: Float64Array },
  baseline: Float64Array,
  opts: TsrOptions = {},
): TsrResult {
  const alpha = opts.alpha ?? DEFAULT_TSR_ALPHA;
  if (!(alpha >= 0 && alpha <= 1))
    throw new ArgumentError('tsr', 'alpha', 'a quantile in [0, 1]', String(alpha));
  const dropped = opts.droppedFeatureScore ?? 0;
  if (!Number.isFinite(dropped))
    throw new ArgumentError('tsr', 'droppedFeatureScore', 'a finite number', String(dropped));
  const { batch: B, steps: T, features: F, lengths } = x;
  if (baseline.length !== B * T * F)
    throw new ArgumentError(
      'tsr',
      'baseline',
      `${B * T * F} values ([B, T, F])`,
      `${baseline.length} values`,
    );
  const TF = T * F;
  // Phase 1: the reference map and one map per masked step.
  const jobs1: { b: number; t: number; f: number | null }[] = [];
  for (let b = 0; b < B; b++) {
    jobs1.push({ b, t: -1, f: null });
    for (let t = 0; t < lengths[b]!; t++) jobs1.push({ b, t, f: null });
  }
  const p1 = masked(x, baseline, jobs1);
  const R1 = fn(p1.rows, p1.origin);
  opts.onProgress?.({ done: 1, total: 2, message: 'time relevance' });
  const refRow = new Int32Array(B);
  const timeScores = new Float64Array(B * T);
  const kept = new Uint8Array(B * T);
  const raw: number[][] = Array.from({ length: B }, () => []);
  jobs1.forEach((j, r) => {
    if (j.t < 0) refRow[j.b] = r;
    else raw[j.b]!.push(change(R1, refRow[j.b]! * TF, R1, r * TF, TF));
  });
  const jobs2: { b: number; t: number; f: number | null }[] = [];
  for (let b = 0; b < B; b++) {
    const scaled = minmax(raw[b]!);
    const q = quantile(scaled, alpha);
    scaled.forEach((s, t) => {
      timeScores[b * T + t] = s;
      // Strictly above the quantile; a sequence whose steps all tie keeps them all.
      if (s > q || scaled.every((v) => v === s)) {
        kept[b * T + t] = 1;
        for (let f = 0; f < F; f++) jobs2.push({ b, t, f });
      }
    });
  }
  // Phase 2: one map per masked element of the kept steps.
  const featureScores = new Float64Array(B * TF);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < lengths[b]!; t++)
      if (!kept[b * T + t]) featureScores.fill(dropped, b * TF + t * F, b * TF + (t + 1) * F);
  if (jobs2.length > 0) {
    const p2 = masked(x, baseline, jobs2);
    const R2 = fn(p2.rows, p2.origin);
    for (let r = 0; r < jobs2.length; r += F) {
      const { b, t } = jobs2[r]!;
      const d: number[] = [];
      for (let f = 0; f < F; f++) d.push(change(R1, refRow[b]! * TF, R2, (r + f) * TF, TF));
      featureScores.set(minmax(d), b * TF + t * F);
    }
  }
  opts.onProgress?.({ done: 2, total: 2, message: 'feature relevance' });
  const attributions = new Float64Array(B * TF);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < lengths[b]!; t++)
      for (let f = 0; f < F; f++) {
        const i = b * TF + t * F + f;
        attributions[i] = timeScores[b * T + t]! * featureScores[i]!;
      }
  return { attributions, timeScores, featureScores, kept };
}

/**
 * `attribute(model, input, { method: 'tsr', tsrInner: 'integrated-gradients', tsrAlpha? })`: TSR
 * over the registered method `tsrInner` (else `inner`, else 'saliency'), with the context's
 * baseline as the mask. Own option names, because the wrapped method shares the options object:
 * the noise tunnel reads `inner` and LIME reads `alpha`.
 */
export const tsrMethod: AttributionMethod = {
  name: 'tsr',
  family: 'wrapper',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const innerName =
      (ctx.options.tsrInner as string | undefined) ??
      (ctx.options.inner as string | undefined) ??
      'saliency';
    if (innerName === 'tsr')
      throw new ArgumentError('tsr', 'tsrInner', 'a method other than tsr', "'tsr'");
    const inner = ctx.method(innerName);
    const base = ctx.baseline;
    const fn: AttributionFn = (rows, origin) => {
      // Each row keeps its own sequence's baseline (the inner method may integrate towards it).
      const T = rows.steps;
      const F = rows.features;
      const data = new Float64Array(rows.batch * T * F);
      origin.forEach((o, r) => data.set(base.data.subarray(o * T * F, (o + 1) * T * F), r * T * F));
      const rowsOrigin = Int32Array.from(origin, (o) => ctx.origin[o]!);
      const sub = ctx.derive(rows, rowsOrigin, { ...base, data });
      return inner.run(sub).attributions;
    };
    const opts: TsrOptions = { onProgress: (p) => ctx.progress(p.done, p.total, p.message) };
    if (ctx.options.tsrAlpha !== undefined) opts.alpha = ctx.options.tsrAlpha as number;
    if (ctx.options.droppedFeatureScore !== undefined)
      opts.droppedFeatureScore = ctx.options.droppedFeatureScore as number;
    const r = temporalSaliencyRescaling(fn, ctx.input, base.data, opts);
    return {
      attributions: r.attributions,
      diagnostics: {
        inner: innerName,
        alpha: opts.alpha ?? DEFAULT_TSR_ALPHA,
        keptSteps: Array.from(r.kept).reduce((s, v) => s + v, 0),
      },
    };
  },
};
