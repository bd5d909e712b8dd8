import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_AUDIO_FEATURES, featureCount } from '../../src/data/audio-features.js';
import { encodeWav16, readWav } from '../../src/data/wav.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { loadAnyModel } from '../../src/predict/load.js';
import { TtsModel, type TtsConfig } from '../../src/speech/acoustic-model.js';
import { SPEECH_MEL } from '../../src/speech/mel.js';
import { loadTtsModel, saveTtsModel } from '../../src/speech/tts-io.js';
import { parseDigits, synthesizeFiles } from '../../src/speech/synthesize.js';
import { verifyTts } from '../../src/speech/verify-tts.js';
import { attributeConditioning, unitVarianceSplit } from '../../src/speech/interpret.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-tts-'));
const cfg: TtsConfig = { digits: ['0', '1', '2'], speakers: ['ann', 'bob'], melBands: SPEECH_MEL.melBands, reduction: 2, cell: 'gru', hidden: 6, layers: 2, prenet: 8, prenetDropout: 0.5, digitDim: 3, speakerDim: 2 };
const pre = { mel: SPEECH_MEL, normalisation: { mean: Array(40).fill(-1), sd: Array(40).fill(1.5) }, trimDb: 30 };
const ttsDir = join(dir, 'tts');
// an untrained decoder may never stop; its stop bias is set so that it does after a few steps
const tts = new TtsModel(cfg, { seed: 1 });
tts.stopOut.bias.value[0] = 2;
saveTtsModel(ttsDir, tts, pre);

/** A tiny untrained classifier of MFCC frames saved with the fsdd recipe's audio settings. */
function classifier(name: string, classes: string[]): string {
  const D = featureCount(DEFAULT_AUDIO_FEATURES);
  const m = new SequenceModel({ input: { kind: 'numeric', features: D }, layers: [{ kind: 'gru', units: 4 }, { kind: 'dense', units: classes.length }] }, { seed: 2 });
  const out = join(dir, name);
  saveModel(out, m, { task: 'classification', classNames: classes, preprocessing: { audio: DEFAULT_AUDIO_FEATURES, sampleRate: 8000 } });
  return out;
}

test('synthesize: files named {digit}_{speaker}_{k}.wav at 8 kHz, --json lists them, no overwrite without --force, unknown names listed', () => {
  const out = join(dir, 'syn');
  const r = cli(['synthesize', '--model', ttsDir, '--digits', '01', '--speaker', 'bob', '--count', '2', '--out', out, '--json', '--iterations', '4']);
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout).files as string[];
  assert.deepEqual(files.map((f) => f.slice(out.length + 1)), ['0_bob_0.wav', '0_bob_1.wav', '1_bob_0.wav', '1_bob_1.wav']);
  for (const f of files) assert.equal(readWav(f).sampleRate, 8000);
  const again = cli(['synthesize', '--model', ttsDir, '--digits', '0', '--speaker', 'bob', '--out', out]);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /1 of the 1 output files exist already .*--force/);
  const bad = cli(['synthesize', '--model', ttsDir, '--digits', '0', '--speaker', 'carl', '--out', out]);
  assert.match(bad.stderr, /argument 'speaker' expected one of the model's speakers: ann, bob, received "carl"/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
  assert.throws(() => parseDigits('09', cfg.digits), /argument 'digit' expected one of the model's digits: 0, 1, 2, received "9"/);
  assert.throws(() => parseDigits('', cfg.digits), /--digits/);
  assert.equal(readdirSync(out).length, 4, 'nothing written by the refused calls');
});

test('synthesis is deterministic for a seed and differs across seeds and takes', () => {
  const { model, file } = loadTtsModel(ttsDir);
  const a = synthesizeFiles(model, file.preprocessing, { digits: ['2'], speakers: ['ann'], count: 2, seed: 5, out: join(dir, 'da'), iterations: 4 });
  const b = synthesizeFiles(model, file.preprocessing, { digits: ['2'], speakers: ['ann'], count: 2, seed: 5, out: join(dir, 'db'), iterations: 4 });
  const c = synthesizeFiles(model, file.preprocessing, { digits: ['2'], speakers: ['ann'], count: 1, seed: 6, out: join(dir, 'dc'), iterations: 4 });
  const bytes = (f: string) => readFileSync(f);
  assert.deepEqual(bytes(a[0]!.file), bytes(b[0]!.file));
  assert.notDeepEqual(bytes(a[0]!.file), bytes(a[1]!.file));
  assert.notDeepEqual(bytes(a[0]!.file), bytes(c[0]!.file));
});

test('predict --input accepts a folder of WAV files (features as saved with the model)', () => {
  const wavs = join(dir, 'wavs');
  mkdirSync(wavs);
  for (const [name, f] of [['b.wav', 300], ['a.wav', 700]] as const) writeFileSync(join(wavs, name), encodeWav16([Float32Array.from({ length: 3000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / 8000))], 8000));
  writeFileSync(join(wavs, 'notes.txt'), 'not audio');
  const model = classifier('rec', ['0', '1', '2']);
  const r = cli(['predict', '--model', model, '--input', wavs, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.files, ['a.wav', 'b.wav']);
  assert.equal(j.outputs.length, 2);
  assert.equal(j.predicted.length, 2);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.match(cli(['predict', '--model', model, '--input', empty]).stderr, /expected at least one \.wav file/);
});

test('tts-verify measures on a small FSDD-like folder; attribution and the unit variance split are well-formed', async () => {
  const data = join(dir, 'fsdd');
  mkdirSync(data);
  for (const d of cfg.digits)
    for (const [si, s] of cfg.speakers.entries())
      for (let take = 0; take < 7; take++) {
        // the takes of one digit and speaker: one tone, shifted and scaled (copies up to lag and gain)
        const f = 200 + 150 * Number(d) + 40 * si;
        const x = Float32Array.from({ length: 2400 }, (_, i) => (i > 300 + 20 * take && i < 2100 + 20 * take ? (0.2 + 0.02 * take) * Math.sin((2 * Math.PI * f * (i - 20 * take)) / 8000) : 0));
        writeFileSync(join(data, `${d}_${s}_${take}.wav`), encodeWav16([x], 8000));
      }
  const { model, file } = loadTtsModel(ttsDir);
  const recogniser = await loadAnyModel(classifier('rec2', cfg.digits));
  const speakerModel = await loadAnyModel(classifier('spk', cfg.speakers));
  const out = join(dir, 'verify');
  const r = verifyTts(model, file.preprocessing, { data, out, count: 1, seed: 0, iterations: 4, recogniser, speakerModel });
  assert.equal(r.files, 6);
  assert.equal(r.intelligibility.perSpeaker.length, 2);
  assert.equal(r.intelligibility.perDigit.length, 3);
  assert.equal(r.intelligibility.overall.n, 6);
  assert.equal(r.intelligibility.confusions.length, 6 - r.intelligibility.overall.successes);
  assert.equal(r.speakerSimilarity!.overall.n, 6);
  assert.ok(r.mcd.synthesisedMean > 0 && Number.isFinite(r.mcd.realMean) && r.mcd.realMean > 0);
  assert.ok(r.crossCorrelation.max > 0 && r.crossCorrelation.max < 0.9);
  // the measure sees a (shifted, scaled) copy: real take 0 against the training takes
  assert.ok(r.crossCorrelation.realHeldOutMax > 0.99, String(r.crossCorrelation.realHeldOutMax));
  assert.ok(existsSync(join(out, '2_bob_0.wav')));
  const at = attributeConditioning(model, '1', 'ann');
  assert.equal(at.digitAttribution.length, at.speakerAttribution.length);
  assert.ok(at.digitAttribution.some((v) => v !== 0) && at.speakerAttribution.some((v) => v !== 0));
  const shares = unitVarianceSplit(model);
  assert.equal(shares.length, cfg.layers * cfg.hidden);
  for (const u of shares) assert.ok(u.digitShare >= 0 && u.speakerShare >= 0 && u.digitShare + u.speakerShare <= 1 + 1e-9);
});

test('a damaged synthesiser folder is refused before its weights are read', () => {
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  const mf = JSON.parse(readFileSync(join(ttsDir, 'model.json'), 'utf8'));
  writeFileSync(join(bad, 'model.json'), JSON.stringify(mf));
  writeFileSync(join(bad, mf.weights.file), Buffer.alloc(12));
  assert.throws(() => loadTtsModel(bad), /expected \d+ bytes \(\d+ float32 values, from the config\), received 12 bytes/);
  writeFileSync(join(bad, 'model.json'), JSON.stringify({ ...mf, format: 'rnnlens-model' }));
  assert.throws(() => loadTtsModel(bad), /format' expected "rnnlens-tts"/);
  assert.throws(() => loadTtsModel(join(dir, 'nowhere')), /no synthesiser at/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
