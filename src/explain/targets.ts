/**
 * Targets: which scalar of the model an attribution explains, and the function F(x) with its
 * input gradient over batches of work-space rows.
 *
 * - output k of a [B, K] model (class logit, regression output), or softmax probability
 *   p_k = exp(z_k) / Σ_j exp(z_j), whose gradient on the logits is ∂p_k/∂z_j = p_k (δ_kj − p_j);
 * - output k at step t of a per-step model [B, T, K] (tagging, language models);
 * - unit u of a recurrent layer's hidden state after its last step: the forward direction's state
 *   at input position len−1, the backward direction's at position 0; its gradient enters the
 *   backward pass as an injected gradient on that direction's final state.
 */
import { ArgumentError, checkInt, describe } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import type { Direction, Flow, SeqBatch } from '../nn/layer.js';
import type { ModelBackwardOptions, SequenceModel } from '../nn/model.js';
import { sliceInput } from '../nn/batching.js';
import type { ResolvedTarget, ResumeState, Target, TargetFunction } from './types.js';

const WHERE = 'attribute';
const RECURRENT = new Set(['simple_rnn', 'lstm', 'gru', 'bidirectional']);

/** Whether the model's output is a sequence [B, T, K] (a per-step head) rather than [B, K]. */
export function outputIsSequence(model: SequenceModel): boolean {
  let seq = true;
  for (const l of model.layers)
    if (RECURRENT.has(l.kind) || l.kind === 'head' || l.kind === 'graph') seq = l.sequenceOutput;
  return seq;
}

function perSequence(value: number | readonly number[], batch: number, argument: string): number[] {
  if (typeof value === 'number') return new Array<number>(batch).fill(value);
  if (!Array.isArray(value) || value.length !== batch)
    throw new ArgumentError(
      WHERE,
      argument,
      `a number or ${batch} numbers (one per sequence)`,
      describe(value),
    );
  return [...value];
}

/** One resolved target per sequence; throws an ArgumentError naming what is out of range. */
export function resolveTargets(
  model: SequenceModel,
  lengths: Int32Array,
  target: Target | undefined,
): ResolvedTarget[] {
  const B = lengths.length;
  if (target === undefined || target === null)
    throw new ArgumentError(
      WHERE,
      'target',
      'an output index or a target object',
      describe(target),
    );
  const K = model.outputFeatures;
  const sequence = outputIsSequence(model);
  if (typeof target === 'number' || Array.isArray(target)) {
    const t = target as number | readonly number[];
    return sequence
      ? resolveTargets(model, lengths, { kind: 'step', index: t, step: 'last' })
      : resolveTargets(model, lengths, { kind: 'output', index: t });
  }
  const obj = target as Exclude<Target, number | readonly number[]>;
  if (obj.kind === 'output' || obj.kind === 'step') {
    if (obj.kind === 'output' && sequence)
      throw new ArgumentError(
        WHERE,
        'target.kind',
        "'step' (the model outputs every step)",
        "'output'",
      );
    if (obj.kind === 'step' && !sequence)
      throw new ArgumentError(
        WHERE,
        'target.kind',
        "'output' (the model outputs one row per sequence)",
        "'step'",
      );
    const idx = perSequence(obj.index, B, 'target.index');
    idx.forEach((k, b) => checkInt(WHERE, `target.index[${b}]`, k, 0, K - 1));
    const probability = obj.probability ?? false;
    if (obj.kind === 'output') return idx.map((index) => ({ kind: 'output', index, probability }));
    const stepSpec = obj.step ?? 'last';
    const steps =
      stepSpec === 'last'
        ? Array.from(lengths, (n) => n - 1)
        : perSequence(stepSpec, B, 'target.step');
    steps.forEach((t, b) => checkInt(WHERE, `target.step[${b}]`, t, 0, lengths[b]! - 1));
    return idx.map((index, b) => ({ kind: 'step', index, step: steps[b]!, probability }));
  }
  if (obj.kind === 'hidden') {
    const layer = model.layers.find((l) => l.name === obj.layer);
    if (!layer || !RECURRENT.has(layer.kind))
      throw new ArgumentError(
        WHERE,
        'target.layer',
        `a recurrent layer (${model.layers
          .filter((l) => RECURRENT.has(l.kind))
          .map((l) => l.name)
          .join(', ')})`,
        JSON.stringify(obj.layer),
      );
    const cfg = layer.config() as {
      layer?: { units: number };
      units?: number;
      goBackwards?: boolean;
    };
    const units = cfg.layer ? cfg.layer.units : cfg.units!;
    checkInt(WHERE, 'target.unit', obj.unit, 0, units - 1);
    const allowed: Direction[] =
      layer.kind === 'bidirectional'
        ? ['forward', 'backward']
        : [cfg.goBackwards ? 'backward' : 'forward'];
    const direction = obj.direction ?? allowed[0]!;
    if (!allowed.includes(direction))
      throw new ArgumentError(
        WHERE,
        'target.direction',
        allowed.map((d) => `'${d}'`).join(' or '),
        `'${direction}'`,
      );
    return Array.from(lengths, () => ({
      kind: 'hidden' as const,
      index: obj.unit,
      layer: obj.layer,
      direction,
    }));
  }
  throw new ArgumentError(
    WHERE,
    'target.kind',
    "'output', 'step' or 'hidden'",
    describe((obj as { kind: unknown }).kind),
  );
}

export interface TargetFunctionOptions {
  /** Token models: the work-space rows are embedding vectors. */
  embedded: boolean;
  /** Most rows per forward pass (evaluate). */
  batchSize: number;
  /** Most rows per forward + backward pass (gradient). */
  gradientBatchSize: number;
  counters: { forwardRows: number; backwardRows: number };
}

/** F and ∂F/∂x for batches of rows, chunked into at most `batchSize` rows per pass. */
export function createTargetFunction(
  model: SequenceModel,
  targets: readonly ResolvedTarget[],
  opts: TargetFunctionOptions,
): TargetFunction {
  const K = model.outputFeatures;
  const hidden = targets[0]?.kind === 'hidden' ? targets[0] : null;

  /** Flat position of row r's target in an output of `steps` steps (non-hidden targets). */
  const position = (r: number, o: number, steps: number, shift = 0): number => {
    const tg = targets[o]!;
    return tg.kind === 'step' ? (r * steps + tg.step! - shift) * K : r * K;
  };

  /** softmax(z)[k] at offset `base`, and optionally ∂p_k/∂z into g. */
  const softmaxAt = (
    z: ArrayLike<number>,
    base: number,
    k: number,
    g?: Float64Array | Flow['data'],
  ): number => {
    let m = -Infinity;
    for (let j = 0; j < K; j++) m = Math.max(m, z[base + j]!);
    let s = 0;
    for (let j = 0; j < K; j++) s += Math.exp(z[base + j]! - m);
    const pk = Math.exp(z[base + k]! - m) / s;
    if (g)
      for (let j = 0; j < K; j++)
        g[base + j] = pk * ((j === k ? 1 : 0) - Math.exp(z[base + j]! - m) / s);
    return pk;
  };

  const hiddenValue = (h: ArrayLike<number>, x: SeqBatch, r: number, units: number): number => {
    const t = hidden!.direction === 'backward' ? 0 : x.lengths[r]! - 1;
    return h[(r * x.steps + t) * units + hidden!.index]!;
  };

  function chunks(
    x: SeqBatch,
    origin: Int32Array,
    size: number,
    each: (c: SeqBatch, o: Int32Array, start: number) => void,
  ): void {
    for (let s = 0; s < x.batch; s += size) {
      const e = Math.min(x.batch, s + size);
      each(x.batch <= size ? x : sliceInput(x, s, e), origin.subarray(s, e), s);
    }
  }

  function evaluate(x: SeqBatch, origin: Int32Array, resume?: ResumeState): Float64Array {
    const values = new Float64Array(x.batch);
    const each = (c: SeqBatch, o: Int32Array, start: number): void => {
      opts.counters.forwardRows += c.batch;
      if (hidden) {
        const { trace } = model.forward(c, {
          embedded: opts.embedded,
          trace: true,
          ...(resume ? { initialStates: resume.initialStates } : {}),
        });
        const tr = trace!.find(
          (d) => d.layer === hidden.layer && d.direction === hidden.direction,
        )!;
        for (let r = 0; r < c.batch; r++) values[start + r] = hiddenValue(tr.h, c, r, tr.units);
        return;
      }
      const out = resume
        ? model.forward(c, { embedded: opts.embedded, initialStates: resume.initialStates }).output
        : model.predict(c, { embedded: opts.embedded, batchSize: c.batch });
      const steps = out instanceof Tensor ? 1 : out.steps;
      for (let r = 0; r < c.batch; r++) {
        const tg = targets[o[r]!]!;
        const p = position(r, o[r]!, steps, resume ? resume.shift[start + r]! : 0);
        values[start + r] = tg.probability
          ? softmaxAt(out.data, p, tg.index)
          : out.data[p + tg.index]!;
      }
    };
    if (resume) each(x, origin, 0);
    else chunks(x, origin, opts.batchSize, each);
    return values;
  }

  function gradient(x: SeqBatch, origin: Int32Array): { values: Float64Array; grad: Float64Array } {
    const values = new Float64Array(x.batch);
    const grad = new Float64Array(x.batch * x.steps * x.features);
    chunks(x, origin, opts.gradientBatchSize, (c, o, start) => {
      opts.counters.forwardRows += c.batch;
      opts.counters.backwardRows += c.batch;
      const { output, trace } = model.forward(c, {
        embedded: opts.embedded,
        trace: hidden !== null,
      });
      const g = model.backend.alloc(output.data.length);
      const gOut: Flow =
        output instanceof Tensor ? new Tensor(output.shape, g) : { ...output, data: g };
      let inject: ModelBackwardOptions = {};
      if (hidden) {
        const tr = trace!.find(
          (d) => d.layer === hidden.layer && d.direction === hidden.direction,
        )!;
        const dh = model.backend.alloc(c.batch * tr.units);
        for (let r = 0; r < c.batch; r++) {
          dh[r * tr.units + hidden.index] = 1;
          values[start + r] = hiddenValue(tr.h, c, r, tr.units);
        }
        inject = { inject: { [hidden.layer!]: { [hidden.direction!]: { dhLast: dh } } } };
      } else {
        const steps = output instanceof Tensor ? 1 : output.steps;
        for (let r = 0; r < c.batch; r++) {
          const tg = targets[o[r]!]!;
          const p = position(r, o[r]!, steps);
          if (tg.probability) values[start + r] = softmaxAt(output.data, p, tg.index, g);
          else {
            values[start + r] = output.data[p + tg.index]!;
            g[p + tg.index] = 1;
          }
        }
      }
      const res = model.backward(gOut, { ...inject, wantInputGrad: true, paramGrads: false });
      const gi = (opts.embedded ? res.embeddingGrad : res.inputGrad)!.data;
      const base = start * x.steps * x.features;
      const F = x.features;
      // Copy valid steps only: padded steps never receive gradient.
      for (let r = 0; r < c.batch; r++) {
        const off = r * x.steps * F;
        const n = c.lengths[r]! * F;
        for (let i = 0; i < n; i++) grad[base + off + i] = gi[off + i]!;
      }
    });
    return { values, grad };
  }

  return { targets, evaluate, gradient };
}
