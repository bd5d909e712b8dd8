import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioItem, textItem } from '../../src/data/preprocess.js';
import { loadAudioFolder } from '../../src/data/audio-loader.js';
import { applyZScore, fitZScore } from '../../src/data/normalise.js';
import { encodeWav16 } from '../../src/data/wav.js';
import { textClassificationDataset } from '../../src/data/text-loaders.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-pre-'));

test('audio: saved settings reproduce the training features of a file, global normalisation included', () => {
  const root = join(dir, 'wavs');
  mkdirSync(root);
  for (let k = 0; k < 4; k++) {
    const x = Float32Array.from(
      { length: 1600 + 160 * k },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * (200 + 150 * k) * i) / 8000),
    );
    writeFileSync(join(root, `${k % 2}_s_${k}.wav`), encodeWav16([x], 8000));
  }
  const raw = loadAudioFolder(root, {
    features: { kind: 'logmel', melBands: 24, normalise: 'none', deltas: 2 },
  });
  const ds = applyZScore(raw, fitZScore(raw));
  const again = audioItem(join(root, '1_s_3.wav'), ds.settings);
  assert.equal(again.steps, ds.items[3]!.steps);
  again.x.forEach((v, j) => assert.ok(Math.abs(v - ds.items[3]!.x[j]!) < 1e-5));
  assert.throws(() => audioItem(join(root, '1_s_3.wav'), {}), /settings\.audio/);
});

test('text: saved tokenizer and length cut reproduce the encoding', () => {
  const { dataset } = textClassificationDataset(
    [
      { text: 'one two three four', label: 'a', source: '1' },
      { text: 'two three', label: 'b', source: '2' },
    ],
    { maxLength: 3 },
  );
  const settings = JSON.parse(JSON.stringify(dataset.settings)); // as saved with a model
  assert.deepEqual([...textItem('one two three four', settings).x], [...dataset.items[0]!.x]);
  const stats = { tokens: 0, unknown: 0 };
  assert.deepEqual([...textItem('five two', settings, stats).x], [1, dataset.items[1]!.x[0]]);
  assert.equal(stats.unknown, 1);
});
