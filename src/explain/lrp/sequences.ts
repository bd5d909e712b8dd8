/**
 * From model inputs to the per-sequence work space of the propagation passes, and back to
 * attribution maps. The work space is the model's numeric input, or for a token model the
 * embedding vectors (the passes then start after the Embedding layer): one float64 [len, F] array
 * per sequence holding its valid steps only.
 */
import { ArgumentError } from '../../core/errors.js';
import type { Direction, RecurrentState, SeqBatch } from '../../nn/layer.js';
import { isTokenBatch } from '../../nn/layer.js';
import type { ModelInput, SequenceModel } from '../../nn/model.js';
import { EmbeddingLayer } from '../../nn/embedding.js';
import type { AttributionMap } from '../types.js';
import { embed, type Act, type SequenceStates } from './unroll.js';

export interface WorkSpace {
  /** One [len_b, F] activation per sequence. */
  rows: Act[];
  /** Index of the first layer the work space enters (1 for token models). */
  start: number;
  batch: number;
  steps: number;
  features: number;
  lengths: Int32Array;
  tokens: boolean;
}

/** The rows of a batch-first [B, T, F] array, valid steps only. */
export function seqRows(x: SeqBatch): Act[] {
  const rows: Act[] = [];
  const F = x.features;
  for (let b = 0; b < x.batch; b++) {
    const len = x.lengths[b]!;
    const data = Float64Array.from(x.data.subarray(b * x.steps * F, (b * x.steps + len) * F));
    rows.push({ data, steps: len, features: F });
  }
  return rows;
}

export function workSpace(where: string, model: SequenceModel, input: ModelInput): WorkSpace {
  if (model.inputSpec.kind === 'tokens') {
    if (!isTokenBatch(input))
      throw new ArgumentError(
        where,
        'input',
        'token ids (a TokenBatch) for a token model',
        'a numeric batch',
      );
    const emb = model.layers[0] as EmbeddingLayer;
    const rows: Act[] = [];
    for (let b = 0; b < input.batch; b++) {
      const len = input.lengths[b]!;
      const rec = embed(emb, input.ids.subarray(b * input.steps, b * input.steps + len));
      rows.push(rec.out);
    }
    const { batch, steps, lengths } = input;
    return { rows, start: 1, batch, steps, features: emb.outputFeatures, lengths, tokens: true };
  }
  if (isTokenBatch(input))
    throw new ArgumentError(
      where,
      'input',
      'a numeric sequence batch for a numeric model',
      'token ids',
    );
  const F = model.inputSpec.features;
  if (input.features !== F || input.data.length !== input.batch * input.steps * F)
    throw new ArgumentError(
      where,
      'input',
      `[B, T, ${F}] numeric data`,
      `features ${input.features}, ${input.data.length} values`,
    );
  const { batch, steps, lengths } = input;
  return { rows: seqRows(input), start: 0, batch, steps, features: F, lengths, tokens: false };
}

/** Initial states of sequence b from model-style [B, H] initial states. */
export function sequenceStates(
  states: Record<string, Partial<Record<Direction, RecurrentState>>> | undefined,
  b: number,
  units: (layer: string) => number,
): SequenceStates {
  const out: SequenceStates = {};
  for (const [name, dirs] of Object.entries(states ?? {})) {
    const H = units(name);
    out[name] = {};
    for (const [dir, st] of Object.entries(dirs) as [Direction, RecurrentState][]) {
      out[name]![dir] = {
        h: st.h ? st.h.subarray(b * H, (b + 1) * H) : null,
        c: st.c ? st.c.subarray(b * H, (b + 1) * H) : null,
      };
    }
  }
  return out;
}

/** Per-sequence [len_b, F] arrays → a [B, T, F] map, zeros at padding. */
export function toMap(
  rows: readonly Float64Array[],
  batch: number,
  steps: number,
  features: number,
  lengths: Int32Array,
): AttributionMap {
  const data = new Float64Array(batch * steps * features);
  rows.forEach((r, b) => data.set(r, b * steps * features));
  return { data, batch, steps, features, lengths };
}

/** Sum over the last axis: [B, T, E] → [B, T, 1] (token level). */
export function sumFeatures(m: AttributionMap): AttributionMap {
  const n = m.batch * m.steps;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let e = 0; e < m.features; e++) s += m.data[i * m.features + e]!;
    data[i] = s;
  }
  return { data, batch: m.batch, steps: m.steps, features: 1, lengths: m.lengths };
}
