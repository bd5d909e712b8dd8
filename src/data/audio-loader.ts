/**
 * Folders of WAV files -> a numeric Dataset of feature frames with class labels and speaker
 * metadata. Labels come from FSDD-style names `{label}_{speaker}_{take}.wav` or from sub-folders
 * (`root/{label}/*.wav`; the speaker is then the part of the name before the first '_', if any).
 *
 * Features are a pure function of the file's bytes and the settings, so an optional cache folder
 * stores them under a hash of both: a second load reads frames instead of recomputing them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import {
  audioFeatures,
  DEFAULT_AUDIO_FEATURES,
  featureCount,
  type AudioFeatureSettings,
  type Frames,
} from './audio-features.js';
import {
  classNamesOf,
  createDataset,
  labelIndex,
  type Dataset,
  type Item,
  type MetaValue,
} from './dataset.js';
import { listFolder, readInputFile } from './files.js';
import { decodeWav } from './wav.js';

const FSDD_NAME = /^([^_]+)_(.+)_(\d+)\.wav$/i;

export interface AudioFolderOptions {
  /** 'fsdd': labels, speakers and takes from `{label}_{speaker}_{take}.wav`; 'folders': one sub-folder per class */
  labels?: 'fsdd' | 'folders';
  features?: Partial<AudioFeatureSettings>;
  /** resample every file to this rate (needed when files differ in rate) */
  sampleRate?: number;
  /** the class list from training; unseen labels are an error */
  classNames?: string[];
  /** keep only files for which this returns true (by file name) */
  filter?: (fileName: string) => boolean;
  cacheDir?: string;
  /** a JSON file mapping speaker -> { field: value } (FSDD's speakers.json) merged into each item's metadata */
  speakersFile?: string;
  name?: string;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

interface AudioFile {
  path: string;
  label: string;
  meta: Record<string, MetaValue>;
}

function listAudioFiles(
  root: string,
  mode: 'fsdd' | 'folders',
  filter?: (f: string) => boolean,
): AudioFile[] {
  const isWav = (n: string) => n.toLowerCase().endsWith('.wav') && (!filter || filter(n));
  const out: AudioFile[] = [];
  if (mode === 'fsdd') {
    for (const e of listFolder(root, 'audio folder')) {
      if (e.isDir || !isWav(e.name)) continue;
      const m = FSDD_NAME.exec(e.name);
      if (!m)
        throw new RnnlensError(
          `audio folder ${root}: file name ${JSON.stringify(e.name)} is not of the form {label}_{speaker}_{take}.wav`,
        );
      out.push({
        path: join(root, e.name),
        label: m[1]!,
        meta: { speaker: m[2]!, take: Number(m[3]), source: e.name },
      });
    }
  } else {
    for (const dir of listFolder(root, 'audio folder').filter((e) => e.isDir)) {
      for (const e of listFolder(join(root, dir.name))) {
        if (e.isDir || !isWav(e.name)) continue;
        const us = e.name.indexOf('_');
        out.push({
          path: join(root, dir.name, e.name),
          label: dir.name,
          meta: { speaker: us > 0 ? e.name.slice(0, us) : '', source: `${dir.name}/${e.name}` },
        });
      }
    }
  }
  if (out.length === 0)
    throw new RnnlensError(
      `audio folder ${root}: no .wav files found${mode === 'folders' ? ' in class sub-folders' : ''}`,
    );
  return out;
}

/** Loads and featurises every WAV file of a folder. */
export function loadAudioFolder(root: string, opts: AudioFolderOptions = {}): Dataset {
  const settings: AudioFeatureSettings = { ...DEFAULT_AUDIO_FEATURES, ...opts.features };
  const files = listAudioFiles(root, opts.labels ?? 'fsdd', opts.filter);
  if (opts.speakersFile) addSpeakerInfo(files, opts.speakersFile);
  const classNames = opts.classNames ?? classNamesOf(files.map((f) => f.label));
  const D = featureCount(settings);
  const settingsKey = JSON.stringify({ settings, sampleRate: opts.sampleRate ?? null, v: 1 });
  if (opts.cacheDir) mkdirSync(opts.cacheDir, { recursive: true });
  let firstRate: number | undefined;
  const items: Item[] = files.map((f, i) => {
    const bytes = readInputFile(f.path, 'WAV file');
    const key = opts.cacheDir
      ? createHash('sha256').update(bytes).update(settingsKey).digest('hex').slice(0, 32)
      : '';
    let frames = opts.cacheDir ? readCached(join(opts.cacheDir, `${key}.f32`)) : null;
    if (!frames) {
      const audio = decodeWav(bytes, f.path, opts.sampleRate);
      // Mel filter banks depend on the rate: mixing rates silently would mix feature meanings.
      firstRate ??= audio.sampleRate;
      if (audio.sampleRate !== firstRate) {
        throw new RnnlensError(
          `audio folder ${root}: ${f.path} has ${audio.sampleRate} Hz but earlier files ${firstRate} Hz; set sampleRate to resample`,
        );
      }
      frames = audioFeatures(audio.samples, audio.sampleRate, settings);
      if (opts.cacheDir) writeCached(join(opts.cacheDir, `${key}.f32`), frames);
    }
    opts.onProgress?.({ done: i + 1, total: files.length, message: f.path });
    const label = labelIndex(`audio folder ${root}`, classNames, f.label, f.path);
    return { x: frames.data, steps: frames.steps, label, meta: f.meta };
  });
  return createDataset({
    name: opts.name ?? 'audio',
    input: 'numeric',
    features: D,
    target: 'class',
    classNames,
    items,
    settings: {
      audio: settings,
      sampleRate: opts.sampleRate ?? firstRate ?? null,
      labels: opts.labels ?? 'fsdd',
    },
  });
}

function addSpeakerInfo(files: AudioFile[], path: string): void {
  let info: unknown;
  try {
    info = JSON.parse(readInputFile(path, 'speakers file').toString('utf8'));
  } catch (e) {
    if (e instanceof RnnlensError) throw e;
    throw new RnnlensError(`speakers file ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof info !== 'object' || info === null)
    throw new RnnlensError(`speakers file ${path}: expected an object keyed by speaker`);
  for (const f of files) {
    const entry = (info as Record<string, unknown>)[f.meta.speaker as string];
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [k, v] of Object.entries(entry)) {
      if (
        (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
        !(k in f.meta)
      )
        f.meta[k] = v;
    }
  }
}

/** FSDD's usual split rule: takes 0-4 of every speaker are the test set. */
export function fsddUsualSplit(item: Item): 'train' | 'test' {
  return (item.meta?.take as number) < 5 ? 'test' : 'train';
}

function readCached(path: string): Frames | null {
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  if (buf.length < 8) return null;
  const head = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 8));
  const [steps, features] = [head[0]!, head[1]!];
  if (buf.length !== 8 + 4 * steps * features) return null; // a damaged entry is recomputed
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 8, buf.byteOffset + buf.length));
  return { data, steps, features };
}

function writeCached(path: string, f: Frames): void {
  const head = Buffer.from(Int32Array.of(f.steps, f.features).buffer);
  const body = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
  // write then rename: readers never see half an entry
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([head, body]));
  renameSync(tmp, path);
}
