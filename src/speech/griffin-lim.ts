/**
 * Griffin–Lim phase reconstruction (Griffin & Lim 1984) with the momentum of the "fast"
 * variant (Perraudin, Balazs & Søndergaard 2013): starting from seeded random phases, repeat
 *   x = ISTFT(S·e^{iφ}),  X = STFT(x),  Y = X − α/(1 + α)·X_prev,  φ = arg Y,  X_prev = X
 * for a fixed number of iterations (α = 0 is plain Griffin–Lim), then return ISTFT(S·e^{iφ}).
 * The same magnitudes, settings, iterations and seed give the same samples.
 */
import { ArgumentError, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { istft, magnitude, stft, type Spectrogram, type StftSettings } from './stft.js';

export interface GriffinLimOptions {
  iterations?: number;
  /** momentum α in [0, 1); default 0.99 */
  momentum?: number;
  /** seed of the initial phases; default 0 */
  seed?: number;
}

/** A waveform of `length` samples whose STFT magnitude approximates `mag` [frames, nFft/2 + 1]. */
export function griffinLim(mag: Float64Array, frames: number, s: StftSettings, length: number, opts: GriffinLimOptions = {}): Float64Array {
  const where = 'griffinLim';
  const iterations = opts.iterations ?? 60;
  const momentum = opts.momentum ?? 0.99;
  const bins = s.nFft / 2 + 1;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 10000) throw new ArgumentError(where, 'iterations', 'an integer in [0, 10000]', describe(iterations));
  if (!(momentum >= 0 && momentum < 1)) throw new ArgumentError(where, 'momentum', 'a number in [0, 1)', describe(momentum));
  if (!Number.isInteger(frames) || frames < 1 || mag.length !== frames * bins) throw new ArgumentError(where, 'mag', `[${frames}, ${bins}] magnitudes (frames × (nFft/2 + 1))`, `${mag.length} values`);
  const expected = 1 + Math.floor(length / s.hop);
  if (expected !== frames) throw new ArgumentError(where, 'length', `a length giving ${frames} frames at hop ${s.hop} (${(frames - 1) * s.hop}..${frames * s.hop - 1} samples)`, describe(length));
  for (let i = 0; i < mag.length; i++) if (!(mag[i]! >= 0) || !Number.isFinite(mag[i]!)) throw new ArgumentError(where, `mag[${i}]`, 'a finite magnitude >= 0', describe(mag[i]));
  const rng = new Rng(opts.seed ?? 0);
  const n = frames * bins;
  const phase = new Float64Array(2 * n); // unit phasors
  for (let i = 0; i < n; i++) {
    const a = 2 * Math.PI * rng.next();
    phase[2 * i] = Math.cos(a);
    phase[2 * i + 1] = Math.sin(a);
  }
  const spec: Spectrogram = { data: new Float64Array(2 * n), frames, bins };
  const withPhase = (): Spectrogram => {
    for (let i = 0; i < n; i++) {
      spec.data[2 * i] = mag[i]! * phase[2 * i]!;
      spec.data[2 * i + 1] = mag[i]! * phase[2 * i + 1]!;
    }
    return spec;
  };
  let prev: Float64Array | null = null;
  const beta = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    const x = istft(withPhase(), s, length);
    const X = stft(x, s).data;
    for (let i = 0; i < n; i++) {
      let re = X[2 * i]!;
      let im = X[2 * i + 1]!;
      if (prev) {
        re -= beta * prev[2 * i]!;
        im -= beta * prev[2 * i + 1]!;
      }
      const r = Math.hypot(re, im);
      if (r > 1e-12) {
        phase[2 * i] = re / r;
        phase[2 * i + 1] = im / r;
      }
    }
    prev = X;
  }
  return istft(withPhase(), s, length);
}

/** Spectral convergence ||S − |STFT(x)|||_F / ||S||_F of a waveform against target magnitudes. */
export function spectralConvergence(mag: Float64Array, x: ArrayLike<number>, s: StftSettings): number {
  const got = magnitude(stft(x, s));
  if (got.length !== mag.length) throw new ArgumentError('spectralConvergence', 'x', `a signal with ${mag.length / (s.nFft / 2 + 1)} frames`, `${got.length / (s.nFft / 2 + 1)} frames`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < mag.length; i++) {
    num += (mag[i]! - got[i]!) ** 2;
    den += mag[i]! ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}
