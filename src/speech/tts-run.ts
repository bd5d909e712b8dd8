/**
 * A synthesiser's output as run artifacts, for the dashboard's audio panel (`tts-verify`, and
 * `synthesize --runs-dir`):
 * - the first `takes` synthesised takes of every digit and speaker as WAV artifacts
 *   (`synth-{digit}_{speaker}_{k}.wav`, at most MAX_RECORDED_ITEMS of them);
 * - for each, given the FSDD folder, a real held-out recording (takes 0–4) of the same digit and
 *   speaker (`real-{digit}_{speaker}_{take}.wav`: held-out take k for synthesised take k when
 *   there is one, else the first held-out take);
 * - the log-mel spectrograms of both (`mel-{digit}_{speaker}_{k}.json`: frames × bands, natural
 *   log, rounded to 0.01), both trimmed of silence like the synthesiser's training targets;
 * - `tts-items.json`: the list of items with what the recogniser and speaker classifier heard and
 *   the file's largest cross-correlation with a training recording (tts-verify), and the colour
 *   domain every spectrogram of the run shares.
 * The verification's figures go in as run metrics and as error-bar figures.
 */
import { basename, join } from 'node:path';
import { listFolder } from '../data/files.js';
import { readWav } from '../data/wav.js';
import type { RunWriter } from '../runs/writer.js';
import type { ProportionInterval } from '../verify/stats/proportion.js';
import { logMel } from './mel.js';
import type { SynthesisedFile } from './synthesize.js';
import { FSDD_FILE, trimSilence } from './tts-data.js';
import type { TtsPreprocessing } from './tts-io.js';
import type { TtsVerification } from './verify-tts.js';

/** The artifact the dashboard looks for to show the audio panel. */
export const TTS_ITEMS_ARTIFACT = 'tts-items.json';
/** At most this many synthesised files (and as many real ones) go into one run. */
export const MAX_RECORDED_ITEMS = 120;

export interface Spectrogram {
  frames: number;
  bands: number;
  /** [frames][bands], natural log of the mel energies, rounded to 0.01. */
  values: number[][];
}

export interface TtsRunItem {
  id: string;
  digit: string;
  speaker: string;
  take: number;
  seconds: number;
  /** Artifact names. */
  audio: string;
  mel: string;
  real: string | null;
  /** The FSDD file the real recording is a copy of. */
  realFile: string | null;
  recognisedAs: string | null;
  speakerHeard: string | null;
  maxCrossCorrelation: number | null;
}

export interface TtsRunIndex {
  format: 'rnnlens-tts-items';
  sampleRate: number;
  hop: number;
  bands: number;
  /** The colour domain shared by every spectrogram of the run: [2nd percentile, maximum]. */
  melRange: [number, number];
  /** Synthesised files in all; `items` holds the recorded ones. */
  synthesised: number;
  takes: number;
  items: TtsRunItem[];
}

export interface RecordTtsOptions {
  /** Synthesised takes per digit and speaker to record (the first ones). */
  takes: number;
  /** The FSDD folder the real counterparts come from (none without it). */
  data?: string;
  verification?: TtsVerification;
}

function spectrogram(path: string, pre: TtsPreprocessing): Spectrogram & { seconds: number } {
  const whole = readWav(path, pre.mel.sampleRate).samples;
  const x = trimSilence(whole, pre.mel.hop, pre.trimDb);
  const m = logMel(x, pre.mel);
  const values = Array.from({ length: m.frames }, (_, t) => Array.from(m.data.subarray(t * m.bands, (t + 1) * m.bands), (v) => Math.round(v * 100) / 100));
  return { frames: m.frames, bands: m.bands, values, seconds: whole.length / pre.mel.sampleRate };
}

/** Held-out FSDD recordings (takes 0–4) by digit and speaker, each list ordered by take. */
function heldOut(data: string): Map<string, { name: string; take: number }[]> {
  const by = new Map<string, { name: string; take: number }[]>();
  for (const e of listFolder(data, 'FSDD folder')) {
    const m = e.isDir ? null : FSDD_FILE.exec(e.name);
    if (!m || Number(m[3]) >= 5) continue;
    const key = `${m[1]}_${m[2]}`;
    (by.get(key) ?? by.set(key, []).get(key)!).push({ name: e.name, take: Number(m[3]) });
  }
  for (const l of by.values()) l.sort((a, b) => a.take - b.take);
  return by;
}

function colourDomain(specs: Spectrogram[]): [number, number] {
  const all = specs.flatMap((s) => s.values.flat()).sort((a, b) => a - b);
  if (all.length === 0) return [0, 1];
  const lo = all[Math.floor(0.02 * (all.length - 1))]!;
  const hi = all[all.length - 1]!;
  return [lo, hi > lo ? hi : lo + 1];
}

/** Writes the audio, the spectrograms and tts-items.json into the run; returns the index. */
export function writeTtsArtifacts(w: RunWriter, files: Pick<SynthesisedFile, 'file' | 'digit' | 'speaker' | 'take'>[], pre: TtsPreprocessing, opts: RecordTtsOptions): TtsRunIndex {
  const kept = files.filter((f) => f.take < opts.takes).slice(0, MAX_RECORDED_ITEMS);
  const real = opts.data ? heldOut(opts.data) : new Map<string, { name: string; take: number }[]>();
  const heard = new Map((opts.verification?.items ?? []).map((it) => [it.file, it]));
  const written = new Set<string>();
  const specs: Spectrogram[] = [];
  const items = kept.map((f): TtsRunItem => {
    const id = basename(f.file, '.wav');
    const audio = `synth-${id}.wav`;
    w.writeFile(audio, f.file);
    const { seconds, ...synth } = spectrogram(f.file, pre);
    const candidates = real.get(`${f.digit}_${f.speaker}`) ?? [];
    const r = candidates.find((c) => c.take === f.take) ?? candidates[0];
    let realName: string | null = null;
    let realSpec: Spectrogram | null = null;
    if (r && opts.data) {
      realName = `real-${basename(r.name, '.wav')}.wav`;
      if (!written.has(realName)) w.writeFile(realName, join(opts.data, r.name));
      written.add(realName);
      const { seconds: _, ...spec } = spectrogram(join(opts.data, r.name), pre);
      realSpec = spec;
    }
    specs.push(synth, ...(realSpec ? [realSpec] : []));
    const mel = `mel-${id}.json`;
    w.writeJson(mel, { synthesised: synth, real: realSpec });
    const v = heard.get(f.file);
    return {
      id,
      digit: f.digit,
      speaker: f.speaker,
      take: f.take,
      seconds: Math.round(seconds * 1000) / 1000,
      audio,
      mel,
      real: realName,
      realFile: r?.name ?? null,
      recognisedAs: v?.heard ?? null,
      speakerHeard: v?.speakerHeard ?? null,
      maxCrossCorrelation: v ? Math.round(v.maxCrossCorrelation * 1e4) / 1e4 : null,
    };
  });
  const index: TtsRunIndex = {
    format: 'rnnlens-tts-items',
    sampleRate: pre.mel.sampleRate,
    hop: pre.mel.hop,
    bands: pre.mel.melBands,
    melRange: colourDomain(specs),
    synthesised: files.length,
    takes: opts.takes,
    items,
  };
  w.writeJson(TTS_ITEMS_ARTIFACT, index);
  return index;
}

const interval = (prefix: string, p: ProportionInterval): Record<string, number> => ({ [prefix]: p.estimate, [`${prefix}_ci_low`]: p.low, [`${prefix}_ci_high`]: p.high });

/**
 * The verification as flat run metrics: intelligibility overall, per digit and per speaker with
 * their Wilson intervals, speaker similarity, MCD and the cross-correlations.
 */
export function verificationMetrics(r: TtsVerification): Record<string, number> {
  const m: Record<string, number> = { ...interval('intelligibility', r.intelligibility.overall) };
  for (const g of r.intelligibility.perDigit) Object.assign(m, interval(`intelligibility_digit_${g.name}`, g.interval));
  for (const g of r.intelligibility.perSpeaker) Object.assign(m, interval(`intelligibility_speaker_${g.name}`, g.interval));
  if (r.speakerSimilarity) {
    Object.assign(m, interval('speakerSimilarity', r.speakerSimilarity.overall));
    for (const g of r.speakerSimilarity.perSpeaker) Object.assign(m, interval(`speakerSimilarity_speaker_${g.name}`, g.interval));
  }
  m.mcd = r.mcd.synthesisedMean;
  m.mcdRealVsReal = r.mcd.realMean;
  for (const s of r.mcd.perSpeaker) m[`mcd_speaker_${s.name}`] = s.mean;
  m.maxCrossCorrelation = r.crossCorrelation.max;
  m.meanMaxCrossCorrelation = r.crossCorrelation.mean;
  m.realHeldOutMaxCrossCorrelation = r.crossCorrelation.realHeldOutMax;
  m.files = r.files;
  return m;
}

/** Error-bar figures: intelligibility per digit, intelligibility and speaker similarity per speaker. */
export function writeVerificationFigures(w: RunWriter, r: TtsVerification): void {
  const rows = (g: { name: string; interval: ProportionInterval }[], series?: string) =>
    g.map((s) => ({ group: s.name, value: s.interval.estimate, lower: s.interval.low, upper: s.interval.high, ...(series ? { series } : {}) }));
  w.writeFigure('fig-intelligibility-digit.json', {
    figure: 'error-bars',
    title: 'Intelligibility per digit (recogniser accuracy, Wilson 95%)',
    data: { metric: 'intelligibility', rows: rows(r.intelligibility.perDigit) },
  });
  w.writeFigure('fig-intelligibility-speaker.json', {
    figure: 'error-bars',
    title: 'Intelligibility and speaker similarity per speaker (Wilson 95%)',
    data: {
      metric: 'accuracy',
      rows: [...rows(r.intelligibility.perSpeaker, 'intelligibility'), ...(r.speakerSimilarity ? rows(r.speakerSimilarity.perSpeaker, 'speaker similarity') : [])],
    },
  });
}
