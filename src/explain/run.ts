/**
 * An explanation as the command asks for it: the method (optionally wrapped in TSR), the target
 * (default: each sequence's predicted class), the baseline, and the scorecard with `check`.
 * Shared by `rnnlens explain` and the executors' 'explain-chunk' jobs.
 */
import { RnnlensError } from '../core/errors.js';
import type { ModelInput, SequenceModel } from '../nn/model.js';
import { ensureMethods } from '../verify/explanations/benchmark.js';
import { predictedClasses } from '../verify/explanations/perturb.js';
import { scorecard, type Scorecard } from '../verify/explanations/scorecard.js';
import { attribute, listMethods } from './attribute.js';
import { applyMethodParams, checkMethodParams, type MethodParams } from './params.js';
import type { AttributeOptions, AttributionResult, Baseline } from './types.js';

export interface ExplainCliOptions {
  model: string;
  input: string;
  method: string;
  target?: number;
  /** Seconds before the computation stops with an error. */
  timeout?: number;
  steps?: number;
  baseline?: string;
  /** the baseline already resolved (e.g. a dataset's mean), instead of parsing `baseline` */
  baselineValue?: Baseline;
  tsr?: boolean;
  check?: boolean;
  json?: boolean;
  out?: string;
  seed: number;
  quiet?: boolean;
  /** The method's own parameters (occlusion window and stride, samples, permutations, noise). */
  params?: MethodParams;
}

/** The baseline named on the command line, for this model and input. */
export function parseBaseline(spec: string, model: SequenceModel, input: ModelInput): Baseline {
  const tokens = model.inputSpec.kind === 'tokens';
  const bad = (expected: string): never => {
    throw new RnnlensError(
      `explain: --baseline expected ${expected}, received ${JSON.stringify(spec)}`,
    );
  };
  if (spec === 'zeros') return 'zeros';
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(spec)) return { kind: 'constant', value: Number(spec) };
  if (spec === 'pad' || spec === 'unk' || spec.startsWith('token:')) {
    if (!tokens) bad('zeros, mean, blur[:W] or a number for a numeric model');
    const id = spec === 'pad' ? 0 : spec === 'unk' ? 1 : Number(spec.slice(6));
    if (!Number.isInteger(id) || id < 0) bad('token:<id> with an integer id >= 0');
    return { kind: 'token', id };
  }
  if (tokens) bad('zeros, a number, pad, unk or token:<id> for a token model');
  if (spec === 'mean') {
    // The mean of the given sequences per feature (over their valid steps).
    const x = input as Extract<ModelInput, { data: unknown }>;
    const mean = new Float64Array(x.features);
    let n = 0;
    for (let b = 0; b < x.batch; b++)
      for (let t = 0; t < x.lengths[b]!; t++, n++)
        for (let f = 0; f < x.features; f++)
          mean[f]! += x.data[(b * x.steps + t) * x.features + f]!;
    return { kind: 'mean', mean: mean.map((v) => v / n) };
  }
  const blur = /^blur(?::(\d+))?$/.exec(spec);
  if (blur) return { kind: 'blur', window: blur[1] ? Number(blur[1]) : 5 };
  return bad('zeros, mean, pad, unk, blur[:W], token:<id> or a number');
}

export interface Explanation {
  options: AttributeOptions;
  result: AttributionResult;
  card?: Scorecard;
}

/**
 * The method, target and method parameters, checked before any work (and before any job is
 * queued); `steps` (the input's padded length) bounds an occlusion window when known.
 */
export function checkExplainOptions(model: SequenceModel, o: Pick<ExplainCliOptions, 'method' | 'target' | 'params'>, steps?: number): void {
  ensureMethods();
  if (!listMethods().includes(o.method))
    throw new RnnlensError(
      `explain: --method expected one of ${listMethods().join(', ')}, received ${JSON.stringify(o.method)}`,
    );
  if (o.target !== undefined && o.target >= model.outputFeatures)
    throw new RnnlensError(
      `explain: --target expected an output index in [0, ${model.outputFeatures}), received ${o.target}`,
    );
  if (o.params) checkMethodParams(model, o.method, o.params, steps);
}

/** Runs the explanation (and the scorecard) the options ask for. */
export function runExplain(
  model: SequenceModel,
  input: ModelInput,
  o: ExplainCliOptions,
  onProgress?: (p: { done: number; total: number; message?: string }) => void,
): Explanation {
  checkExplainOptions(model, o, input.steps);
  const target = o.target ?? Array.from(predictedClasses(model, input));
  // TSR names the method it wraps `tsrInner`: `inner` is the noise tunnel's own option
  const options: AttributeOptions = o.tsr
    ? { method: 'tsr', tsrInner: o.method, target }
    : { method: o.method, target };
  if (o.params) applyMethodParams(options, model, o.params);
  if (o.steps !== undefined) options.steps = o.steps;
  if (o.baselineValue !== undefined) options.baseline = o.baselineValue;
  else if (o.baseline !== undefined) options.baseline = parseBaseline(o.baseline, model, input);
  options.seed = o.seed;
  const result = attribute(model, input, onProgress ? { ...options, onProgress } : options);
  const out: Explanation = { options, result };
  if (o.check) {
    const s: Parameters<typeof scorecard>[4] = { seed: o.seed };
    if (
      model.inputSpec.kind === 'tokens' &&
      options.baseline &&
      typeof options.baseline === 'object' &&
      options.baseline.kind === 'token'
    )
      s.replacement = { token: options.baseline.id };
    out.card = scorecard(model, input, options, result, s);
  }
  return out;
}
