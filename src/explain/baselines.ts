/**
 * Baselines: the reference input an attribution is measured against, resolved in the work space
 * (numeric features, or embedding vectors for token models). Every baseline is zero at padded
 * steps, so perturbing or interpolating towards it never writes into padding.
 *
 * - zeros / constant c: b[t, f] = c
 * - training mean: b[t, f] = mean[f] (or mean[t, f])
 * - blur (moving average over w steps, centred, inside each sequence's valid steps):
 *   b[t, f] = (1/|S_t|) Σ_{s ∈ S_t} x[s, f],  S_t = [t − ⌊(w−1)/2⌋, t + ⌈(w−1)/2⌉] ∩ [0, len)
 * - token: every valid step holds the embedding of one token (PAD, UNK, [MASK])
 * - tensor: an explicit reference [T, F] or [B, T, F]
 * - samples: references drawn from data (Gradient SHAP); other methods use their mean.
 */
import { ArgumentError, checkFinite, checkInt, describe } from '../core/errors.js';
import type { SeqBatch, TokenBatch } from '../nn/layer.js';
import { isTokenBatch } from '../nn/layer.js';
import type { SequenceModel } from '../nn/model.js';
import type { Baseline, ResolvedBaseline } from './types.js';

const WHERE = 'attribute';

/** The embedding table [V, E] of a token model. */
function embeddingTable(model: SequenceModel): {
  table: ArrayLike<number>;
  vocab: number;
  dim: number;
} {
  const first = model.layers[0]!;
  const p = first.parameters()[0]!;
  return { table: p.value, vocab: first.inputFeatures, dim: first.outputFeatures };
}

/** Token ids → embedding vectors [B, T, E] in float64 (zeros at padded steps). */
export function embedTokens(model: SequenceModel, tokens: TokenBatch): Float64Array {
  const { table, vocab, dim } = embeddingTable(model);
  const T = tokens.steps;
  const out = new Float64Array(tokens.batch * T * dim);
  for (let b = 0; b < tokens.batch; b++) {
    for (let t = 0; t < tokens.lengths[b]!; t++) {
      const id = tokens.ids[b * T + t]!;
      if (id < 0 || id >= vocab)
        throw new ArgumentError(
          WHERE,
          `input.ids[${b}, ${t}]`,
          `a token id in [0, ${vocab - 1}]`,
          String(id),
        );
      const src = id * dim;
      const dst = (b * T + t) * dim;
      for (let j = 0; j < dim; j++) out[dst + j] = table[src + j]!;
    }
  }
  return out;
}

/** Fills valid steps of every sequence with value(t, f, b). */
function fillValid(x: SeqBatch, value: (b: number, t: number, f: number) => number): Float64Array {
  const { batch: B, steps: T, features: F } = x;
  const out = new Float64Array(B * T * F);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < x.lengths[b]!; t++)
      for (let f = 0; f < F; f++) out[(b * T + t) * F + f] = value(b, t, f);
  return out;
}

function numericOnly(kind: string, inputKind: 'numeric' | 'tokens'): void {
  if (inputKind === 'tokens')
    throw new ArgumentError(
      WHERE,
      'baseline.kind',
      "a baseline for token models ('zeros', a constant, a token, a tensor or samples)",
      `'${kind}' (applies to numeric input only)`,
    );
}

/**
 * Resolves `baseline` for the work-space input `x` [B, T, F] (x.data holds the inputs, or the
 * embedding vectors of `tokens`).
 */
export function resolveBaseline(
  model: SequenceModel,
  x: SeqBatch,
  inputKind: 'numeric' | 'tokens',
  baseline: Baseline | undefined,
): ResolvedBaseline {
  const { batch: B, steps: T, features: F } = x;
  const b = baseline ?? 'zeros';
  if (b === 'zeros' || (typeof b === 'object' && b !== null && b.kind === 'zeros'))
    return { data: new Float64Array(B * T * F), description: 'zeros' };
  if (typeof b === 'number' || (typeof b === 'object' && b !== null && b.kind === 'constant')) {
    const c = typeof b === 'number' ? b : b.value;
    if (!Number.isFinite(c))
      throw new ArgumentError(WHERE, 'baseline', 'a finite constant', describe(c));
    return { data: fillValid(x, () => c), description: `constant(${c})` };
  }
  if (typeof b !== 'object' || b === null || typeof (b as { kind?: unknown }).kind !== 'string')
    throw new ArgumentError(
      WHERE,
      'baseline',
      "'zeros', a number or a baseline object",
      describe(b),
    );
  switch (b.kind) {
    case 'mean': {
      numericOnly('mean', inputKind);
      const m = b.mean;
      if (!m || (m.length !== F && m.length !== T * F))
        throw new ArgumentError(
          WHERE,
          'baseline.mean',
          `${F} values ([F]) or ${T * F} ([T, F])`,
          describe(m),
        );
      checkFinite(WHERE, 'baseline.mean', m);
      const perStep = m.length === T * F;
      return { data: fillValid(x, (_, t, f) => m[perStep ? t * F + f : f]!), description: 'mean' };
    }
    case 'blur': {
      numericOnly('blur', inputKind);
      checkInt(WHERE, 'baseline.window', b.window, 1);
      const w = b.window;
      const before = Math.floor((w - 1) / 2);
      const after = w - 1 - before;
      const data = fillValid(x, (s, t, f) => {
        const lo = Math.max(0, t - before);
        const hi = Math.min(x.lengths[s]! - 1, t + after);
        let sum = 0;
        for (let u = lo; u <= hi; u++) sum += x.data[(s * T + u) * F + f]!;
        return sum / (hi - lo + 1);
      });
      return { data, description: `blur(${w})` };
    }
    case 'token': {
      if (inputKind !== 'tokens')
        throw new ArgumentError(
          WHERE,
          'baseline.kind',
          'a numeric baseline for a numeric model',
          "'token'",
        );
      const { table, vocab, dim } = embeddingTable(model);
      checkInt(WHERE, 'baseline.id', b.id, 0, vocab - 1);
      return {
        data: fillValid(x, (_, __, f) => table[b.id * dim + f]!),
        description: `token(${b.id})`,
      };
    }
    case 'tensor': {
      const d = b.data;
      if (!d || (d.length !== T * F && d.length !== B * T * F))
        throw new ArgumentError(
          WHERE,
          'baseline.data',
          `${T * F} values ([T, F] = [${T}, ${F}]) or ${B * T * F} ([B, T, F])`,
          describe(d),
        );
      checkFinite(WHERE, 'baseline.data', d);
      const shared = d.length === T * F;
      return {
        data: fillValid(x, (s, t, f) => d[shared ? t * F + f : (s * T + t) * F + f]!),
        description: 'tensor',
      };
    }
    case 'samples':
      return fromSamples(model, x, inputKind, b.data);
    default:
      throw new ArgumentError(
        WHERE,
        'baseline.kind',
        "'zeros', 'constant', 'mean', 'blur', 'token', 'tensor' or 'samples'",
        describe((b as { kind: unknown }).kind),
      );
  }
}

function fromSamples(
  model: SequenceModel,
  x: SeqBatch,
  inputKind: 'numeric' | 'tokens',
  samples: SeqBatch | TokenBatch,
): ResolvedBaseline {
  const { steps: T, features: F } = x;
  if (
    !samples ||
    typeof samples !== 'object' ||
    !Number.isInteger(samples.batch) ||
    samples.batch < 1
  )
    throw new ArgumentError(
      WHERE,
      'baseline.data',
      'a batch of at least one sample sequence',
      describe(samples),
    );
  if (samples.steps !== T)
    throw new ArgumentError(
      WHERE,
      'baseline.data.steps',
      `${T} steps (as the input)`,
      String(samples.steps),
    );
  let data: Float64Array;
  if (inputKind === 'tokens') {
    if (!isTokenBatch(samples))
      throw new ArgumentError(
        WHERE,
        'baseline.data',
        'token ids (a token model)',
        'a numeric batch',
      );
    data = embedTokens(model, samples);
  } else {
    if (
      isTokenBatch(samples) ||
      samples.features !== F ||
      samples.data.length !== samples.batch * T * F
    )
      throw new ArgumentError(
        WHERE,
        'baseline.data',
        `a numeric batch [N, ${T}, ${F}]`,
        isTokenBatch(samples)
          ? 'token ids'
          : `[${samples.batch}, ${samples.steps}, ${samples.features}]`,
      );
    checkFinite(WHERE, 'baseline.data.data', samples.data);
    data = new Float64Array(samples.batch * T * F);
    for (let s = 0; s < samples.batch; s++) {
      const n = Math.min(samples.lengths[s]!, T) * F;
      for (let i = 0; i < n; i++) data[s * T * F + i] = samples.data[s * T * F + i]!;
    }
  }
  const N = samples.batch;
  const mean = new Float64Array(T * F);
  for (let s = 0; s < N; s++)
    for (let i = 0; i < T * F; i++) mean[i] = mean[i]! + data[s * T * F + i]! / N;
  return {
    data: fillValid(x, (_, t, f) => mean[t * F + f]!),
    samples: { data, count: N },
    description: `samples(${N})`,
  };
}

/** Sets padded steps of `data` [B, T, F] to exactly 0 (in place) and returns it. */
export function zeroPadding(
  data: Float64Array,
  x: { batch: number; steps: number; lengths: Int32Array },
  F: number,
): Float64Array {
  for (let b = 0; b < x.batch; b++)
    data.fill(0, (b * x.steps + x.lengths[b]!) * F, (b + 1) * x.steps * F);
  return data;
}
