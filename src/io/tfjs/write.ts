/**
 * rnnlens SequenceModel → TF.js Layers format (`model.json` + one float32 weight shard), loadable
 * by `tf.loadLayersModel` (and by Keras through the tfjs converter). Activations are written
 * explicitly (TF.js would otherwise default recurrent_activation to hard sigmoid): 'sigmoid' or
 * 'hard_sigmoid' (TF.js's clip(0.2x + 0.5, 0, 1)); the Keras 3 hard sigmoid has no TF.js form and
 * is an error.
 *
 * rnnlens layers without a Keras class: a 'last' head after a plain recurrent layer becomes that
 * layer's return_sequences=false (the output at the last valid step IS the final state); 'mean' /
 * 'max' heads become GlobalAveragePooling1D / GlobalMaxPooling1D; an 'every' head is dropped.
 * A 'last' head after a Bidirectional layer has no Keras form (its backward half is not the final
 * state) and is an error. GRU reset_after=true is written as Keras does; stock tfjs-layers refuses
 * it, Keras and rnnlens load it.
 *
 * Files are written to temporary names and renamed at the end: no partial output on failure.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RnnlensError } from '../../core/errors.js';
import type { LayerConfig, RecurrentConfig } from '../../nn/config.js';
import type { SequenceModel } from '../../nn/model.js';
import { toKerasWeights } from '../../nn/names.js';
import { VERSION } from '../../version.js';

export interface TfjsWriteOptions {
  /** Append Activation('softmax') (the model's classifier output as probabilities). */
  softmax?: boolean;
  /** Write Embedding mask_zero=true (id 0 is padding). */
  maskZero?: boolean;
  /** Replace an existing model.json/shard at the destination. */
  overwrite?: boolean;
}

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: 'Sequential'; config: { name: string; layers: Array<{ class_name: string; config: Record<string, unknown> }> }; keras_version: string; backend: string };
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: 'float32' }> }>;
}

const keras = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

function recurrentJson(c: RecurrentConfig, name: string): { class_name: string; config: Record<string, unknown> } {
  const base: Record<string, unknown> = { name, units: c.units, use_bias: true, return_sequences: c.returnSequences ?? false, go_backwards: c.goBackwards ?? false, return_state: false, stateful: false, unroll: false };
  if (c.kind === 'simple_rnn') return { class_name: 'SimpleRNN', config: { ...base, activation: c.activation ?? 'tanh' } };
  const ra = c.recurrentActivation ?? 'sigmoid';
  if (ra === 'hard_sigmoid_keras3') {
    throw new RnnlensError(`TF.js export: layer '${name}' uses the Keras 3 hard sigmoid clip(x/6 + 0.5, 0, 1); TF.js has only clip(0.2x + 0.5, 0, 1) under the name hard_sigmoid, so the file would predict differently`);
  }
  const cell = { ...base, activation: 'tanh', recurrent_activation: ra };
  if (c.kind === 'lstm') return { class_name: 'LSTM', config: { ...cell, unit_forget_bias: true } };
  return { class_name: 'GRU', config: { ...cell, reset_after: c.resetAfter ?? true } };
}

/** The model.json object and the weight bytes. */
export function toTfjs(model: SequenceModel, opts: TfjsWriteOptions = {}): { json: TfjsModelJson; weights: Uint8Array } {
  const cfg = model.config();
  const layers: Array<{ class_name: string; config: Record<string, unknown> }> = [];
  const rename = new Map<string, string>(); // rnnlens weight-name prefix → Keras prefix
  const list: LayerConfig[] = cfg.layers;
  list.forEach((l, i) => {
    const name = keras(l.name ?? `${l.kind}_${i}`);
    rename.set(l.name!, name);
    const first = layers.length === 0;
    const inputShape = cfg.input.kind === 'numeric' ? [null, null, cfg.input.features] : [null, null];
    let out: { class_name: string; config: Record<string, unknown> } | null = null;
    switch (l.kind) {
      case 'embedding':
        out = { class_name: 'Embedding', config: { name, input_dim: l.vocabSize, output_dim: l.dim, mask_zero: opts.maskZero ?? false } };
        break;
      case 'simple_rnn':
      case 'lstm':
      case 'gru': {
        const next = list[i + 1];
        const lastHead = next?.kind === 'head' && next.pool === 'last' && l.returnSequences === true;
        out = recurrentJson(lastHead ? { ...l, returnSequences: false } : l, name);
        break;
      }
      case 'bidirectional': {
        const inner = keras(l.layer.name ?? l.layer.kind);
        const merge = l.merge === 'mean' ? 'ave' : (l.merge ?? 'concat');
        out = { class_name: 'Bidirectional', config: { name, merge_mode: merge, layer: recurrentJson(l.layer, inner) } };
        break;
      }
      case 'dense':
        out = { class_name: 'Dense', config: { name, units: l.units, activation: l.activation === 'none' ? 'linear' : (l.activation ?? 'linear'), use_bias: true } };
        break;
      case 'dropout':
        out = { class_name: 'Dropout', config: { name, rate: l.rate } };
        break;
      case 'head': {
        const prev = list[i - 1];
        if (l.pool === 'every') break;
        if (l.pool === 'last') {
          if (prev && (prev.kind === 'simple_rnn' || prev.kind === 'lstm' || prev.kind === 'gru') && prev.returnSequences === true) break;
          throw new RnnlensError(`TF.js export: head '${l.name}' (last step) follows ${prev ? `a ${prev.kind} layer` : 'nothing'}; Keras has no last-valid-step layer except a recurrent layer's return_sequences=false, and a Bidirectional layer's backward half at the last step is not its final state`);
        }
        out = { class_name: l.pool === 'mean' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D', config: { name } };
        break;
      }
      case 'graph':
        throw new RnnlensError(`TF.js export: layer '${l.name}' is a graph of ONNX ops (${l.nodes.map((n) => n.op).join(', ') || 'none'}), which has no Keras layer; write a native model instead`);
    }
    if (!out) return;
    if (first) out.config.batch_input_shape = inputShape;
    if (first && cfg.input.kind === 'numeric' && out.class_name === 'Embedding') out.config.batch_input_shape = [null, null];
    layers.push(out);
  });
  if (opts.softmax) layers.push({ class_name: 'Activation', config: { name: 'softmax_output', activation: 'softmax' } });
  const weights = toKerasWeights(model);
  const specs: TfjsModelJson['weightsManifest'][0]['weights'] = [];
  const arrays: Float32Array[] = [];
  for (const [name, w] of Object.entries(weights)) {
    const slash = name.indexOf('/');
    const layer = name.slice(0, slash);
    const rest = name.slice(slash + 1).split('/').map(keras).join('/');
    specs.push({ name: `${rename.get(layer) ?? keras(layer)}/${rest}`, shape: w.shape, dtype: 'float32' });
    arrays.push(Float32Array.from(w.data));
  }
  const total = arrays.reduce((a, b) => a + b.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let off = 0;
  for (const a of arrays) for (const v of a) view.setFloat32((off++) * 4, v, true);
  const json: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: `rnnlens ${VERSION}`,
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'rnnlens_model', layers }, keras_version: `rnnlens ${VERSION}`, backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
  };
  return { json, weights: bytes };
}

/**
 * Writes `model.json` and `group1-shard1of1.bin` to `out` (a folder, or a path ending in .json).
 * Everything is written under temporary names first and renamed when complete.
 */
export function writeTfjs(model: SequenceModel, out: string, opts: TfjsWriteOptions = {}): string {
  const { json, weights } = toTfjs(model, opts);
  const dir = out.endsWith('.json') ? dirname(out) : out;
  const jsonName = out.endsWith('.json') ? basename(out) : 'model.json';
  const shard = json.weightsManifest[0]!.paths[0]!;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new RnnlensError(`TF.js export: '${dir}' exists and is not a folder`);
  const finals = [join(dir, shard), join(dir, jsonName)];
  if (!opts.overwrite) {
    for (const f of finals) if (existsSync(f)) throw new RnnlensError(`TF.js export: '${f}' already exists (pass overwrite to replace it)`);
  }
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const temps = finals.map((f) => f + tag);
  try {
    writeFileSync(temps[0]!, weights);
    writeFileSync(temps[1]!, JSON.stringify(json));
    renameSync(temps[0]!, finals[0]!); // shard first: a model.json never points at a missing shard
    renameSync(temps[1]!, finals[1]!);
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    if (createdDir && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    throw new RnnlensError(`TF.js export: writing '${dir}' failed: ${(e as Error).message}`);
  }
  return join(dir, jsonName);
}
