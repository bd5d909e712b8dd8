// A tiny untrained synthesiser (3 digits, 2 voices), tiny untrained recogniser and speaker
// classifier and a small FSDD-like folder of tone "recordings", for tests of what `tts-verify`
// and `synthesize` record; `recordTtsVerifyRun` runs `tts-verify` on them through the CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_AUDIO_FEATURES, featureCount } from '../../src/data/audio-features.js';
import { encodeWav16 } from '../../src/data/wav.js';
import { SequenceModel } from '../../src/nn/model.js';
import { TtsModel, type TtsConfig } from '../../src/speech/acoustic-model.js';
import { SPEECH_MEL } from '../../src/speech/mel.js';
import { saveTtsModel } from '../../src/speech/tts-io.js';
import { saveModel } from '../../src/train/checkpoint.js';

export const TINY_TTS: TtsConfig = { digits: ['0', '1', '2'], speakers: ['ann', 'bob'], melBands: SPEECH_MEL.melBands, reduction: 2, cell: 'gru', hidden: 6, layers: 2, prenet: 8, prenetDropout: 0.5, digitDim: 3, speakerDim: 2 };

const root = new URL('../..', import.meta.url).pathname;

/** rnnlens from the TypeScript sources. */
export const cliFromSources = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });

function classifier(dir: string, name: string, classes: string[]): string {
  const D = featureCount(DEFAULT_AUDIO_FEATURES);
  const m = new SequenceModel({ input: { kind: 'numeric', features: D }, layers: [{ kind: 'gru', units: 4 }, { kind: 'dense', units: classes.length }] }, { seed: 2 });
  const out = join(dir, name);
  saveModel(out, m, { task: 'classification', classNames: classes, preprocessing: { audio: DEFAULT_AUDIO_FEATURES, sampleRate: 8000 } });
  return out;
}

export interface TinyTts {
  tts: string;
  recogniser: string;
  speaker: string;
  /** The FSDD-like folder: takes 0–6 of every digit and speaker. */
  data: string;
}

export function makeTinyTts(dir: string): TinyTts {
  const pre = { mel: SPEECH_MEL, normalisation: { mean: Array(40).fill(-1), sd: Array(40).fill(1.5) }, trimDb: 30 };
  const model = new TtsModel(TINY_TTS, { seed: 1 });
  // an untrained decoder may never stop; its stop bias is set so that it does after a few steps
  model.stopOut.bias.value[0] = 2;
  const tts = join(dir, 'tts');
  saveTtsModel(tts, model, pre);
  const data = join(dir, 'fsdd');
  mkdirSync(data, { recursive: true });
  for (const d of TINY_TTS.digits)
    for (const [si, s] of TINY_TTS.speakers.entries())
      for (let take = 0; take < 7; take++) {
        const f = 200 + 150 * Number(d) + 40 * si;
        const x = Float32Array.from({ length: 2400 }, (_, i) => (i > 300 + 20 * take && i < 2100 + 20 * take ? (0.2 + 0.02 * take) * Math.sin((2 * Math.PI * f * (i - 20 * take)) / 8000) : 0));
        writeFileSync(join(data, `${d}_${s}_${take}.wav`), encodeWav16([x], 8000));
      }
  return { tts, recogniser: classifier(dir, 'rec', TINY_TTS.digits), speaker: classifier(dir, 'spk', TINY_TTS.speakers), data };
}

/** `tts-verify --count 2` (first take recorded) into `runsDir`; returns the run id and the --out folder. */
export function recordTtsVerifyRun(dir: string, t: TinyTts, runsDir: string): { run: string; out: string } {
  const out = join(dir, 'verify');
  const r = cliFromSources(['tts-verify', '--model', t.tts, '--recogniser', t.recogniser, '--speaker-model', t.speaker, '--data', t.data, '--out', out, '--count', '2', '--iterations', '4', '--runs-dir', runsDir, '--json']);
  if (r.status !== 0) throw new Error(`tts-verify failed: ${r.stderr}`);
  const run = (JSON.parse(r.stdout) as { run?: string }).run;
  if (!run) throw new Error(`tts-verify recorded no run: ${r.stdout.slice(0, 200)}`);
  return { run, out };
}
