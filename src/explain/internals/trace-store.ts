/**
 * The trace store: per-step internals of a whole dataset on disk, read back piecewise.
 *
 * Layout of a store folder:
 * - `manifest.json`: `{ format: "rnnlens-traces", version: 1, dataset, layers, fields, lengths
 *   (steps of each stored sequence), sequences (their dataset positions), chunks: [{ file,
 *   firstSequence, sequences, steps, blocks: { "<layerKey>:<field>": byteOffset } }] }`;
 * - `chunk-00000.bin`, …: little-endian float32. A chunk holds `chunkSequences` consecutive
 *   sequences; inside it one block per layer and field, each [chunk steps, width] row-major over
 *   the real (unpadded) steps. A step range of one sequence is therefore one contiguous byte
 *   range, read with a positioned read: nothing else is loaded.
 * Chunk files are written first and the manifest last (atomically), so a crash never leaves a
 * manifest pointing at missing data. 100 000 steps of a 64-unit LSTM (h, c, gates) take 150 MB.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import type { Dataset } from '../../data/dataset.js';
import type { SequenceModel } from '../../nn/model.js';
import { atomicWriteFile } from '../../runs/atomic.js';
import {
  DEFAULT_MAX_BYTES,
  bytesPerStep,
  checkBudget,
  checkSequences,
  collectTraces,
  fieldWidth,
  TRACE_FIELDS,
  type StepMatrix,
  type TraceField,
  type TraceLayerInfo,
  type TraceSet,
} from './collect.js';

export const TRACE_FORMAT = 'rnnlens-traces';

export interface TraceChunk {
  file: string;
  firstSequence: number;
  sequences: number;
  steps: number;
  blocks: Record<string, number>;
}

export interface TraceManifest {
  format: typeof TRACE_FORMAT;
  version: 1;
  dataset: string;
  layers: TraceLayerInfo[];
  fields: TraceField[];
  /** stored steps of each sequence (recurrent steps when the layers before them change the number) */
  lengths: number[];
  sequences: number[];
  chunks: TraceChunk[];
  /** when the recurrent steps differ from input steps: per sequence, the input range [first, last] of each stored step */
  ranges?: [number, number][][];
}

export interface WriteTracesOptions {
  /** Sequences per chunk file; default 256. */
  chunkSequences?: number;
  batchSize?: number;
  fields?: readonly TraceField[];
  sequences?: ArrayLike<number>;
  /** Memory budget of one chunk while writing; default 512 MiB. */
  maxBytes?: number;
  onProgress?: ProgressCallback;
}

/** Traces `ds` chunk by chunk into `dir`; memory use is bounded by one chunk. */
export function writeTraceStore(
  model: SequenceModel,
  ds: Dataset,
  dir: string,
  opts: WriteTracesOptions = {},
): TraceManifest {
  const where = 'writeTraceStore';
  const per = opts.chunkSequences ?? 256;
  if (!Number.isInteger(per) || per < 1)
    throw new ArgumentError(where, 'chunkSequences', 'an integer >= 1', String(per));
  const seqs = checkSequences(where, ds, opts.sequences);
  const fields = [...(opts.fields ?? ['h', 'c', 'gates'])];
  mkdirSync(dir, { recursive: true });
  const chunks: TraceChunk[] = [];
  let layers: TraceLayerInfo[] = [];
  const lengths: number[] = [];
  const ranges: [number, number][][] = [];
  for (let s = 0; s < seqs.length; s += per) {
    const part = seqs.subarray(s, Math.min(seqs.length, s + per));
    const ts = collectTraces(model, ds, {
      sequences: part,
      fields,
      batchSize: opts.batchSize,
      maxBytes: opts.maxBytes,
    });
    layers = ts.layers;
    for (let i = 0; i < part.length; i++) {
      lengths.push(ts.offsets[i + 1]! - ts.offsets[i]!);
      const al = ts.alignment;
      if (al) ranges.push(Array.from({ length: lengths[lengths.length - 1]! }, (_, t): [number, number] => [al.start[ts.offsets[i]! + t]!, al.end[ts.offsets[i]! + t]!]));
    }
    const blocks: Record<string, number> = {};
    const pieces: Float32Array[] = [];
    let offset = 0;
    ts.layers.forEach((l, k) => {
      for (const f of fields) {
        const m = ts.values[k]![f];
        if (!m) continue;
        blocks[`${l.key}:${f}`] = offset;
        pieces.push(m.data);
        offset += m.data.byteLength;
      }
    });
    const bytes = new Uint8Array(offset);
    let o = 0;
    for (const p of pieces) {
      bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
      o += p.byteLength;
    }
    const file = `chunk-${String(chunks.length).padStart(5, '0')}.bin`;
    atomicWriteFile(join(dir, file), bytes);
    chunks.push({ file, firstSequence: s, sequences: part.length, steps: ts.totalSteps, blocks });
    opts.onProgress?.({ task: 'write traces', done: s + part.length, total: seqs.length });
  }
  const manifest: TraceManifest = {
    format: TRACE_FORMAT,
    version: 1,
    dataset: ds.name,
    layers,
    fields: fields.filter((f) => layers.some((l) => l.fields.includes(f))),
    lengths,
    sequences: Array.from(seqs),
    chunks,
    ...(ranges.length > 0 ? { ranges } : {}),
  };
  atomicWriteFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

export interface ReadRequest {
  /** Layer key (`lstm/forward`) or layer name (first direction). */
  layer: string;
  field: TraceField;
  /** Position of the sequence in the store (0-based, store order). */
  sequence: number;
  /** Step range [start, end) within the sequence; default the whole sequence. */
  start?: number;
  end?: number;
  /** Columns to keep (units, or gate-block × units for gates); default all. */
  units?: readonly number[];
}

export interface ReadResult {
  /** [steps, units.length] row-major */
  data: Float32Array;
  steps: number;
  units: number[];
}

/** Reads a store written by writeTraceStore without loading it whole. */
export class TraceStore {
  private constructor(
    readonly dir: string,
    readonly manifest: TraceManifest,
    /** [sequences + 1] start of each sequence among all stored steps */
    private readonly starts: Float64Array,
    readonly maxBytes: number,
  ) {}

  static open(dir: string, opts: { maxBytes?: number } = {}): TraceStore {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path))
      throw new RnnlensError(`TraceStore.open: no trace store at ${dir} (expected manifest.json)`);
    const m = JSON.parse(readFileSync(path, 'utf8')) as TraceManifest;
    if (m?.format !== TRACE_FORMAT || m.version !== 1)
      throw new ArgumentError(
        'TraceStore.open',
        'manifest.json format',
        `"${TRACE_FORMAT}" version 1`,
        JSON.stringify([m?.format, m?.version]),
      );
    const starts = new Float64Array(m.lengths.length + 1);
    m.lengths.forEach((n, i) => (starts[i + 1] = starts[i]! + n));
    return new TraceStore(dir, m, starts, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  }

  get sequences(): number {
    return this.manifest.lengths.length;
  }

  get totalSteps(): number {
    return this.starts[this.sequences]!;
  }

  layerInfo(layer: string): TraceLayerInfo {
    const l =
      this.manifest.layers.find((x) => x.key === layer) ??
      this.manifest.layers.find((x) => x.layer === layer);
    if (!l)
      throw new ArgumentError(
        'TraceStore.read',
        'layer',
        `one of ${this.manifest.layers.map((x) => x.key).join(', ')}`,
        JSON.stringify(layer),
      );
    return l;
  }

  /** One sequence's step range of one layer and field, restricted to some units. */
  read(req: ReadRequest): ReadResult {
    const where = 'TraceStore.read';
    const info = this.layerInfo(req.layer);
    if (
      !TRACE_FIELDS.includes(req.field) ||
      !this.manifest.fields.includes(req.field) ||
      !info.fields.includes(req.field)
    )
      throw new ArgumentError(
        where,
        'field',
        `one of the stored fields of ${info.key} (${info.fields.filter((f) => this.manifest.fields.includes(f)).join(', ')})`,
        JSON.stringify(req.field),
      );
    const s = req.sequence;
    if (!Number.isInteger(s) || s < 0 || s >= this.sequences)
      throw new ArgumentError(where, 'sequence', `an integer in [0, ${this.sequences})`, String(s));
    const len = this.manifest.lengths[s]!;
    const start = req.start ?? 0;
    const end = req.end ?? len;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      start < 0 ||
      end > len ||
      start >= end
    )
      throw new ArgumentError(
        where,
        'start/end',
        `a step range 0 <= start < end <= ${len} (the sequence's length)`,
        `[${start}, ${end})`,
      );
    const width = fieldWidth(info, req.field);
    const units = req.units ? [...req.units] : Array.from({ length: width }, (_, u) => u);
    units.forEach((u, i) => {
      if (!Number.isInteger(u) || u < 0 || u >= width)
        throw new ArgumentError(where, `units[${i}]`, `a column in [0, ${width})`, String(u));
    });
    const steps = end - start;
    // The raw rows are read whole, so both the rows and the kept columns count against the budget.
    checkBudget(
      where,
      `reading ${steps} steps x ${width} columns of ${info.key}:${req.field}`,
      steps * (width + units.length) * 4,
      this.maxBytes,
    );
    const raw = this.readRows(info, req.field, s, start, end);
    if (!req.units) return { data: raw, steps, units };
    const out = new Float32Array(steps * units.length);
    for (let t = 0; t < steps; t++)
      for (let j = 0; j < units.length; j++)
        out[t * units.length + j] = raw[t * width + units[j]!]!;
    return { data: out, steps, units };
  }

  /** Rows [start, end) of sequence s: one positioned read. */
  private readRows(
    info: TraceLayerInfo,
    field: TraceField,
    s: number,
    start: number,
    end: number,
  ): Float32Array {
    const chunk = this.chunkOf(s);
    const block = chunk.blocks[`${info.key}:${field}`];
    if (block === undefined)
      throw new RnnlensError(`TraceStore: ${chunk.file} has no block ${info.key}:${field}`);
    const width = fieldWidth(info, field);
    const rowInChunk = this.starts[s]! - this.starts[chunk.firstSequence]! + start;
    const bytes = (end - start) * width * 4;
    const out = new Float32Array((end - start) * width);
    const fd = openSync(join(this.dir, chunk.file), 'r');
    try {
      const got = readSync(
        fd,
        new Uint8Array(out.buffer),
        0,
        bytes,
        block + rowInChunk * width * 4,
      );
      if (got !== bytes)
        throw new RnnlensError(
          `TraceStore: ${chunk.file} is truncated (read ${got} of ${bytes} bytes)`,
        );
    } finally {
      closeSync(fd);
    }
    return out;
  }

  private chunkOf(s: number): TraceChunk {
    const cs = this.manifest.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cs[mid]!.firstSequence <= s) lo = mid;
      else hi = mid - 1;
    }
    return cs[lo]!;
  }

  /** Several whole sequences of one layer and field as a StepMatrix (budget-checked first). */
  readMatrix(layer: string, field: TraceField, sequences?: readonly number[]): StepMatrix {
    const info = this.layerInfo(layer);
    const seqs = sequences ?? Array.from({ length: this.sequences }, (_, i) => i);
    const width = fieldWidth(info, field);
    let total = 0;
    for (const s of seqs) total += this.manifest.lengths[s] ?? 0;
    checkBudget(
      'TraceStore.readMatrix',
      `${seqs.length} sequences (${total} steps) x ${width} columns of ${info.key}:${field}`,
      total * width * 4,
      this.maxBytes,
    );
    const offsets = new Int32Array(seqs.length + 1);
    const data = new Float32Array(total * width);
    seqs.forEach((s, i) => {
      const r = this.read({ layer: info.key, field, sequence: s });
      data.set(r.data, offsets[i]! * width);
      offsets[i + 1] = offsets[i]! + r.steps;
    });
    return { data, rows: total, cols: width, offsets };
  }

  /** Stored traces as an in-memory TraceSet for the analyses (budget-checked). */
  toTraceSet(
    fields: readonly TraceField[] = this.manifest.fields,
    sequences?: readonly number[],
  ): TraceSet {
    const seqs = sequences ?? Array.from({ length: this.sequences }, (_, i) => i);
    let steps = 0;
    for (const s of seqs) steps += this.manifest.lengths[s] ?? 0;
    const kept = fields.filter((f) => this.manifest.fields.includes(f));
    checkBudget(
      'TraceStore.toTraceSet',
      `${seqs.length} sequences (${steps} steps) of ${kept.join(', ')}`,
      steps * bytesPerStep(this.manifest.layers, kept),
      this.maxBytes,
    );
    const values = this.manifest.layers.map((l) => {
      const v: Partial<Record<TraceField, StepMatrix>> = {};
      for (const f of fields)
        if (l.fields.includes(f) && this.manifest.fields.includes(f))
          v[f] = this.readMatrix(l.key, f, seqs);
      return v;
    });
    const offsets = new Int32Array(seqs.length + 1);
    seqs.forEach((s, i) => (offsets[i + 1] = offsets[i]! + this.manifest.lengths[s]!));
    return {
      layers: this.manifest.layers,
      sequences: Int32Array.from(seqs, (s) => this.manifest.sequences[s]!),
      offsets,
      totalSteps: offsets[seqs.length]!,
      values,
    };
  }
}
