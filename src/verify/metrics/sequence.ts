/**
 * Metrics over sequence outputs: per-step accuracy with a mask, and perplexity / bits per
 * character from per-step log-probabilities of the true next token (natural log).
 */
import { ArgumentError } from '../../core/errors.js';
import { checkLabels, checkSameLength, checkValues, type Labels } from './input.js';

/**
 * Share of correct predictions over the steps where mask ≠ 0 (all steps without a mask).
 * Inputs are flat [B*T] arrays (or one sequence).
 */
export function perStepAccuracy(yTrue: Labels, yPred: Labels, mask?: ArrayLike<number>): number {
  const t = checkLabels('perStepAccuracy', 'yTrue', yTrue);
  const p = checkLabels('perStepAccuracy', 'yPred', yPred);
  checkSameLength('perStepAccuracy', ['yTrue', 'yPred'], t, p);
  if (mask) checkSameLength('perStepAccuracy', ['yTrue', 'mask'], t, mask);
  let hits = 0;
  let count = 0;
  for (let i = 0; i < t.length; i++) {
    if (mask && !mask[i]) continue;
    count++;
    if (t[i] === p[i]) hits++;
  }
  if (count === 0)
    throw new ArgumentError(
      'perStepAccuracy',
      'mask',
      'at least one unmasked step',
      'every step masked',
    );
  return hits / count;
}

/** Mean negative log-likelihood per step (nats) over the unmasked steps. */
export function meanNll(logProbs: ArrayLike<number>, mask?: ArrayLike<number>): number {
  const lp = checkValues('meanNll', 'logProbs', logProbs, { max: 0 });
  if (mask) checkSameLength('meanNll', ['logProbs', 'mask'], lp, mask);
  let s = 0;
  let count = 0;
  for (let i = 0; i < lp.length; i++) {
    if (mask && !mask[i]) continue;
    s -= lp[i]!;
    count++;
  }
  if (count === 0)
    throw new ArgumentError('meanNll', 'mask', 'at least one unmasked step', 'every step masked');
  return s / count;
}

/** Perplexity = exp(mean NLL in nats). */
export function perplexity(logProbs: ArrayLike<number>, mask?: ArrayLike<number>): number {
  return Math.exp(meanNll(logProbs, mask));
}

/** Bits per character = mean NLL / ln 2. */
export function bitsPerCharacter(logProbs: ArrayLike<number>, mask?: ArrayLike<number>): number {
  return meanNll(logProbs, mask) / Math.LN2;
}
