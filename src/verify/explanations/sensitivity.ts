/**
 * Infidelity and max-sensitivity (Yeh et al. 2019, "On the (in)fidelity and sensitivity of
 * explanations"), for numeric series, each beside the same number for a random map.
 *
 *   infidelity(Φ, x)   = E_I [ (Iᵀ Φ − (f(x) − f(x − I)))² ],  I ~ N(0, σ²) per element
 *     with `normalize` (default, as Captum's normalize=True) Φ is first scaled by the optimal
 *     β = E[Iᵀ Φ · Δf] / E[(Iᵀ Φ)²], so the score does not depend on the map's overall scale.
 *   max-sensitivity(Φ, x) = max_{‖x' − x‖∞ ≤ r} ‖Φ(x') − Φ(x)‖₂ / ‖Φ(x)‖₂
 *     estimated from `samples` points drawn uniformly in the box (Captum's sensitivity_max
 *     reports the unnormalised norm; dividing by ‖Φ(x)‖ makes methods of different scale compare).
 */
import { ArgumentError, checkInt } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SeqBatch } from '../../nn/layer.js';
import { isTokenBatch } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type { AttributionMap } from '../../explain/types.js';
import type { VersusRandom } from './faithfulness.js';
import { checkMap, resolveClasses, scores, type ScoreOutput } from './perturb.js';

export interface InfidelityOptions {
  target?: number | ArrayLike<number>;
  /** Perturbation standard deviation σ; default 0.1. */
  sigma?: number;
  /** Perturbations per sequence; default 20. */
  samples?: number;
  /** Scale Φ by the optimal β first; default true. */
  normalize?: boolean;
  /** The explained function; default 'logit' (what `attribute` explains by default). */
  output?: ScoreOutput;
  seed?: number;
}

function numeric(where: string, x: ModelInput): SeqBatch {
  if (isTokenBatch(x))
    throw new ArgumentError(where, 'input', 'numeric sequences', 'token ids (use faithfulness())');
  return x;
}

/** Random map with the same L2 norm per sequence as `map` (zero at padding). */
export function randomLike(map: AttributionMap, rng: Rng): AttributionMap {
  const { batch: B, steps: T, features: F } = map;
  const data = new Float64Array(map.data.length);
  for (let b = 0; b < B; b++) {
    const o = b * T * F;
    const n = map.lengths[b]! * F;
    let norm = 0;
    let rnorm = 0;
    for (let i = 0; i < n; i++) {
      norm += map.data[o + i]! ** 2;
      data[o + i] = rng.normal();
      rnorm += data[o + i]! ** 2;
    }
    const k = rnorm > 0 ? Math.sqrt(norm / rnorm) : 0;
    for (let i = 0; i < n; i++) data[o + i]! *= k;
  }
  return { ...map, data };
}

/** Infidelity of `map` and of a random map of the same norm. */
export function infidelity(
  model: SequenceModel,
  input: ModelInput,
  map: AttributionMap,
  opts: InfidelityOptions = {},
): VersusRandom {
  const where = 'infidelity';
  const x = numeric(where, input);
  checkMap(where, x, map);
  const sigma = opts.sigma ?? 0.1;
  if (!(sigma > 0)) throw new ArgumentError(where, 'sigma', 'a number > 0', String(sigma));
  const S = opts.samples ?? 20;
  checkInt(where, 'samples', S, 1, 10000);
  const output = opts.output ?? 'logit';
  const cls = resolveClasses(where, model, x, opts.target);
  const rng = new Rng(opts.seed ?? 0);
  const { batch: B, steps: T, features: F } = x;
  const TF = T * F;
  const noise = new Float64Array(B * S * TF);
  const data =
    model.backend.dtype === 'float64' ? new Float64Array(B * S * TF) : new Float32Array(B * S * TF);
  for (let b = 0; b < B; b++)
    for (let s = 0; s < S; s++) {
      const o = (b * S + s) * TF;
      for (let i = 0; i < TF; i++) {
        // Padding is never perturbed.
        const I = i < x.lengths[b]! * F ? rng.normal(0, sigma) : 0;
        noise[o + i] = I;
        data[o + i] = x.data[b * TF + i]! - I;
      }
    }
  const rows: SeqBatch = {
    data,
    batch: B * S,
    steps: T,
    features: F,
    lengths: Int32Array.from({ length: B * S }, (_, r) => x.lengths[Math.floor(r / S)]!),
  };
  const f0 = scores(model, x, cls, output);
  const fp = scores(
    model,
    rows,
    Int32Array.from({ length: B * S }, (_, r) => cls[Math.floor(r / S)]!),
    output,
  );
  const score = (m: AttributionMap): number[] =>
    Array.from({ length: B }, (_, b) => {
      const dots: number[] = [];
      const dfs: number[] = [];
      for (let s = 0; s < S; s++) {
        const o = (b * S + s) * TF;
        let dot = 0;
        for (let i = 0; i < TF; i++) dot += noise[o + i]! * m.data[b * TF + i]!;
        dots.push(dot);
        dfs.push(f0[b]! - fp[b * S + s]!);
      }
      let beta = 1;
      if (opts.normalize ?? true) {
        let num = 0;
        let den = 0;
        dots.forEach((d, s) => {
          num += d * dfs[s]!;
          den += d * d;
        });
        beta = den > 0 ? num / den : 0;
      }
      let e = 0;
      dots.forEach((d, s) => (e += (beta * d - dfs[s]!) ** 2));
      return e / S;
    });
  const per = score(map);
  const rand = score(randomLike(map, rng));
  const mean = (v: number[]): number => v.reduce((a, c) => a + c, 0) / v.length;
  return { value: mean(per), random: mean(rand), perSequence: per };
}

export interface SensitivityOptions {
  /** L∞ radius r of the perturbation box; default 0.02 (Captum's default). */
  radius?: number;
  /** Points sampled in the box; default 10. */
  samples?: number;
  seed?: number;
}

/**
 * Max-sensitivity of an explainer: `explain` maps a batch to its attribution map (e.g.
 * `(x) => attribute(model, x, opts).attributions`). The random reference explains every input
 * with an independent random map, the worst case of an explanation that ignores its input.
 */
export function maxSensitivity(
  input: ModelInput,
  explain: (x: ModelInput) => AttributionMap,
  opts: SensitivityOptions = {},
): VersusRandom {
  const where = 'maxSensitivity';
  const x = numeric(where, input);
  const r = opts.radius ?? 0.02;
  if (!(r > 0)) throw new ArgumentError(where, 'radius', 'a number > 0', String(r));
  const S = opts.samples ?? 10;
  checkInt(where, 'samples', S, 1, 1000);
  const rng = new Rng(opts.seed ?? 0);
  const { batch: B, steps: T, features: F } = x;
  const TF = T * F;
  const base = explain(x);
  checkMap(where, x, base);
  const data = new Float64Array(B * S * TF);
  for (let b = 0; b < B; b++)
    for (let s = 0; s < S; s++)
      for (let i = 0; i < TF; i++)
        data[(b * S + s) * TF + i] =
          x.data[b * TF + i]! + (i < x.lengths[b]! * F ? rng.uniform(-r, r) : 0);
  const lengths = Int32Array.from({ length: B * S }, (_, k) => x.lengths[Math.floor(k / S)]!);
  const pert = explain({ data, batch: B * S, steps: T, features: F, lengths });
  const worst = (m0: AttributionMap, m1: (b: number, s: number, i: number) => number): number[] =>
    Array.from({ length: B }, (_, b) => {
      let norm = 0;
      for (let i = 0; i < TF; i++) norm += m0.data[b * TF + i]! ** 2;
      let w = 0;
      for (let s = 0; s < S; s++) {
        let d = 0;
        for (let i = 0; i < TF; i++) d += (m1(b, s, i) - m0.data[b * TF + i]!) ** 2;
        w = Math.max(w, Math.sqrt(d));
      }
      return norm > 0 ? w / Math.sqrt(norm) : w === 0 ? 0 : Infinity;
    });
  const per = worst(base, (b, s, i) => pert.data[(b * S + s) * TF + i]!);
  // Random explainer: a fresh Gaussian map of the same norm for every input.
  const r0 = randomLike(base, rng);
  const rp = randomLike(
    {
      ...pert,
      data: Float64Array.from(
        { length: B * S * TF },
        (_, k) => base.data[Math.floor(k / (S * TF)) * TF + (k % TF)]!,
      ),
    },
    rng,
  );
  const rand = worst(r0, (b, s, i) => rp.data[(b * S + s) * TF + i]!);
  const mean = (v: number[]): number => v.reduce((a, c) => a + c, 0) / v.length;
  return { value: mean(per), random: mean(rand), perSequence: per };
}
