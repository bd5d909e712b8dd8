/**
 * Completeness (integrated gradients, DeepLIFT's summation-to-delta) and conservation (LRP):
 * methods whose theory says the attributions add up to the explained change report how far they
 * are from it; this file turns that into a verdict, and recomputes the gap independently of the
 * method where it can (numeric models, zeros baseline, output targets):
 *
 *   gap_b = Σ_{t,f} a[b, t, f] − (F(x_b) − F(baseline_b))
 *   relative gap_b = |gap_b| / max(|F(x_b) − F(baseline_b)|, 5 % of the batch's mean change)
 *
 * LRP reports `conservationRelativeGap` (relevance at the input + bias and initial-state
 * relevance versus the output score). Methods without such a property are 'n/a'.
 */
import type { SequenceModel } from '../../nn/model.js';
import type { ModelInput } from '../../nn/model.js';
import { isTokenBatch } from '../../nn/layer.js';
import type { AttributionResult } from '../../explain/types.js';
import { logits } from './perturb.js';

export type CompletenessVerdict = 'pass' | 'warn' | 'fail' | 'n/a';

export const COMPLETENESS_PASS = 0.05;
export const COMPLETENESS_WARN = 0.2;

export interface CompletenessResult {
  verdict: CompletenessVerdict;
  /** Largest relative gap over sequences (NaN when not applicable). */
  relativeGap: number;
  /** Largest absolute gap over sequences. */
  absoluteGap: number;
  /** Relative gap per sequence (absent when not applicable or only a summary is reported). */
  perSequence?: number[];
  /** Where the number comes from. */
  source: 'method delta' | 'recomputed' | 'lrp conservation' | 'none';
  thresholds: { pass: number; warn: number };
  /** The independent recomputation agrees with the method's own delta (when both exist). */
  agreesWithMethod?: boolean;
}

export interface CompletenessOptions {
  pass?: number;
  warn?: number;
}

function verdict(g: number, pass: number, warn: number): CompletenessVerdict {
  return g <= pass ? 'pass' : g <= warn ? 'warn' : 'fail';
}

/** F of every sequence (the resolved output targets) on `x`; null for other target kinds. */
function targetValues(
  model: SequenceModel,
  x: ModelInput,
  r: AttributionResult,
): Float64Array | null {
  if (!r.targets.every((t) => t.kind === 'output')) return null;
  const { data, K } = logits(model, x);
  return Float64Array.from(r.targets, (t, b) => {
    const row = data.subarray(b * K, (b + 1) * K);
    if (!t.probability) return row[t.index]!;
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    return Math.exp(row[t.index]! - m) / s;
  });
}

/**
 * Relative gaps |gap_b| / max(|change_b|, 0.05 · mean_b' |change_b'|, 1e-6): relative to the
 * sequence's own change, but a sequence whose output barely moves is not divided by ~0.
 */
function gaps(
  gap: number[],
  change: number[],
): { relative: number; absolute: number; perSequence: number[] } {
  const meanChange = change.reduce((s, c) => s + Math.abs(c), 0) / Math.max(1, change.length);
  const perSequence = gap.map(
    (g, b) => Math.abs(g) / Math.max(Math.abs(change[b]!), 0.05 * meanChange, 1e-6),
  );
  return {
    relative: Math.max(0, ...perSequence),
    absolute: Math.max(0, ...gap.map(Math.abs)),
    perSequence,
  };
}

/** The completeness verdict of one attribution result. */
export function completeness(
  model: SequenceModel,
  input: ModelInput,
  result: AttributionResult,
  opts: CompletenessOptions = {},
): CompletenessResult {
  const pass = opts.pass ?? COMPLETENESS_PASS;
  const warn = opts.warn ?? COMPLETENESS_WARN;
  const thresholds = { pass, warn };
  const lrpGap = result.diagnostics.conservationRelativeGap;
  if (!result.delta) {
    if (typeof lrpGap === 'number')
      return {
        verdict: verdict(lrpGap, pass, warn),
        relativeGap: lrpGap,
        absoluteGap: NaN,
        source: 'lrp conservation',
        thresholds,
      };
    return { verdict: 'n/a', relativeGap: NaN, absoluteGap: NaN, source: 'none', thresholds };
  }
  const { data: a, steps: T, features: F } = result.attributions;
  const sums = Float64Array.from({ length: result.attributions.batch }, (_, b) => {
    let s = 0;
    for (let i = 0; i < T * F; i++) s += a[b * T * F + i]!;
    return s;
  });
  // The method's own account: F(x) − F(baseline) = Σ a − delta.
  const own = gaps(
    Array.from(result.delta),
    Array.from(sums, (v, b) => v - result.delta![b]!),
  );
  const out: CompletenessResult = {
    verdict: verdict(own.relative, pass, warn),
    relativeGap: own.relative,
    absoluteGap: own.absolute,
    perSequence: own.perSequence,
    source: 'method delta',
    thresholds,
  };
  // Independent recomputation for a zeros baseline on numeric input.
  if (!isTokenBatch(input) && result.diagnostics.baseline === 'zeros') {
    const zeros = { ...input, data: new Float64Array(input.data.length) };
    const fx = targetValues(model, input, result);
    const f0 = targetValues(model, zeros, result);
    if (fx && f0) {
      const change = Array.from(fx, (v, b) => v - f0[b]!);
      const g = Array.from(sums, (v, b) => v - change[b]!);
      const re = gaps(g, change);
      // float32 models: agree within 1e-3 of the output scale.
      const agree = g.every(
        (v, b) => Math.abs(v - result.delta![b]!) <= 1e-3 * Math.max(1, Math.abs(change[b]!)),
      );
      return {
        verdict: verdict(re.relative, pass, warn),
        relativeGap: re.relative,
        absoluteGap: re.absolute,
        perSequence: re.perSequence,
        source: 'recomputed',
        thresholds,
        agreesWithMethod: agree,
      };
    }
  }
  return out;
}
