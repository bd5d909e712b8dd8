/**
 * Running a model over a dataset with traces on, keeping only the real (unpadded) steps.
 *
 * Every per-step quantity is stored as a `StepMatrix`: rows are the real steps of all sequences
 * concatenated in dataset order (sequence s owns rows offsets[s] .. offsets[s+1]), columns are
 * units (h, c) or gate blocks × units (gates, preact). This is the common currency of the
 * internals analyses and of the on-disk trace store.
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import { collate } from '../../data/batching.js';
import type { Dataset } from '../../data/dataset.js';
import type { DirectionTrace } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import { batchInput } from '../../train/tasks.js';
import { stepAlignment, type StepAlignment } from './align.js';

/** Which per-step quantity: hidden state, cell state, gate activations, gate pre-activations. */
export type TraceField = 'h' | 'c' | 'gates' | 'preact';
export const TRACE_FIELDS: readonly TraceField[] = ['h', 'c', 'gates', 'preact'];

/** One recurrent layer and direction of a model. */
export interface TraceLayerInfo {
  /** `<layer>/<direction>`, e.g. `lstm/forward`. */
  key: string;
  layer: string;
  direction: 'forward' | 'backward';
  cell: 'rnn' | 'lstm' | 'gru';
  units: number;
  gateCount: number;
  /** Gate block names in storage order. */
  gateNames: string[];
  /** Fields this layer has (c only for LSTM). */
  fields: TraceField[];
}

/** Real steps × columns, float32, with per-sequence row offsets. */
export interface StepMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
  /** [sequences + 1]: sequence s owns rows offsets[s] .. offsets[s+1]. */
  offsets: Int32Array;
}

export interface TraceSet {
  layers: TraceLayerInfo[];
  /** Dataset positions of the traced sequences, in row order. */
  sequences: Int32Array;
  offsets: Int32Array;
  totalSteps: number;
  /** values[layerIndex][field] */
  values: Partial<Record<TraceField, StepMatrix>>[];
  /**
   * Present when the layers before the recurrent layers change the number of steps: rows are
   * recurrent steps, each reading the input range of its receptive field (align.ts).
   */
  alignment?: StepAlignment;
}

export interface CollectOptions {
  /** Sequences per forward pass; default 64. */
  batchSize?: number;
  /** Dataset positions to trace (default all). */
  sequences?: ArrayLike<number>;
  /** Fields to keep (default h, c, gates). */
  fields?: readonly TraceField[];
  /** Refuse to allocate more than this many bytes; default 512 MiB. */
  maxBytes?: number;
  onProgress?: ProgressCallback;
}

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

const GATE_NAMES: Record<TraceLayerInfo['cell'], string[]> = {
  rnn: ['h'],
  lstm: ['i', 'f', 'g', 'o'],
  gru: ['r', 'z', 'n'],
};

/** Steps of the probe sequence `traceLayers` runs (long enough for the kernels of imported graph layers). */
const PROBE_STEPS = 16;

/**
 * The model's recurrent layers and directions, from a one-sequence traced forward pass. Layers
 * before the recurrent layers may change the number of steps (strides, valid padding, pooling:
 * see align.ts); every recurrent layer must then run over the same steps, since the analyses
 * align all layers' states with one set of steps.
 */
export function traceLayers(model: SequenceModel): TraceLayerInfo[] {
  const spec = model.inputSpec;
  const T = PROBE_STEPS;
  const probe =
    spec.kind === 'tokens'
      ? {
          ids: new Int32Array(T).fill(2 % spec.vocabSize),
          batch: 1,
          steps: T,
          lengths: new Int32Array([T]),
        }
      : {
          data: new Float32Array(T * spec.features),
          batch: 1,
          steps: T,
          features: spec.features,
          lengths: new Int32Array([T]),
        };
  const { trace } = model.forward(probe, { trace: true });
  const off = trace?.find((t) => t.steps !== trace[0]!.steps);
  if (off)
    throw new RnnlensError(
      `internals: recurrent layer '${off.layer}' runs over ${off.steps} steps and '${trace![0]!.layer}' over ${trace![0]!.steps} for an input of ${T} steps (the layers between them change the number of steps); the per-step analyses (traces, units, gradient flow, dynamics, probe, intervene) align the states of all recurrent layers with one set of steps and do not apply to this model; explain, evaluate and verify do`,
    );
  if (!trace || trace.length === 0) {
    throw new ArgumentError(
      'internals',
      'model',
      'a model with at least one recurrent layer (simple_rnn, lstm, gru, bidirectional)',
      `layers [${model.layers.map((l) => l.kind).join(', ')}]`,
    );
  }
  return trace.map(infoOf);
}

function infoOf(t: DirectionTrace): TraceLayerInfo {
  return {
    key: `${t.layer}/${t.direction}`,
    layer: t.layer,
    direction: t.direction,
    cell: t.cell,
    units: t.units,
    gateCount: t.gateCount,
    gateNames: GATE_NAMES[t.cell],
    fields: t.cell === 'lstm' ? ['h', 'c', 'gates', 'preact'] : ['h', 'gates', 'preact'],
  };
}

export function fieldWidth(info: TraceLayerInfo, field: TraceField): number {
  return field === 'gates' || field === 'preact' ? info.units * info.gateCount : info.units;
}

/** float32 bytes per real step for the given fields over all layers. */
export function bytesPerStep(
  layers: readonly TraceLayerInfo[],
  fields: readonly TraceField[],
): number {
  let n = 0;
  for (const l of layers) for (const f of fields) if (l.fields.includes(f)) n += fieldWidth(l, f);
  return 4 * n;
}

/** Throws a clear error when `bytes` exceeds the budget. */
export function checkBudget(where: string, what: string, bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new RnnlensError(
      `${where}: ${what} needs ${(bytes / 2 ** 20).toFixed(1)} MiB, more than the memory budget of ${(maxBytes / 2 ** 20).toFixed(1)} MiB; ask for fewer sequences, steps, layers or units, or raise maxBytes`,
    );
  }
}

export function checkSequences(
  where: string,
  ds: Dataset,
  seqs: ArrayLike<number> | undefined,
): Int32Array {
  if (ds.items.length === 0)
    throw new ArgumentError(
      where,
      'dataset',
      'at least one sequence',
      `an empty dataset '${ds.name}'`,
    );
  if (!seqs) return Int32Array.from({ length: ds.items.length }, (_, i) => i);
  const out = Int32Array.from(seqs as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= ds.items.length)
      throw new ArgumentError(
        where,
        `sequences[${i}]`,
        `a sequence index in [0, ${ds.items.length})`,
        String(s),
      );
  }
  return out;
}

/**
 * Consecutive batches [from, to) of `seqs`, at most `batchSize` long; with `equalLengths`, a batch
 * also ends where the length changes (layers that change the number of steps take no padding).
 */
export function batchRanges(ds: Dataset, seqs: Int32Array, batchSize: number, equalLengths: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < seqs.length; ) {
    let e = Math.min(seqs.length, s + batchSize);
    if (equalLengths) {
      const L = ds.items[seqs[s]!]!.steps;
      let k = s + 1;
      while (k < e && ds.items[seqs[k]!]!.steps === L) k++;
      e = k;
    }
    out.push([s, e]);
    s = e;
  }
  return out;
}

/**
 * Calls `visit` once per batch with the traced forward pass: `trace[k]` is batch-first
 * [B, T, ·] for layer k, `first` the position in `seqs` of the batch's first sequence.
 */
export function forEachTracedBatch(
  model: SequenceModel,
  ds: Dataset,
  seqs: Int32Array,
  batchSize: number,
  visit: (trace: DirectionTrace[], first: number, count: number) => void,
  onProgress?: ProgressCallback,
  equalLengths = false,
): void {
  for (const [s, e] of batchRanges(ds, seqs, batchSize, equalLengths)) {
    const idx = seqs.subarray(s, e);
    const batch = collate(ds, idx);
    const { trace } = model.forward(batchInput(model, batch), { trace: true });
    visit(trace ?? [], s, idx.length);
    onProgress?.({ task: 'trace', done: s + idx.length, total: seqs.length });
  }
}

/** Copies the real steps of field `f` of one batch trace into `out` starting at row `row0`. */
export function copyRealSteps(
  t: DirectionTrace,
  f: TraceField,
  width: number,
  out: Float32Array,
  row0: number,
): void {
  const src = f === 'h' ? t.h : f === 'c' ? t.c : f === 'gates' ? t.gates : t.preact;
  if (!src)
    throw new RnnlensError(`internals: layer ${t.layer} (${t.direction}) has no '${f}' trace`);
  let row = row0;
  for (let b = 0; b < t.batch; b++) {
    const len = t.lengths[b]!;
    const start = b * t.steps * width;
    out.set(src.subarray(start, start + len * width), row * width);
    row += len;
  }
}

/** [sequences + 1] offsets of the input steps of `seqs`. */
export function inputOffsets(ds: Dataset, seqs: ArrayLike<number>): Int32Array {
  const out = new Int32Array(seqs.length + 1);
  for (let i = 0; i < seqs.length; i++) out[i + 1] = out[i]! + ds.items[seqs[i]!]!.steps;
  return out;
}

/** Traces the dataset into memory (real steps only), refusing to exceed `maxBytes`. */
export function collectTraces(
  model: SequenceModel,
  ds: Dataset,
  opts: CollectOptions = {},
): TraceSet {
  const where = 'collectTraces';
  const batchSize = opts.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ArgumentError(where, 'batchSize', 'an integer >= 1', String(batchSize));
  const seqs = checkSequences(where, ds, opts.sequences);
  const layers = traceLayers(model);
  const fields = opts.fields ?? ['h', 'c', 'gates'];
  for (const f of fields)
    if (!TRACE_FIELDS.includes(f))
      throw new ArgumentError(
        where,
        'fields',
        `some of ${TRACE_FIELDS.join(', ')}`,
        JSON.stringify(f),
      );
  const alignment = stepAlignment(model, ds, seqs);
  const offsets = alignment?.offsets ?? inputOffsets(ds, seqs);
  const total = offsets[seqs.length]!;
  checkBudget(
    where,
    `tracing ${seqs.length} sequences (${total} steps)`,
    total * bytesPerStep(layers, fields),
    opts.maxBytes ?? DEFAULT_MAX_BYTES,
  );
  const values = layers.map((l) => {
    const v: Partial<Record<TraceField, StepMatrix>> = {};
    for (const f of fields) {
      if (!l.fields.includes(f)) continue;
      const cols = fieldWidth(l, f);
      v[f] = { data: new Float32Array(total * cols), rows: total, cols, offsets };
    }
    return v;
  });
  forEachTracedBatch(
    model,
    ds,
    seqs,
    batchSize,
    (trace, first) => {
      trace.forEach((t, k) => {
        for (const f of fields) {
          const m = values[k]![f];
          if (m) copyRealSteps(t, f, m.cols, m.data, offsets[first]!);
        }
      });
    },
    opts.onProgress,
    alignment !== null,
  );
  const out: TraceSet = { layers, sequences: seqs, offsets, totalSteps: total, values };
  if (alignment) out.alignment = alignment;
  return out;
}

/** The matrix of one layer (by key or index) and field; a clear error when absent. */
export function matrixOf(
  ts: TraceSet,
  layer: string | number,
  field: TraceField,
): { info: TraceLayerInfo; m: StepMatrix } {
  const k =
    typeof layer === 'number'
      ? layer
      : ts.layers.findIndex((l) => l.key === layer || l.layer === layer);
  const info = ts.layers[k];
  if (!info)
    throw new ArgumentError(
      'internals',
      'layer',
      `one of ${ts.layers.map((l) => l.key).join(', ')}`,
      JSON.stringify(layer),
    );
  const m = ts.values[k]![field];
  if (!m)
    throw new ArgumentError(
      'internals',
      'field',
      `one of the collected fields of ${info.key} (${Object.keys(ts.values[k]!).join(', ')})`,
      JSON.stringify(field),
    );
  return { info, m };
}
