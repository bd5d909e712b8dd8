/**
 * Audio features: framed log-mel energies or MFCCs (computed by meyda) with optional deltas and
 * per-utterance normalisation. A pure function of (samples, sample rate, settings).
 *
 * Framing: frame length N = round(frameMs * rate / 1000) samples, hop = round(hopMs * rate / 1000);
 * frames = 1 + floor((n - N) / hop) (a signal shorter than one frame gives one zero-padded frame).
 * meyda needs a power-of-two buffer, so each N-sample frame sits in the middle of a zero-padded
 * buffer of the next power of two, and meyda's Hann window spans that buffer.
 * meyda's mel energies are log(1 + E); samples are scaled to the 16-bit range (x 32768) first so
 * that log(1 + E) ~ log(E) for speech rather than a nearly linear function of tiny energies.
 * Deltas (HTK regression, window 2): d_t = sum_{n=1..2} n (c_{t+n} - c_{t-n}) / (2 sum n^2),
 * with frames beyond the ends repeating the first/last frame.
 */
import * as meydaModule from 'meyda';
import { ArgumentError, describe } from '../core/errors.js';

export interface AudioFeatureSettings {
  kind: 'mfcc' | 'logmel';
  frameMs: number;
  hopMs: number;
  melBands: number;
  /** MFCC coefficients kept (meyda allows 1..40) */
  mfccCoefficients: number;
  /** 0: none, 1: + deltas, 2: + deltas and delta-deltas */
  deltas: 0 | 1 | 2;
  /** 'utterance': z-score each feature over the utterance's frames; global normalisation is fitZScore on training data */
  normalise: 'utterance' | 'none';
}

export const DEFAULT_AUDIO_FEATURES: AudioFeatureSettings = {
  kind: 'mfcc',
  frameMs: 25,
  hopMs: 10,
  melBands: 26,
  mfccCoefficients: 13,
  deltas: 1,
  normalise: 'utterance',
};

export interface Frames {
  data: Float32Array; // [steps, features]
  steps: number;
  features: number;
}

/** Feature values per frame for the settings (before deltas). */
export function baseFeatureCount(s: AudioFeatureSettings): number {
  return s.kind === 'mfcc' ? s.mfccCoefficients : s.melBands;
}

export function featureCount(s: AudioFeatureSettings): number {
  return baseFeatureCount(s) * (1 + s.deltas);
}

function checkSettings(s: AudioFeatureSettings): void {
  const where = 'audioFeatures';
  if (s.kind !== 'mfcc' && s.kind !== 'logmel')
    throw new ArgumentError(where, 'kind', "'mfcc' or 'logmel'", describe(s.kind));
  if (!(s.frameMs > 0))
    throw new ArgumentError(
      where,
      'frameMs',
      'a positive number of milliseconds',
      describe(s.frameMs),
    );
  if (!(s.hopMs > 0))
    throw new ArgumentError(where, 'hopMs', 'a positive number of milliseconds', describe(s.hopMs));
  if (!Number.isInteger(s.melBands) || s.melBands < 2)
    throw new ArgumentError(where, 'melBands', 'an integer >= 2', describe(s.melBands));
  if (
    s.kind === 'mfcc' &&
    !(
      Number.isInteger(s.mfccCoefficients) &&
      s.mfccCoefficients >= 1 &&
      s.mfccCoefficients <= Math.min(40, s.melBands)
    )
  ) {
    throw new ArgumentError(
      where,
      'mfccCoefficients',
      `an integer in [1, ${Math.min(40, s.melBands)}] (at most melBands, meyda's limit 40)`,
      describe(s.mfccCoefficients),
    );
  }
  if (s.deltas !== 0 && s.deltas !== 1 && s.deltas !== 2)
    throw new ArgumentError(where, 'deltas', '0, 1 or 2', describe(s.deltas));
}

// meyda ships CommonJS with ES-module typings that NodeNext resolution mis-nests, so the part of
// its (mutable, global) API used here is typed locally.
interface MeydaApi {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  windowingFunction: string;
  extract(feature: string, signal: Float32Array): unknown;
}
const Meyda: MeydaApi =
  (meydaModule as unknown as { default?: MeydaApi }).default ??
  (meydaModule as unknown as MeydaApi);

type MeydaState = MeydaApi & {
  melFilterBank?: unknown;
  barkScale?: unknown;
  numberOfMFCCCoefficients: number;
};

/** Frames of log-mel or MFCC features (with deltas) for one mono signal. */
export function audioFeatures(
  samples: Float32Array,
  sampleRate: number,
  settings: AudioFeatureSettings,
): Frames {
  checkSettings(settings);
  const N = Math.max(1, Math.round((settings.frameMs * sampleRate) / 1000));
  const hop = Math.max(1, Math.round((settings.hopMs * sampleRate) / 1000));
  let fft = 1;
  while (fft < N) fft *= 2;
  const steps = samples.length <= N ? 1 : 1 + Math.floor((samples.length - N) / hop);
  const K = baseFeatureCount(settings);
  const m = Meyda as MeydaState;
  // meyda keeps its filter bank between calls and only rebuilds it when the band count changes,
  // so reset it whenever buffer size or rate differ from the last call.
  if (
    m.bufferSize !== fft ||
    m.sampleRate !== sampleRate ||
    m.melBands !== settings.melBands ||
    m.numberOfMFCCCoefficients !== settings.mfccCoefficients
  ) {
    m.bufferSize = fft;
    m.sampleRate = sampleRate;
    m.melBands = settings.melBands;
    m.numberOfMFCCCoefficients = settings.mfccCoefficients;
    m.windowingFunction = 'hanning';
    m.melFilterBank = undefined;
    m.barkScale = undefined;
  }
  const feature = settings.kind === 'mfcc' ? 'mfcc' : 'melBands';
  const base = new Float32Array(steps * K);
  const buf = new Float32Array(fft);
  const lead = (fft - N) >> 1;
  for (let t = 0; t < steps; t++) {
    buf.fill(0);
    const start = t * hop;
    const end = Math.min(samples.length, start + N);
    for (let i = start; i < end; i++) buf[lead + i - start] = samples[i]! * 32768;
    const out = Meyda.extract(feature, buf) as unknown as ArrayLike<number>;
    for (let k = 0; k < K; k++) base[t * K + k] = out[k]!;
  }
  let data = base;
  let D = K;
  if (settings.deltas >= 1) {
    const d1 = deltas(base, steps, K);
    const parts = [base, d1];
    if (settings.deltas === 2) parts.push(deltas(d1, steps, K));
    D = K * parts.length;
    data = new Float32Array(steps * D);
    for (let t = 0; t < steps; t++)
      parts.forEach((p, j) => data.set(p.subarray(t * K, (t + 1) * K), t * D + j * K));
  }
  if (settings.normalise === 'utterance') normaliseUtterance(data, steps, D);
  return { data, steps, features: D };
}

/** HTK delta regression over frames with window 2 (see the file comment). */
export function deltas(c: Float32Array, steps: number, K: number): Float32Array {
  const out = new Float32Array(steps * K);
  const W = 2;
  const denom = 2 * (1 + 4);
  const at = (t: number, k: number) => c[Math.min(steps - 1, Math.max(0, t)) * K + k]!;
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let n = 1; n <= W; n++) s += n * (at(t + n, k) - at(t - n, k));
      out[t * K + k] = s / denom;
    }
  }
  return out;
}

/** Cepstral mean and variance normalisation over one utterance, in place. */
function normaliseUtterance(x: Float32Array, steps: number, D: number): void {
  for (let d = 0; d < D; d++) {
    let s = 0;
    let s2 = 0;
    for (let t = 0; t < steps; t++) {
      const v = x[t * D + d]!;
      s += v;
      s2 += v * v;
    }
    const mean = s / steps;
    const sd = Math.sqrt(Math.max(0, s2 / steps - mean * mean));
    const inv = sd > 1e-6 ? 1 / sd : 1;
    for (let t = 0; t < steps; t++) x[t * D + d] = (x[t * D + d]! - mean) * inv;
  }
}
