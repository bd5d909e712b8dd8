/**
 * Radii and dataset-level results:
 * - certified radius: the largest ε (to a tolerance) at which `certify` proves the prediction, by
 *   doubling then bisection (certification is monotone in ε: a larger ball contains a smaller one,
 *   though the bounds of a larger ball are not always tighter, so bisection returns a radius that
 *   WAS certified, never one that was not);
 * - attack radius: the smallest ε (to a tolerance) at which PGD / greedy search finds a point with
 *   another prediction — an upper bound on the true robust radius; the gap between the two is what
 *   neither side can decide;
 * - certified accuracy over a dataset with a Clopper–Pearson interval.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { SequenceModel } from '../../nn/model.js';
import { binomialCdf } from '../stats/distributions.js';
import { attackMaximize, type PgdOptions } from './attack.js';
import {
  certify,
  evaluateFlat,
  float64Model,
  regionFor,
  type CertifyInput,
  type CertifyResult,
} from './certify.js';
import type { BallPerturbation } from './perturbation.js';
import type { Method, ProgressInfo } from './propagate.js';

export interface RadiusOptions {
  method?: Method;
  /** Absolute tolerance of the bisection; default 1e-3 of the upper end. */
  tolerance?: number;
  /** First radius tried; default 0.01. */
  start?: number;
  /** Largest radius searched; default 100. */
  max?: number;
}

type BallShape = Omit<BallPerturbation, 'eps'>;

function checkRadiusOpts(
  where: string,
  o: RadiusOptions,
): Required<Omit<RadiusOptions, 'method' | 'tolerance'>> & { tolerance?: number } {
  const start = o.start ?? 0.01;
  const max = o.max ?? 100;
  if (!(start > 0) || !Number.isFinite(start))
    throw new ArgumentError(where, 'start', 'a finite number > 0', describe(start));
  if (!(max >= start) || !Number.isFinite(max))
    throw new ArgumentError(where, 'max', `a finite number ≥ start (${start})`, describe(max));
  if (o.tolerance !== undefined && !(o.tolerance > 0))
    throw new ArgumentError(where, 'tolerance', 'a number > 0', describe(o.tolerance));
  return { start, max, tolerance: o.tolerance };
}

/** Largest ε in [lo, hi] with ok(ε), given ok(lo) and !ok(hi), to `tol`. */
function bisect(ok: (e: number) => boolean, lo: number, hi: number, tol: number): [number, number] {
  while (hi - lo > tol) {
    const mid = lo + (hi - lo) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return [lo, hi];
}

/**
 * The certified radius of the prediction at `input` for balls of the given shape: a radius r
 * such that the ball of radius r was certified (0 when even ε = 0 is not: a tie), and whether
 * the search hit `max`.
 */
export function certifiedRadius(
  model: SequenceModel,
  input: CertifyInput,
  shape: BallShape,
  opts: RadiusOptions = {},
): { radius: number; reachedMax: boolean; prediction: number } {
  const { start, max, tolerance } = checkRadiusOpts('certifiedRadius', opts);
  const m64 = float64Model(model);
  const ok = (eps: number): CertifyResult =>
    certify(m64, input, { ...shape, kind: 'ball', eps }, { method: opts.method ?? 'crown' });
  const at0 = ok(0);
  if (!at0.certified) return { radius: 0, reachedMax: false, prediction: at0.prediction };
  let lo = 0;
  let hi = start;
  while (ok(hi).certified) {
    lo = hi;
    if (hi >= max) return { radius: max, reachedMax: true, prediction: at0.prediction };
    hi = Math.min(max, hi * 2);
  }
  const [r] = bisect((e) => ok(e).certified, lo, hi, tolerance ?? hi * 1e-3);
  return { radius: r, reachedMax: false, prediction: at0.prediction };
}

/** Whether an attack at radius ε changes the prediction `pred`. */
function attackSucceeds(
  m64: SequenceModel,
  input: CertifyInput,
  shape: BallShape,
  eps: number,
  pred: number,
  pgd: PgdOptions,
): boolean {
  const region = regionFor(m64, input, { ...shape, kind: 'ball', eps });
  const C = m64.outputFeatures;
  for (let j = 0; j < C; j++) {
    if (j === pred) continue;
    const c = new Float64Array(C);
    c[j] = 1;
    c[pred] = -1;
    const r = attackMaximize(m64, region, c, pgd);
    // another class strictly on top (ties broken toward the lower index, as argmax does)
    let best = 0;
    for (let k = 1; k < C; k++) if (r.y[k]! > r.y[best]!) best = k;
    if (best !== pred) return true;
  }
  return false;
}

/**
 * An upper bound on the smallest adversarial radius: the smallest ε (to the tolerance) at which
 * the attack finds a point with another prediction; null if none up to `max`.
 */
export function attackRadius(
  model: SequenceModel,
  input: CertifyInput,
  shape: BallShape,
  opts: RadiusOptions & { pgd?: PgdOptions } = {},
): number | null {
  const { start, max, tolerance } = checkRadiusOpts('attackRadius', opts);
  const m64 = float64Model(model);
  const region0 = regionFor(m64, input, { ...shape, kind: 'ball', eps: 0 });
  const y = evaluateFlat(m64, region0.centre, 1, region0.steps, region0.features);
  let pred = 0;
  for (let k = 1; k < y.length; k++) if (y[k]! > y[pred]!) pred = k;
  const pgd = { steps: 30, restarts: 2, ...opts.pgd };
  const fools = (e: number): boolean => attackSucceeds(m64, input, shape, e, pred, pgd);
  let hi = start;
  let lo = 0;
  while (!fools(hi)) {
    lo = hi;
    if (hi >= max) return null;
    hi = Math.min(max, hi * 2);
  }
  const [, r] = bisect((e) => !fools(e), lo, hi, tolerance ?? hi * 1e-3);
  return r;
}

/**
 * Clopper–Pearson ("exact") interval for a binomial proportion k/n at confidence 1 − α:
 * lower = p with P(X ≥ k | p) = α/2 (0 when k = 0), upper = p with P(X ≤ k | p) = α/2 (1 when
 * k = n); both by bisection on the binomial CDF, which is monotone in p.
 */
export function clopperPearson(
  k: number,
  n: number,
  alpha = 0.05,
): { lower: number; upper: number } {
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError('clopperPearson', 'n', 'an integer ≥ 1', describe(n));
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ArgumentError('clopperPearson', 'k', `an integer in [0, ${n}]`, describe(k));
  if (!(alpha > 0 && alpha < 1))
    throw new ArgumentError('clopperPearson', 'alpha', 'a number in (0, 1)', describe(alpha));
  // the p where a decreasing function of p crosses `level`
  const solve = (f: (p: number) => number, level: number): number => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > level) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // P(X ≥ k | p) = α/2  ⇔  P(X ≤ k − 1 | p) = 1 − α/2;  upper: P(X ≤ k | p) = α/2
  const lower = k === 0 ? 0 : solve((p) => binomialCdf(k - 1, n, p), 1 - alpha / 2);
  const upper = k === n ? 1 : solve((p) => binomialCdf(k, n, p), alpha / 2);
  return { lower, upper };
}

export interface CertifiedAccuracy {
  n: number;
  /** Correct and certified. */
  certified: number;
  correct: number;
  accuracy: number;
  interval: { lower: number; upper: number };
  seconds: number;
}

/** Certified accuracy at one perturbation set over labelled inputs, with a 95 % Clopper–Pearson interval. */
export function certifiedAccuracy(
  model: SequenceModel,
  inputs: readonly CertifyInput[],
  labels: readonly number[],
  perturbation: BallPerturbation,
  opts: { method?: Method; alpha?: number; onProgress?: (p: ProgressInfo) => void } = {},
): CertifiedAccuracy {
  if (labels.length !== inputs.length)
    throw new ArgumentError(
      'certifiedAccuracy',
      'labels',
      `${inputs.length} labels (one per input)`,
      `${labels.length}`,
    );
  const t0 = performance.now();
  const m64 = float64Model(model);
  let certified = 0;
  let correct = 0;
  inputs.forEach((x, i) => {
    const r = certify(m64, x, perturbation, { method: opts.method ?? 'crown' });
    if (r.prediction === labels[i]) {
      correct++;
      if (r.certified) certified++;
    }
    opts.onProgress?.({ done: i + 1, total: inputs.length, message: 'certifying' });
  });
  const n = inputs.length;
  return {
    n,
    certified,
    correct,
    accuracy: n ? certified / n : 0,
    interval: n ? clopperPearson(certified, n, opts.alpha ?? 0.05) : { lower: 0, upper: 1 },
    seconds: (performance.now() - t0) / 1000,
  };
}
