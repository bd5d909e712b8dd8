// A tts-verify run recorded through the CLI (tiny untrained synthesiser, tone "recordings"):
// its WAVs are served as audio/wav with a valid RIFF header, byte ranges work, the token is
// required, and the run holds the items, spectrograms, metrics and figures the audio panel uses.
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are loose JSON here */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { decodeWav, readWav } from '../../src/data/wav.js';
import { RunStore } from '../../src/runs/store.js';
import { createServer } from '../../src/server/app.js';
import { SPEECH_MEL } from '../../src/speech/mel.js';
import { trimSilence } from '../../src/speech/tts-data.js';
import { cliFromSources, makeTinyTts, recordTtsVerifyRun, TINY_TTS, type TinyTts } from '../speech/tiny-tts.js';

const TOKEN = 'tts-test-token-0123';
let dir: string;
let tiny: TinyTts;
let run: string;
let out: string;
let store: RunStore;
let app: FastifyInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlens-tts-run-'));
  tiny = makeTinyTts(dir);
  ({ run, out } = recordTtsVerifyRun(dir, tiny, join(dir, 'runs')));
  store = RunStore.open(join(dir, 'runs'));
  app = await createServer({ store, webDir: null, token: TOKEN });
});
after(async () => {
  await app?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
const artifact = (name: string, raw = false) => `/api/runs/${run}/artifacts/${name}?token=${TOKEN}${raw ? '&raw=true' : ''}`;

/** The HTK mel band (40 bands over 0-4 kHz) whose centre is nearest to `hz`, computed here. */
function nearestBand(hz: number): number {
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const top = mel(4000);
  let best = 0;
  for (let m = 0; m < 40; m++) if (Math.abs(((m + 1) * top) / 41 - mel(hz)) < Math.abs(((best + 1) * top) / 41 - mel(hz))) best = m;
  return best;
}

describe('a recorded tts-verify run', () => {
  it('serves its WAVs as audio/wav with a valid RIFF header, behind the token', async () => {
    const r = await get(artifact('synth-1_bob_0.wav'));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], 'audio/wav');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    const body = r.rawPayload;
    assert.equal(Number(r.headers['content-length']), body.length);
    assert.equal(body.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(body.readUInt32LE(4), body.length - 8, 'RIFF chunk size = file size - 8');
    assert.equal(body.subarray(8, 16).toString('latin1'), 'WAVEfmt ');
    assert.equal(body.readUInt16LE(20), 1, 'PCM');
    assert.equal(body.readUInt32LE(24), 8000, 'sample rate');
    assert.deepEqual(body, readFileSync(join(out, '1_bob_0.wav')), 'the synthesised file as written by tts-verify');
    assert.equal(decodeWav(body).sampleRate, 8000);
    const raw = await get(artifact('synth-1_bob_0.wav', true));
    assert.equal(raw.headers['content-type'], 'audio/wav');
    assert.match(String(raw.headers['content-disposition']), /^attachment/);
    const real = await get(artifact('real-1_bob_0.wav'));
    assert.equal(real.headers['content-type'], 'audio/wav');
    assert.deepEqual(real.rawPayload, readFileSync(join(tiny.data, '1_bob_0.wav')), 'the real counterpart is the held-out recording');
    for (const headers of [{}, { authorization: 'Bearer wrong-token-000' }] as Record<string, string>[]) {
      const denied = await get(`/api/runs/${run}/artifacts/synth-1_bob_0.wav`, headers);
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.json().error.code, 'unauthorized');
    }
  });

  it('answers byte ranges with 206 and Content-Range, and 416 past the end', async () => {
    const whole = (await get(artifact('synth-0_ann_0.wav'))).rawPayload;
    const head = await get(artifact('synth-0_ann_0.wav'), { range: 'bytes=0-11' });
    assert.equal(head.statusCode, 206);
    assert.equal(head.headers['content-range'], `bytes 0-11/${whole.length}`);
    assert.equal(head.headers['content-type'], 'audio/wav');
    assert.deepEqual(head.rawPayload, whole.subarray(0, 12));
    const open = await get(artifact('synth-0_ann_0.wav'), { range: 'bytes=100-' });
    assert.equal(open.statusCode, 206);
    assert.deepEqual(open.rawPayload, whole.subarray(100));
    const tail = await get(artifact('synth-0_ann_0.wav'), { range: 'bytes=-4' });
    assert.equal(tail.headers['content-range'], `bytes ${whole.length - 4}-${whole.length - 1}/${whole.length}`);
    assert.deepEqual(tail.rawPayload, whole.subarray(-4));
    const beyond = await get(artifact('synth-0_ann_0.wav'), { range: `bytes=${whole.length}-` });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${whole.length}`);
    assert.equal(beyond.json().error.code, 'range_not_satisfiable');
    const several = await get(artifact('synth-0_ann_0.wav'), { range: 'bytes=0-1,5-6' });
    assert.equal(several.statusCode, 200, 'several ranges: the whole file');
    assert.equal(several.rawPayload.length, whole.length);
  });

  it('records the items, spectrograms, verification metrics and figures', async () => {
    const items = (await get(artifact('tts-items.json'))).json().content;
    const verification = (await get(artifact('verification.json'))).json().content;
    // --count 2 synthesised 12 files; the first take of each digit and speaker is recorded
    assert.equal(items.synthesised, 12);
    assert.equal(items.items.length, TINY_TTS.digits.length * TINY_TTS.speakers.length);
    const [lo, hi] = items.melRange;
    assert.ok(lo < hi);
    for (const it of items.items) {
      assert.equal(it.take, 0);
      assert.equal(it.audio, `synth-${it.digit}_${it.speaker}_0.wav`);
      assert.equal(it.real, `real-${it.digit}_${it.speaker}_0.wav`);
      const v = verification.items.find((x: any) => x.file.endsWith(`${it.id}.wav`));
      assert.equal(it.recognisedAs, v.heard);
      assert.ok(TINY_TTS.digits.includes(it.recognisedAs));
      assert.ok(TINY_TTS.speakers.includes(it.speakerHeard));
      assert.ok(Math.abs(it.maxCrossCorrelation - v.maxCrossCorrelation) < 1e-4);
      assert.ok(it.maxCrossCorrelation > 0 && it.maxCrossCorrelation <= verification.crossCorrelation.max + 1e-4);
      const mel = (await get(artifact(it.mel))).json().content;
      for (const s of [mel.synthesised, mel.real]) {
        assert.equal(s.bands, 40);
        assert.equal(s.values.length, s.frames);
        assert.ok(s.values.every((row: number[]) => row.length === 40 && row.every((x) => Number.isFinite(x) && Math.abs(x * 100 - Math.round(x * 100)) < 1e-6)));
      }
      // the real spectrogram: centred frames of the trimmed recording, the tone's band strongest
      const x = trimSilence(readWav(join(tiny.data, `${it.digit}_${it.speaker}_0.wav`)).samples, SPEECH_MEL.hop, 30);
      assert.equal(mel.real.frames, 1 + Math.floor(x.length / SPEECH_MEL.hop));
      const f = 200 + 150 * Number(it.digit) + 40 * TINY_TTS.speakers.indexOf(it.speaker);
      const mean = Array.from({ length: 40 }, (_, b) => mel.real.values.reduce((s: number, row: number[]) => s + row[b]!, 0));
      assert.ok(Math.abs(mean.indexOf(Math.max(...mean)) - nearestBand(f)) <= 1, `${f} Hz in band ${mean.indexOf(Math.max(...mean))}, expected ${nearestBand(f)}`);
    }
    const details = (await get(`/api/runs/${run}?token=${TOKEN}`)).json();
    const m = details.run.metrics;
    assert.equal(details.run.kind, 'tts-verify');
    assert.equal(m.intelligibility, verification.intelligibility.overall.estimate);
    assert.equal(m.intelligibility_ci_low, verification.intelligibility.overall.low);
    for (const d of TINY_TTS.digits) assert.ok(m[`intelligibility_digit_${d}_ci_high`] >= m[`intelligibility_digit_${d}`]);
    for (const s of TINY_TTS.speakers) {
      assert.equal(m[`speakerSimilarity_speaker_${s}`], verification.speakerSimilarity.perSpeaker.find((g: any) => g.name === s).interval.estimate);
      assert.ok(m[`mcd_speaker_${s}`] > 0);
    }
    assert.equal(m.mcd, verification.mcd.synthesisedMean);
    assert.equal(m.maxCrossCorrelation, verification.crossCorrelation.max);
    assert.deepEqual(details.keyMetrics.slice(0, 4), ['intelligibility', 'intelligibility_ci_low', 'intelligibility_ci_high', 'speakerSimilarity']);
    const figs = (await get(`/api/runs/${run}/figures?token=${TOKEN}`)).json().figures;
    const bars = figs.filter((f: any) => f.figure === 'error-bars');
    assert.equal(bars.length, 2);
    assert.ok(bars.every((f: any) => f.spec && !f.error));
  });
});

describe('synthesize --runs-dir', () => {
  it('records the synthesised takes (and, with --data, real counterparts); without it nothing is recorded', () => {
    const runs = join(dir, 'syn-runs');
    const r = cliFromSources(['synthesize', '--model', tiny.tts, '--digits', '02', '--speaker', 'ann', '--count', '2', '--record-takes', '2', '--out', join(dir, 'syn'), '--iterations', '4', '--runs-dir', runs, '--data', tiny.data, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const id = JSON.parse(r.stdout).run as string;
    const s = RunStore.open(runs);
    try {
      assert.equal(s.get(id).kind, 'synthesize');
      const names = s.artifacts(id).map((a) => a.name);
      for (const n of ['synth-0_ann_0.wav', 'synth-0_ann_1.wav', 'synth-2_ann_1.wav', 'real-2_ann_1.wav', 'mel-2_ann_1.json', 'tts-items.json']) assert.ok(names.includes(n), n);
    } finally {
      s.close();
    }
    const plain = cliFromSources(['synthesize', '--model', tiny.tts, '--digits', '1', '--speaker', 'bob', '--out', join(dir, 'syn2'), '--iterations', '4', '--json']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(JSON.parse(plain.stdout).run, undefined);
    const bad = cliFromSources(['synthesize', '--model', tiny.tts, '--digits', '1', '--speaker', 'bob', '--out', join(dir, 'syn3'), '--record-takes', 'x']);
    assert.match(bad.stderr, /--record-takes expected an integer >= 0, received "x"/);
    assert.ok(!existsSync(join(dir, 'syn3')));
    const noData = cliFromSources(['synthesize', '--model', tiny.tts, '--digits', '1', '--speaker', 'bob', '--out', join(dir, 'syn4'), '--runs-dir', runs, '--data', join(dir, 'nowhere')]);
    assert.equal(noData.status, 1);
    assert.match(noData.stderr, /--data \(FSDD recordings\) not found: .*nowhere/);
    assert.doesNotMatch(noData.stderr, /at .*\.ts:\d+/);
    assert.ok(!existsSync(join(dir, 'syn4')), 'nothing synthesised');
  });
});
