/**
 * FSDD recordings as synthesis targets: each `{digit}_{speaker}_{take}.wav` becomes z-scored
 * log-mel frames (mel.ts) of the word with leading and trailing silence trimmed, plus its digit
 * and speaker. Teacher-forced batches for the decoder are built here too.
 *
 * Trimming: RMS over hop-sized windows; the word runs from the first to the last window within
 * `trimDb` dB of the loudest one, widened by two windows on each side. Words longer than
 * `maxFrames` are cut (FSDD words are 0.2–0.9 s; 112 frames = 0.9 s at the 8 ms hop).
 */
import { basename, join } from 'node:path';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import type { FloatArray } from '../core/tensor.js';
import { listFolder } from '../data/files.js';
import { readWav } from '../data/wav.js';
import type { TtsBatch } from './acoustic-model.js';
import { logMel, SPEECH_MEL, type MelSettings } from './mel.js';

export const FSDD_FILE = /^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$/;

export interface Utterance {
  digit: string;
  speaker: string;
  take: number;
  file: string;
  /** log-mel frames [frames, bands] (raw until normalised) */
  mel: Float32Array;
  frames: number;
}

export interface MelNormalisation {
  mean: number[];
  sd: number[];
}

export interface TtsDataOptions {
  mel?: MelSettings;
  trimDb?: number;
  maxFrames?: number;
  filter?: (file: string) => boolean;
  onProgress?: (p: { done: number; total: number }) => void;
}

/** The samples of a recording between its first and last non-silent window. */
export function trimSilence(x: Float32Array, window: number, trimDb = 30): Float32Array {
  if (!Number.isInteger(window) || window < 1) throw new ArgumentError('trimSilence', 'window', 'an integer >= 1', describe(window));
  const n = Math.ceil(x.length / window);
  const rms = new Float64Array(n);
  let top = 0;
  for (let w = 0; w < n; w++) {
    let s = 0;
    const end = Math.min(x.length, (w + 1) * window);
    for (let i = w * window; i < end; i++) s += x[i]! * x[i]!;
    rms[w] = Math.sqrt(s / (end - w * window));
    top = Math.max(top, rms[w]!);
  }
  if (top === 0) return x;
  const thr = top * 10 ** (-trimDb / 20);
  let a = 0;
  while (a < n - 1 && rms[a]! < thr) a++;
  let b = n - 1;
  while (b > a && rms[b]! < thr) b--;
  a = Math.max(0, a - 2);
  b = Math.min(n - 1, b + 2);
  return x.subarray(a * window, Math.min(x.length, (b + 1) * window));
}

/** The FSDD recordings of a folder as utterances (raw log-mel). */
export function loadUtterances(root: string, opts: TtsDataOptions = {}): Utterance[] {
  const s = opts.mel ?? SPEECH_MEL;
  const maxFrames = opts.maxFrames ?? 112;
  const files = listFolder(root, 'FSDD folder').filter((e) => !e.isDir && FSDD_FILE.test(e.name) && (!opts.filter || opts.filter(e.name)));
  if (files.length === 0) throw new RnnlensError(`FSDD folder ${root}: no recordings named {digit}_{speaker}_{take}.wav`);
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files.map((e, i) => {
    const m = FSDD_FILE.exec(e.name)!;
    const path = join(root, e.name);
    const audio = readWav(path);
    if (audio.sampleRate !== s.sampleRate) throw new RnnlensError(`FSDD folder ${root}: ${e.name} has ${audio.sampleRate} Hz; the synthesiser's analysis expects ${s.sampleRate} Hz`);
    const lm = logMel(trimSilence(audio.samples, s.hop, opts.trimDb ?? 30), s);
    const frames = Math.min(lm.frames, maxFrames);
    opts.onProgress?.({ done: i + 1, total: files.length });
    return { digit: m[1]!, speaker: m[2]!, take: Number(m[3]), file: basename(path), mel: lm.data.slice(0, frames * s.melBands), frames };
  });
}

/** Per-band mean and standard deviation over every frame of the utterances. */
export function fitMelNormalisation(us: Utterance[], bands: number): MelNormalisation {
  const sum = new Float64Array(bands);
  const sq = new Float64Array(bands);
  let n = 0;
  for (const u of us) {
    for (let t = 0; t < u.frames; t++)
      for (let m = 0; m < bands; m++) {
        const v = u.mel[t * bands + m]!;
        sum[m] = sum[m]! + v;
        sq[m] = sq[m]! + v * v;
      }
    n += u.frames;
  }
  const mean = Array.from(sum, (s) => s / n);
  const sd = Array.from(sq, (s, m) => Math.sqrt(Math.max(1e-8, s / n - mean[m]! ** 2)));
  return { mean, sd };
}

export function normaliseMel(mel: Float32Array, norm: MelNormalisation): Float32Array {
  const K = norm.mean.length;
  return mel.map((v, i) => (v - norm.mean[i % K]!) / norm.sd[i % K]!);
}

export function denormaliseMel(mel: ArrayLike<number>, norm: MelNormalisation): Float32Array {
  const K = norm.mean.length;
  return Float32Array.from(mel, (v, i) => v * norm.sd[i % K]! + norm.mean[i % K]!);
}

/** A training example: normalised frames and the class indices. */
export interface TtsExample {
  digit: number;
  speaker: number;
  /** normalised frames [frames, M] */
  mel: Float32Array;
  frames: number;
}

/** Teacher-forced decoder input and targets for examples; `alloc` gives the backend's arrays. */
export function makeBatch(ex: TtsExample[], M: number, r: number, alloc: (n: number) => FloatArray): { input: TtsBatch; target: FloatArray; frames: Int32Array } {
  const B = ex.length;
  const lengths = Int32Array.from(ex, (e) => Math.ceil(e.frames / r));
  let T = 0;
  for (const l of lengths) T = Math.max(T, l);
  const prev = alloc(B * T * M);
  const target = alloc(B * T * r * M);
  ex.forEach((e, b) => {
    for (let f = 0; f < e.frames; f++) target.set(e.mel.subarray(f * M, (f + 1) * M), (b * T * r + f) * M);
    for (let t = 1; t < lengths[b]!; t++) {
      const f = t * r - 1;
      prev.set(e.mel.subarray(f * M, (f + 1) * M), (b * T + t) * M);
    }
  });
  return {
    input: { digit: Int32Array.from(ex, (e) => e.digit), speaker: Int32Array.from(ex, (e) => e.speaker), prev, batch: B, steps: T, lengths },
    target,
    frames: Int32Array.from(ex, (e) => e.frames),
  };
}
