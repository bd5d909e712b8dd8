/**
 * Loads any model a command accepts: a native model folder (or its model.json). Imported formats
 * (TF.js `model.json`, `.onnx`) are routed to src/io when present.
 */
import { existsSync, statSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RnnlensError } from '../core/errors.js';
import type { BackendName } from '../core/backends.js';
import type { SequenceModel } from '../nn/model.js';
import { loadModel, MODEL_FORMAT } from '../train/checkpoint.js';
import type { TaskKind } from '../train/tasks.js';

export interface LoadedAnyModel {
  model: SequenceModel;
  format: 'native' | 'tfjs' | 'onnx' | 'keras';
  task?: TaskKind;
  classNames?: string[];
  preprocessing: Record<string, unknown>;
  path: string;
}

export type ImportedLoader = (path: string, opts: { backend?: BackendName }) => Promise<LoadedAnyModel>;

let importedLoader: ImportedLoader | null = null;

/** Lets src/io register the loader for TF.js and ONNX files (keeps this module free of them). */
export function registerImportedLoader(loader: ImportedLoader): void {
  importedLoader = loader;
}

function isNativeJson(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { format?: string }).format === MODEL_FORMAT;
  } catch {
    return false;
  }
}

export async function loadAnyModel(path: string, opts: { backend?: BackendName } = {}): Promise<LoadedAnyModel> {
  if (!existsSync(path)) throw new RnnlensError(`model ${path} does not exist (expected a model folder, a model.json or an .onnx file)`);
  let dir: string | null = null;
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'model.json')) && isNativeJson(join(path, 'model.json'))) dir = path;
  } else if (basename(path) === 'model.json' && isNativeJson(path)) {
    dir = dirname(path);
  }
  if (dir) {
    const { model, file } = loadModel(dir, { backend: opts.backend });
    return { model, format: 'native', task: file.task, classNames: file.classNames, preprocessing: file.preprocessing, path };
  }
  if (!importedLoader) {
    throw new RnnlensError(`model ${path}: not a native rnnlens model folder, and no importer for TF.js/ONNX files is registered`);
  }
  return importedLoader(path, opts);
}
