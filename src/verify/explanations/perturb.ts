/**
 * The shared machinery of the explanation checks: copies of sequences with some positions
 * replaced ("removed"), the model's score of the explained class on them, and the ranking of
 * positions by attribution.
 *
 * Positions ("units") are steps (every feature of a step at once; for token models the token) or
 * elements (one step × feature cell of a numeric series). Removing replaces numeric values by the
 * replacement (default 0, or a per-sequence reference [B, T, F]) and tokens by a token id
 * (default 0 = PAD).
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SeqBatch, TokenBatch } from '../../nn/layer.js';
import { isTokenBatch } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import { outputTensor } from '../../train/tasks.js';
import type { AttributionMap } from '../../explain/types.js';

export type Unit = 'steps' | 'elements';
export type ScoreOutput = 'probability' | 'logit';

/** What a removed position becomes. */
export interface Replacement {
  /** Numeric models: a constant (default 0) or one reference per sequence [B, T, F]. */
  value?: number | ArrayLike<number>;
  /** Token models: the id that replaces a removed token; default 0 (PAD). */
  token?: number;
}

/** One row to score: sequence `seq` with the positions where `removed` is 1 replaced. */
export interface MaskedRow {
  seq: number;
  /** [T·F] for numeric element units, [T] for steps (1 = replace). */
  removed: Uint8Array;
}

export const checkUnit = (where: string, unit: Unit, model: SequenceModel): Unit => {
  if (unit !== 'steps' && unit !== 'elements')
    throw new ArgumentError(where, 'unit', "'steps' or 'elements'", describe(unit));
  return model.inputSpec.kind === 'tokens' ? 'steps' : unit;
};

/** Features per step of a batch (1 for token ids). */
export const featuresOf = (x: ModelInput): number => (isTokenBatch(x) ? 1 : x.features);

/** Number of units of sequence b. */
export function unitCount(x: ModelInput, b: number, unit: Unit): number {
  return x.lengths[b]! * (unit === 'elements' ? featuresOf(x) : 1);
}

/** Builds the batch of masked rows (same padded length as `x`). */
export function maskRows(
  model: SequenceModel,
  x: ModelInput,
  rows: readonly MaskedRow[],
  unit: Unit,
  rep: Replacement = {},
): ModelInput {
  const T = x.steps;
  const R = rows.length;
  const lengths = Int32Array.from(rows, (r) => x.lengths[r.seq]!);
  if (isTokenBatch(x)) {
    const id = rep.token ?? 0;
    const ids = new Int32Array(R * T);
    rows.forEach((r, i) => {
      ids.set(x.ids.subarray(r.seq * T, (r.seq + 1) * T), i * T);
      for (let t = 0; t < T; t++) if (r.removed[t]) ids[i * T + t] = id;
    });
    const out: TokenBatch = { ids, batch: R, steps: T, lengths };
    return out;
  }
  const F = x.features;
  const TF = T * F;
  const data =
    model.backend.dtype === 'float64' ? new Float64Array(R * TF) : new Float32Array(R * TF);
  const v = rep.value ?? 0;
  if (typeof v !== 'number' && v.length !== x.batch * TF)
    throw new ArgumentError(
      'maskRows',
      'replacement.value',
      `a number or ${x.batch * TF} values ([B, T, F])`,
      `${v.length} values`,
    );
  rows.forEach((r, i) => {
    const o = r.seq * TF;
    for (let j = 0; j < TF; j++) {
      const gone = unit === 'elements' ? r.removed[j] : r.removed[Math.floor(j / F)];
      data[i * TF + j] = gone ? (typeof v === 'number' ? v : v[o + j]!) : x.data[o + j]!;
    }
  });
  const out: SeqBatch = { data, batch: R, steps: T, features: F, lengths };
  return out;
}

/** The model's logits [rows, K] (classifiers and regressors with one output row per sequence). */
export function logits(
  model: SequenceModel,
  x: ModelInput,
  batchSize = 512,
): { data: Float64Array; K: number } {
  const t = outputTensor(model.predict(x, { batchSize }));
  if (t.shape.length !== 2)
    throw new ArgumentError(
      'explanation checks',
      'model',
      'a model with one output row per sequence ([B, K])',
      `output shape [${t.shape.join(', ')}]`,
    );
  return { data: Float64Array.from(t.data), K: t.shape[1]! };
}

/** Score of class `cls[row]` per row: softmax probability (K > 1) or the raw output. */
export function scores(
  model: SequenceModel,
  x: ModelInput,
  cls: ArrayLike<number>,
  output: ScoreOutput = 'probability',
  batchSize = 512,
): Float64Array {
  const { data, K } = logits(model, x, batchSize);
  const out = new Float64Array(x.batch);
  for (let r = 0; r < x.batch; r++) {
    const row = data.subarray(r * K, (r + 1) * K);
    const k = cls[r]!;
    if (output === 'logit' || K === 1) {
      out[r] = row[k]!;
      continue;
    }
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    out[r] = Math.exp(row[k]! - m) / s;
  }
  return out;
}

/** The predicted class per sequence (argmax of the output). */
export function predictedClasses(model: SequenceModel, x: ModelInput): Int32Array {
  const { data, K } = logits(model, x);
  return Int32Array.from({ length: x.batch }, (_, r) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (data[r * K + k]! > data[r * K + best]!) best = k;
    return best;
  });
}

/** Classes per sequence: given (checked) or the model's predictions. */
export function resolveClasses(
  where: string,
  model: SequenceModel,
  x: ModelInput,
  target: number | ArrayLike<number> | undefined,
): Int32Array {
  if (target === undefined) return predictedClasses(model, x);
  const arr = typeof target === 'number' ? new Array<number>(x.batch).fill(target) : target;
  if (arr.length !== x.batch)
    throw new ArgumentError(
      where,
      'target',
      `one class per sequence (${x.batch})`,
      `${arr.length}`,
    );
  const K = model.outputFeatures;
  return Int32Array.from({ length: x.batch }, (_, i) => {
    const k = arr[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= K)
      throw new ArgumentError(where, `target[${i}]`, `a class in [0, ${K})`, describe(k));
    return k;
  });
}

/**
 * Importance of every unit of sequence b: the attribution of the element, or the sum over the
 * step's features; `abs` ranks by magnitude (evidence for or against).
 */
export function unitImportance(
  map: AttributionMap,
  b: number,
  unit: Unit,
  abs: boolean,
): Float64Array {
  const { steps: T, features: F } = map;
  const L = map.lengths[b]!;
  const o = b * T * F;
  if (unit === 'elements') {
    const v = map.data.slice(o, o + L * F);
    return abs ? v.map(Math.abs) : v;
  }
  const out = new Float64Array(L);
  for (let t = 0; t < L; t++) {
    let s = 0;
    for (let f = 0; f < F; f++) {
      const a = map.data[o + t * F + f]!;
      s += abs ? Math.abs(a) : a;
    }
    out[t] = s;
  }
  return out;
}

/** Unit indices, most important first (ties keep the earlier unit first). */
export function rankUnits(importance: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: importance.length }, (_, i) => i);
  idx.sort((a, b) => importance[b]! - importance[a]! || a - b);
  return Int32Array.from(idx);
}

/** A random ordering of n units (the reference point of every ranking metric). */
export function randomRanking(n: number, rng: Rng): Int32Array {
  return rng.permutation(n);
}

/** A mask with the first k units of `order` set; `invert` sets all the others instead. */
export function topMask(order: Int32Array, k: number, invert = false): Uint8Array {
  const m = new Uint8Array(order.length).fill(invert ? 1 : 0);
  for (let i = 0; i < k; i++) m[order[i]!] = invert ? 0 : 1;
  return m;
}

/** Checks that a map matches the input's shape. */
export function checkMap(where: string, x: ModelInput, map: AttributionMap): void {
  const F = featuresOf(x);
  if (map.batch !== x.batch || map.steps !== x.steps || map.features !== F)
    throw new ArgumentError(
      where,
      'attributions',
      `a map [${x.batch}, ${x.steps}, ${F}] like the input`,
      `[${map.batch}, ${map.steps}, ${map.features}]`,
    );
}
