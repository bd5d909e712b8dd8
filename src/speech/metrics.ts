/**
 * Objective measures of synthesised speech.
 *
 * Mel cepstrum: c_k = (1/K)·Σ_m log E_m·cos(πk(m + ½)/K), k = 1..`coefficients`, the cepstrum
 * convention log E(ω) = c_0 + 2·Σ_k c_k·cos(kω) sampled at the K band centres (natural-log mel
 * magnitudes; c_0, the loudness, left out). An orthonormal DCT would scale every c_k by √(2K).
 * Mel-cepstral distortion with dynamic time warping: the path through the two frame sequences
 * (steps (1,0), (0,1), (1,1)) that minimises the summed frame distance
 *   d(x, y) = (10 / ln 10)·√(2·Σ_k (c_k(x) − c_k(y))²)   in dB,
 * reported as the mean of d along the path (Kubichek 1993; with natural-log cepstra this is the
 * usual MCD formula).
 * Normalised cross-correlation: max over every lag τ of |Σ_n x[n]·y[n + τ]| / (‖x‖·‖y‖) (1 for a
 * copy, shifted or scaled), computed by FFT; a synthesised word that reached close to 1 against a
 * training recording would be a retrieved one rather than a generated one.
 */
import FFT from 'fft.js';
import { ArgumentError, describe } from '../core/errors.js';
import type { LogMel } from './mel.js';

export function melCepstrum(mel: LogMel, coefficients = 12): Float64Array {
  const K = mel.bands;
  if (!Number.isInteger(coefficients) || coefficients < 1 || coefficients >= K) throw new ArgumentError('melCepstrum', 'coefficients', `an integer in [1, ${K - 1}]`, describe(coefficients));
  const out = new Float64Array(mel.frames * coefficients);
  const s = 1 / K;
  for (let t = 0; t < mel.frames; t++)
    for (let k = 1; k <= coefficients; k++) {
      let v = 0;
      for (let m = 0; m < K; m++) v += mel.data[t * K + m]! * Math.cos((Math.PI * k * (m + 0.5)) / K);
      out[t * coefficients + k - 1] = s * v;
    }
  return out;
}

const MCD_SCALE = (10 / Math.LN10) * Math.SQRT2;

/** MCD (dB) between two cepstrum sequences [frames, C] along their DTW path. */
export function mcdDtw(a: Float64Array, b: Float64Array, C: number): { mcd: number; pathLength: number } {
  const n = a.length / C;
  const m = b.length / C;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) throw new ArgumentError('mcdDtw', 'a/b', `non-empty sequences of ${C} coefficients per frame`, `${a.length} and ${b.length} values`);
  const d = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < C; k++) s += (a[i * C + k]! - b[j * C + k]!) ** 2;
    return MCD_SCALE * Math.sqrt(s);
  };
  // cost and path length of the cheapest path to (i, j)
  const cost = new Float64Array(n * m).fill(Infinity);
  const len = new Int32Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const here = d(i, j);
      if (i === 0 && j === 0) {
        cost[0] = here;
        len[0] = 1;
        continue;
      }
      let best = Infinity;
      let bl = 0;
      for (const [pi, pj] of [[i - 1, j - 1], [i - 1, j], [i, j - 1]] as const) {
        if (pi < 0 || pj < 0) continue;
        const c = cost[pi * m + pj]!;
        if (c < best) [best, bl] = [c, len[pi * m + pj]!];
      }
      cost[i * m + j] = best + here;
      len[i * m + j] = bl + 1;
    }
  const L = len[n * m - 1]!;
  return { mcd: cost[n * m - 1]! / L, pathLength: L };
}

/** Largest normalised cross-correlation over all lags (see the file comment). */
export function maxNormalisedCrossCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): { value: number; lag: number } {
  if (x.length < 1 || y.length < 1) throw new ArgumentError('maxNormalisedCrossCorrelation', 'x/y', 'non-empty signals', `${x.length} and ${y.length} samples`);
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i++) nx += x[i]! * x[i]!;
  for (let i = 0; i < y.length; i++) ny += y[i]! * y[i]!;
  if (nx === 0 || ny === 0) return { value: 0, lag: 0 };
  let N = 1;
  while (N < x.length + y.length) N *= 2;
  const f = new FFT(N);
  const bx = new Float64Array(N);
  const by = new Float64Array(N);
  for (let i = 0; i < x.length; i++) bx[i] = x[i]!;
  for (let i = 0; i < y.length; i++) by[i] = y[i]!;
  const X = f.createComplexArray() as number[];
  const Y = f.createComplexArray() as number[];
  f.realTransform(X, bx);
  f.completeSpectrum(X);
  f.realTransform(Y, by);
  f.completeSpectrum(Y);
  // r[τ] = Σ_n x[n] y[n + τ]  ⇔  R = conj(X)·Y
  const R = f.createComplexArray() as number[];
  for (let k = 0; k < N; k++) {
    const [xr, xi, yr, yi] = [X[2 * k]!, X[2 * k + 1]!, Y[2 * k]!, Y[2 * k + 1]!];
    R[2 * k] = xr * yr + xi * yi;
    R[2 * k + 1] = xr * yi - xi * yr;
  }
  const r = f.createComplexArray() as number[];
  f.inverseTransform(r, R);
  let best = 0;
  let lag = 0;
  for (let t = 0; t < N; t++) {
    const v = Math.abs(r[2 * t]!);
    if (v > best) [best, lag] = [v, t < N / 2 ? t : t - N];
  }
  return { value: best / Math.sqrt(nx * ny), lag };
}
