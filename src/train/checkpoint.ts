/**
 * The native model format (version 1): a folder holding
 * - `model.json`: `{ format: "rnnlens-model", version: 1, config (the model's JSON config), task,
 *   classNames?, preprocessing (tokenizer / feature / normalisation settings: everything needed to
 *   turn raw input into model input), weights: { file, sha256, bytes, tensors: [{ name, shape,
 *   offset, length }] }, trainState?: { file, sha256 }, meta }`;
 * - `weights-<hash>.bin`: every parameter as little-endian float32, concatenated in manifest order;
 * - `train-state-<hash>.json` (checkpoints only): optimiser/schedule/early-stopping state and
 *   history, for resuming.
 * Saving is atomic: the data files get content-addressed names and are written first; `model.json`
 * is replaced last by an atomic rename; stale data files are removed only after that. A crash at
 * any point leaves the previous checkpoint loadable. Loading validates the manifest against the
 * config and the file sizes before allocating, and checks the sha256.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Backend } from '../core/backend.js';
import { atomicWriteFile } from '../runs/atomic.js';
import { processAlive } from '../runs/store.js';
import { modelConfigSchema, parseConfig, type ModelConfig } from '../nn/config.js';
import { countParameters } from '../nn/param-count.js';
import { SequenceModel } from '../nn/model.js';
import type { BackendName } from '../core/backends.js';
import type { TaskKind } from './tasks.js';
import type { TrainState } from './trainer.js';

export const MODEL_FORMAT = 'rnnlens-model';
export const MODEL_FORMAT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  config: ModelConfig;
  task: TaskKind;
  classNames?: string[];
  preprocessing: Record<string, unknown>;
  weights: { file: string; sha256: string; bytes: number; tensors: TensorEntry[] };
  trainState?: { file: string; sha256: string };
  meta: Record<string, unknown>;
}

export interface SaveOptions {
  task: TaskKind;
  classNames?: string[];
  preprocessing?: Record<string, unknown>;
  trainState?: TrainState;
  meta?: Record<string, unknown>;
}

export interface LoadedModel {
  model: SequenceModel;
  file: ModelFile;
  trainState?: TrainState;
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export function saveModel(dir: string, model: SequenceModel, opts: SaveOptions): ModelFile {
  mkdirSync(dir, { recursive: true });
  const params = model.parameters();
  const tensors: TensorEntry[] = [];
  let total = 0;
  for (const p of params) {
    tensors.push({ name: p.name, shape: [...p.shape], offset: total, length: p.value.length });
    total += p.value.length;
  }
  const flat = new Float32Array(total);
  for (let i = 0; i < params.length; i++) flat.set(params[i]!.value, tensors[i]!.offset);
  const bytes = new Uint8Array(flat.buffer);
  const wHash = sha256(bytes);
  const weightsFile = `weights-${wHash.slice(0, 16)}.bin`;
  atomicWriteFile(join(dir, weightsFile), bytes);
  const file: ModelFile = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: model.config(),
    task: opts.task,
    ...(opts.classNames ? { classNames: opts.classNames } : {}),
    preprocessing: opts.preprocessing ?? {},
    weights: { file: weightsFile, sha256: wHash, bytes: bytes.byteLength, tensors },
    meta: { savedAt: new Date().toISOString(), ...(opts.meta ?? {}) },
  };
  if (opts.trainState) {
    const text = JSON.stringify(opts.trainState);
    const h = sha256(text);
    const stateFile = `train-state-${h.slice(0, 16)}.json`;
    atomicWriteFile(join(dir, stateFile), text);
    file.trainState = { file: stateFile, sha256: h };
  }
  atomicWriteFile(join(dir, 'model.json'), JSON.stringify(file, null, 1));
  // Only now is the previous checkpoint's data unreferenced.
  const keep = new Set(['model.json', weightsFile, file.trainState?.file]);
  for (const name of readdirSync(dir)) {
    if (/^(weights-[0-9a-f]{16}\.bin|train-state-[0-9a-f]{16}\.json)$/.test(name) && !keep.has(name)) rmSync(join(dir, name), { force: true });
    // temp files of writers that were killed mid-write (their pid is in the name)
    const tmp = /^\..+\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
    if (tmp && Number(tmp[1]) !== process.pid && !processAlive(Number(tmp[1]))) rmSync(join(dir, name), { force: true });
  }
  return file;
}

function fail(dir: string, what: string, expected: string, received: string): never {
  throw new ArgumentError(`loadModel(${dir})`, what, expected, received);
}

/** Reads and validates `model.json` without loading weights. */
export function readModelFile(dir: string): ModelFile {
  const path = join(dir, 'model.json');
  if (!existsSync(path)) throw new RnnlensError(`loadModel: no model at ${dir} (expected a folder containing model.json)`);
  let f: ModelFile;
  try {
    f = JSON.parse(readFileSync(path, 'utf8')) as ModelFile;
  } catch (e) {
    throw new RnnlensError(`loadModel: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (f?.format !== MODEL_FORMAT) fail(dir, 'model.json format', `"${MODEL_FORMAT}"`, JSON.stringify(f?.format));
  if (f.version !== MODEL_FORMAT_VERSION) fail(dir, 'model.json version', String(MODEL_FORMAT_VERSION), JSON.stringify(f.version));
  if (!f.weights || !Array.isArray(f.weights.tensors) || typeof f.weights.file !== 'string' || !/^weights-[0-9a-f]{16}\.bin$/.test(f.weights.file)) {
    fail(dir, 'model.json weights', 'a manifest { file: weights-<hash>.bin, sha256, bytes, tensors }', JSON.stringify(f.weights)?.slice(0, 80) ?? 'undefined');
  }
  return f;
}

export function loadModel(dir: string, opts: { backend?: Backend | BackendName } = {}): LoadedModel {
  const f = readModelFile(dir);
  // sizes first: the config's parameter count against the limits and the bytes present
  const declared = countParameters(parseConfig(`loadModel(${dir})`, 'model.json config', modelConfigSchema, f.config), `loadModel(${dir})`);
  const wFile = join(dir, f.weights.file);
  if (existsSync(wFile) && statSync(wFile).size !== declared * 4) {
    fail(dir, f.weights.file, `${declared * 4} bytes (${declared} float32 values, from the config)`, `${statSync(wFile).size} bytes`);
  }
  const model = new SequenceModel(f.config, { backend: opts.backend });
  const params = model.parameters();
  const tensors = f.weights.tensors;
  if (tensors.length !== params.length) fail(dir, 'weights.tensors', `${params.length} tensors (from the config)`, `${tensors.length}`);
  let total = 0;
  params.forEach((p, i) => {
    const t = tensors[i]!;
    if (t.name !== p.name || t.length !== p.value.length || t.offset !== total || JSON.stringify(t.shape) !== JSON.stringify(p.shape)) {
      fail(dir, `weights.tensors[${i}]`, `${p.name} [${p.shape.join(', ')}] at offset ${total}`, `${t.name} [${t.shape?.join(', ')}] at offset ${t.offset}`);
    }
    total += t.length;
  });
  const wPath = join(dir, f.weights.file);
  if (!existsSync(wPath)) fail(dir, 'weights file', `${f.weights.file} to exist`, 'a missing file');
  const size = statSync(wPath).size;
  if (size !== total * 4) fail(dir, f.weights.file, `${total * 4} bytes (${total} float32 values)`, `${size} bytes`);
  const bytes = readFileSync(wPath);
  if (sha256(bytes) !== f.weights.sha256) fail(dir, f.weights.file, `sha256 ${f.weights.sha256.slice(0, 12)}…`, 'different content (corrupt file)');
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, total);
  params.forEach((p, i) => {
    const t = tensors[i]!;
    const src = flat.subarray(t.offset, t.offset + t.length);
    for (let j = 0; j < src.length; j++) {
      if (!Number.isFinite(src[j]!)) fail(dir, `weight ${p.name}`, 'finite numbers', `${src[j]} at index ${j}`);
    }
    p.value.set(src);
  });
  const out: LoadedModel = { model, file: f };
  if (f.trainState) {
    const sPath = join(dir, f.trainState.file);
    const text = existsSync(sPath) ? readFileSync(sPath, 'utf8') : fail(dir, 'train state file', `${f.trainState.file} to exist`, 'a missing file');
    if (sha256(text) !== f.trainState.sha256) fail(dir, f.trainState.file, 'the recorded sha256', 'different content (corrupt file)');
    out.trainState = JSON.parse(text) as TrainState;
  }
  return out;
}
