/**
 * Verification of a synthesiser (`rnnlens tts-verify`): synthesise `count` takes of every digit in
 * every voice, then measure
 * - intelligibility: the accuracy of a digit recogniser (the fsdd recipe) on the synthesised
 *   files, overall, per digit and per speaker, with Wilson 95% intervals;
 * - speaker similarity: the accuracy of a speaker classifier (the fsdd-speaker recipe) at naming
 *   the intended voice, with the same intervals;
 * - mel-cepstral distortion with DTW (metrics.ts) against each held-out recording (takes 0–4) of
 *   the same digit and speaker, beside the same measure between real held-out and real training
 *   recordings (take 5) as the natural spread of one speaker saying one digit;
 * - the largest normalised cross-correlation of each synthesised file with every training
 *   recording (takes ≥ 5) of the same digit and speaker, which must stay below 0.9.
 * Recordings are trimmed like the synthesiser's training targets before MCD; cross-correlation
 * uses them whole.
 */
import { join } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { audioItem } from '../data/preprocess.js';
import { readWav } from '../data/wav.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { predictOutputs } from '../predict/predict.js';
import { wilsonInterval, type ProportionInterval } from '../verify/stats/proportion.js';
import { listFolder } from '../data/files.js';
import type { TtsModel } from './acoustic-model.js';
import { logMel } from './mel.js';
import { maxNormalisedCrossCorrelation, mcdDtw, melCepstrum } from './metrics.js';
import { synthesizeFiles, type SynthesisedFile } from './synthesize.js';
import { FSDD_FILE, trimSilence } from './tts-data.js';
import type { TtsPreprocessing } from './tts-io.js';

export interface VerifyOptions {
  data: string;
  out: string;
  count: number;
  seed: number;
  force?: boolean;
  iterations?: number;
  recogniser: LoadedAnyModel;
  speakerModel?: LoadedAnyModel;
  onProgress?: ProgressCallback;
}

export interface GroupScore {
  name: string;
  interval: ProportionInterval;
}

export interface TtsVerification {
  files: number;
  intelligibility: { overall: ProportionInterval; perDigit: GroupScore[]; perSpeaker: GroupScore[]; confusions: { file: string; said: string; heard: string }[] };
  speakerSimilarity: { overall: ProportionInterval; perSpeaker: GroupScore[] } | null;
  mcd: { synthesisedMean: number; perSpeaker: { name: string; mean: number }[]; realMean: number };
  crossCorrelation: { max: number; mean: number; file: string; against: string; realHeldOutMax: number; below: boolean };
  /** Per synthesised file: what the recogniser and the speaker classifier heard, its largest cross-correlation. */
  items: { file: string; digit: string; speaker: string; take: number; heard: string; speakerHeard: string | null; maxCrossCorrelation: number }[];
  seconds: { synthesis: number; total: number };
}

function classify(m: LoadedAnyModel, paths: string[]): string[] {
  const items = paths.map((p) => audioItem(p, m.preprocessing));
  const D = items[0]!.x.length / items[0]!.steps;
  const T = Math.max(...items.map((it) => it.steps));
  const data = new Float32Array(items.length * T * D);
  items.forEach((it, b) => data.set(it.x as Float32Array, b * T * D));
  const out = predictOutputs(m.model, { kind: 'numeric', data, batch: items.length, steps: T, features: D, lengths: Int32Array.from(items, (it) => it.steps) }, { task: m.task }) as number[][];
  return out.map((row) => m.classNames?.[row.indexOf(Math.max(...row))] ?? String(row.indexOf(Math.max(...row))));
}

function groupScores(files: SynthesisedFile[], ok: boolean[], key: 'digit' | 'speaker'): GroupScore[] {
  const names = [...new Set(files.map((f) => f[key]))].sort();
  return names.map((name) => {
    const idx = files.map((f, i) => (f[key] === name ? i : -1)).filter((i) => i >= 0);
    return { name, interval: wilsonInterval(idx.filter((i) => ok[i]).length, idx.length) };
  });
}

export function verifyTts(model: TtsModel, pre: TtsPreprocessing, opts: VerifyOptions): TtsVerification {
  const t0 = performance.now();
  const c = model.config;
  const recs = listFolder(opts.data, 'FSDD folder').filter((e) => !e.isDir && FSDD_FILE.test(e.name)).map((e) => {
    const m = FSDD_FILE.exec(e.name)!;
    return { name: e.name, digit: m[1]!, speaker: m[2]!, take: Number(m[3]) };
  });
  if (recs.length === 0) throw new RnnlensError(`tts-verify: no FSDD recordings in ${opts.data}`);
  for (const s of c.speakers) if (!recs.some((r) => r.speaker === s)) throw new RnnlensError(`tts-verify: ${opts.data} holds no recordings of speaker ${s}`);
  const files = synthesizeFiles(model, pre, { digits: c.digits, speakers: c.speakers, count: opts.count, seed: opts.seed, out: opts.out, force: opts.force, iterations: opts.iterations });
  const tSynth = (performance.now() - t0) / 1000;
  opts.onProgress?.({ task: 'verify', done: 1, total: 4, message: 'recognising' });
  const paths = files.map((f) => f.file);
  const heard = classify(opts.recogniser, paths);
  const okDigit = files.map((f, i) => heard[i] === f.digit);
  const intelligibility = {
    overall: wilsonInterval(okDigit.filter(Boolean).length, files.length),
    perDigit: groupScores(files, okDigit, 'digit'),
    perSpeaker: groupScores(files, okDigit, 'speaker'),
    confusions: files.flatMap((f, i) => (okDigit[i] ? [] : [{ file: f.file, said: f.digit, heard: heard[i]! }])),
  };
  let speakerSimilarity: TtsVerification['speakerSimilarity'] = null;
  let who: string[] | null = null;
  if (opts.speakerModel) {
    who = classify(opts.speakerModel, paths);
    const ok = files.map((f, i) => who![i] === f.speaker);
    speakerSimilarity = { overall: wilsonInterval(ok.filter(Boolean).length, files.length), perSpeaker: groupScores(files, ok, 'speaker') };
  }
  opts.onProgress?.({ task: 'verify', done: 2, total: 4, message: 'mel-cepstral distortion' });
  const audioCache = new Map<string, Float32Array>();
  const audio = (path: string): Float32Array => {
    let a = audioCache.get(path);
    if (!a) audioCache.set(path, (a = readWav(path, pre.mel.sampleRate).samples));
    return a;
  };
  const cep = (x: Float32Array) => melCepstrum(logMel(trimSilence(x, pre.mel.hop, pre.trimDb), pre.mel));
  const C = 12;
  const bySpeaker = new Map<string, number[]>();
  const synthMcd: number[] = [];
  const realMcd: number[] = [];
  for (const f of files) {
    const refs = recs.filter((r) => r.digit === f.digit && r.speaker === f.speaker && r.take < 5);
    const a = cep(audio(f.file));
    for (const r of refs) {
      const v = mcdDtw(a, cep(audio(join(opts.data, r.name))), C).mcd;
      synthMcd.push(v);
      (bySpeaker.get(f.speaker) ?? bySpeaker.set(f.speaker, []).get(f.speaker)!).push(v);
    }
  }
  for (const s of c.speakers)
    for (const d of c.digits) {
      const five = recs.find((r) => r.digit === d && r.speaker === s && r.take === 5);
      if (!five) continue;
      const b = cep(audio(join(opts.data, five.name)));
      for (const r of recs.filter((r) => r.digit === d && r.speaker === s && r.take < 5)) realMcd.push(mcdDtw(cep(audio(join(opts.data, r.name))), b, C).mcd);
    }
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
  opts.onProgress?.({ task: 'verify', done: 3, total: 4, message: 'cross-correlation' });
  let best = { value: 0, file: '', against: '' };
  const perFile: number[] = [];
  for (const f of files) {
    let m = 0;
    for (const r of recs.filter((r) => r.digit === f.digit && r.speaker === f.speaker && r.take >= 5)) {
      const v = maxNormalisedCrossCorrelation(audio(f.file), audio(join(opts.data, r.name))).value;
      if (v > m) m = v;
      if (v > best.value) best = { value: v, file: f.file, against: r.name };
    }
    perFile.push(m);
  }
  // the same measure for real held-out takes 0–4 against the training takes: what a different
  // recording of the same word by the same speaker reaches
  let realMax = 0;
  for (const s of c.speakers)
    for (const d of c.digits)
      for (const h of recs.filter((r) => r.digit === d && r.speaker === s && r.take === 0))
        for (const r of recs.filter((r) => r.digit === d && r.speaker === s && r.take >= 5)) realMax = Math.max(realMax, maxNormalisedCrossCorrelation(audio(join(opts.data, h.name)), audio(join(opts.data, r.name))).value);
  opts.onProgress?.({ task: 'verify', done: 4, total: 4 });
  return {
    files: files.length,
    intelligibility,
    speakerSimilarity,
    mcd: { synthesisedMean: mean(synthMcd), perSpeaker: c.speakers.map((s) => ({ name: s, mean: mean(bySpeaker.get(s) ?? []) })), realMean: mean(realMcd) },
    crossCorrelation: { max: best.value, mean: mean(perFile), file: best.file, against: best.against, realHeldOutMax: realMax, below: best.value < 0.9 },
    items: files.map((f, i) => ({ file: f.file, digit: f.digit, speaker: f.speaker, take: f.take, heard: heard[i]!, speakerHeard: who?.[i] ?? null, maxCrossCorrelation: perFile[i]! })),
    seconds: { synthesis: tSynth, total: (performance.now() - t0) / 1000 },
  };
}
