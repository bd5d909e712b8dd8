/**
 * Certification of a list of inputs with the command's options: the work behind
 * `rnnlens certify`, shared by the command (inputs from a file or a dataset split) and by the
 * executors' 'certify-chunk' jobs (a slice of a dataset on a worker thread or machine).
 */
import { RnnlensError } from '../../core/errors.js';
import type { SequenceModel } from '../../nn/model.js';
import type { ParsedInput } from '../../predict/input-file.js';
import { audit } from './audit.js';
import { certify, type CertifyInput } from './certify.js';
import type { NormKind } from './ibp.js';
import type { BallPerturbation } from './perturbation.js';
import type { Method } from './propagate.js';
import { substitutionAttack, substitutionSets, type SubstitutionSpec } from './substitutions.js';
import { attackRadius, certifiedRadius } from './radius.js';

export interface CertifyCliOptions {
  norm: NormKind;
  eps?: number;
  radius?: boolean;
  method: Method;
  steps?: [number, number];
  features?: number[];
  perStep?: boolean;
  attack?: boolean;
  audit?: boolean;
  tolerance?: number;
  maxRadius?: number;
  /** discrete substitution sets (token models) instead of a ball; see substitutions.ts */
  substitutions?: SubstitutionSpec;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

export interface CertifyCliResult {
  prediction: number;
  lower: number[];
  upper: number[];
  certified: boolean;
  /**
   * Per class j: the certified lower bound of logit[prediction] − logit[j] (null for the
   * prediction itself); > 0 means j can never overtake the prediction inside the set.
   */
  margins: (number | null)[];
  radius: number | null;
  attackRadius: number | null;
  /** with substitution sets and --attack: the greedy search's best combination */
  substitutionAttack?: { flipped: boolean; tokens: number[]; prediction: number };
  audit?: {
    ok: boolean;
    points: number;
    violations: { quantity: string; side: string; bound: number; observed: number }[];
  };
}

/** The sequences of a parsed input file as single certification inputs (padding removed). */
export function splitInputs(x: ParsedInput): CertifyInput[] {
  const out: CertifyInput[] = [];
  for (let b = 0; b < x.batch; b++) {
    const len = x.lengths[b]!;
    if (x.kind === 'numeric') {
      const D = x.features;
      const off = b * x.steps * D;
      out.push({
        kind: 'numeric',
        data: Float64Array.from(x.data.subarray(off, off + len * D)),
        steps: len,
      });
    } else
      out.push({ kind: 'tokens', ids: Array.from(x.ids.subarray(b * x.steps, b * x.steps + len)) });
  }
  return out;
}

/** The perturbation options, checked before any work (and before any job is queued). */
export function checkCertifyOptions(o: Omit<CertifyCliOptions, 'onProgress'>): void {
  if (o.substitutions) {
    const clash = (
      [
        ['--eps', o.eps !== undefined],
        ['--radius', o.radius],
        ['--steps', o.steps],
        ['--features', o.features],
        ['--per-step', o.perStep],
      ] as const
    ).find(([, v]) => Boolean(v));
    if (clash)
      throw new RnnlensError(
        `certify: --substitutions fixes the perturbation set; ${clash[0]} cannot be combined with it`,
      );
    return;
  }
  if ((o.eps === undefined) === !o.radius)
    throw new RnnlensError(
      'certify: give exactly one of --eps E (certify at E) and --radius (search the certified radius)',
    );
}

/** The work behind the command, usable without a terminal. */
export function runCertify(
  model: SequenceModel,
  inputs: CertifyInput[],
  o: CertifyCliOptions,
): CertifyCliResult[] {
  checkCertifyOptions(o);
  if (o.substitutions) return runSubstitutions(model, inputs, o, o.substitutions);
  const shape: Omit<BallPerturbation, 'eps'> = { kind: 'ball', norm: o.norm };
  if (o.steps) shape.steps = o.steps;
  if (o.features) shape.features = o.features;
  if (o.perStep) shape.perStep = true;
  const m64 = model.backend.dtype === 'float64' ? model : model.to('ts64');
  return inputs.map((x, i) => {
    let eps = o.eps ?? 0;
    let radius: number | null = null;
    if (o.radius) {
      radius = certifiedRadius(m64, x, shape, {
        method: o.method,
        tolerance: o.tolerance,
        max: o.maxRadius,
      }).radius;
      eps = radius;
    }
    const r = certify(m64, x, { ...shape, eps }, { method: o.method });
    const res: CertifyCliResult = {
      prediction: r.prediction,
      lower: Array.from(r.lower),
      upper: Array.from(r.upper),
      certified: r.certified,
      margins: Array.from(r.marginLower, (v, j) => (j === r.prediction ? null : v)),
      radius,
      attackRadius: o.attack
        ? attackRadius(m64, x, shape, {
            start: Math.max(eps, 1e-3),
            tolerance: o.tolerance,
            max: o.maxRadius,
          })
        : null,
    };
    if (o.audit) {
      const a = audit(m64, x, { ...shape, eps }, { method: o.method });
      res.audit = { ok: a.ok, points: a.points, violations: a.violations };
    }
    o.onProgress?.({ done: i + 1, total: inputs.length, message: `input ${i}` });
    return res;
  });
}

/** Certification against discrete substitution sets (no radius: the set is fixed). */
function runSubstitutions(
  model: SequenceModel,
  inputs: CertifyInput[],
  o: CertifyCliOptions,
  spec: SubstitutionSpec,
): CertifyCliResult[] {
  const tokens = inputs.map((x, i) => {
    if (x.kind !== 'tokens')
      throw new RnnlensError(
        `certify: --substitutions needs a token model and token inputs; input ${i} is numeric`,
      );
    return x;
  });
  const sets = substitutionSets(
    spec,
    tokens.map((x) => x.ids),
  );
  const m64 = model.backend.dtype === 'float64' ? model : model.to('ts64');
  return tokens.map((x, i) => {
    const r = certify(m64, x, sets[i]!, { method: o.method });
    const res: CertifyCliResult = {
      prediction: r.prediction,
      lower: Array.from(r.lower),
      upper: Array.from(r.upper),
      certified: r.certified,
      margins: Array.from(r.marginLower, (v, j) => (j === r.prediction ? null : v)),
      radius: null,
      attackRadius: null,
    };
    if (o.attack) res.substitutionAttack = substitutionAttack(m64, x, sets[i]!);
    if (o.audit) {
      const a = audit(m64, x, sets[i]!, { method: o.method });
      res.audit = { ok: a.ok, points: a.points, violations: a.violations };
    }
    o.onProgress?.({ done: i + 1, total: inputs.length, message: `input ${i}` });
    return res;
  });
}
