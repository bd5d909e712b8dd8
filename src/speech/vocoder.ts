/**
 * The vocoder step of speech synthesis: log-mel frames → non-negative magnitudes (mel.ts) →
 * Griffin–Lim phases (griffin-lim.ts) → samples, peak-normalised and written as 16-bit 8 kHz WAV
 * (src/data/wav.ts).
 */
import { ArgumentError, describe } from '../core/errors.js';
import { encodeWav16 } from '../data/wav.js';
import { griffinLim, type GriffinLimOptions } from './griffin-lim.js';
import { invertLogMel, SPEECH_MEL, type LogMel, type MelSettings } from './mel.js';

export interface VocoderOptions extends GriffinLimOptions {
  /** peak amplitude of the output in (0, 1]; default 0.9; 0 keeps the reconstructed scale */
  peak?: number;
}

/** Samples from log-mel frames; the signal has (frames − 1)·hop samples. */
export function melToWaveform(mel: LogMel, s: MelSettings = SPEECH_MEL, opts: VocoderOptions = {}): Float32Array {
  const peak = opts.peak ?? 0.9;
  if (!(peak >= 0 && peak <= 1)) throw new ArgumentError('melToWaveform', 'peak', 'a number in [0, 1]', describe(peak));
  if (mel.frames < 2) throw new ArgumentError('melToWaveform', 'mel.frames', 'at least 2 frames', describe(mel.frames));
  const mag = invertLogMel(mel, s);
  const length = (mel.frames - 1) * s.hop;
  const x = griffinLim(mag, mel.frames, s, length, opts);
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const g = peak > 0 && max > 0 ? peak / max : 1;
  return Float32Array.from(x, (v) => v * g);
}

/** 16-bit mono WAV bytes. */
export function waveformToWav(samples: Float32Array, sampleRate: number): Uint8Array {
  return encodeWav16([samples], sampleRate);
}
