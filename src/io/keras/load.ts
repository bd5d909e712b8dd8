/**
 * Keras model files → rnnlens SequenceModel:
 * - `.keras` (Keras 3, and tf.keras ≥ 2.12): zip of config.json, metadata.json, model.weights.h5;
 * - `.h5` / `.hdf5` (Keras 2 HDF5 from model.save): attribute `model_config`, group `model_weights`.
 * The config goes through the same Keras layer mapping as TF.js models (src/io/tfjs/layers.ts), so
 * a Keras file and its TF.js conversion give the same rnnlens model; only the weight layouts
 * differ (src/io/keras/weights.ts). Call `initH5()` (or `loadModelAsync`) first: HDF5 is WASM.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Backend } from '../../core/backend.js';
import type { BackendName } from '../../core/backends.js';
import { RnnlensError } from '../../core/errors.js';
import { tfjsArtifactsToModel, type TfjsImport } from '../tfjs/load.js';
import type { KerasLayerJson, TfjsArtifacts } from '../tfjs/read.js';
import { readKerasArchive } from './archive.js';
import { stringAttr, withH5File } from './h5.js';
import { readKeras2Weights, readKeras3Weights, type WeightMap } from './weights.js';

export interface KerasImport extends TfjsImport {
  /** Which Keras file layout the model came from. */
  layout: 'keras3' | 'keras2';
  notes: string[];
}

/** Largest Keras file read (bytes). */
const MAX_FILE_BYTES = 2 ** 31 - 1;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

/** HDF5 files start with the signature at 0, or after a user block at 512, 1024, 2048, … */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at === 0 ? 512 : at * 2) if (startsWith(bytes, HDF5_MAGIC, at)) return true;
  return false;
}

export function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, ZIP_MAGIC);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The {class_name, config} of a model config; `layers` in the order Keras lists them. */
function modelConfigOf(json: unknown, label: string, where: string): { modelConfig: TfjsArtifacts['modelConfig']; layers: KerasLayerJson[] } {
  if (!isObj(json) || typeof json.class_name !== 'string' || !isObj(json.config)) throw new RnnlensError(`${label}: ${where} must be a Keras model config {class_name, config}`);
  const layers = Array.isArray(json.config.layers) ? (json.config.layers as KerasLayerJson[]) : [];
  return { modelConfig: { class_name: json.class_name, config: json.config }, layers };
}

function build(label: string, modelConfig: TfjsArtifacts['modelConfig'], kerasVersion: string, weights: WeightMap, opts: { backend?: Backend | BackendName }): TfjsImport {
  try {
    return tfjsArtifactsToModel({ modelConfig, kerasVersion, weights }, { ...opts, weightsLabel: 'the weights file' });
  } catch (e) {
    if (e instanceof RnnlensError) throw new RnnlensError(`${label}: ${e.message.replace(/^TF\.js\/Keras import: /, '')}`);
    throw e;
  }
}

function fromArchive(bytes: Uint8Array, label: string, opts: { backend?: Backend | BackendName }): KerasImport {
  const a = readKerasArchive(bytes, label);
  const { modelConfig, layers } = modelConfigOf(a.config, label, 'config.json');
  const notes: string[] = [];
  let kerasVersion = typeof a.metadata?.keras_version === 'string' ? a.metadata.keras_version : '';
  if (!kerasVersion) {
    kerasVersion = '3';
    notes.push('the archive has no metadata.json keras_version: read as Keras 3 (hard_sigmoid = clip(x/6 + 0.5, 0, 1))');
  }
  const weights = withH5File(a.weights, `${label} (model.weights.h5)`, (f) => readKeras3Weights(f, layers, `${label} (model.weights.h5)`));
  return { ...build(label, modelConfig, kerasVersion, weights, opts), layout: 'keras3', notes };
}

function fromHdf5(bytes: Uint8Array, label: string, opts: { backend?: Backend | BackendName }): KerasImport {
  const { config, kerasVersion, weights } = withH5File(bytes, label, (f) => {
    const text = stringAttr(f, 'model_config');
    if (text === null) {
      const weightsOnly = f.keys().includes('layers') || f.keys().includes('vars') || 'layer_names' in f.attrs;
      throw new RnnlensError(
        weightsOnly
          ? `${label}: holds weights only (no 'model_config' attribute); rnnlens needs the architecture too: save the whole model (model.save("model.keras") or model.save("model.h5"))`
          : `${label}: an HDF5 file without a 'model_config' attribute; expected a Keras model saved with model.save("model.h5")`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new RnnlensError(`${label}: the 'model_config' attribute is not valid JSON (${(e as Error).message})`);
    }
    const version = stringAttr(f, 'keras_version') ?? '';
    return { config: json, kerasVersion: version, weights: readKeras2Weights(f, label) };
  });
  const { modelConfig } = modelConfigOf(config, label, "the 'model_config' attribute");
  const notes: string[] = [];
  if (!kerasVersion) notes.push("the file names no keras_version: read as Keras 2 (hard_sigmoid = clip(0.2x + 0.5, 0, 1))");
  return { ...build(label, modelConfig, kerasVersion, weights, opts), layout: 'keras2', notes };
}

/** Loads a `.keras` or Keras 2 `.h5` model file. */
export function loadKerasFile(path: string, opts: { backend?: Backend | BackendName } = {}): KerasImport {
  const label = `Keras model ${path}`;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new RnnlensError(`${label}: no such file`);
  }
  if (size > MAX_FILE_BYTES) throw new RnnlensError(`${label}: ${size} bytes is larger than the ${MAX_FILE_BYTES} bytes rnnlens reads`);
  const bytes = new Uint8Array(readFileSync(path));
  if (isZip(bytes)) return fromArchive(bytes, label, opts);
  if (isHdf5(bytes)) return fromHdf5(bytes, label, opts);
  throw new RnnlensError(`${label}: neither a .keras archive (zip) nor a Keras HDF5 file (the file starts with neither signature)`);
}
