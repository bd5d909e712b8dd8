/**
 * A folder of WAV files as prediction input for a model trained on audio features (the fsdd
 * recipe): every `*.wav` in the folder (sorted by name, not recursive) is featurised with the
 * model's saved audio settings and normalisation (src/data/preprocess.ts audioItem) and the
 * sequences are right-padded into one batch.
 */
import { ArgumentError } from '../core/errors.js';
import { listFolder } from '../data/files.js';
import { audioItem } from '../data/preprocess.js';
import type { ModelConfig } from '../nn/config.js';
import type { ParsedInput } from './input-file.js';
import { join } from 'node:path';

const MAX_VALUES = 1 << 27;

export function audioFolderInput(dir: string, input: ModelConfig['input'], preprocessing: Record<string, unknown>): { parsed: ParsedInput; files: string[] } {
  const where = `--input ${dir}`;
  if (input.kind !== 'numeric') throw new ArgumentError(where, 'model', 'a model of numeric (audio feature) input for a folder of WAV files', 'a token model');
  if (!preprocessing.audio) throw new ArgumentError(where, 'model', 'a model trained on audio features (saved audio settings, e.g. the fsdd recipe)', 'a model without audio settings');
  const files = listFolder(dir, 'input folder').filter((e) => !e.isDir && e.name.toLowerCase().endsWith('.wav')).map((e) => e.name).sort();
  if (files.length === 0) throw new ArgumentError(where, 'folder', 'at least one .wav file', 'none');
  const items = files.map((f) => audioItem(join(dir, f), preprocessing));
  const D = input.features;
  const bad = items.findIndex((it) => it.x.length !== it.steps * D);
  if (bad >= 0) throw new ArgumentError(where, files[bad]!, `${D} features per frame (the model's input)`, `${items[bad]!.x.length / items[bad]!.steps}`);
  const T = Math.max(...items.map((it) => it.steps));
  if (items.length * T * D > MAX_VALUES) throw new ArgumentError(where, 'folder', `at most ${MAX_VALUES} feature values in one batch`, String(items.length * T * D));
  const data = new Float32Array(items.length * T * D);
  items.forEach((it, b) => data.set(it.x as Float32Array, b * T * D));
  return { parsed: { kind: 'numeric', data, batch: items.length, steps: T, features: D, lengths: Int32Array.from(items, (it) => it.steps) }, files };
}
