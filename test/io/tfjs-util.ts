/** TF.js (dev dependency) helpers for the io tests: save to / load from a folder on disk. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

let ready: Promise<void> | null = null;

export async function tfReady(): Promise<typeof tf> {
  ready ??= tf.setBackend('cpu').then(() => undefined);
  await ready;
  return tf;
}

/** Saves a tfjs model as model.json + two weight shards (the byte stream split in the middle). */
export async function saveToFolder(model: tf.LayersModel, dir: string): Promise<string> {
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = new Uint8Array(a.weightData as ArrayBuffer);
      const cut = Math.floor(data.length / 2);
      writeFileSync(join(dir, 'group1-shard1of2.bin'), data.subarray(0, cut));
      writeFileSync(join(dir, 'group1-shard2of2.bin'), data.subarray(cut));
      const json = { format: 'layers-model', generatedBy: a.generatedBy, convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs }] };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

/** A file-reading IOHandler for tf.loadLayersModel (pure tfjs has no file:// handler in Node). */
export function fileHandler(modelJson: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJson, 'utf8'));
      const dir = modelJson.slice(0, modelJson.lastIndexOf('/'));
      const parts: Uint8Array[] = [];
      const specs: tf.io.WeightsManifestEntry[] = [];
      for (const g of json.weightsManifest) {
        for (const p of g.paths) parts.push(new Uint8Array(readFileSync(join(dir, p))));
        specs.push(...g.weights);
      }
      const total = parts.reduce((a, b) => a + b.length, 0);
      const buf = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        buf.set(p, off);
        off += p.length;
      }
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: buf.buffer };
    },
  };
}

/** Deterministic inputs in [-1, 1). */
export function inputs(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}
