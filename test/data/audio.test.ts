import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, encodeWav16, readWav } from '../../src/data/wav.js';
import { audioFeatures, deltas, DEFAULT_AUDIO_FEATURES } from '../../src/data/audio-features.js';
import { fsddUsualSplit, loadAudioFolder } from '../../src/data/audio-loader.js';
import { splitBy } from '../../src/data/split.js';
import wavefile from 'wavefile';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-audio-'));
const cases = JSON.parse(
  readFileSync(new URL('../fixtures/data/wav_cases.json', import.meta.url), 'utf8'),
) as {
  name: string;
  rate: number;
  bytes: string;
  mono: number[];
}[];

const tone = (freq: number, rate: number, n: number, amp = 0.5) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));

test('WAV decoding matches scipy for 8-bit unsigned, 16/32-bit PCM, float32 and stereo (averaged)', () => {
  assert.equal(cases.length, 5);
  for (const c of cases) {
    const a = decodeWav(Buffer.from(c.bytes, 'base64'), c.name);
    assert.equal(a.sampleRate, c.rate, c.name);
    assert.equal(a.samples.length, c.mono.length, c.name);
    c.mono.forEach((v, i) =>
      assert.ok(Math.abs(a.samples[i]! - v) < 1e-6, `${c.name}[${i}]: ${a.samples[i]} vs ${v}`),
    );
  }
});

test('a WAV written in the test reads back; resampling changes the rate and length', () => {
  const x = tone(440, 16000, 1600);
  const p = join(dir, 'tone.wav');
  writeFileSync(p, encodeWav16([x], 16000));
  const a = readWav(p);
  assert.equal(a.sampleRate, 16000);
  x.forEach((v, i) => assert.ok(Math.abs(a.samples[i]! - v) <= 1 / 32768 + 1e-7));
  const r = readWav(p, 8000);
  assert.equal(r.sampleRate, 8000);
  assert.ok(Math.abs(r.samples.length - 800) <= 1);
});

test('unreadable, empty and missing WAV files are errors naming the file', () => {
  const bad = join(dir, 'bad.wav');
  writeFileSync(bad, 'this is not a RIFF file at all');
  assert.throws(() => readWav(bad), /unreadable WAV file .*bad\.wav/);
  const empty = join(dir, 'empty.wav');
  writeFileSync(empty, '');
  assert.throws(() => readWav(empty), /WAV file is empty: .*empty\.wav/);
  assert.throws(() => readWav(join(dir, 'nope.wav')), /WAV file not found: .*nope\.wav/);
});

test('MFCC frame count and size: 1 + floor((n - N) / hop); a short signal gives one frame', () => {
  const f = audioFeatures(tone(300, 8000, 8000), 8000, DEFAULT_AUDIO_FEATURES);
  // N = 200 samples (25 ms), hop = 80 (10 ms): 1 + floor(7800 / 80) = 98
  assert.equal(f.steps, 98);
  assert.equal(f.features, 26); // 13 MFCCs + 13 deltas
  assert.equal(f.data.length, 98 * 26);
  const g = audioFeatures(tone(300, 16000, 100), 16000, {
    ...DEFAULT_AUDIO_FEATURES,
    deltas: 2,
    normalise: 'none',
  });
  assert.equal(g.steps, 1);
  assert.equal(g.features, 39);
  assert.ok(g.data.every(Number.isFinite));
});

test('log-mel: a higher tone peaks in a higher mel band; utterance normalisation gives mean 0, sd 1', () => {
  const s = {
    ...DEFAULT_AUDIO_FEATURES,
    kind: 'logmel' as const,
    melBands: 20,
    deltas: 0 as const,
    normalise: 'none' as const,
  };
  const peak = (freq: number) => {
    const f = audioFeatures(tone(freq, 8000, 4000), 8000, s);
    const mid = Math.floor(f.steps / 2) * f.features;
    const row = [...f.data.subarray(mid, mid + f.features)];
    return row.indexOf(Math.max(...row));
  };
  assert.ok(peak(3000) > peak(1000) + 3, `bands ${peak(1000)} and ${peak(3000)}`);
  assert.ok(peak(1000) > peak(200));
  const n = audioFeatures(
    tone(700, 8000, 4000).map((v, i) => v * (1 + i / 4000)),
    8000,
    { ...s, normalise: 'utterance' },
  );
  for (let d = 0; d < n.features; d++) {
    let m = 0;
    let m2 = 0;
    for (let t = 0; t < n.steps; t++) {
      m += n.data[t * n.features + d]!;
      m2 += n.data[t * n.features + d]! ** 2;
    }
    m /= n.steps;
    assert.ok(Math.abs(m) < 1e-4);
    const sd = Math.sqrt(m2 / n.steps - m * m);
    assert.ok(Math.abs(sd - 1) < 1e-3 || sd < 1e-6);
  }
});

test('deltas: a linear ramp has delta = slope inside, edges use repeated frames', () => {
  const steps = 10;
  const c = Float32Array.from({ length: steps }, (_, t) => 3 * t); // one coefficient, slope 3
  const d = deltas(c, steps, 1);
  for (let t = 2; t < steps - 2; t++) assert.ok(Math.abs(d[t]! - 3) < 1e-6);
  // t = 0: (1*(3-0) + 2*(6-0)) / 10 = 1.5
  assert.ok(Math.abs(d[0]! - 1.5) < 1e-6);
});

test('audio folder: FSDD names give labels, speakers and takes; cache gives identical frames', () => {
  const root = join(dir, 'fsdd');
  mkdirSync(root, { recursive: true });
  const freqs: Record<string, number> = { '0': 300, '1': 1200 };
  for (const label of ['0', '1']) {
    for (const spk of ['ann', 'bob']) {
      for (const take of [0, 7])
        writeFileSync(
          join(root, `${label}_${spk}_${take}.wav`),
          encodeWav16([tone(freqs[label]!, 8000, 2400 + take * 80)], 8000),
        );
    }
  }
  const cache = join(dir, 'cache');
  const progress: number[] = [];
  const ds = loadAudioFolder(root, { cacheDir: cache, onProgress: (p) => progress.push(p.done) });
  assert.equal(ds.items.length, 8);
  assert.deepEqual(ds.classNames, ['0', '1']);
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(ds.items[0]!.meta, { speaker: 'ann', take: 0, source: '0_ann_0.wav' });
  assert.equal(ds.items[1]!.steps, ds.items[0]!.steps + 7); // 560 more samples = 7 hops of 80
  // entries are keyed by content: both speakers' files here are identical, so 4 distinct entries
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.f32')).length, 4);
  const again = loadAudioFolder(root, { cacheDir: cache });
  again.items.forEach((it, i) => assert.deepEqual([...it.x], [...ds.items[i]!.x]));
  const fresh = loadAudioFolder(root);
  fresh.items.forEach((it, i) => assert.deepEqual([...it.x], [...ds.items[i]!.x]));
  const s = splitBy(ds, fsddUsualSplit);
  assert.equal(s.test.items.length, 4);
  assert.ok(s.test.items.every((it) => it.meta!.take === 0));
  assert.deepEqual(ds.settings.audio, DEFAULT_AUDIO_FEATURES);
});

test('audio folder: sub-folder labels, unseen labels, bad names, mixed rates, no files', () => {
  const root = join(dir, 'byfolder');
  for (const c of ['yes', 'no']) {
    mkdirSync(join(root, c), { recursive: true });
    writeFileSync(join(root, c, `sam_${c}.wav`), encodeWav16([tone(500, 8000, 800)], 8000));
  }
  const ds = loadAudioFolder(root, { labels: 'folders' });
  assert.deepEqual(ds.classNames, ['no', 'yes']);
  assert.equal(ds.items[0]!.meta!.speaker, 'sam');
  assert.throws(
    () => loadAudioFolder(root, { labels: 'folders', classNames: ['yes'] }),
    /received "no"/,
  );
  const badName = join(dir, 'badname');
  mkdirSync(badName);
  writeFileSync(join(badName, 'hello.wav'), encodeWav16([tone(500, 8000, 800)], 8000));
  assert.throws(() => loadAudioFolder(badName), /"hello\.wav" is not of the form/);
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  writeFileSync(join(mixed, '1_a_0.wav'), encodeWav16([tone(500, 8000, 800)], 8000));
  writeFileSync(join(mixed, '1_a_1.wav'), encodeWav16([tone(500, 16000, 1600)], 16000));
  assert.throws(() => loadAudioFolder(mixed), /16000 Hz but earlier files 8000 Hz/);
  assert.equal(loadAudioFolder(mixed, { sampleRate: 8000 }).items.length, 2);
  const none = join(dir, 'none');
  mkdirSync(none);
  assert.throws(() => loadAudioFolder(none), /no \.wav files/);
  const corrupt = join(dir, 'corrupt');
  mkdirSync(corrupt);
  writeFileSync(join(corrupt, '3_x_1.wav'), 'garbage');
  assert.throws(() => loadAudioFolder(corrupt), /unreadable WAV file .*3_x_1\.wav/);
});

const FSDD = join(
  new URL('../..', import.meta.url).pathname,
  '..',
  'shared',
  'data',
  'fsdd',
  'recordings',
);
test(
  'FSDD recordings (real data): a few files load with speaker metadata',
  { skip: existsSync(FSDD) ? false : `FSDD not found at ${FSDD}; skipping the real-data check` },
  () => {
    const ds = loadAudioFolder(FSDD, {
      filter: (f) => /^[0-9]_jackson_[0-2]\.wav$/.test(f),
      speakersFile: join(FSDD, '..', 'speakers.json'),
    });
    assert.equal(ds.items[0]!.meta!.gender, 'male');
    assert.equal(ds.items.length, 30);
    assert.deepEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.ok(
      ds.items.every((it) => it.meta!.speaker === 'jackson' && it.steps > 10 && it.steps < 400),
    );
    assert.equal(ds.settings.sampleRate, 8000);
    assert.equal(ds.features, 26);
  },
);

test('24-bit PCM is scaled by 2^23', () => {
  const w = new wavefile.WaveFile();
  const ints = Int32Array.of(0, 4194304, -8388608, 8388607); // 0, 0.5, -1, ~1 at 24 bits
  w.fromScratch(1, 44100, '24', ints);
  const a = decodeWav(w.toBuffer(), '24-bit');
  assert.equal(a.sampleRate, 44100);
  assert.deepEqual([...a.samples], [0, 0.5, -1, Math.fround(8388607 / 8388608)]);
});
