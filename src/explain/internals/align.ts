/**
 * Step alignment: when the layers before the recurrent layers change the number of steps
 * (strided or valid convolutions, pooling — the usual speech CRNN front-end), recurrent step s
 * reads the input steps [a_s, b_s] of its receptive field. The per-step analyses then run over
 * recurrent steps and label each one by the input range it covers.
 *
 * The range is found by dependency probing of the layers before the first recurrent layer: for
 * each input step t, the front-end is run on a random input and on the same input with step t
 * replaced (a different token, or a random vector at several scales), over several random
 * inputs; recurrent step s depends on t when its input changes. Structural dependencies of
 * convolutions, pooling (max and average), normalisation and pointwise activations show up on
 * some trial whatever the weights, so the union over trials is the receptive field, clipped to
 * the sequence. It is computed once per model and distinct sequence length.
 *
 * Per-input-step labels (annotations, tags, user labels, control-task types) are carried to a
 * recurrent step from its range: the most frequent value over [a_s, b_s], ties going to the value
 * seen latest (for a value that changes every step, the one at b_s, the last step read).
 */
import { RnnlensError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import type { LayerInput, SeqBatch } from '../../nn/layer.js';
import { isSeqBatch } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import type { Annotation } from './annotations.js';

export interface StepAlignment {
  /** [sequences + 1]: sequence s owns input steps inputOffsets[s] .. inputOffsets[s+1]. */
  inputOffsets: Int32Array;
  /** [sequences + 1]: sequence s owns recurrent steps (trace rows) offsets[s] .. offsets[s+1]. */
  offsets: Int32Array;
  /** Per recurrent row (trace rows): first and last input step (within its sequence) it reads. */
  start: Int32Array;
  end: Int32Array;
}

/** The alignment of one input length: recurrent steps and the input range of each. */
export interface LengthAlignment {
  inputSteps: number;
  steps: number;
  start: Int32Array;
  end: Int32Array;
}

const RECURRENT = new Set(['lstm', 'gru', 'simple_rnn', 'bidirectional']);
/** Random inputs tried per input step (each with its own perturbation scale). */
const TRIALS = 6;
const SCALES = [1, 10, 100];
/** Perturbed sequences per forward pass of the front-end. */
const CHUNK = 64;

/** Index of the model's first recurrent layer (-1: none). */
export function firstRecurrent(model: SequenceModel): number {
  return model.layers.findIndex((l) => RECURRENT.has(l.kind));
}

function front(model: SequenceModel, upTo: number, x: LayerInput): SeqBatch {
  let y: LayerInput = x;
  for (let i = 0; i < upTo; i++)
    y = model.layers[i]!.forward(y, { backend: model.backend, training: false, trace: false, outputsOnly: true }).output;
  if (!isSeqBatch(y))
    throw new RnnlensError(`internals: the layers before recurrent layer '${model.layers[upTo]!.name}' give no sequence of steps`);
  return y;
}

/** Whether the layers before the first recurrent layer change the number of steps (of a 16-step input). */
export function changesSteps(model: SequenceModel): boolean {
  const r = firstRecurrent(model);
  if (r <= 0) return false;
  const spec = model.inputSpec;
  const L = 16;
  const lengths = new Int32Array([L]);
  const x: LayerInput =
    spec.kind === 'tokens'
      ? { ids: new Int32Array(L), batch: 1, steps: L, lengths }
      : { data: model.backend.dtype === 'float64' ? new Float64Array(L * spec.features) : new Float32Array(L * spec.features), batch: 1, steps: L, features: spec.features, lengths };
  return front(model, r, x).steps !== L;
}

/**
 * The receptive field of every recurrent step for an input of `L` steps, by dependency probing of
 * the layers before the first recurrent layer; null when they keep the number of steps (states
 * align with input steps one to one).
 */
export function alignmentForLength(model: SequenceModel, L: number): LengthAlignment | null {
  let byLength = CACHE.get(model);
  if (!byLength) CACHE.set(model, (byLength = new Map()));
  let a = byLength.get(L);
  if (a === undefined) byLength.set(L, (a = probeLength(model, L)));
  return a;
}

/** Receptive fields are structural (they do not depend on the weights): probed once per model and length. */
const CACHE = new WeakMap<SequenceModel, Map<number, LengthAlignment | null>>();

function probeLength(model: SequenceModel, L: number): LengthAlignment | null {
  const r = firstRecurrent(model);
  if (r <= 0) return null;
  const spec = model.inputSpec;
  const rng = new Rng(7919 * L);
  const F64 = model.backend.dtype === 'float64';
  const F = spec.kind === 'tokens' ? 1 : spec.features;
  const make = (B: number, fill: (b: number, t: number, out: Float64Array | Float32Array | Int32Array, o: number) => void): LayerInput => {
    const lengths = new Int32Array(B).fill(L);
    if (spec.kind === 'tokens') {
      const ids = new Int32Array(B * L);
      for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) fill(b, t, ids, b * L + t);
      return { ids, batch: B, steps: L, lengths };
    }
    const data = F64 ? new Float64Array(B * L * F) : new Float32Array(B * L * F);
    for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) fill(b, t, data, (b * L + t) * F);
    return { data, batch: B, steps: L, features: F, lengths };
  };
  let S = -1;
  let start = new Int32Array(0);
  let end = new Int32Array(0);
  for (let trial = 0; trial < TRIALS; trial++) {
    const scale = SCALES[trial % SCALES.length]!;
    const base: number[] = Array.from({ length: L * F }, () => (spec.kind === 'tokens' ? rng.int(spec.vocabSize) : rng.normal()));
    const other: number[] = Array.from({ length: L * F }, (_, i) =>
      spec.kind === 'tokens' ? (base[i]! + 1 + rng.int(Math.max(1, spec.vocabSize - 1))) % spec.vocabSize : scale * rng.normal(),
    );
    for (let t0 = 0; t0 < L; t0 += CHUNK) {
      const n = Math.min(CHUNK, L - t0);
      // row 0: the random input; row 1 + i: the same with step t0 + i replaced
      const x = make(1 + n, (b, t, out, o) => {
        const src = b > 0 && t === t0 + b - 1 ? other : base;
        for (let f = 0; f < F; f++) out[o + f] = src[t * F + f]!;
      });
      const y = front(model, r, x);
      if (S < 0) {
        S = y.steps;
        if (S === L) return null;
        start = new Int32Array(S).fill(L);
        end = new Int32Array(S).fill(-1);
      }
      const W = y.features;
      for (let i = 0; i < n; i++) {
        const t = t0 + i;
        for (let s = 0; s < S; s++) {
          const a = s * W;
          const b = ((1 + i) * S + s) * W;
          let changed = false;
          for (let k = 0; k < W && !changed; k++) {
            const u = y.data[a + k]!;
            const v = y.data[b + k]!;
            changed = Math.abs(u - v) > 1e-12 * (1 + Math.abs(u)) || Number.isNaN(u) !== Number.isNaN(v);
          }
          if (changed) {
            if (t < start[s]!) start[s] = t;
            if (t > end[s]!) end[s] = t;
          }
        }
      }
    }
  }
  for (let s = 0; s < S; s++)
    if (end[s]! < 0)
      throw new RnnlensError(
        `internals: step ${s} of recurrent layer '${model.layers[r]!.name}' reads no input step (for an input of ${L} steps, the layers before it give ${S} steps); its states cannot be aligned with the input`,
      );
  return { inputSteps: L, steps: S, start, end };
}

/**
 * The alignment of the traced sequences `seqs` of `ds`, or null when every recurrent step is an
 * input step (the layers before the recurrent layers keep the number of steps).
 */
export function stepAlignment(model: SequenceModel, ds: Dataset, seqs: Int32Array): StepAlignment | null {
  const byLength = new Map<number, LengthAlignment | null>();
  for (const s of seqs) {
    const L = ds.items[s]!.steps;
    if (!byLength.has(L)) byLength.set(L, alignmentForLength(model, L));
  }
  if ([...byLength.values()].every((a) => a === null)) return null;
  const per = Array.from(seqs, (s) => {
    const L = ds.items[s]!.steps;
    const a = byLength.get(L);
    if (a) return a;
    const id = Int32Array.from({ length: L }, (_, t) => t);
    return { inputSteps: L, steps: L, start: id, end: id };
  });
  const inputOffsets = new Int32Array(seqs.length + 1);
  const offsets = new Int32Array(seqs.length + 1);
  per.forEach((a, i) => {
    inputOffsets[i + 1] = inputOffsets[i]! + a.inputSteps;
    offsets[i + 1] = offsets[i]! + a.steps;
  });
  const rows = offsets[seqs.length]!;
  const start = new Int32Array(rows);
  const end = new Int32Array(rows);
  let o = 0;
  for (const a of per) {
    start.set(a.start, o);
    end.set(a.end, o);
    o += a.steps;
  }
  return { inputOffsets, offsets, start, end };
}

/** The most frequent value of `v[a..b]`, ties going to the one seen latest. */
function majority(v: ArrayLike<number>, a: number, b: number): number {
  const counts = new Map<number, number>();
  let best = v[b]!;
  let bestCount = 0;
  for (let i = a; i <= b; i++) counts.set(v[i]!, (counts.get(v[i]!) ?? 0) + 1);
  for (let i = b; i >= a; i--) {
    const c = counts.get(v[i]!)!;
    if (c > bestCount) {
      bestCount = c;
      best = v[i]!;
    }
  }
  return best;
}

/** Maps per-input-step values (rows: input steps) to the traced recurrent steps. */
export function alignValues(values: ArrayLike<number>, al: StepAlignment): Float64Array {
  const offsets = al.offsets;
  const out = new Float64Array(offsets[offsets.length - 1]!);
  for (let s = 0; s + 1 < offsets.length; s++) {
    const base = al.inputOffsets[s]!;
    for (let r = offsets[s]!; r < offsets[s + 1]!; r++) out[r] = majority(values, base + al.start[r]!, base + al.end[r]!);
  }
  return out;
}

/** An annotation over input steps carried to recurrent steps (unchanged without alignment). */
export function alignAnnotation(a: Annotation, al: StepAlignment | undefined): Annotation {
  return al ? { name: a.name, values: alignValues(a.values, al) } : a;
}

/** Per-step labels over input steps (strings) carried to recurrent steps: the covered ones joined. */
export function alignStrings(items: readonly string[], al: StepAlignment, join: string): string[] {
  const offsets = al.offsets;
  const out: string[] = [];
  for (let s = 0; s + 1 < offsets.length; s++) {
    const base = al.inputOffsets[s]!;
    for (let r = offsets[s]!; r < offsets[s + 1]!; r++) out.push(items.slice(base + al.start[r]!, base + al.end[r]! + 1).join(join));
  }
  return out;
}

/** `t3-7`: the input range of a recurrent step (`t3` for one step). */
export function rangeLabel(a: number, b: number): string {
  return a === b ? `t${a}` : `t${a}-${b}`;
}

/**
 * Step tokens of the traced sequences carried to recurrent steps: the tokens each step covers,
 * joined (characters run together, words with a space); without tokens, the input range.
 */
export function alignedTokens(tokens: string[][] | null, al: StepAlignment): string[][] {
  const offsets = al.offsets;
  const chars = tokens?.every((seq) => seq.every((t) => Array.from(t).length <= 1)) ?? false;
  return Array.from({ length: offsets.length - 1 }, (_, s) => {
    const out: string[] = [];
    for (let r = offsets[s]!; r < offsets[s + 1]!; r++) {
      const [a, b] = [al.start[r]!, al.end[r]!];
      out.push(tokens ? tokens[s]!.slice(a, b + 1).join(chars ? '' : ' ') : rangeLabel(a, b));
    }
    return out;
  });
}

/** The token at the last input step each recurrent step reads (one token per recurrent step). */
export function lastTokens(tokens: string[][], al: StepAlignment): string[][] {
  const offsets = al.offsets;
  return Array.from({ length: offsets.length - 1 }, (_, s) => {
    const out: string[] = [];
    for (let r = offsets[s]!; r < offsets[s + 1]!; r++) out.push(tokens[s]![al.end[r]!]!);
    return out;
  });
}

/** Per distinct input length: the recurrent steps and the input range of each (the first sequence of that length). */
export interface AlignmentSummary {
  inputSteps: number;
  steps: number;
  ranges: [number, number][];
}

export function alignmentSummary(al: StepAlignment): AlignmentSummary[] {
  const seen = new Map<number, AlignmentSummary>();
  for (let s = 0; s + 1 < al.offsets.length; s++) {
    const L = al.inputOffsets[s + 1]! - al.inputOffsets[s]!;
    if (seen.has(L)) continue;
    const ranges: [number, number][] = [];
    for (let r = al.offsets[s]!; r < al.offsets[s + 1]!; r++) ranges.push([al.start[r]!, al.end[r]!]);
    seen.set(L, { inputSteps: L, steps: ranges.length, ranges });
  }
  return [...seen.values()].sort((a, b) => a.inputSteps - b.inputSteps);
}
