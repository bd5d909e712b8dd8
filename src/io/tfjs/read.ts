/**
 * Reads a TF.js Layers model: `model.json` (`{modelTopology, weightsManifest}`, or the Keras
 * converter's `model_config` wrapper inside modelTopology) and its weight shards. Shard sizes are
 * checked against the manifest BEFORE any shard is read, so a wrong or absurd manifest is a clear
 * error and never a huge allocation. Weights are the little-endian arrays of the manifest,
 * concatenated in order across each group's shard files.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { RnnlensError } from '../../core/errors.js';

export interface KerasLayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown[];
}

export interface TfjsArtifacts {
  /** The Keras model config: {class_name: 'Sequential'|'Model'|'Functional', config}. */
  modelConfig: { class_name: string; config: Record<string, unknown> };
  kerasVersion: string;
  weights: Map<string, { shape: number[]; data: Float32Array }>;
}

const MAX_WEIGHT_BYTES = 2 ** 31 - 1;

function fail(path: string, what: string): never {
  throw new RnnlensError(`TF.js model ${path}: ${what}`);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates the topology part; returns the Keras model config. */
export function topologyOf(json: unknown, path: string): { modelConfig: TfjsArtifacts['modelConfig']; kerasVersion: string } {
  if (!isObj(json)) fail(path, 'model.json must hold a JSON object');
  let topo = json.modelTopology;
  if (!isObj(topo)) fail(path, "model.json has no 'modelTopology' object (is this a TF.js Layers model? graph models are not supported)");
  const kerasVersion = String(topo.keras_version ?? '');
  if (isObj(topo.model_config)) topo = topo.model_config;
  const t = topo as Record<string, unknown>;
  if (typeof t.class_name !== 'string' || !isObj(t.config)) fail(path, "modelTopology must be {class_name, config} (or wrap it in 'model_config')");
  return { modelConfig: { class_name: t.class_name, config: t.config }, kerasVersion };
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
}

function manifestOf(json: Record<string, unknown>, path: string): Array<{ paths: string[]; weights: ManifestEntry[] }> {
  const m = json.weightsManifest;
  if (m === undefined) return [];
  if (!Array.isArray(m)) fail(path, "'weightsManifest' must be an array of {paths, weights}");
  return m.map((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) fail(path, `weightsManifest[${gi}] must be {paths: [...], weights: [...]}`);
    const paths = g.paths.map((p, pi) => {
      if (typeof p !== 'string' || p.length === 0) fail(path, `weightsManifest[${gi}].paths[${pi}] must be a file name`);
      if (isAbsolute(p) || normalize(p).startsWith('..')) fail(path, `weight shard path '${p}' must stay inside the model folder`);
      return p;
    });
    const weights = g.weights.map((w, wi) => {
      const where = `weightsManifest[${gi}].weights[${wi}]`;
      if (!isObj(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) fail(path, `${where} must be {name, shape, dtype}`);
      if (isObj(w.quantization)) fail(path, `${where} ('${w.name}') is quantized; rnnlens reads float32 weights only`);
      const shape = w.shape.map((d) => {
        if (!Number.isInteger(d) || (d as number) < 0) fail(path, `${where} ('${w.name}') has an invalid shape [${(w.shape as unknown[]).join(', ')}]`);
        return d as number;
      });
      const dtype = String(w.dtype ?? 'float32');
      if (dtype !== 'float32') fail(path, `${where} ('${w.name}') has dtype ${dtype}; rnnlens reads float32 weights only`);
      return { name: w.name, shape, dtype };
    });
    return { paths, weights };
  });
}

/** Reads `model.json` at `path` and the weight shards beside it. */
export function readTfjs(path: string): TfjsArtifacts {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(path, `cannot read the file (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(path, `is not valid JSON (${(e as Error).message}); is it truncated?`);
  }
  const { modelConfig, kerasVersion } = topologyOf(json, path);
  const groups = manifestOf(json as Record<string, unknown>, path);
  const dir = dirname(path);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [gi, g] of groups.entries()) {
    let need = 0;
    for (const w of g.weights) {
      need += 4 * w.shape.reduce((a, b) => a * b, 1);
      if (need > MAX_WEIGHT_BYTES) fail(path, `weightsManifest[${gi}] declares more than ${MAX_WEIGHT_BYTES} bytes of weights`);
    }
    let have = 0;
    const sizes = g.paths.map((p) => {
      try {
        const s = statSync(join(dir, p));
        if (!s.isFile()) fail(path, `weight shard '${p}' is not a file`);
        return s.size;
      } catch (e) {
        if (e instanceof RnnlensError) throw e;
        fail(path, `weight shard '${p}' is missing (${(e as Error).message})`);
      }
    });
    for (const s of sizes) have += s;
    if (have !== need) fail(path, `weight shards of group ${gi} hold ${have} bytes but the manifest declares ${need} bytes (${g.weights.length} float32 tensors)`);
    const buf = new Uint8Array(need);
    let off = 0;
    for (const p of g.paths) {
      const b = readFileSync(join(dir, p));
      if (off + b.length > need) fail(path, `weight shard '${p}' changed size while being read`);
      buf.set(b, off);
      off += b.length;
    }
    const view = new DataView(buf.buffer);
    off = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(off + 4 * i, true);
        if (!Number.isFinite(v)) fail(path, `weight '${w.name}' holds ${v} at flat index ${i} (corrupt weight file?)`);
        data[i] = v;
      }
      off += 4 * n;
      if (weights.has(w.name)) fail(path, `weight '${w.name}' appears twice in the manifest`);
      weights.set(w.name, { shape: w.shape, data });
    }
  }
  return { modelConfig, kerasVersion, weights };
}
