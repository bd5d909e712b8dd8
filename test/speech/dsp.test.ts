import { test } from 'node:test';
import assert from 'node:assert/strict';
import FFT from 'fft.js';
import { decodeWav } from '../../src/data/wav.js';
import { ArgumentError } from '../../src/core/errors.js';
import { istft, magnitude, stft } from '../../src/speech/stft.js';
import { invertLogMel, logMel, logMelOfMagnitude, melFilterBank, SPEECH_MEL } from '../../src/speech/mel.js';
import { griffinLim, spectralConvergence } from '../../src/speech/griffin-lim.js';
import { melToWaveform, waveformToWav } from '../../src/speech/vocoder.js';

const S = SPEECH_MEL;
const tone = (freq: number, n: number, amp = 0.5) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / S.sampleRate));

/** The frequency of the largest bin of the whole signal's spectrum (zero-padded to a power of two). */
function dominantHz(x: ArrayLike<number>): number {
  let N = 1;
  while (N < x.length) N *= 2;
  const f = new FFT(N);
  const buf = new Float64Array(N);
  for (let i = 0; i < x.length; i++) buf[i] = x[i]!;
  const out = f.createComplexArray() as number[];
  f.realTransform(out, buf);
  let best = 0;
  let k0 = 0;
  for (let k = 1; k < N / 2; k++) {
    const m = Math.hypot(out[2 * k]!, out[2 * k + 1]!);
    if (m > best) [best, k0] = [m, k];
  }
  return (k0 * S.sampleRate) / N;
}

test('STFT then ISTFT gives the signal back (perfect reconstruction of the Hann overlap-add)', () => {
  const x = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.91));
  const y = istft(stft(x, S), S, x.length);
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i]! - y[i]!));
  assert.ok(err < 1e-9, `max error ${err}`);
});

test('the mel filter bank: triangles peaking at most at 1, every band non-empty, covering the inner bins', () => {
  const M = melFilterBank(S);
  const bins = S.nFft / 2 + 1;
  for (let m = 0; m < S.melBands; m++) {
    const row = M.subarray(m * bins, (m + 1) * bins);
    const mx = Math.max(...row);
    assert.ok(mx > 0.3 && mx <= 1, `band ${m} peak ${mx}`);
  }
  for (let k = 1; k < bins - 1; k++) {
    let s = 0;
    for (let m = 0; m < S.melBands; m++) s += M[m * bins + k]!;
    assert.ok(s > 0, `bin ${k} in no band`);
  }
});

test('a 440 Hz tone survives wav → log-mel → inverse mel → Griffin–Lim (dominant frequency within one bin, stated errors)', () => {
  const x = tone(440, 4000);
  const audio = decodeWav(waveformToWav(x, S.sampleRate));
  const mel = logMel(audio.samples, S);
  const mag = invertLogMel(mel, S);
  // the inverse mel is non-negative and reproduces the mel energies closely
  assert.ok(mag.every((v) => v >= 0));
  const again = logMelOfMagnitude(mag, mel.frames, S);
  let melErr = 0;
  let n = 0;
  for (let i = 0; i < mel.data.length; i++) {
    if (mel.data[i]! > Math.log(S.floor) + 3) {
      melErr += Math.abs(mel.data[i]! - again.data[i]!);
      n++;
    }
  }
  melErr /= n;
  assert.ok(melErr < 0.05, `mean |Δ log-mel| after inversion ${melErr}`);
  const y = griffinLim(mag, mel.frames, S, (mel.frames - 1) * S.hop, { iterations: 40, seed: 1 });
  // the inverted mel magnitudes are smoother than any STFT's, so Griffin–Lim cannot meet them
  // exactly (0.25 measured); exact magnitudes of the tone itself converge to 0.07
  const sc = spectralConvergence(mag, y, S);
  assert.ok(sc < 0.3, `spectral convergence ${sc}`);
  const exact = magnitude(stft(x, S));
  const y2 = griffinLim(exact, mel.frames, S, (mel.frames - 1) * S.hop, { iterations: 40, seed: 1 });
  const sc2 = spectralConvergence(exact, y2, S);
  assert.ok(sc2 < 0.1, `spectral convergence from exact magnitudes ${sc2}`);
  const f = dominantHz(y);
  assert.ok(Math.abs(f - 440) <= S.sampleRate / S.nFft, `dominant frequency ${f} Hz`);
  // the log-mel of the reconstruction is close to the original's where there is energy
  const back = logMel(y, S);
  // (bands within 3 nats of the strongest band of their frame: the rest is leakage near the floor)
  let d = 0;
  let cnt = 0;
  for (let t = 0; t < mel.frames; t++) {
    const row = mel.data.subarray(t * S.melBands, (t + 1) * S.melBands);
    const top = Math.max(...row);
    for (let m = 0; m < S.melBands; m++) {
      if (row[m]! < top - 3) continue;
      d += Math.abs(back.data[t * S.melBands + m]! - row[m]!);
      cnt++;
    }
  }
  d /= cnt;
  assert.ok(d < 0.35, `mean |Δ log-mel| of the reconstruction in the strong bands (0.22 measured) ${d}`);
});

test('Griffin–Lim is deterministic for a seed and differs across seeds; random phases alone do badly', () => {
  const x = Float64Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * 300 * i) / 8000) * (1 + Math.sin(i / 300)) * 0.3);
  const mag = magnitude(stft(x, S));
  const frames = mag.length / (S.nFft / 2 + 1);
  const a = griffinLim(mag, frames, S, x.length, { iterations: 10, seed: 3 });
  const b = griffinLim(mag, frames, S, x.length, { iterations: 10, seed: 3 });
  const c = griffinLim(mag, frames, S, x.length, { iterations: 10, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const none = griffinLim(mag, frames, S, x.length, { iterations: 0, seed: 3 });
  assert.ok(spectralConvergence(mag, a, S) < 0.5 * spectralConvergence(mag, none, S));
  const w1 = melToWaveform(logMel(x, S), S, { iterations: 5, seed: 2 });
  const w2 = melToWaveform(logMel(x, S), S, { iterations: 5, seed: 2 });
  assert.deepEqual(w1, w2);
  assert.ok(Math.abs(Math.max(...w1.map(Math.abs)) - 0.9) < 1e-6);
});

test('bad input is refused with the argument named', () => {
  assert.throws(() => stft(new Float32Array(10), { nFft: 100, hop: 10 }), (e: unknown) => e instanceof ArgumentError && /nFft/.test(e.message));
  assert.throws(() => stft(new Float32Array(0), S), /at least one sample/);
  assert.throws(() => logMel(new Float32Array(100), { ...S, melBands: 500 }), /melBands/);
  assert.throws(() => logMel(new Float32Array(100), { ...S, fMax: 5000 }), /Nyquist/);
  assert.throws(() => invertLogMel({ data: new Float32Array(6), frames: 2, bands: 3 }, S), /mel.bands/);
  const bad = new Float32Array(80).fill(0);
  bad[5] = Number.NaN;
  assert.throws(() => invertLogMel({ data: bad, frames: 2, bands: 40 }, S), /mel.data\[5\]/);
  assert.throws(() => griffinLim(new Float64Array(129), 1, S, 1000), /length/);
  assert.throws(() => griffinLim(new Float64Array(129).fill(-1), 1, S, 10), /mag\[0\]/);
  assert.throws(() => griffinLim(new Float64Array(129), 1, S, 10, { momentum: 1 }), /momentum/);
  assert.throws(() => melToWaveform({ data: new Float32Array(40), frames: 1, bands: 40 }, S), /at least 2 frames/);
});
