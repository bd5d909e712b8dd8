/**
 * TF.js Layers model folder / model.json → rnnlens SequenceModel with the file's weights.
 * Weights are found by layer, direction and role (kernel, recurrent_kernel, bias, embeddings), so
 * both TF.js names (`lstm_1/kernel`, `bidi/forward_lstm/kernel`) and Keras-converter names
 * (`lstm/lstm_cell/kernel:0`) load; their shapes must agree with the config.
 */
import { modelConfigSchema, parseConfig } from '../../nn/config.js';
import { countParameters } from '../../nn/param-count.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../core/backend.js';
import type { BackendName } from '../../core/backends.js';
import { RnnlensError } from '../../core/errors.js';
import { SequenceModel } from '../../nn/model.js';
import { loadKerasWeights, parameterNames, type NamedArray } from '../../nn/names.js';
import { kerasToRnnlens, orderedLayers, type KerasMapping, type WeightRef } from './layers.js';
import { readTfjs, type TfjsArtifacts } from './read.js';

export interface TfjsImport extends Omit<KerasMapping, 'config' | 'weightNames'> {
  model: SequenceModel;
  kerasVersion: string;
}

function findWeight(files: TfjsArtifacts['weights'], ref: WeightRef, wanted: string, where: string): { name: string; shape: number[]; data: Float32Array } {
  const hits: string[] = [];
  for (const raw of files.keys()) {
    const name = raw.replace(/:\d+$/, '');
    if (!name.startsWith(`${ref.layer}/`)) continue;
    const segs = name.slice(ref.layer.length + 1).split('/');
    const roleSegs = ref.role.split('/').length;
    if (segs.slice(-roleSegs).join('/') !== ref.role) continue;
    const middle = segs.slice(0, -roleSegs);
    const dirOf = middle.find((s) => s === 'forward' || s === 'backward' || s.startsWith('forward_') || s.startsWith('backward_'));
    if (ref.dir === null ? dirOf === undefined : dirOf !== undefined && dirOf.startsWith(ref.dir)) hits.push(raw);
  }
  if (hits.length !== 1) {
    throw new RnnlensError(
      `TF.js/Keras import: weight for ${wanted} (layer '${ref.layer}'${ref.dir ? `, ${ref.dir}` : ''}, '${ref.role}'): ${hits.length === 0 ? `not found in ${where}` : `ambiguous (${hits.join(', ')})`}; ${where} has ${[...files.keys()].slice(0, 12).join(', ') || 'no weights'}${files.size > 12 ? ', ...' : ''}`,
    );
  }
  return { name: hits[0]!, ...files.get(hits[0]!)! };
}

/**
 * Builds the model from already-read artifacts (exported for tests, `convert` and the Keras file
 * reader in src/io/keras, which names its weights the same way). `weightsLabel` names where the
 * weights came from in errors (default: the weights manifest).
 */
export function tfjsArtifactsToModel(art: TfjsArtifacts, opts: { backend?: Backend | BackendName; weightsLabel?: string } = {}): TfjsImport {
  const mapping = kerasToRnnlens(orderedLayers(art.modelConfig), art.kerasVersion);
  // sizes before building: the layers' parameter count against the limits and the weights present
  // (rnnlens keeps two recurrent biases where Keras sums them, so it holds at most twice as many)
  let declared: number;
  try {
    declared = countParameters(parseConfig('TF.js/Keras import', 'layers', modelConfigSchema, mapping.config), 'TF.js/Keras import');
  } catch (e) {
    throw new RnnlensError(`TF.js/Keras import: the layers do not form a valid rnnlens model: ${(e as Error).message}`);
  }
  let present = 0;
  for (const w of art.weights.values()) present += w.data.length;
  if (declared > 2 * present) {
    throw new RnnlensError(`TF.js/Keras import: the layers declare ${declared.toLocaleString('en-US')} parameters but the weight files hold only ${present.toLocaleString('en-US')} values`);
  }
  let model: SequenceModel;
  try {
    model = new SequenceModel(mapping.config, { backend: opts.backend });
  } catch (e) {
    throw new RnnlensError(`TF.js/Keras import: the layers do not form a valid rnnlens model: ${(e as Error).message}`);
  }
  const weights: Record<string, NamedArray> = {};
  const shapes = new Map(parameterNames(model).map((n) => [n.keras.name, n]));
  for (const [wanted, ref] of mapping.weightNames) {
    const w = findWeight(art.weights, ref, wanted, opts.weightsLabel ?? 'the weights manifest');
    const n = shapes.get(wanted);
    if (!n) throw new RnnlensError(`TF.js/Keras import: internal mapping names weight '${wanted}', which the model does not have`);
    const expectShape = n.keras.row !== undefined ? [2, n.shape[n.shape.length - 1]!] : n.shape;
    const ok = w.shape.length === expectShape.length && w.shape.every((d, i) => d === expectShape[i]);
    if (!ok) throw new RnnlensError(`TF.js/Keras import: weight '${w.name}' has shape [${w.shape.join(', ')}] but the config of layer '${ref.layer}' needs [${expectShape.join(', ')}]`);
    weights[wanted] = { shape: w.shape, data: w.data };
  }
  loadKerasWeights(model, weights);
  const { config: _c, weightNames: _w, ...rest } = mapping;
  return { ...rest, model, kerasVersion: art.kerasVersion };
}

/** Loads `path`: a model.json file or a folder holding one. */
export function loadTfjs(path: string, opts: { backend?: Backend | BackendName } = {}): TfjsImport {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'model.json');
  } catch {
    throw new RnnlensError(`TF.js model ${path}: no such file or folder`);
  }
  return tfjsArtifactsToModel(readTfjs(file), opts);
}

/**
 * Sequence lengths implied by a Keras mask on right-padded input: with Embedding mask_zero the
 * trailing id-0 steps are padding; with Masking(mask_value) the trailing steps whose features all
 * equal mask_value. (Keras also skips masked steps in the middle of a sequence; rnnlens lengths
 * describe right padding only.) Every sequence keeps at least one step.
 */
export function maskLengths(imp: Pick<TfjsImport, 'maskZero' | 'maskValue'>, x: { batch: number; steps: number; ids?: ArrayLike<number>; data?: ArrayLike<number>; features?: number }): Int32Array {
  const out = new Int32Array(x.batch).fill(x.steps);
  const F = x.features ?? 1;
  const masked = (b: number, t: number): boolean => {
    if (x.ids && imp.maskZero) return x.ids[b * x.steps + t] === 0;
    if (x.data && imp.maskValue !== null) {
      for (let f = 0; f < F; f++) if (x.data[(b * x.steps + t) * F + f] !== imp.maskValue) return false;
      return true;
    }
    return false;
  };
  for (let b = 0; b < x.batch; b++) {
    let len = x.steps;
    while (len > 1 && masked(b, len - 1)) len--;
    out[b] = len;
  }
  return out;
}
