import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadUtterances, fitMelNormalisation } from '../../src/speech/tts-data.js';
import { splitUtterances } from '../../src/speech/tts-train.js';
import { melToWaveform } from '../../src/speech/vocoder.js';
import { logMel, SPEECH_MEL } from '../../src/speech/mel.js';
import { mcdDtw, melCepstrum } from '../../src/speech/metrics.js';

const FSDD = process.env.RNNLENS_FSDD ?? join(new URL('../..', import.meta.url).pathname, '..', '..', 'shared', 'data', 'fsdd', 'recordings');
const skip = existsSync(FSDD) ? false : `FSDD recordings not found at ${FSDD} (set RNNLENS_FSDD to the recordings folder)`;

test('FSDD: trimmed words of one speaker, the usual split, and real speech through log-mel → Griffin–Lim', { skip }, () => {
  const us = loadUtterances(FSDD, { filter: (f) => /^[0-9]_george_[0-6]\.wav$/.test(f) });
  assert.equal(us.length, 70);
  for (const u of us) assert.ok(u.frames >= 15 && u.frames <= 112, `${u.file}: ${u.frames} frames`);
  const s = splitUtterances(us);
  assert.equal(s.test.length, 50);
  assert.ok(s.train.every((u) => u.take >= 5));
  const norm = fitMelNormalisation(s.train, SPEECH_MEL.melBands);
  assert.ok(norm.sd.every((v) => v > 0.1));
  // vocoding the analysis of a real word gives back a word closer to itself than to another digit
  const seven = us.find((u) => u.file === '7_george_0.wav')!;
  const one = us.find((u) => u.file === '1_george_0.wav')!;
  const y = melToWaveform({ data: seven.mel, frames: seven.frames, bands: 40 }, SPEECH_MEL, { iterations: 30 });
  const cy = melCepstrum(logMel(y));
  const self = mcdDtw(cy, melCepstrum({ data: seven.mel, frames: seven.frames, bands: 40 }), 12).mcd;
  const other = mcdDtw(cy, melCepstrum({ data: one.mel, frames: one.frames, bands: 40 }), 12).mcd;
  assert.ok(self < 0.6 * other, `MCD to itself ${self.toFixed(2)} dB, to another digit ${other.toFixed(2)} dB`);
});
