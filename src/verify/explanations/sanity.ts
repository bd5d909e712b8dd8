/**
 * Sanity checks for saliency methods (Adebayo et al. 2018): an explanation of a model must
 * depend on the model. Two randomisations, each compared with the original maps by Spearman rank
 * correlation (of the maps and of their magnitudes) and an SSIM-style similarity:
 *
 * - cascading model-parameter randomisation: re-draw the weights from the top down, cumulatively:
 *   the head (dense layers, last first), then each recurrent layer from the top, first its input
 *   weights (W, bx), then its recurrent weights (U, bh), then the embedding. Each re-drawn tensor
 *   gets N(0, sd²) values with the sd of its trained values (so the scale stays realistic).
 * - data randomisation: the same architecture trained the same way on permuted labels.
 *
 * A method PASSES when its maps change: the mean |ρ| of the magnitudes after full randomisation is
 * at most `passRho` (default 0.5); WARN up to `warnRho` (0.8); FAIL above it. A map that ignores
 * the model (the input itself, an edge detector) stays at ρ = 1 and fails.
 */
import { ArgumentError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Parameter } from '../../core/parameter.js';
import type { Dataset } from '../../data/dataset.js';
import { SequenceModel, type ModelInput } from '../../nn/model.js';
import { train, type TrainConfig } from '../../train/trainer.js';
import { attribute } from '../../explain/attribute.js';
import type { AttributeOptions, AttributionMap } from '../../explain/types.js';
import { spearman, ssim } from './similarity.js';

export type Explainer = (model: SequenceModel, input: ModelInput) => AttributionMap;
export type Verdict = 'pass' | 'warn' | 'fail';

export const SANITY_PASS_RHO = 0.5;
export const SANITY_WARN_RHO = 0.8;

/** An explainer from `attribute` options (the target must suit every model it is asked about). */
export function explainerFor(options: AttributeOptions): Explainer {
  return (model, input) => attribute(model, input, options).attributions;
}

export interface Similarity {
  /** Mean Spearman ρ of the signed maps over sequences. */
  spearman: number;
  /** Mean Spearman ρ of |maps| (the decision statistic). */
  spearmanAbs: number;
  /** Mean SSIM-style similarity of the normalised |maps|. */
  ssim: number;
}

export interface SanityStage extends Similarity {
  /** e.g. 'dense', 'lstm input weights', 'lstm recurrent weights', 'embedding'. */
  name: string;
  /** Parameters randomised at this stage (cumulative stages add to the previous ones). */
  parameters: string[];
}

export interface SanityResult {
  kind: 'cascading' | 'data';
  stages: SanityStage[];
  /** The last stage's |ρ| (everything randomised). */
  rho: number;
  verdict: Verdict;
  thresholds: { passRho: number; warnRho: number };
}

export interface SanityOptions {
  seed?: number;
  passRho?: number;
  warnRho?: number;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

// Spearman is undefined for a constant map; a map that became constant has certainly changed
// unless the original was the same constant (both constant: identical).
const rho = (a: Float64Array, b: Float64Array): number => {
  const r = spearman(a, b);
  if (!Number.isNaN(r)) return r;
  return a.every((v, i) => v === b[i]) ? 1 : 0;
};

/** Per-sequence similarities of two maps over their valid elements, averaged. */
export function compareMaps(a: AttributionMap, b: AttributionMap): Similarity {
  if (a.data.length !== b.data.length)
    throw new ArgumentError(
      'compareMaps',
      'b',
      `a map of ${a.data.length} values`,
      `${b.data.length}`,
    );
  const TF = a.steps * a.features;
  let s = 0;
  let sa = 0;
  let ss = 0;
  for (let i = 0; i < a.batch; i++) {
    const n = Math.max(2, a.lengths[i]! * a.features);
    const x = a.data.slice(i * TF, i * TF + n);
    const y = b.data.slice(i * TF, i * TF + n);
    s += rho(x, y);
    sa += rho(x.map(Math.abs), y.map(Math.abs));
    ss += ssim(x, y);
  }
  return { spearman: s / a.batch, spearmanAbs: sa / a.batch, ssim: ss / a.batch };
}

export function verdictOf(r: number, passRho: number, warnRho: number): Verdict {
  const m = Math.abs(r);
  return m <= passRho ? 'pass' : m <= warnRho ? 'warn' : 'fail';
}

/** The cascade: groups of parameter names from the output layer down to the input. */
export function cascadeStages(model: SequenceModel): { name: string; parameters: Parameter[] }[] {
  const out: { name: string; parameters: Parameter[] }[] = [];
  for (const layer of [...model.layers].reverse()) {
    const ps = layer.parameters();
    if (ps.length === 0) continue;
    if (['lstm', 'gru', 'simple_rnn', 'bidirectional'].includes(layer.kind)) {
      const leaf = (p: Parameter): string => p.name.slice(p.name.lastIndexOf('/') + 1);
      const recurrent = (p: Parameter): boolean => leaf(p).startsWith('U') || leaf(p) === 'bh';
      out.push({
        name: `${layer.name} input weights`,
        parameters: ps.filter((p) => !recurrent(p)),
      });
      out.push({ name: `${layer.name} recurrent weights`, parameters: ps.filter(recurrent) });
    } else out.push({ name: layer.name, parameters: ps });
  }
  return out.filter((s) => s.parameters.length > 0);
}

/** A copy of the model with its own parameters. */
export function cloneModel(model: SequenceModel): SequenceModel {
  return model.to(model.backend);
}

function redraw(p: Parameter, rng: Rng): void {
  const v = p.value;
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let sd = 0;
  for (const x of v) sd += (x - m) ** 2;
  sd = Math.sqrt(sd / v.length);
  // An untrained constant tensor (zero biases) gets the scale of a small random init.
  rng.fillNormal(v, 0, sd > 0 ? sd : 0.05);
}

function thresholds(opts: SanityOptions): { passRho: number; warnRho: number } {
  const passRho = opts.passRho ?? SANITY_PASS_RHO;
  const warnRho = opts.warnRho ?? SANITY_WARN_RHO;
  if (!(passRho >= 0 && passRho <= warnRho && warnRho <= 1))
    throw new ArgumentError(
      'sanity',
      'passRho/warnRho',
      '0 <= passRho <= warnRho <= 1',
      `${passRho}/${warnRho}`,
    );
  return { passRho, warnRho };
}

/** Cascading model-parameter randomisation of `model` (which is not changed). */
export function cascadingRandomisation(
  model: SequenceModel,
  input: ModelInput,
  explain: Explainer,
  opts: SanityOptions = {},
): SanityResult {
  const th = thresholds(opts);
  const rng = new Rng(opts.seed ?? 0);
  const original = explain(model, input);
  const copy = cloneModel(model);
  const plan = cascadeStages(copy);
  const stages: SanityStage[] = [];
  plan.forEach((st, i) => {
    for (const p of st.parameters) redraw(p, rng);
    const sim = compareMaps(original, explain(copy, input));
    stages.push({ name: st.name, parameters: st.parameters.map((p) => p.name), ...sim });
    opts.onProgress?.({ done: i + 1, total: plan.length, message: `randomised ${st.name}` });
  });
  const last = stages[stages.length - 1];
  const r = last ? last.spearmanAbs : 1;
  return {
    kind: 'cascading',
    stages,
    rho: r,
    verdict: verdictOf(r, th.passRho, th.warnRho),
    thresholds: th,
  };
}

export interface DataRandomisationOptions extends SanityOptions {
  /** Training of the permuted-label model (the same as the original's, for a fair comparison). */
  train: TrainConfig;
}

/**
 * The same architecture as `model` (same initial seed) trained with `train` on `data` whose labels
 * are permuted: a model that can only memorise.
 */
export async function trainOnPermutedLabels(
  model: SequenceModel,
  data: Dataset,
  trainConfig: TrainConfig,
  seed = 0,
): Promise<SequenceModel> {
  if (data.target !== 'class')
    throw new ArgumentError(
      'dataRandomisation',
      'data',
      'a classification dataset',
      `target '${data.target}'`,
    );
  const perm = new Rng(seed).permutation(data.items.length);
  const shuffled: Dataset = {
    ...data,
    name: `${data.name}-permuted-labels`,
    items: data.items.map((it, i) => ({ ...it, label: data.items[perm[i]!]!.label! })),
  };
  const fresh = new SequenceModel(model.config(), { backend: model.backend, seed });
  await train(fresh, shuffled, { ...trainConfig, distributions: false });
  return fresh;
}

/** Compares `model`'s maps with those of a model trained on permuted labels. */
export function compareWithRandomised(
  model: SequenceModel,
  randomised: SequenceModel,
  input: ModelInput,
  explain: Explainer,
  opts: SanityOptions = {},
): SanityResult {
  const th = thresholds(opts);
  const sim = compareMaps(explain(model, input), explain(randomised, input));
  return {
    kind: 'data',
    stages: [
      { name: 'permuted labels', parameters: randomised.parameters().map((p) => p.name), ...sim },
    ],
    rho: sim.spearmanAbs,
    verdict: verdictOf(sim.spearmanAbs, th.passRho, th.warnRho),
    thresholds: th,
  };
}

/**
 * Data randomisation: trains a fresh model of `model`'s architecture on `data` with permuted
 * labels and compares its maps on `input` with those of `model`.
 */
export async function dataRandomisation(
  model: SequenceModel,
  data: Dataset,
  input: ModelInput,
  explain: Explainer,
  opts: DataRandomisationOptions,
): Promise<SanityResult> {
  thresholds(opts);
  const fresh = await trainOnPermutedLabels(model, data, opts.train, opts.seed ?? 0);
  opts.onProgress?.({ done: 1, total: 2, message: 'trained on permuted labels' });
  const r = compareWithRandomised(model, fresh, input, explain, opts);
  opts.onProgress?.({ done: 2, total: 2, message: 'compared maps' });
  return r;
}
