/**
 * The scorecard of one explanation (`rnnlens explain --check`): completeness gap, deletion AUC
 * against random orderings, and the cascading-randomisation sanity check, each flagged
 * pass / warn / fail (or n/a) with the threshold that decided it.
 *
 * Deletion margin m = (AUC_random − AUC_map) / AUC_random: the share of the random ordering's
 * area that removing the map's most important steps first saves. pass when m ≥ 0.1, warn when
 * m ≥ 0 (no better than random), fail when m < 0 (worse than random).
 */
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type { AttributeOptions, AttributionResult } from '../../explain/types.js';
import { completeness, type CompletenessResult } from './completeness.js';
import { faithfulness, type FaithfulnessOptions } from './faithfulness.js';
import { cascadingRandomisation, explainerFor, type SanityResult } from './sanity.js';
import type { Replacement } from './perturb.js';

export type Flag = 'pass' | 'warn' | 'fail' | 'n/a';

export interface ScorecardEntry {
  check: 'completeness' | 'deletion' | 'sanity';
  flag: Flag;
  value: number;
  /** e.g. 'relative gap <= 0.05 pass, <= 0.2 warn'. */
  threshold: string;
  detail: Record<string, number | string>;
  /** The check's number per explained sequence, where it has one (completeness, deletion). */
  perSequence?: number[];
}

export interface Scorecard {
  method: string;
  entries: ScorecardEntry[];
  /** The worst flag (n/a ignored). */
  overall: Flag;
}

export const DELETION_PASS_MARGIN = 0.1;

export interface ScorecardOptions {
  faithfulness?: Omit<FaithfulnessOptions, 'target'>;
  replacement?: Replacement;
  seed?: number;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

const RANK: Record<Flag, number> = { 'n/a': -1, pass: 0, warn: 1, fail: 2 };

export function deletionFlag(value: number, random: number): { flag: Flag; margin: number } {
  const margin = random > 0 ? (random - value) / random : random - value;
  return { flag: margin >= DELETION_PASS_MARGIN ? 'pass' : margin >= 0 ? 'warn' : 'fail', margin };
}

function completenessEntry(c: CompletenessResult): ScorecardEntry {
  const e: ScorecardEntry = {
    check: 'completeness',
    flag: c.verdict,
    value: c.relativeGap,
    threshold: `relative gap <= ${c.thresholds.pass} pass, <= ${c.thresholds.warn} warn, else fail`,
    detail: {
      source: c.source,
      absoluteGap: c.absoluteGap,
      ...(c.agreesWithMethod === undefined ? {} : { agreesWithMethod: String(c.agreesWithMethod) }),
    },
  };
  if (c.perSequence) e.perSequence = c.perSequence;
  return e;
}

function sanityEntry(s: SanityResult): ScorecardEntry {
  const last = s.stages[s.stages.length - 1];
  return {
    check: 'sanity',
    flag: s.verdict,
    value: s.rho,
    threshold: `|spearman(|map|, |map after randomising all weights|)| <= ${s.thresholds.passRho} pass, <= ${s.thresholds.warnRho} warn, else fail`,
    detail: {
      stages: s.stages.length,
      ssim: last?.ssim ?? NaN,
      signedSpearman: last?.spearman ?? NaN,
    },
  };
}

/**
 * Checks one explanation. `result` is `attribute(model, input, options)` (computed here when
 * absent); the deletion curve uses the explained output index of each sequence.
 */
export function scorecard(
  model: SequenceModel,
  input: ModelInput,
  options: AttributeOptions,
  result: AttributionResult,
  opts: ScorecardOptions = {},
): Scorecard {
  const entries: ScorecardEntry[] = [completenessEntry(completeness(model, input, result))];
  opts.onProgress?.({ done: 1, total: 3, message: 'completeness' });
  if (result.targets.every((t) => t.kind === 'output')) {
    const fopts: FaithfulnessOptions = {
      ...opts.faithfulness,
      target: result.targets.map((t) => t.index),
    };
    if (opts.replacement) fopts.replacement = opts.replacement;
    if (opts.seed !== undefined) fopts.seed = opts.seed;
    const f = faithfulness(model, input, result.attributions, fopts);
    const { flag, margin } = deletionFlag(f.deletion.auc.value, f.deletion.auc.random);
    entries.push({
      check: 'deletion',
      flag,
      value: f.deletion.auc.value,
      threshold: `margin (random − map) / random >= ${DELETION_PASS_MARGIN} pass, >= 0 warn, else fail`,
      detail: {
        randomAuc: f.deletion.auc.random,
        margin,
        insertionAuc: f.insertion.auc.value,
        insertionRandomAuc: f.insertion.auc.random,
        unit: f.unit,
      },
      perSequence: f.deletion.auc.perSequence,
    });
  } else {
    entries.push({
      check: 'deletion',
      flag: 'n/a',
      value: NaN,
      threshold: 'needs output targets',
      detail: {},
    });
  }
  opts.onProgress?.({ done: 2, total: 3, message: 'deletion' });
  const { onProgress: _ignored, ...quiet } = options;
  const s = cascadingRandomisation(model, input, explainerFor(quiet), { seed: opts.seed ?? 0 });
  entries.push(sanityEntry(s));
  opts.onProgress?.({ done: 3, total: 3, message: 'sanity' });
  const overall = entries.reduce<Flag>((w, e) => (RANK[e.flag] > RANK[w] ? e.flag : w), 'n/a');
  return { method: result.method, entries, overall };
}
