import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { wilsonInterval } from '../../src/verify/stats/proportion.js';
import { maxNormalisedCrossCorrelation, mcdDtw, melCepstrum } from '../../src/speech/metrics.js';
import { logMel, SPEECH_MEL } from '../../src/speech/mel.js';
import { trimSilence } from '../../src/speech/tts-data.js';

const chirp = (n: number, f0: number, f1: number) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(2 * Math.PI * (f0 + ((f1 - f0) * i) / (2 * n)) * (i / 8000)));

test('Wilson intervals: 8/10 gives [0.4902, 0.9433] (Newcombe 1998, table I), 0/n and n/n stay inside [0, 1], bad input refused', () => {
  const w = wilsonInterval(8, 10);
  assert.ok(Math.abs(w.low - 0.49016) < 1e-4 && Math.abs(w.high - 0.94332) < 1e-4, JSON.stringify(w));
  const z = wilsonInterval(0, 10);
  assert.equal(z.low, 0);
  assert.ok(Math.abs(z.high - 0.27753) < 1e-4);
  const all = wilsonInterval(57, 60);
  assert.ok(Math.abs(all.low - 0.86299) < 1e-4 && Math.abs(all.high - 0.98285) < 1e-4);
  assert.ok(wilsonInterval(8, 10, 0.9).low > w.low);
  assert.throws(() => wilsonInterval(11, 10), /successes' expected an integer in \[0, 10\]/);
  assert.throws(() => wilsonInterval(0, 0), /'n' expected an integer >= 1/);
});

test('MCD with DTW: 0 for the same word, 0 for a copy played at half speed, larger for another word', () => {
  const a = melCepstrum(logMel(chirp(4000, 300, 900), SPEECH_MEL));
  const C = 12;
  assert.equal(mcdDtw(a, a, C).mcd, 0);
  // every frame twice: DTW aligns it without cost
  const slow = new Float64Array(a.length * 2);
  for (let t = 0; t < a.length / C; t++) {
    slow.set(a.subarray(t * C, (t + 1) * C), 2 * t * C);
    slow.set(a.subarray(t * C, (t + 1) * C), (2 * t + 1) * C);
  }
  const s = mcdDtw(a, slow, C);
  assert.equal(s.mcd, 0);
  assert.equal(s.pathLength, slow.length / C);
  const b = melCepstrum(logMel(chirp(4000, 1500, 600), SPEECH_MEL));
  assert.ok(mcdDtw(a, b, C).mcd > 1);
  assert.throws(() => mcdDtw(new Float64Array(0), a, C), /non-empty/);
  assert.throws(() => melCepstrum(logMel(chirp(400, 300, 900)), 40), /coefficients/);
});

test('normalised cross-correlation: 1 at the right lag for a shifted, scaled copy; small for independent noise', () => {
  const rng = new Rng(1);
  const x = Float64Array.from({ length: 3000 }, () => rng.normal());
  const y = new Float64Array(3500);
  for (let i = 0; i < x.length; i++) y[i + 123] = -0.3 * x[i]!;
  const r = maxNormalisedCrossCorrelation(x, y);
  assert.ok(Math.abs(r.value - 1) < 1e-9, String(r.value));
  assert.equal(r.lag, 123);
  const z = Float64Array.from({ length: 3000 }, () => rng.normal());
  assert.ok(maxNormalisedCrossCorrelation(x, z).value < 0.1);
  assert.equal(maxNormalisedCrossCorrelation(x, new Float64Array(10)).value, 0);
});

test('silence trimming keeps the word and a two-window margin', () => {
  const x = new Float32Array(8000);
  x.set(chirp(2000, 400, 500), 3000);
  const t = trimSilence(x, 64);
  assert.ok(t.length >= 2000 && t.length <= 2000 + 6 * 64, String(t.length));
  assert.equal(trimSilence(new Float32Array(100), 64).length, 100);
});
