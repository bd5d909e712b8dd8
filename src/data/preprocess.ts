/**
 * Prediction-time preprocessing from a dataset's saved settings: the same tokenizer, feature
 * settings and normalisation as at training time, so a saved model can be fed new raw input.
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { audioFeatures, type AudioFeatureSettings } from './audio-features.js';
import type { Item } from './dataset.js';
import type { ZScore } from './normalise.js';
import { Tokenizer, UNK_ID, type EncodeStats } from './tokenizer.js';
import { readWav } from './wav.js';

/** Encodes a text with the tokenizer (and length cut) stored in `settings`. */
export function textItem(
  text: string,
  settings: Record<string, unknown>,
  stats?: EncodeStats,
): Item {
  if (!settings.tokenizer)
    throw new ArgumentError(
      'textItem',
      'settings.tokenizer',
      'a saved tokenizer',
      'none (the data was not text)',
    );
  const tok = Tokenizer.fromJSON(settings.tokenizer);
  let x = tok.encode(text, stats);
  const max = settings.maxLength;
  if (typeof max === 'number' && x.length > max) x = x.slice(0, max);
  if (x.length === 0) x = Int32Array.of(UNK_ID);
  return { x, steps: x.length };
}

/** Featurises a WAV file with the audio settings (rate, features, normalisation) stored in `settings`. */
export function audioItem(path: string, settings: Record<string, unknown>): Item {
  const audio = settings.audio as AudioFeatureSettings | undefined;
  if (!audio)
    throw new ArgumentError(
      'audioItem',
      'settings.audio',
      'saved audio feature settings',
      'none (the data was not audio)',
    );
  const rate = typeof settings.sampleRate === 'number' ? settings.sampleRate : undefined;
  const wav = readWav(path, rate);
  const f = audioFeatures(wav.samples, wav.sampleRate, audio);
  const item: Item = { x: f.data, steps: f.steps, meta: { source: path } };
  return normaliseItem(item, settings);
}

/** Applies `settings.normalisation` (a z-score fitted on training data) to a numeric item, if present. */
export function normaliseItem(item: Item, settings: Record<string, unknown>): Item {
  const z = settings.normalisation as ZScore | null | undefined;
  if (!z) return item;
  if (z.kind !== 'zscore' || !Array.isArray(z.mean) || !Array.isArray(z.std)) {
    throw new RnnlensError(`normaliseItem: unknown normalisation ${describe(z)}`);
  }
  const D = z.mean.length;
  if (item.x.length !== item.steps * D) {
    throw new ArgumentError(
      'normaliseItem',
      'item',
      `${D} features per step (as at training)`,
      `${item.x.length / item.steps}`,
    );
  }
  const x = new Float32Array(item.x.length);
  for (let j = 0; j < x.length; j++) x[j] = (item.x[j]! - z.mean[j % D]!) / z.std[j % D]!;
  return { ...item, x };
}
