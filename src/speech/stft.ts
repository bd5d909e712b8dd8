/**
 * Short-time Fourier analysis and overlap-add synthesis for speech (fft.js).
 *
 * Framing (the same for analysis and synthesis): the signal is zero-padded by nFft/2 samples on
 * both sides ("centred" frames), frame t covers padded samples [t·hop, t·hop + nFft) and is
 * multiplied by a periodic Hann window of length nFft; frames = 1 + floor(n / hop).
 * The spectrum of a frame keeps bins 0..nFft/2 (nFft/2 + 1 complex values, re/im interleaved).
 * The inverse is the least-squares ISTFT (Griffin & Lim 1984): windowed overlap-add of the
 * inverse frames divided by the overlap-added squared window, cropped back to n samples.
 */
import FFT from 'fft.js';
import { ArgumentError, describe } from '../core/errors.js';

export interface StftSettings {
  /** FFT and window length (a power of two >= 4). */
  nFft: number;
  /** Samples between frames (1..nFft). */
  hop: number;
}

/** Complex spectrogram: [frames, bins] with re/im interleaved (length frames·bins·2). */
export interface Spectrogram {
  data: Float64Array;
  frames: number;
  bins: number;
}

export function checkStft(where: string, s: StftSettings): void {
  if (!Number.isInteger(s.nFft) || s.nFft < 4 || (s.nFft & (s.nFft - 1)) !== 0)
    throw new ArgumentError(where, 'nFft', 'a power of two >= 4', describe(s.nFft));
  if (!Number.isInteger(s.hop) || s.hop < 1 || s.hop > s.nFft)
    throw new ArgumentError(where, 'hop', `an integer in [1, ${s.nFft}]`, describe(s.hop));
}

export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

export function frameCount(samples: number, hop: number): number {
  return 1 + Math.floor(samples / hop);
}

const ffts = new Map<number, FFT>();
function fftOf(n: number): FFT {
  let f = ffts.get(n);
  if (!f) {
    f = new FFT(n);
    ffts.set(n, f);
  }
  return f;
}

/** Complex STFT of a mono signal (see the file comment for the framing). */
export function stft(signal: ArrayLike<number>, s: StftSettings): Spectrogram {
  checkStft('stft', s);
  if (signal.length < 1) throw new ArgumentError('stft', 'signal', 'at least one sample', 'none');
  const { nFft: N, hop } = s;
  const half = N >> 1;
  const bins = half + 1;
  const frames = frameCount(signal.length, hop);
  const win = hannWindow(N);
  const fft = fftOf(N);
  const buf = new Float64Array(N);
  const out = fft.createComplexArray() as number[];
  const data = new Float64Array(frames * bins * 2);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    for (let i = 0; i < N; i++) {
      const j = start + i;
      buf[i] = j >= 0 && j < signal.length ? signal[j]! * win[i]! : 0;
    }
    fft.realTransform(out, buf);
    const o = t * bins * 2;
    for (let k = 0; k < bins * 2; k++) data[o + k] = out[k]!;
  }
  return { data, frames, bins };
}

/** Magnitudes |X| [frames, bins] of a complex spectrogram. */
export function magnitude(spec: Spectrogram): Float64Array {
  const n = spec.frames * spec.bins;
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) m[i] = Math.hypot(spec.data[2 * i]!, spec.data[2 * i + 1]!);
  return m;
}

/** Least-squares inverse STFT to `length` samples. */
export function istft(spec: Spectrogram, s: StftSettings, length: number): Float64Array {
  checkStft('istft', s);
  const { nFft: N, hop } = s;
  const half = N >> 1;
  if (spec.bins !== half + 1)
    throw new ArgumentError('istft', 'spec.bins', `${half + 1} (nFft/2 + 1)`, describe(spec.bins));
  if (!Number.isInteger(length) || length < 1)
    throw new ArgumentError('istft', 'length', 'an integer >= 1', describe(length));
  const win = hannWindow(N);
  const fft = fftOf(N);
  const full = fft.createComplexArray() as number[];
  const time = fft.createComplexArray() as number[];
  const padded = new Float64Array(length + N + hop);
  const norm = new Float64Array(padded.length);
  for (let t = 0; t < spec.frames; t++) {
    const o = t * spec.bins * 2;
    for (let k = 0; k <= half; k++) {
      full[2 * k] = spec.data[o + 2 * k]!;
      full[2 * k + 1] = spec.data[o + 2 * k + 1]!;
    }
    // Hermitian completion, then the imaginary parts of DC and Nyquist do not matter
    for (let k = half + 1; k < N; k++) {
      full[2 * k] = full[2 * (N - k)]!;
      full[2 * k + 1] = -full[2 * (N - k) + 1]!;
    }
    fft.inverseTransform(time, full);
    const start = t * hop;
    for (let i = 0; i < N && start + i < padded.length; i++) {
      padded[start + i] = padded[start + i]! + time[2 * i]! * win[i]!;
      norm[start + i] = norm[start + i]! + win[i]! * win[i]!;
    }
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const w = norm[i + half]!;
    out[i] = w > 1e-8 ? padded[i + half]! / w : 0;
  }
  return out;
}
