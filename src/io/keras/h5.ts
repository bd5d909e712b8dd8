/**
 * HDF5 access for Keras files through h5wasm (the HDF5 C library compiled to WebAssembly).
 *
 * h5wasm must be initialised before use (`await ready`), so `initH5()` is async and the readers
 * after it are sync; `loadModelAsync` (src/io/load.ts) calls it. The package's default build keeps
 * files in an in-memory file system, so a file's bytes (read by us, size checked first) are written
 * there under a fresh name, opened, and removed again: nothing touches the real disk.
 *
 * HDF5 prints its error stack to stderr when a file is not HDF5 or is damaged. The module binds
 * its stderr writer to `console.error` when it is first imported, so the import happens with a
 * forwarding function in place; while a file is read the forwarder collects the lines instead, and
 * they become part of the RnnlensError (no HDF5 noise on the terminal, no stack traces).
 */
import type * as H5 from 'h5wasm';
import { RnnlensError } from '../../core/errors.js';

type H5Module = typeof H5;

let h5: H5Module | null = null;
let loading: Promise<H5Module> | null = null;
/** Where HDF5's diagnostics go: the terminal, or a buffer while a read is under way. */
let sink: string[] | null = null;

/** Loads and initialises h5wasm once. */
export function initH5(): Promise<H5Module> {
  loading ??= (async () => {
    const { error: origError, log: origLog } = console;
    const forward = (orig: (...a: unknown[]) => void) =>
      function (this: unknown, ...a: unknown[]): void {
        if (sink) sink.push(a.map(String).join(' '));
        else orig.apply(console, a);
      };
    console.error = forward(origError);
    console.log = forward(origLog);
    try {
      const mod = await import('h5wasm');
      await mod.ready;
      h5 = mod;
      return mod;
    } finally {
      console.error = origError;
      console.log = origLog;
    }
  })();
  return loading;
}

/** True once `initH5()` has finished. */
export function h5Ready(): boolean {
  return h5 !== null;
}

/** The first lines of HDF5's error stack that say what went wrong. */
function diagnosis(lines: string[]): string {
  const text = lines.join('\n');
  const why = [...text.matchAll(/#\d+: .*? in (\w+\(\)): (.*)/g)].map((m) => `${m[1]} ${m[2]}`);
  return why.length ? why.slice(-2).join('; ') : text.split('\n').slice(0, 2).join('; ');
}

let counter = 0;

/**
 * Opens `bytes` as an HDF5 file and passes it to `use`; the file is closed and its in-memory
 * copy removed afterwards. `label` names the file in errors.
 */
export function withH5File<T>(bytes: Uint8Array, label: string, use: (f: H5.File) => T): T {
  const mod = h5;
  if (!mod || !mod.FS) throw new RnnlensError(`${label}: the HDF5 reader is not initialised (load Keras files with loadModelAsync)`);
  const fs = mod.FS;
  const name = `/rnnlens-${process.pid}-${++counter}.h5`;
  fs.writeFile(name, bytes);
  const lines: string[] = [];
  sink = lines;
  let file: H5.File | null = null;
  try {
    try {
      file = new mod.File(name, 'r');
    } catch {
      throw new RnnlensError(`${label}: not a readable HDF5 file (${diagnosis(lines) || 'the HDF5 library could not open it'}); is it truncated or not an HDF5 file?`);
    }
    try {
      return use(file);
    } catch (e) {
      if (e instanceof RnnlensError) throw e;
      throw new RnnlensError(`${label}: the HDF5 file is damaged (${diagnosis(lines) || (e as Error).message})`);
    }
  } finally {
    try {
      file?.close();
    } catch {
      /* a damaged file may fail to close; its memory copy is removed below */
    }
    sink = null;
    fs.unlink(name);
  }
}

/** A group at `path`, or null when there is none (anything else there is an error). */
export function groupAt(f: H5.File, path: string, label: string): H5.Group | null {
  const e = f.get(path);
  if (e === null || e === undefined) return null;
  if (!(e instanceof h5!.Group)) throw new RnnlensError(`${label}: '${path}' is not an HDF5 group`);
  return e;
}

/** An attribute as a string (HDF5 strings, byte strings), or null when absent. */
export function stringAttr(obj: { attrs: Record<string, H5.Attribute> }, name: string): string | null {
  const a = obj.attrs[name];
  if (!a) return null;
  const v = a.value;
  return typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : null;
}

/** An attribute holding a list of strings (Keras `layer_names`, `weight_names`); [] when empty or absent. */
export function stringListAttr(obj: { attrs: Record<string, H5.Attribute> }, name: string, label: string): string[] {
  const a = obj.attrs[name];
  if (!a) return [];
  const v = a.value;
  if (typeof v === 'string') return [v];
  if (ArrayBuffer.isView(v) && (v as ArrayLike<number>).length === 0) return []; // Keras writes np.asarray([]) for "no weights"
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new RnnlensError(`${label}: attribute '${name}' must be a list of strings`);
}

/** Largest weight tensor read (values). */
const MAX_VALUES = 1 << 28;

/** A float dataset as float32 with its shape; size and type are checked before the data is read. */
export function readFloatDataset(f: H5.File, path: string, label: string): { shape: number[]; data: Float32Array } {
  const e = f.get(path);
  if (e === null || e === undefined) throw new RnnlensError(`${label}: no dataset '${path}'`);
  if (!(e instanceof h5!.Dataset)) throw new RnnlensError(`${label}: '${path}' is not an HDF5 dataset`);
  const shape = e.shape ?? [];
  const n = shape.reduce((a, b) => a * b, 1);
  const m = e.metadata;
  if (m.type !== 1 || (m.size !== 4 && m.size !== 8)) throw new RnnlensError(`${label}: weight '${path}' has HDF5 type ${JSON.stringify(e.dtype)}; rnnlens reads float32 and float64 weights`);
  if (n > MAX_VALUES) throw new RnnlensError(`${label}: weight '${path}' has ${n} values, more than the ${MAX_VALUES} rnnlens reads`);
  const raw = e.value;
  const v = typeof raw === 'number' ? Float64Array.of(raw) : raw; // a scalar dataset (Attention scale)
  if (!(v instanceof Float32Array) && !(v instanceof Float64Array)) throw new RnnlensError(`${label}: weight '${path}' could not be read as floats`);
  if (v.length !== n) throw new RnnlensError(`${label}: weight '${path}' holds ${v.length} values but its shape [${shape.join(', ')}] needs ${n}`);
  const data = v instanceof Float32Array ? v : Float32Array.from(v);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) throw new RnnlensError(`${label}: weight '${path}' holds ${data[i]} at flat index ${i} (corrupt weight file?)`);
  return { shape: [...shape], data };
}
