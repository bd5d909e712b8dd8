/**
 * One entry point for every model a user may bring: `loadModel(path)` accepts
 * - a native rnnlens model folder (model.json with format "rnnlens-model", src/train/checkpoint.ts),
 * - a TF.js Layers model (a model.json path, or a folder holding one with a weightsManifest),
 * - an ONNX file (`.onnx`, or any file starting with ONNX protobuf bytes),
 * - a Keras file: `.keras` (Keras 3 zip) or `.h5` / `.hdf5` (Keras 2 HDF5 with model_config), also
 *   recognised by their zip / HDF5 signatures. HDF5 is read by WebAssembly that loads
 *   asynchronously, so Keras files need `loadModelAsync` (which works for every format).
 * It returns the SequenceModel plus what callers need to use it like its source did (task hint,
 * final softmax, input conventions, preprocessing for native models). `saveModelAs` writes native
 * or TF.js (ONNX is import-only).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../core/backend.js';
import type { BackendName } from '../core/backends.js';
import { RnnlensError } from '../core/errors.js';
import type { SequenceModel } from '../nn/model.js';
import { loadModel as loadNative, MODEL_FORMAT, saveModel as saveNative } from '../train/checkpoint.js';
import type { TaskKind } from '../train/tasks.js';
import { importOnnx, type OnnxImport } from './onnx/import.js';
import { loadTfjs, type TfjsImport } from './tfjs/load.js';
import { writeTfjs } from './tfjs/write.js';
import { initH5 } from './keras/h5.js';
import { isHdf5, isZip, loadKerasFile, type KerasImport } from './keras/load.js';

export type ModelFormat = 'native' | 'tfjs' | 'onnx' | 'keras';

export interface LoadedAnyModel {
  format: ModelFormat;
  path: string;
  model: SequenceModel;
  /** The task when the source says so (native), or 'classification' when it ends in softmax. */
  task: TaskKind | null;
  /** The source model applies a softmax after the rnnlens model's output. */
  softmax: boolean;
  classNames?: string[];
  /** Native models: tokenizer / normalisation settings. */
  preprocessing: Record<string, unknown>;
  onnx?: OnnxImport;
  tfjs?: TfjsImport;
  keras?: KerasImport;
  /** Facts a user should know about how the source maps (shown by `inspect`). */
  notes: string[];
}

/** Largest ONNX file read (bytes). */
const MAX_ONNX_BYTES = 1 << 30;

function modelJsonFormat(file: string): 'native' | 'tfjs' {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RnnlensError(`model ${file}: not valid JSON (${(e as Error).message})`);
  }
  const o = json as Record<string, unknown> | null;
  if (o && typeof o === 'object' && o.format === MODEL_FORMAT) return 'native';
  if (o && typeof o === 'object' && 'modelTopology' in o) return 'tfjs';
  throw new RnnlensError(`model ${file}: a model.json that is neither an rnnlens model (format "${MODEL_FORMAT}") nor a TF.js Layers model (modelTopology)`);
}

/** Which format `path` holds. */
export function detectFormat(path: string): ModelFormat {
  if (!existsSync(path)) throw new RnnlensError(`model ${path}: no such file or folder`);
  const st = statSync(path);
  if (st.isDirectory()) {
    const mj = join(path, 'model.json');
    if (!existsSync(mj)) throw new RnnlensError(`model ${path}: the folder holds no model.json (expected an rnnlens or TF.js model folder)`);
    return modelJsonFormat(mj);
  }
  const lower = path.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.json')) return modelJsonFormat(path);
  if (lower.endsWith('.keras') || lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'keras';
  // sniff: ONNX ModelProto starts with field 1 (ir_version, varint) = byte 0x08; Keras: zip or HDF5
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(1032);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const bytes = new Uint8Array(head.buffer, head.byteOffset, n);
  if (n > 0 && bytes[0] === 0x08) return 'onnx';
  if (isZip(bytes) || isHdf5(bytes)) return 'keras';
  throw new RnnlensError(`model ${path}: unknown model format (expected a native model folder, a TF.js model.json, an .onnx file, or a Keras .keras / .h5 file)`);
}

/** `loadModel` for every format, Keras files included (initialises the HDF5 reader when needed). */
export async function loadModelAsync(path: string, opts: { backend?: Backend | BackendName } = {}): Promise<LoadedAnyModel> {
  if (detectFormat(path) === 'keras') await initH5();
  return loadModel(path, opts);
}

/** Loads any format; Keras files only after the HDF5 reader is initialised (see `loadModelAsync`). */
export function loadModel(path: string, opts: { backend?: Backend | BackendName } = {}): LoadedAnyModel {
  const format = detectFormat(path);
  if (format === 'keras') {
    const k = loadKerasFile(path, opts);
    const notes = [`Keras ${k.layout === 'keras3' ? '.keras archive' : '2 HDF5 file'}${k.kerasVersion ? ` written by Keras ${k.kerasVersion}` : ''}`, ...k.notes];
    if (k.maskZero) notes.push('Embedding mask_zero: token id 0 is padding (give lengths up to the first 0)');
    if (k.maskValue !== null) notes.push(`Masking(mask_value=${k.maskValue}): steps equal to it are padding (give lengths)`);
    return { format, path, model: k.model, task: k.softmax ? 'classification' : null, softmax: k.softmax, preprocessing: {}, keras: k, notes };
  }
  if (format === 'native') {
    const dir = statSync(path).isDirectory() ? path : join(path, '..');
    const l = loadNative(dir, opts);
    const out: LoadedAnyModel = { format, path, model: l.model, task: l.file.task, softmax: false, preprocessing: l.file.preprocessing ?? {}, notes: [] };
    if (l.file.classNames) out.classNames = l.file.classNames;
    return out;
  }
  if (format === 'tfjs') {
    const t = loadTfjs(path, opts);
    const notes: string[] = [];
    if (t.maskZero) notes.push('Embedding mask_zero: token id 0 is padding (give lengths up to the first 0)');
    if (t.maskValue !== null) notes.push(`Masking(mask_value=${t.maskValue}): steps equal to it are padding (give lengths)`);
    return { format, path, model: t.model, task: t.softmax ? 'classification' : null, softmax: t.softmax, preprocessing: {}, tfjs: t, notes };
  }
  const size = statSync(path).size;
  if (size > MAX_ONNX_BYTES) throw new RnnlensError(`model ${path}: ${size} bytes is larger than the ${MAX_ONNX_BYTES} bytes rnnlens reads`);
  const o = importOnnx(new Uint8Array(readFileSync(path)), opts);
  const notes: string[] = [];
  if (o.input.layout === 'time-major') notes.push(`the ONNX input '${o.input.name}' is time-major [steps, batch, features]; rnnlens inputs are batch-first`);
  for (const s of o.stateInputs) notes.push(`initial ${s.which} of ${s.layer} (${s.direction}) comes from ONNX input '${s.input}' row ${s.row}`);
  if (o.lengthsInput) notes.push(`sequence lengths come from ONNX input '${o.lengthsInput}'`);
  if (o.mode === 'graph') notes.push('the ops between recurrent layers run as graph layers on the padded batch, as in ONNX: reductions over time include padded steps, so give batches of equal length');
  if (o.model.layers.some((l) => l.kind === 'head')) notes.push('a last-step pick (x[:, -1]) is mapped to the last VALID step of each sequence (the same for unpadded input)');
  return { format, path, model: o.model, task: o.output.softmax ? 'classification' : null, softmax: o.output.softmax, preprocessing: {}, onnx: o, notes };
}

export interface SaveAsOptions {
  task?: TaskKind;
  softmax?: boolean;
  classNames?: string[];
  preprocessing?: Record<string, unknown>;
  overwrite?: boolean;
  maskZero?: boolean;
}

/** Writes `model` as a native folder or a TF.js model (ONNX is import-only). */
export function saveModelAs(model: SequenceModel, out: string, format: ModelFormat, opts: SaveAsOptions = {}): string {
  if (format === 'onnx' || format === 'keras') throw new RnnlensError(`convert: ${format === 'onnx' ? 'ONNX' : 'Keras'} is import-only; write a native model folder or a TF.js model.json`);
  if (format === 'tfjs') return writeTfjs(model, out, { softmax: opts.softmax ?? false, maskZero: opts.maskZero ?? false, overwrite: opts.overwrite ?? false });
  if (existsSync(join(out, 'model.json')) && !opts.overwrite) throw new RnnlensError(`convert: '${out}' already holds a model (pass --force to replace it)`);
  const save: Parameters<typeof saveNative>[2] = { task: opts.task ?? (opts.softmax ? 'classification' : 'regression'), preprocessing: opts.preprocessing ?? {} };
  if (opts.classNames) save.classNames = opts.classNames;
  saveNative(out, model, save);
  return out;
}
