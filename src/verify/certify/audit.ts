/**
 * Audit of a certificate: compute the bounds, then try to break them. Random points of the set
 * are evaluated, and an attack (PGD on balls, greedy search on substitutions) is run toward EACH
 * bound: minimise and maximise every output and every margin (prediction − other class). Any
 * observed value outside its bound is a violation — a soundness bug, reported with the numbers.
 * Sampling alone misses narrow violations; the attack goes where the bound is tight.
 */
import { Rng } from '../../core/rng.js';
import type { SequenceModel } from '../../nn/model.js';
import { attackMaximize, type PgdOptions } from './attack.js';
import {
  boundOutputs,
  marginCertificate,
  evaluateFlat,
  float64Model,
  regionFor,
  type CertifyInput,
  type CertifyResult,
} from './certify.js';
import { sampleRegion, type Perturbation } from './perturbation.js';
import type { Method, ProgressInfo } from './propagate.js';

export interface AuditOptions {
  method?: Method;
  /** Back-substitution window of the bounds audited (see CertifyOptions). */
  window?: number;
  /** Random points of the set; default 200. */
  samples?: number;
  /** Attack settings (per bound); default 30 steps, 2 random restarts. */
  pgd?: PgdOptions;
  seed?: number;
  onProgress?: (p: ProgressInfo) => void;
}

export interface AuditViolation {
  /** e.g. "output 2" or "margin 0−1". */
  quantity: string;
  side: 'lower' | 'upper';
  bound: number;
  observed: number;
}

export interface AuditReport {
  method: Method;
  /** Per output: the bounds and the extremes observed by sampling and attacks. */
  lower: Float64Array;
  upper: Float64Array;
  observedMin: Float64Array;
  observedMax: Float64Array;
  /** Margin bounds and observed extremes (classifiers only). */
  certificate: CertifyResult | null;
  marginObservedMin: Float64Array | null;
  marginObservedMax: Float64Array | null;
  violations: AuditViolation[];
  points: number;
  ok: boolean;
}

/** Audits the bounds of `model` at `input` over `perturbation`. */
export function audit(
  model: SequenceModel,
  input: CertifyInput,
  perturbation: Perturbation,
  opts: AuditOptions = {},
): AuditReport {
  const m64 = float64Model(model);
  const region = regionFor(m64, input, perturbation);
  const method = opts.method ?? 'crown';
  const bounds = boundOutputs(m64, region, { method, window: opts.window });
  const { lower, upper, output } = bounds;
  const classifier = output.kind === 'flat' && lower.length > 1;
  const cert = classifier ? marginCertificate(m64, region, bounds, method) : null;
  const O = lower.length;
  const obsMin = new Float64Array(O).fill(Infinity);
  const obsMax = new Float64Array(O).fill(-Infinity);
  const mMin = cert ? new Float64Array(O).fill(Infinity) : null;
  const mMax = cert ? new Float64Array(O).fill(-Infinity) : null;
  let points = 0;
  const observe = (y: ArrayLike<number>, off = 0): void => {
    points++;
    for (let k = 0; k < O; k++) {
      obsMin[k] = Math.min(obsMin[k]!, y[off + k]!);
      obsMax[k] = Math.max(obsMax[k]!, y[off + k]!);
    }
    if (cert && mMin && mMax) {
      const p = cert.prediction;
      for (let j = 0; j < O; j++) {
        if (j === p) continue;
        const d = y[off + p]! - y[off + j]!;
        mMin[j] = Math.min(mMin[j]!, d);
        mMax[j] = Math.max(mMax[j]!, d);
      }
    }
  };
  const rng = new Rng(opts.seed ?? 0);
  const nS = opts.samples ?? 200;
  const N = region.centre.length;
  const xs = new Float64Array(Math.max(1, nS) * N);
  xs.set(region.centre, 0);
  for (let s = 1; s < nS; s++) xs.set(sampleRegion(region, rng), s * N);
  const ys = evaluateFlat(m64, xs, Math.max(1, nS), region.steps, region.features);
  for (let s = 0; s < Math.max(1, nS); s++) observe(ys, s * O);

  // Attack targets: ±e_k for every output, ±(e_p − e_j) for every margin.
  const targets: Float64Array[] = [];
  for (let k = 0; k < O; k++)
    for (const sgn of [1, -1]) {
      const c = new Float64Array(O);
      c[k] = sgn;
      targets.push(c);
    }
  if (cert)
    for (let j = 0; j < O; j++) {
      if (j === cert.prediction) continue;
      for (const sgn of [1, -1]) {
        const c = new Float64Array(O);
        c[cert.prediction] = sgn;
        c[j] = -sgn;
        targets.push(c);
      }
    }
  const pgd = { steps: 30, restarts: 2, ...opts.pgd };
  targets.forEach((c, i) => {
    const r = attackMaximize(m64, region, c, { ...pgd, seed: (opts.seed ?? 0) * 7919 + i });
    observe(r.y);
    opts.onProgress?.({ done: i + 1, total: targets.length, message: 'attacking bounds' });
  });

  const violations: AuditViolation[] = [];
  const check = (q: string, lo: number, hi: number, mn: number, mx: number): void => {
    if (mn < lo || Number.isNaN(mn))
      violations.push({ quantity: q, side: 'lower', bound: lo, observed: mn });
    if (mx > hi || Number.isNaN(mx))
      violations.push({ quantity: q, side: 'upper', bound: hi, observed: mx });
  };
  for (let k = 0; k < O; k++) check(`output ${k}`, lower[k]!, upper[k]!, obsMin[k]!, obsMax[k]!);
  if (cert && mMin && mMax)
    for (let j = 0; j < O; j++)
      if (j !== cert.prediction)
        check(
          `margin ${cert.prediction}−${j}`,
          cert.marginLower[j]!,
          cert.marginUpper[j]!,
          mMin[j]!,
          mMax[j]!,
        );
  return {
    method,
    lower,
    upper,
    observedMin: obsMin,
    observedMax: obsMax,
    certificate: cert,
    marginObservedMin: mMin,
    marginObservedMax: mMax,
    violations,
    points,
    ok: violations.length === 0,
  };
}
