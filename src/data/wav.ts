/**
 * WAV decoding (wavefile) to mono float samples in [-1, 1].
 * Integer PCM of any bit depth is scaled by 2^(bits-1) (8-bit PCM is unsigned, centred on 128);
 * float WAVs are taken as they are; A-law, mu-law and IMA ADPCM are expanded to 16-bit first.
 * Several channels are averaged into one.
 */
import wavefile from 'wavefile';
import { RnnlensError } from '../core/errors.js';
import { readInputFile } from './files.js';

export interface Audio {
  samples: Float32Array;
  sampleRate: number;
}

type Wav = InstanceType<typeof wavefile.WaveFile> & {
  fmt: { numChannels: number; sampleRate: number; audioFormat: number };
};

/**
 * Walks the RIFF chunks before any decoding: the `data` chunk must be present and hold the bytes
 * its header declares (a truncated file or a header claiming gigabytes is refused here, before
 * anything is allocated for it). Returns the declared sample bytes.
 */
export function checkWavHeader(bytes: Uint8Array, source = 'WAV data'): number {
  const bad = (what: string): never => {
    throw new RnnlensError(`unreadable WAV file ${source}: ${what}`);
  };
  if (bytes.byteLength < 12) bad(`${bytes.byteLength} bytes is too short for a RIFF/WAVE header (12 bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  const riff = tag(0);
  if ((riff !== 'RIFF' && riff !== 'RIFX') || tag(8) !== 'WAVE') bad(`expected a RIFF/WAVE header, found ${JSON.stringify(riff + '…' + tag(8))}`);
  const little = riff === 'RIFF';
  let at = 12;
  let sawFmt = false;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, little);
    const have = bytes.byteLength - (at + 8);
    if (id === 'data') {
      if (!sawFmt) bad("the 'data' chunk comes before a 'fmt ' chunk");
      if (size > have) {
        throw new RnnlensError(
          `WAV file ${source} is truncated or its header is wrong: the data chunk declares ${size.toLocaleString('en-US')} bytes of samples but the file holds ${have.toLocaleString('en-US')}`,
        );
      }
      return size;
    }
    if (id === 'fmt ') sawFmt = true;
    if (size > have) bad(`chunk '${id}' declares ${size} bytes but the file holds ${have} after it`);
    at += 8 + size + (size & 1);
  }
  return bad("no 'data' chunk (the file ends before any samples)");
}

/** Decodes WAV bytes; `source` names the file in errors; `targetRate` resamples (wavefile's cubic interpolation). */
export function decodeWav(bytes: Uint8Array, source = 'WAV data', targetRate?: number): Audio {
  checkWavHeader(bytes, source);
  let wav: Wav;
  try {
    wav = new wavefile.WaveFile(bytes) as Wav;
  } catch (e) {
    throw new RnnlensError(`unreadable WAV file ${source}: ${(e as Error).message}`);
  }
  try {
    if (wav.bitDepth === '8a') wav.fromALaw();
    else if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '4') wav.fromIMAADPCM();
  } catch (e) {
    throw new RnnlensError(
      `unreadable WAV file ${source}: cannot expand ${wav.bitDepth}-coded samples (${(e as Error).message})`,
    );
  }
  if (targetRate !== undefined && targetRate !== wav.fmt.sampleRate) {
    try {
      wav.toSampleRate(targetRate);
    } catch (e) {
      throw new RnnlensError(
        `WAV file ${source}: cannot resample to ${targetRate} Hz (${(e as Error).message})`,
      );
    }
  }
  const channels = wav.fmt.numChannels;
  const sampleRate = wav.fmt.sampleRate;
  if (!(channels >= 1) || !(sampleRate > 0)) {
    throw new RnnlensError(
      `unreadable WAV file ${source}: ${channels} channels at ${sampleRate} Hz`,
    );
  }
  const depth = wav.bitDepth;
  let offset = 0;
  let scale = 1;
  if (depth === '8') {
    offset = 128;
    scale = 1 / 128;
  } else if (depth === '16' || depth === '24' || depth === '32' || /^\d+$/.test(depth)) {
    scale = 1 / 2 ** (Number(depth) - 1);
  } else if (depth !== '32f' && depth !== '64') {
    throw new RnnlensError(`unreadable WAV file ${source}: unsupported sample format '${depth}'`);
  }
  const inter = wav.getSamples(true, Float64Array) as unknown as Float64Array;
  const n = Math.floor(inter.length / channels);
  if (n === 0) throw new RnnlensError(`WAV file ${source} holds no samples`);
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += inter[i * channels + c]!;
    const v = (s / channels - offset) * scale;
    if (!Number.isFinite(v)) throw new RnnlensError(`WAV file ${source}: sample ${i} is ${v}`);
    samples[i] = v;
  }
  return { samples, sampleRate };
}

export function readWav(path: string, targetRate?: number): Audio {
  return decodeWav(readInputFile(path, 'WAV file'), path, targetRate);
}

/** 16-bit PCM WAV bytes from float samples (for tests and exporting generated audio). */
export function encodeWav16(samples: ArrayLike<number>[], sampleRate: number): Uint8Array {
  const wav = new wavefile.WaveFile();
  const ints = samples.map((ch) =>
    Int16Array.from(ch, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768)))),
  );
  wav.fromScratch(ints.length, sampleRate, '16', ints.length === 1 ? ints[0]! : ints);
  return wav.toBuffer();
}
