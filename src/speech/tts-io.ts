/**
 * The synthesiser's model folder: `model.json` = { format: "rnnlens-tts", version: 1, config
 * (TtsConfig), preprocessing: { mel (MelSettings), normalisation (per-band mean/sd), trimDb },
 * weights: { file, sha256, bytes, tensors }, meta } and `weights-<hash>.bin` (float32, in the
 * order of `TtsModel.parameters()`). Written like the native model format (src/train/checkpoint.ts):
 * data file first, `model.json` last by atomic rename, stale weight files removed after.
 * Loading checks the manifest against the config before reading weights and the sha256 after.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, RnnlensError } from '../core/errors.js';
import { atomicWriteFile } from '../runs/atomic.js';
import { TtsModel, checkTtsConfig, ttsParameterCount, type TtsConfig } from './acoustic-model.js';
import type { MelSettings } from './mel.js';
import type { MelNormalisation } from './tts-data.js';

export const TTS_FORMAT = 'rnnlens-tts';

export interface TtsPreprocessing {
  mel: MelSettings;
  normalisation: MelNormalisation;
  trimDb: number;
}

export interface TtsModelFile {
  format: typeof TTS_FORMAT;
  version: 1;
  config: TtsConfig;
  preprocessing: TtsPreprocessing;
  weights: { file: string; sha256: string; bytes: number; tensors: { name: string; shape: number[]; offset: number; length: number }[] };
  meta: Record<string, unknown>;
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export function saveTtsModel(dir: string, model: TtsModel, preprocessing: TtsPreprocessing, meta: Record<string, unknown> = {}): TtsModelFile {
  mkdirSync(dir, { recursive: true });
  const params = model.parameters();
  const tensors: TtsModelFile['weights']['tensors'] = [];
  let total = 0;
  for (const p of params) {
    tensors.push({ name: p.name, shape: [...p.shape], offset: total, length: p.value.length });
    total += p.value.length;
  }
  const flat = new Float32Array(total);
  params.forEach((p, i) => flat.set(p.value, tensors[i]!.offset));
  const bytes = new Uint8Array(flat.buffer);
  const h = sha256(bytes);
  const file = `weights-${h.slice(0, 16)}.bin`;
  atomicWriteFile(join(dir, file), bytes);
  const mf: TtsModelFile = { format: TTS_FORMAT, version: 1, config: model.config, preprocessing, weights: { file, sha256: h, bytes: bytes.byteLength, tensors }, meta: { savedAt: new Date().toISOString(), ...meta } };
  atomicWriteFile(join(dir, 'model.json'), JSON.stringify(mf, null, 1));
  for (const name of readdirSync(dir)) if (/^weights-[0-9a-f]{16}\.bin$/.test(name) && name !== file) rmSync(join(dir, name), { force: true });
  return mf;
}

/** Whether a folder holds a synthesiser (model.json of format rnnlens-tts). */
export function isTtsModelDir(dir: string): boolean {
  const p = join(dir, 'model.json');
  if (!existsSync(p)) return false;
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { format?: unknown }).format === TTS_FORMAT;
  } catch {
    return false;
  }
}

export function loadTtsModel(dir: string): { model: TtsModel; file: TtsModelFile } {
  const where = `loadTtsModel(${dir})`;
  const path = join(dir, 'model.json');
  if (!existsSync(path)) throw new RnnlensError(`${where}: no synthesiser at ${dir} (expected a folder with model.json from 'rnnlens train --recipe fsdd-tts')`);
  let f: TtsModelFile;
  try {
    f = JSON.parse(readFileSync(path, 'utf8')) as TtsModelFile;
  } catch (e) {
    throw new RnnlensError(`${where}: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (f?.format !== TTS_FORMAT) throw new ArgumentError(where, 'model.json format', `"${TTS_FORMAT}" (a synthesiser from the fsdd-tts recipe)`, JSON.stringify(f?.format));
  if (f.version !== 1) throw new ArgumentError(where, 'model.json version', '1', JSON.stringify(f.version));
  checkTtsConfig(f.config);
  // sizes before allocation: the config's parameter count against the weights file
  const declared = ttsParameterCount(f.config);
  const wFile = join(dir, String(f.weights?.file));
  if (existsSync(wFile) && statSync(wFile).size !== declared * 4) throw new ArgumentError(where, String(f.weights.file), `${declared * 4} bytes (${declared} float32 values, from the config)`, `${statSync(wFile).size} bytes`);
  const model = new TtsModel(f.config);
  const params = model.parameters();
  const tensors = f.weights?.tensors ?? [];
  if (tensors.length !== params.length) throw new ArgumentError(where, 'weights.tensors', `${params.length} tensors (from the config)`, String(tensors.length));
  let total = 0;
  params.forEach((p, i) => {
    const t = tensors[i]!;
    if (t.name !== p.name || t.length !== p.value.length || t.offset !== total) throw new ArgumentError(where, `weights.tensors[${i}]`, `${p.name} with ${p.value.length} values at offset ${total}`, `${t.name} with ${t.length} at ${t.offset}`);
    total += t.length;
  });
  const wPath = join(dir, String(f.weights.file));
  if (!/^weights-[0-9a-f]{16}\.bin$/.test(String(f.weights.file)) || !existsSync(wPath)) throw new ArgumentError(where, 'weights file', 'weights-<hash>.bin beside model.json', JSON.stringify(f.weights.file));
  if (statSync(wPath).size !== total * 4) throw new ArgumentError(where, f.weights.file, `${total * 4} bytes`, `${statSync(wPath).size} bytes`);
  const bytes = readFileSync(wPath);
  if (sha256(bytes) !== f.weights.sha256) throw new ArgumentError(where, f.weights.file, 'the recorded sha256', 'different content (corrupt file)');
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, total);
  params.forEach((p, i) => p.value.set(flat.subarray(tensors[i]!.offset, tensors[i]!.offset + tensors[i]!.length)));
  return { model, file: f };
}
