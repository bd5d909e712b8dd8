/**
 * A model as bytes, so that jobs can carry it to worker threads and to other machines: the files
 * of a model folder (native rnnlens or TF.js: model.json and its weight files; a native
 * checkpoint's train state is left out) or a single model file (.onnx, a TF.js model.json with
 * its weight shards beside it). The receiver writes the files once into a folder named by their
 * hash and loads the model from there with the same loader the command used, so every format the
 * command accepts works on the workers.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { RnnlensError } from '../core/errors.js';

export interface ModelPackage {
  /** sha256 over the file names and bytes */
  hash: string;
  /** the file (relative to the package folder) the loader is given; '' for the folder itself */
  entry: string;
  files: Record<string, Uint8Array>;
}

/** The package hash: every file's name, size and bytes, in name order. */
function packageHash(files: Record<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const n of Object.keys(files).sort()) {
    const bytes = files[n]!;
    h.update(`${n}\0${bytes.byteLength}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** Larger models are refused: jobs are meant for models that fit in memory many times over. */
export const MAX_MODEL_BYTES = 1 << 30;

function listFiles(dir: string, skip: (name: string) => boolean): string[] {
  return readdirSync(dir)
    .filter((n) => !skip(n) && statSync(join(dir, n)).isFile())
    .sort();
}

/** Reads the model at `path` (as the command's --model names it) into a package. */
export function packModel(path: string): ModelPackage {
  if (!existsSync(path)) throw new RnnlensError(`model ${path} does not exist (expected a model folder, a model.json or an .onnx file)`);
  let dir: string;
  let names: string[];
  let entry: string;
  if (statSync(path).isDirectory()) {
    dir = path;
    entry = '';
    names = listFiles(dir, (n) => n.startsWith('train-state-') || n.startsWith('.'));
  } else if (basename(path) === 'model.json') {
    dir = dirname(path);
    entry = 'model.json';
    names = listFiles(dir, (n) => n.startsWith('train-state-') || n.startsWith('.'));
  } else {
    dir = dirname(path);
    entry = basename(path);
    names = [entry];
  }
  let total = 0;
  const files: Record<string, Uint8Array> = {};
  for (const n of names) {
    total += statSync(join(dir, n)).size;
    if (total > MAX_MODEL_BYTES) throw new RnnlensError(`model ${path}: its files exceed ${MAX_MODEL_BYTES >> 20} MiB, too large to send to workers`);
    files[n] = new Uint8Array(readFileSync(join(dir, n)));
  }
  return { hash: packageHash(files), entry, files };
}

/** Where received packages are written: one folder per hash, reused across jobs and runs. */
export function packageRoot(): string {
  return process.env['RNNLENS_MODEL_CACHE'] ?? join(tmpdir(), 'rnnlens-models');
}

/** Writes the package's files (once; atomically by folder rename) and returns the path to load. */
export function materializeModel(pkg: ModelPackage, root = packageRoot()): string {
  if (!/^[0-9a-f]{64}$/.test(pkg.hash)) throw new RnnlensError(`model package: expected a sha256 hash, received ${JSON.stringify(pkg.hash)}`);
  for (const n of Object.keys(pkg.files))
    if (n.includes('/') || n.includes('\\') || n === '..' || n === '.' || n === '') throw new RnnlensError(`model package: file name ${JSON.stringify(n)} is not a plain name`);
  if (packageHash(pkg.files) !== pkg.hash) throw new RnnlensError(`model package ${pkg.hash.slice(0, 12)}: its files do not match its hash (damaged on the way)`);
  const dir = join(root, pkg.hash);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(root, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    mkdirSync(tmp);
    for (const [n, bytes] of Object.entries(pkg.files)) writeFileSync(join(tmp, n), bytes);
    writeFileSync(join(tmp, '.complete'), '');
    try {
      renameSync(tmp, dir);
    } catch {
      // another thread or process wrote the same package first: keep theirs
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, '.complete'))) throw new RnnlensError(`model package: could not write ${dir}`);
    }
  }
  return pkg.entry ? join(dir, pkg.entry) : dir;
}
