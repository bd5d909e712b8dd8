/**
 * DeepLIFT with the rescale rule through recurrent cells (Shrikumar et al. 2017; multipliers in
 * cells.ts and rules.ts). Each sequence and its baseline are re-run in float64 (../lrp/unroll.ts),
 * multipliers m go back from the target output, and the attribution is
 *
 *   attr = m ⊙ (x − x₀),   with summation-to-delta  Σ attr = F(x) − F(x₀)
 *
 * exactly (up to rounding), reported per sequence as `delta` = Σ attr − (F(x) − F(x₀)).
 * For token models x is the sequence of embedding vectors (the baseline e.g. a PAD token's).
 * The baseline has the input's lengths; padded steps get no attribution.
 */
import { checkFinite } from '../../core/errors.js';
import type { Direction, RecurrentState } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import { resolveBaseline } from '../baselines.js';
import type {
  Progress,
  AttributionMap,
  AttributionMethod,
  Baseline,
  ResolvedTarget,
  Target,
} from '../types.js';
import { checkRules } from '../lrp/rules.js';
import { sequenceStates, seqRows, sumFeatures, toMap, workSpace } from '../lrp/sequences.js';
import { resolveTargets, targetIndex } from '../lrp/target.js';
import { unroll, type Act, type SequenceStates } from '../lrp/unroll.js';
import { BidirectionalLayer } from '../../nn/bidirectional.js';
import { DEEPLIFT_RULES, type DeepliftRule } from './rules.js';
import { deepliftCell } from './cells.js';
import { finalStateSeed, hiddenCut } from '../lrp/hidden-target.js';
import type { CellSeeds } from '../graph/cells.js';

export interface DeepliftOptions {
  target: Target;
  /** Default 'zeros' (token models: zero embedding vectors); see Baseline. */
  baseline?: Baseline;
  /** The rule table (default DEEPLIFT_RULES); a layer kind missing from it is an error. */
  rules?: Readonly<Record<string, DeepliftRule>>;
  /** Initial states by recurrent layer and direction, each [B, H] (the same for x and x₀). */
  initialStates?: Record<string, Partial<Record<Direction, RecurrentState>>>;
  /** Called after each sequence. */
  onProgress?: (p: Progress) => void;
}

export interface DeepliftSequence {
  attributions: Float64Array;
  /** F(x) and F(x₀). */
  output: number;
  baselineOutput: number;
  /** Σ attr − (F(x) − F(x₀)). */
  delta: number;
}

export interface DeepliftResult {
  /** [B, T, F] (token models: on the embedding vectors, F = E). */
  attributions: AttributionMap;
  /** Token models: per token [B, T, 1]. */
  tokenAttributions?: AttributionMap;
  targets: ResolvedTarget[];
  outputs: Float64Array;
  baselineOutputs: Float64Array;
  delta: Float64Array;
}

/** DeepLIFT for one sequence: x and x0 are work-space inputs [len, F]. */
export function deepliftSequence(
  model: SequenceModel,
  x: Act,
  x0: Act,
  start: number,
  target: ResolvedTarget,
  opts: {
    rules?: Readonly<Record<string, DeepliftRule>>;
    states?: SequenceStates;
    row?: number;
  } = {},
): DeepliftSequence {
  const rules = opts.rules ?? DEEPLIFT_RULES;
  const cut = target.kind === 'hidden' ? hiddenCut('deeplift', model, target, start) : null;
  const layers = cut ? cut.layers : model.layers;
  const run = unroll(layers, x, opts.states ?? {}, start);
  const run0 = unroll(layers, x0, opts.states ?? {}, start);
  let m: Float64Array;
  let records = run.records;
  let output: number;
  let baselineOutput: number;
  if (cut) {
    // A hidden unit's final state: multiplier 1 on it, through its direction only.
    const r = cut.run(records[records.length - 1]!);
    const r0 = cut.run(run0.records[records.length - 1]!);
    m = deepliftCell(r, r0, finalStateSeed(r, cut.unit, 1), false);
    output = r.h[r.len * r.H + cut.unit]!;
    baselineOutput = r0.h[r0.len * r0.H + cut.unit]!;
    records = records.slice(0, -1);
  } else {
    const at = targetIndex('deeplift', run.output, target, opts.row ?? 0);
    m = new Float64Array(run.output.data.length);
    m[at] = 1;
    output = run.output.data[at]!;
    baselineOutput = run0.output.data[at]!;
  }
  const cells: CellSeeds = new Map();
  for (let i = records.length - 1; i >= 0; i--) {
    const rec = records[i]!;
    m = rules[rec.layer.kind]!(rec, run0.records[i]!, m, cells);
  }
  const attributions = new Float64Array(m.length);
  let total = 0;
  for (let i = 0; i < m.length; i++) {
    attributions[i] = m[i]! * (x.data[i]! - x0.data[i]!);
    total += attributions[i]!;
  }
  return { attributions, output, baselineOutput, delta: total - (output - baselineOutput) };
}

function unitsOf(model: SequenceModel): (name: string) => number {
  return (name) => {
    const l = model.layer(name);
    return l instanceof BidirectionalLayer ? l.forwardLayer.outputFeatures : l.outputFeatures;
  };
}

/** DeepLIFT (rescale) attributions of every sequence of `input` for `opts.target`. */
export function deeplift(
  model: SequenceModel,
  input: ModelInput,
  opts: DeepliftOptions,
): DeepliftResult {
  const ws = workSpace('deeplift', model, input);
  const rules = opts.rules ?? DEEPLIFT_RULES;
  checkRules('DeepLIFT', model.layers, ws.start, rules);
  const targets = resolveTargets('deeplift', opts.target, ws.batch, ws.lengths);
  const { batch: B, steps: T, features: F, lengths } = ws;
  const work = new Float64Array(B * T * F);
  ws.rows.forEach((r, b) => work.set(r.data, b * T * F));
  const x = { data: work, batch: B, steps: T, features: F, lengths };
  const base = resolveBaseline(model, x, ws.tokens ? 'tokens' : 'numeric', opts.baseline);
  const baseRows = seqRows({ ...x, data: base.data });
  const outputs = new Float64Array(B);
  const baselineOutputs = new Float64Array(B);
  const delta = new Float64Array(B);
  const rows = ws.rows.map((row, b) => {
    const states = sequenceStates(opts.initialStates, b, unitsOf(model));
    const s = deepliftSequence(model, row, baseRows[b]!, ws.start, targets[b]!, {
      rules,
      states,
      row: b,
    });
    checkFinite('deeplift', `attributions of sequence ${b}`, s.attributions);
    outputs[b] = s.output;
    baselineOutputs[b] = s.baselineOutput;
    delta[b] = s.delta;
    opts.onProgress?.({ done: b + 1, total: ws.batch });
    return s.attributions;
  });
  const attributions = toMap(rows, B, T, F, lengths);
  const result: DeepliftResult = { attributions, targets, outputs, baselineOutputs, delta };
  if (ws.tokens) result.tokenAttributions = sumFeatures(attributions);
  return result;
}

/** `attribute(model, input, { method: 'deeplift', baseline })`; delta is the summation-to-delta gap. */
export const deepliftMethod: AttributionMethod = {
  name: 'deeplift',
  family: 'propagation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const start = ctx.inputKind === 'tokens' ? 1 : 0;
    checkRules('DeepLIFT', ctx.model.layers, start, DEEPLIFT_RULES);
    const x = ctx.input;
    const rows = seqRows(x);
    const baseRows = seqRows({ ...x, data: ctx.baseline.data });
    const out = new Float64Array(x.data.length);
    const delta = new Float64Array(x.batch);
    rows.forEach((row, r) => {
      const target = ctx.target.targets[ctx.origin[r]!]!;
      const s = deepliftSequence(ctx.model, row, baseRows[r]!, start, target, {
        row: ctx.origin[r]!,
      });
      out.set(s.attributions, r * x.steps * x.features);
      delta[r] = s.delta;
      ctx.progress(r + 1, x.batch);
    });
    return { attributions: out, delta };
  },
};
