/**
 * Synthesis to files: for every requested digit, speaker and take k, the acoustic model writes
 * frames (generate.ts), they are de-normalised and vocoded (vocoder.ts) and saved as
 * `{digit}_{speaker}_{k}.wav` at the analysis rate (8 kHz for fsdd-tts). Every name is checked and
 * every target path is checked for an existing file before anything is synthesised or written.
 * The take's seed (pre-net dropout and Griffin–Lim phases) is a hash of (seed, digit, speaker, k).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { mix32 } from '../core/rng.js';
import type { TtsModel } from './acoustic-model.js';
import { generate, indexOfName } from './generate.js';
import type { TtsPreprocessing } from './tts-io.js';
import { denormaliseMel } from './tts-data.js';
import { melToWaveform, waveformToWav } from './vocoder.js';

export interface SynthesisRequest {
  digits: string[];
  speakers: string[];
  count: number;
  seed: number;
  out: string;
  force?: boolean;
  iterations?: number;
}

export interface SynthesisedFile {
  file: string;
  digit: string;
  speaker: string;
  take: number;
  frames: number;
  seconds: number;
  stopped: boolean;
}

export function takeSeed(seed: number, digit: string, speaker: string, k: number): number {
  let h = mix32(seed | 0);
  for (const ch of `${digit}\u0000${speaker}`) h = mix32((h ^ ch.charCodeAt(0)) | 0);
  return mix32((h + k) | 0) >>> 0;
}

/** A digit string such as "0123456789" as digit names (each character one digit). */
export function parseDigits(text: string, known: string[]): string[] {
  if (typeof text !== 'string' || text.length === 0) throw new ArgumentError('synthesize', '--digits', `one or more of the model's digits (${known.join('')})`, describe(text));
  return [...text].map((d) => {
    indexOfName('synthesize', 'digit', known, d);
    return d;
  });
}

/** Samples of one take. */
export function synthesizeOne(model: TtsModel, pre: TtsPreprocessing, digit: string, speaker: string, seed: number, iterations = 60): { samples: Float32Array; frames: number; stopped: boolean } {
  const g = generate(model, digit, speaker, { seed });
  const mel = denormaliseMel(g.mel, pre.normalisation);
  const samples = melToWaveform({ data: mel, frames: g.frames, bands: model.config.melBands }, pre.mel, { iterations, seed });
  return { samples, frames: g.frames, stopped: g.stopped };
}

export function synthesizeFiles(model: TtsModel, pre: TtsPreprocessing, req: SynthesisRequest): SynthesisedFile[] {
  const c = model.config;
  for (const d of req.digits) indexOfName('synthesize', 'digit', c.digits, d);
  for (const s of req.speakers) indexOfName('synthesize', 'speaker', c.speakers, s);
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > 1000) throw new ArgumentError('synthesize', '--count', 'an integer in [1, 1000]', describe(req.count));
  const jobs: { digit: string; speaker: string; take: number; file: string }[] = [];
  for (const speaker of req.speakers) for (const digit of req.digits) for (let k = 0; k < req.count; k++) jobs.push({ digit, speaker, take: k, file: join(req.out, `${digit}_${speaker}_${k}.wav`) });
  if (!req.force) {
    const there = jobs.filter((j) => existsSync(j.file));
    if (there.length) throw new RnnlensError(`synthesize: ${there.length} of the ${jobs.length} output files exist already (e.g. ${there[0]!.file}); pass --force to replace them`);
  }
  mkdirSync(req.out, { recursive: true });
  return jobs.map((j) => {
    const s = synthesizeOne(model, pre, j.digit, j.speaker, takeSeed(req.seed, j.digit, j.speaker, j.take), req.iterations);
    writeFileSync(j.file, waveformToWav(s.samples, pre.mel.sampleRate));
    return { ...j, frames: s.frames, seconds: s.samples.length / pre.mel.sampleRate, stopped: s.stopped };
  });
}
