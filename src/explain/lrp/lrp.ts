/**
 * Layer-wise relevance propagation for recurrent models with the gate-aware rules of Arras et al.
 * 2017 (rules.ts, cells.ts). The explained score (the target output, a logit for classifiers, or
 * a hidden unit's final state: hidden-target.ts) is put on the output as relevance and walked back
 * to the input through a float64 re-run of each sequence (unroll.ts), so the pass is the same on
 * every backend (float32 weights are widened; the arithmetic is float64).
 *
 * Conservation: every rule splits its relevance exactly between its inputs, the bias account
 * (biases and the ε stabilisers) and, at the first step, the initial states, so
 *
 *   Σ input relevance + initial-state relevance + bias relevance = score
 *
 * holds up to rounding (checked per sequence and reported as `conservationGap`). Padded steps get
 * no relevance. For token models the input relevance is on the embedding vectors [B, T, E];
 * `tokenRelevance` sums it over the embedding.
 */
import { checkFinite, RnnlensError } from '../../core/errors.js';
import type { Direction, RecurrentState } from '../../nn/layer.js';
import { BidirectionalLayer } from '../../nn/bidirectional.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import type {
  Progress,
  AttributionMap,
  AttributionMethod,
  ResolvedTarget,
  Target,
} from '../types.js';
import { lrpCell, type Accounts } from './cells.js';
import { finalStateSeed, hiddenCut } from './hidden-target.js';
import { LRP_RULES, checkRules, propagate, type LrpRule } from './rules.js';
import { sequenceStates, seqRows, sumFeatures, toMap, workSpace } from './sequences.js';
import { resolveTargets, targetIndex } from './target.js';
import { unroll, type Act, type SequenceStates } from './unroll.js';

export const DEFAULT_LRP_EPSILON = 0.001;

export interface LrpOptions {
  target: Target;
  /** ε of the ε-rule; default 0.001 (Arras et al. 2017). */
  epsilon?: number;
  /**
   * What happens to the bias (+ ε) share of every map: 'keep' (default) books it as bias
   * relevance, so input + initial-state + bias relevance = score; 'redistribute' spreads it
   * equally over the map's inputs (Arras et al.'s bias_factor = 1), so input + initial-state
   * relevance = score and `biasRelevance` is 0.
   */
  bias?: 'keep' | 'redistribute';
  /** The rule table (default LRP_RULES); a layer kind missing from it is an error. */
  rules?: Readonly<Record<string, LrpRule>>;
  /** Initial states by recurrent layer and direction, each [B, H] (as SequenceModel.forward). */
  initialStates?: Record<string, Partial<Record<Direction, RecurrentState>>>;
  /** Called after each sequence. */
  onProgress?: (p: Progress) => void;
}

export interface LrpSequence {
  /** Relevance on the work-space input [len, F]. */
  relevance: Float64Array;
  /** The explained score. */
  score: number;
  /** Relevance kept by biases and ε stabilisers. */
  bias: number;
  /** Relevance on the initial states. */
  initial: number;
}

export interface LrpResult {
  /** Input relevance [B, T, F] (token models: on the embedding vectors, F = E). */
  relevance: AttributionMap;
  /** Token models: relevance per token [B, T, 1]. */
  tokenRelevance?: AttributionMap;
  targets: ResolvedTarget[];
  /** The explained score per sequence. */
  outputs: Float64Array;
  biasRelevance: Float64Array;
  initialStateRelevance: Float64Array;
  /** Σ relevance + initial + bias − score per sequence (≈ 0). */
  conservationGap: Float64Array;
}

/** Throws unless the LRP pass can run on `model` from layer `start`. */
export function checkLrp(
  model: SequenceModel,
  start: number,
  rules: Readonly<Record<string, LrpRule>>,
): void {
  checkRules('LRP', model.layers, start, rules);
  for (const l of model.layers)
    if (l instanceof BidirectionalLayer && l.merge === 'mul' && rules === LRP_RULES)
      throw new RnnlensError(
        `LRP has no rule for layer kind 'bidirectional' with merge 'mul' (layer '${l.name}'): ` +
          'a product of two signals has no gate to skip; use merge concat, sum or mean',
      );
}

/** LRP for one sequence whose work-space input is `x` [len, F]. */
export function lrpSequence(
  model: SequenceModel,
  x: Act,
  start: number,
  target: ResolvedTarget,
  opts: {
    epsilon?: number;
    bias?: 'keep' | 'redistribute';
    rules?: Readonly<Record<string, LrpRule>>;
    states?: SequenceStates;
    row?: number;
  } = {},
): LrpSequence {
  const rules = opts.rules ?? LRP_RULES;
  const acc: Accounts = {
    eps: opts.epsilon ?? DEFAULT_LRP_EPSILON,
    mode: opts.bias ?? 'keep',
    bias: 0,
    initial: 0,
  };
  if (target.kind === 'hidden') {
    // Run up to the target layer; the relevance starts as the unit's final-state value.
    const cut = hiddenCut('lrp', model, target, start);
    const { records } = unroll(cut.layers, x, opts.states ?? {}, start);
    const run = cut.run(records[records.length - 1]!);
    const score = run.h[run.len * run.H + cut.unit]!;
    const Rx = lrpCell(run, finalStateSeed(run, cut.unit, score), false, acc);
    const relevance = propagate(records.slice(0, -1), Rx, acc, rules);
    return { relevance, score, bias: acc.bias, initial: acc.initial };
  }
  const { records, output } = unroll(model.layers, x, opts.states ?? {}, start);
  const at = targetIndex('lrp', output, target, opts.row ?? 0);
  const score = output.data[at]!;
  const R = new Float64Array(output.data.length);
  R[at] = score; // Arras et al.: the relevance starts as the target's score
  const relevance = propagate(records, R, acc, rules);
  return { relevance, score, bias: acc.bias, initial: acc.initial };
}

function checkBiasMode(mode: unknown): 'keep' | 'redistribute' {
  const m = mode ?? 'keep';
  if (m !== 'keep' && m !== 'redistribute')
    throw new RnnlensError(
      `lrp: argument 'bias' expected 'keep' or 'redistribute', received ${JSON.stringify(m)}`,
    );
  return m;
}

function checkEpsilon(eps: number | undefined): number {
  const e = eps ?? DEFAULT_LRP_EPSILON;
  if (!(Number.isFinite(e) && e >= 0))
    throw new RnnlensError(`lrp: argument 'epsilon' expected a finite number >= 0, received ${e}`);
  return e;
}

function unitsOf(model: SequenceModel): (name: string) => number {
  return (name) => {
    const l = model.layer(name);
    return l instanceof BidirectionalLayer ? l.forwardLayer.outputFeatures : l.outputFeatures;
  };
}

/** LRP relevance of every sequence of `input` for `opts.target`. */
export function lrp(model: SequenceModel, input: ModelInput, opts: LrpOptions): LrpResult {
  const ws = workSpace('lrp', model, input);
  const rules = opts.rules ?? LRP_RULES;
  checkLrp(model, ws.start, rules);
  const epsilon = checkEpsilon(opts.epsilon);
  const bias = checkBiasMode(opts.bias);
  const targets = resolveTargets('lrp', opts.target, ws.batch, ws.lengths);
  const B = ws.batch;
  const outputs = new Float64Array(B);
  const biasRel = new Float64Array(B);
  const initial = new Float64Array(B);
  const gap = new Float64Array(B);
  const rows = ws.rows.map((x, b) => {
    const states = sequenceStates(opts.initialStates, b, unitsOf(model));
    const r = lrpSequence(model, x, ws.start, targets[b]!, {
      epsilon,
      bias,
      rules,
      states,
      row: b,
    });
    checkFinite('lrp', `relevance of sequence ${b}`, r.relevance);
    outputs[b] = r.score;
    biasRel[b] = r.bias;
    initial[b] = r.initial;
    gap[b] = r.relevance.reduce((s, v) => s + v, 0) + r.initial + r.bias - r.score;
    opts.onProgress?.({ done: b + 1, total: ws.batch });
    return r.relevance;
  });
  const relevance = toMap(rows, B, ws.steps, ws.features, ws.lengths);
  const result: LrpResult = {
    relevance,
    targets,
    outputs,
    biasRelevance: biasRel,
    initialStateRelevance: initial,
    conservationGap: gap,
  };
  if (ws.tokens) result.tokenRelevance = sumFeatures(relevance);
  return result;
}

/** `attribute(model, input, { method: 'lrp', epsilon? })`: relevance in the work space. */
export const lrpMethod: AttributionMethod = {
  name: 'lrp',
  family: 'propagation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const start = ctx.inputKind === 'tokens' ? 1 : 0;
    checkLrp(ctx.model, start, LRP_RULES);
    const epsilon = checkEpsilon(ctx.options.epsilon as number | undefined);
    const mode = checkBiasMode(ctx.options.bias);
    const x = ctx.input;
    const out = new Float64Array(x.data.length);
    const bias: number[] = [];
    const initial: number[] = [];
    let worst = 0;
    seqRows(x).forEach((row, r) => {
      const target = ctx.target.targets[ctx.origin[r]!]!;
      const s = lrpSequence(ctx.model, row, start, target, {
        epsilon,
        bias: mode,
        row: ctx.origin[r]!,
      });
      out.set(s.relevance, r * x.steps * x.features);
      bias.push(s.bias);
      initial.push(s.initial);
      const total = s.relevance.reduce((a, v) => a + v, 0) + s.initial + s.bias;
      worst = Math.max(worst, Math.abs(total - s.score) / Math.max(Math.abs(s.score), 1e-12));
      ctx.progress(r + 1, x.batch);
    });
    return {
      attributions: out,
      diagnostics: {
        epsilon,
        bias: mode,
        biasRelevance: bias,
        initialStateRelevance: initial,
        conservationRelativeGap: worst,
      },
    };
  },
};
