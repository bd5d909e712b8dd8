/**
 * Log-mel analysis and its inverse for speech synthesis.
 *
 * Analysis: |STFT| (stft.ts) → triangular mel filter bank (HTK mel scale
 * m = 2595·log10(1 + f/700), `melBands` filters with centres evenly spaced in mel between fMin and
 * fMax, each peaking at 1, no area normalisation) → natural log of max(energy, floor).
 * Inverse: exp, then a non-negative least-squares estimate of the magnitude spectrum S ≥ 0 from
 * mel = M·S: the minimum-norm solution Mᵀ(M·Mᵀ + εI)⁻¹·mel clipped at 0, refined by
 * multiplicative (Lee–Seung) updates S ← S ⊙ (Mᵀmel) / (MᵀM·S + δ), which keep S ≥ 0 and lower
 * ||M·S − mel||² at every step. A fixed number of updates keeps the result deterministic.
 */
import { ArgumentError, describe } from '../core/errors.js';
import { checkStft, magnitude, stft, type StftSettings } from './stft.js';

export interface MelSettings extends StftSettings {
  sampleRate: number;
  melBands: number;
  fMin: number;
  fMax: number;
  /** energies below this floor are clipped before the log */
  floor: number;
}

/** The settings used for 8 kHz speech: 32 ms Hann frames, 8 ms hop, 40 bands over 0–4 kHz. */
export const SPEECH_MEL: MelSettings = {
  sampleRate: 8000,
  nFft: 256,
  hop: 64,
  melBands: 40,
  fMin: 0,
  fMax: 4000,
  floor: 1e-4,
};

/** Log-mel frames [frames, melBands]. */
export interface LogMel {
  data: Float32Array;
  frames: number;
  bands: number;
}

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

export function checkMelSettings(where: string, s: MelSettings): void {
  checkStft(where, s);
  if (!(s.sampleRate > 0)) throw new ArgumentError(where, 'sampleRate', 'a positive rate in Hz', describe(s.sampleRate));
  if (!Number.isInteger(s.melBands) || s.melBands < 2 || s.melBands > s.nFft / 2)
    throw new ArgumentError(where, 'melBands', `an integer in [2, ${s.nFft / 2}]`, describe(s.melBands));
  if (!(s.fMin >= 0 && s.fMax > s.fMin && s.fMax <= s.sampleRate / 2))
    throw new ArgumentError(where, 'fMin/fMax', `0 <= fMin < fMax <= ${s.sampleRate / 2} (Nyquist)`, `${s.fMin}/${s.fMax}`);
  if (!(s.floor > 0)) throw new ArgumentError(where, 'floor', 'a positive number', describe(s.floor));
}

const banks = new Map<string, Float64Array>();

/** The filter bank M [melBands, nFft/2 + 1], row-major. */
export function melFilterBank(s: MelSettings): Float64Array {
  checkMelSettings('melFilterBank', s);
  const key = `${s.sampleRate}/${s.nFft}/${s.melBands}/${s.fMin}/${s.fMax}`;
  const hit = banks.get(key);
  if (hit) return hit;
  const bins = s.nFft / 2 + 1;
  const lo = hzToMel(s.fMin);
  const hi = hzToMel(s.fMax);
  const edges = Array.from({ length: s.melBands + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (s.melBands + 1)));
  const M = new Float64Array(s.melBands * bins);
  for (let m = 0; m < s.melBands; m++) {
    const [a, c, b] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    for (let k = 0; k < bins; k++) {
      const f = (k * s.sampleRate) / s.nFft;
      const w = f <= a || f >= b ? 0 : f <= c ? (f - a) / (c - a) : (b - f) / (b - c);
      M[m * bins + k] = w;
    }
  }
  banks.set(key, M);
  return M;
}

/** Log-mel frames of a mono signal. */
export function logMel(signal: ArrayLike<number>, s: MelSettings = SPEECH_MEL): LogMel {
  checkMelSettings('logMel', s);
  const mag = magnitude(stft(signal, s));
  return logMelOfMagnitude(mag, mag.length / (s.nFft / 2 + 1), s);
}

/** Log-mel of magnitude frames [frames, nFft/2 + 1]. */
export function logMelOfMagnitude(mag: Float64Array, frames: number, s: MelSettings): LogMel {
  const M = melFilterBank(s);
  const bins = s.nFft / 2 + 1;
  const K = s.melBands;
  const data = new Float32Array(frames * K);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < K; m++) {
      let e = 0;
      for (let k = 0; k < bins; k++) e += M[m * bins + k]! * mag[t * bins + k]!;
      data[t * K + m] = Math.log(Math.max(e, s.floor));
    }
  }
  return { data, frames, bands: K };
}

/** Solves the small symmetric positive definite system A·X = B in place (Cholesky); A [n, n], B [n, r]. */
function choleskySolve(A: Float64Array, n: number, B: Float64Array, r: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! ** 2;
    const l = Math.sqrt(Math.max(d, 1e-300));
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let v = A[i * n + j]!;
      for (let k = 0; k < j; k++) v -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = v / l;
    }
  }
  for (let c = 0; c < r; c++) {
    for (let i = 0; i < n; i++) {
      let v = B[i * r + c]!;
      for (let k = 0; k < i; k++) v -= A[i * n + k]! * B[k * r + c]!;
      B[i * r + c] = v / A[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let v = B[i * r + c]!;
      for (let k = i + 1; k < n; k++) v -= A[k * n + i]! * B[k * r + c]!;
      B[i * r + c] = v / A[i * n + i]!;
    }
  }
}

const pinvs = new Map<string, Float64Array>();

/** Mᵀ(M·Mᵀ + εI)⁻¹ [bins, melBands] (ε = 1e-6 of the largest diagonal entry). */
function melPseudoInverse(s: MelSettings): Float64Array {
  const key = `${s.sampleRate}/${s.nFft}/${s.melBands}/${s.fMin}/${s.fMax}`;
  const hit = pinvs.get(key);
  if (hit) return hit;
  const M = melFilterBank(s);
  const K = s.melBands;
  const bins = s.nFft / 2 + 1;
  const G = new Float64Array(K * K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      let v = 0;
      for (let k = 0; k < bins; k++) v += M[i * bins + k]! * M[j * bins + k]!;
      G[i * K + j] = v;
    }
  let maxDiag = 0;
  for (let i = 0; i < K; i++) maxDiag = Math.max(maxDiag, G[i * K + i]!);
  for (let i = 0; i < K; i++) G[i * K + i] = G[i * K + i]! + 1e-6 * maxDiag;
  // (M Mᵀ)⁻¹ M, then transpose: P [bins, K]
  const X = new Float64Array(K * bins);
  X.set(M);
  choleskySolve(G, K, X, bins);
  const P = new Float64Array(bins * K);
  for (let m = 0; m < K; m++) for (let k = 0; k < bins; k++) P[k * K + m] = X[m * bins + k]!;
  pinvs.set(key, P);
  return P;
}

/** Non-negative magnitude frames [frames, nFft/2 + 1] whose mel energies approximate exp(logMel). */
export function invertLogMel(mel: LogMel, s: MelSettings = SPEECH_MEL, updates = 30): Float64Array {
  checkMelSettings('invertLogMel', s);
  if (mel.bands !== s.melBands) throw new ArgumentError('invertLogMel', 'mel.bands', `${s.melBands} (the settings' melBands)`, describe(mel.bands));
  if (mel.data.length !== mel.frames * mel.bands) throw new ArgumentError('invertLogMel', 'mel.data', `${mel.frames * mel.bands} values`, describe(mel.data.length));
  if (!Number.isInteger(updates) || updates < 0) throw new ArgumentError('invertLogMel', 'updates', 'an integer >= 0', describe(updates));
  for (let i = 0; i < mel.data.length; i++)
    if (!Number.isFinite(mel.data[i]!)) throw new ArgumentError('invertLogMel', `mel.data[${i}]`, 'a finite log energy', describe(mel.data[i]));
  const M = melFilterBank(s);
  const P = melPseudoInverse(s);
  const K = s.melBands;
  const bins = s.nFft / 2 + 1;
  const out = new Float64Array(mel.frames * bins);
  const e = new Float64Array(K);
  const num = new Float64Array(bins);
  const ms = new Float64Array(K);
  for (let t = 0; t < mel.frames; t++) {
    for (let m = 0; m < K; m++) e[m] = Math.exp(mel.data[t * K + m]!);
    const S = out.subarray(t * bins, (t + 1) * bins);
    let scale = 0;
    for (let k = 0; k < bins; k++) {
      let v = 0;
      for (let m = 0; m < K; m++) v += P[k * K + m]! * e[m]!;
      S[k] = Math.max(v, 0);
      scale = Math.max(scale, S[k]!);
    }
    // bins the clipped solution zeroed could never come back under multiplicative updates
    const lift = 1e-3 * scale + 1e-12;
    for (let k = 0; k < bins; k++) S[k] = S[k]! + lift;
    for (let k = 0; k < bins; k++) {
      let v = 0;
      for (let m = 0; m < K; m++) v += M[m * bins + k]! * e[m]!;
      num[k] = v;
    }
    for (let it = 0; it < updates; it++) {
      for (let m = 0; m < K; m++) {
        let v = 0;
        for (let k = 0; k < bins; k++) v += M[m * bins + k]! * S[k]!;
        ms[m] = v;
      }
      for (let k = 0; k < bins; k++) {
        let den = 0;
        for (let m = 0; m < K; m++) den += M[m * bins + k]! * ms[m]!;
        // bins no filter covers (none with fMin = 0, fMax = Nyquist) keep their value
        if (den > 0) S[k] = (S[k]! * num[k]!) / (den + 1e-12);
      }
    }
  }
  return out;
}
