/**
 * Keras / TF.js Layers configs → rnnlens layer configs (the reverse lives in write.ts).
 *
 * Supported classes: InputLayer, Embedding (mask_zero), Masking, SimpleRNN, LSTM, GRU (both
 * reset_after), Bidirectional (concat, sum, mul, ave), Dense, Dropout, Activation,
 * TimeDistributed(Dense), GlobalAveragePooling1D, GlobalMaxPooling1D. A final softmax (Dense
 * activation or Activation layer) is reported as `softmax` (rnnlens keeps softmax in the loss).
 * Functional models are a chain of layers, with branching parts folded into graph layers.
 *
 * recurrent_activation: 'sigmoid', or 'hard_sigmoid' (TF.js's default when a config omits it),
 * whose definition depends on who wrote the file: Keras 2 / TF.js clip(0.2x + 0.5, 0, 1) →
 * rnnlens 'hard_sigmoid'; Keras 3 (keras_version 3.x) clip(x/6 + 0.5, 0, 1) → 'hard_sigmoid_keras3'.
 *
 * Conv1D, LayerNormalization, BatchNormalization, MaxPooling1D and AveragePooling1D become graph
 * layers (./layers-graph.ts); Attention, AdditiveAttention, MultiHeadAttention, Add, Multiply,
 * Concatenate and Softmax, with the branches around them, become graph layers too
 * (./functional.ts, ./layers-attention.ts).
 * Used for TF.js model.json files and for Keras .keras / .h5 files (src/io/keras).
 *
 * Not representable in rnnlens cells, hence rejected with the reason: other recurrent
 * activations, an LSTM/GRU `activation` other than tanh, SimpleRNN activations other than
 * tanh/relu, return_state, stateful, use_bias=false.
 */
import { RnnlensError } from '../../core/errors.js';
import type { LayerConfig, ModelConfig, RecurrentConfig } from '../../nn/config.js';
import { functionalChain } from './functional.js';
import { ATTENTION_CLASSES, SEGMENT_CLASS, kerasSegmentLayer, type SegmentMember } from './layers-attention.js';
import { GRAPH_CLASSES, kerasActivationLayer, kerasGraphLayer } from './layers-graph.js';
import type { KerasLayerJson } from './read.js';

/** A weight in the file: under layer `layer`, in direction `dir` (Bidirectional), named `role`. */
export interface WeightRef {
  layer: string;
  dir: 'forward' | 'backward' | null;
  role: string;
}

export interface KerasMapping {
  config: ModelConfig;
  /** Weight names (names.ts Keras form) → where the file keeps them (see `WeightRef`). */
  weightNames: Map<string, WeightRef>;
  softmax: boolean;
  /** Embedding mask_zero: steps from the first id 0 on are padding. */
  maskZero: boolean;
  /** Masking(mask_value): trailing steps whose features all equal it are padding. */
  maskValue: number | null;
  /** The Keras layer behind each rnnlens layer. */
  sources: Record<string, string>;
}

function fail(layer: string, what: string): never {
  throw new RnnlensError(`TF.js/Keras import: layer '${layer}': ${what}`);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Layer list in data-flow order (Sequential: as listed; functional: follow the single chain). */
export function orderedLayers(modelConfig: { class_name: string; config: Record<string, unknown> }): KerasLayerJson[] {
  const cfg = modelConfig.config;
  const layers = (Array.isArray(cfg) ? cfg : cfg.layers) as unknown;
  if (!Array.isArray(layers) || layers.length === 0) throw new RnnlensError(`TF.js/Keras import: the ${modelConfig.class_name} config has no layers`);
  for (const [i, l] of layers.entries()) {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) throw new RnnlensError(`TF.js/Keras import: layers[${i}] must be {class_name, config}`);
  }
  const list = layers as KerasLayerJson[];
  if (modelConfig.class_name === 'Sequential') return list;
  if (modelConfig.class_name !== 'Model' && modelConfig.class_name !== 'Functional') throw new RnnlensError(`TF.js/Keras import: model class '${modelConfig.class_name}' is not supported (Sequential, Model, Functional)`);
  const byName = new Set(list.map((l) => String(l.name ?? l.config.name)));
  const outs = cfg.output_layers as unknown;
  const outName = Array.isArray(outs) && Array.isArray(outs[0]) ? String(outs[0][0]) : Array.isArray(outs) ? String(outs[0]) : null;
  if (!outName || !byName.has(outName)) throw new RnnlensError('TF.js/Keras import: the functional model names no output layer');
  if (Array.isArray(outs) && Array.isArray(outs[0]) && outs.length > 1) throw new RnnlensError('TF.js/Keras import: models with several outputs are not supported');
  return functionalChain(list, outName);
}

function str(v: unknown, def: string): string {
  return typeof v === 'string' ? v : def;
}

function actName(v: unknown, def: string): string {
  const a = isObj(v) ? str(v.class_name, def) : str(v, def);
  return a.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(); // hardSigmoid → hard_sigmoid
}

/** Keras `recurrent_activation` → rnnlens `recurrentActivation` (hard sigmoid by the file's Keras version). */
function recurrentActivation(name: string, ra: string, kerasVersion: string): RecurrentConfig['recurrentActivation'] {
  if (ra === 'sigmoid') return 'sigmoid';
  // Keras 3 redefined hard_sigmoid as relu6(x + 3)/6; Keras 2 and TF.js use clip(0.2x + 0.5, 0, 1).
  if (ra === 'hard_sigmoid') return /^3\./.test(kerasVersion.trim()) ? 'hard_sigmoid_keras3' : 'hard_sigmoid';
  return fail(name, `recurrent_activation '${ra}': rnnlens LSTM/GRU gates support sigmoid and hard_sigmoid`);
}

function recurrent(l: KerasLayerJson, name: string, kerasVersion: string): RecurrentConfig {
  const c = l.config;
  const kind = l.class_name === 'SimpleRNN' ? 'simple_rnn' : l.class_name === 'LSTM' ? 'lstm' : 'gru';
  if (c.return_state === true) fail(name, 'return_state=true is not supported (a chain model passes one tensor between layers)');
  if (c.stateful === true) fail(name, 'stateful=true is not supported');
  if (c.use_bias === false) fail(name, 'use_bias=false: rnnlens recurrent layers always have biases; re-save with use_bias=true and zero biases');
  const act = actName(c.activation, 'tanh');
  const units = Number(c.units);
  if (!Number.isInteger(units) || units < 1) fail(name, `units must be a positive integer, got ${String(c.units)}`);
  const out: RecurrentConfig = { kind, name, units, returnSequences: c.return_sequences === true, goBackwards: c.go_backwards === true };
  if (kind === 'simple_rnn') {
    if (act !== 'tanh' && act !== 'relu') fail(name, `activation '${act}': rnnlens SimpleRNN supports tanh and relu`);
    out.activation = act;
  } else {
    if (act !== 'tanh') fail(name, `activation '${act}': rnnlens ${l.class_name} cells use tanh`);
    // TF.js defaults recurrent_activation to hard sigmoid when the config omits it.
    out.recurrentActivation = recurrentActivation(name, actName(c.recurrent_activation, 'hard_sigmoid'), kerasVersion);
  }
  if (kind === 'gru') out.resetAfter = c.reset_after === true;
  return out;
}

const SANE = /[^A-Za-z0-9_.-]/g;

const SUPPORTED = `InputLayer, Embedding, Masking, SimpleRNN, LSTM, GRU, Bidirectional, Dense, Dropout, Activation, TimeDistributed(Dense), GlobalAveragePooling1D, GlobalMaxPooling1D, ${[...GRAPH_CLASSES, ...ATTENTION_CLASSES].join(', ')}`;

/** Maps the chain of Keras layers to a rnnlens model config. */
export function kerasToRnnlens(chain: KerasLayerJson[], kerasVersion: string): KerasMapping {
  const layers: LayerConfig[] = [];
  const weightNames = new Map<string, WeightRef>();
  const sources: Record<string, string> = {};
  let input: ModelConfig['input'] | null = null;
  let features: number | null = null;
  /** The flow between layers is a sequence (else one vector per sequence). */
  let seq = true;
  let softmax = false;
  let maskZero = false;
  let maskValue: number | null = null;
  const shapeOf = (c: Record<string, unknown>): unknown[] | null => {
    const s = c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...c.input_shape] : null);
    return Array.isArray(s) ? s : null;
  };
  const takeInput = (c: Record<string, unknown>, name: string, tokens: boolean) => {
    if (input) return;
    const s = shapeOf(c);
    if (tokens) return;
    const F = s ? s[s.length - 1] : null;
    if (!s || s.length !== 3 || typeof F !== 'number') fail(name, `the model input must be a sequence [batch, steps, features] with a fixed feature count, declared ${JSON.stringify(s)}`);
    input = { kind: 'numeric', features: F };
    features = F;
  };
  const weights = (kerasName: string, ours: string, roles: string[]) => {
    for (const role of roles) weightNames.set(`${ours}/${role}`, { layer: kerasName, dir: null, role });
  };
  chain.forEach((l, i) => {
    const kname = String(l.config.name ?? l.name ?? `${l.class_name}_${i}`);
    const name = kname.replace(SANE, '_');
    const c = l.config;
    if (softmax) fail(kname, 'follows a softmax; rnnlens supports softmax only at the end of the model');
    sources[name] = kname;
    switch (l.class_name) {
      case 'InputLayer': {
        const s = shapeOf(c);
        const dt = str(c.dtype, 'float32');
        if (dt.startsWith('int')) return; // token ids: the Embedding defines the vocabulary
        if (s && s.length === 2) return; // [batch, steps]: ids for an Embedding
        takeInput(c, kname, false);
        return;
      }
      case 'Masking': {
        takeInput(c, kname, false);
        maskValue = typeof c.mask_value === 'number' ? c.mask_value : 0;
        return;
      }
      case 'Embedding': {
        if (layers.length > 0 || input) fail(kname, 'an Embedding must be the first layer');
        const V = Number(c.input_dim);
        const E = Number(c.output_dim);
        if (!Number.isInteger(V) || V < 1 || !Number.isInteger(E) || E < 1) fail(kname, `input_dim and output_dim must be positive integers, got ${String(c.input_dim)}, ${String(c.output_dim)}`);
        input = { kind: 'tokens', vocabSize: V };
        maskZero = c.mask_zero === true;
        layers.push({ kind: 'embedding', name, vocabSize: V, dim: E });
        seq = true;
        weights(kname, name, ['embeddings']);
        features = E;
        return;
      }
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU': {
        takeInput(c, kname, false);
        const rc = recurrent(l, name, kerasVersion);
        layers.push(rc);
        weights(kname, name, ['kernel', 'recurrent_kernel', 'bias']);
        features = rc.units;
        seq = rc.returnSequences === true;
        return;
      }
      case 'Bidirectional': {
        takeInput(c, kname, false);
        const inner = c.layer;
        if (!isObj(inner) || typeof inner.class_name !== 'string' || !isObj(inner.config) || !['SimpleRNN', 'LSTM', 'GRU'].includes(inner.class_name)) fail(kname, 'wraps something other than SimpleRNN, LSTM or GRU');
        const innerName = String(inner.config.name ?? inner.class_name.toLowerCase()).replace(SANE, '_');
        const rc = recurrent(inner as unknown as KerasLayerJson, innerName, kerasVersion);
        if (rc.goBackwards) fail(kname, 'wraps a go_backwards layer');
        delete rc.goBackwards;
        const mm = c.merge_mode === undefined ? 'concat' : c.merge_mode;
        const merge = mm === 'concat' ? 'concat' : mm === 'sum' ? 'sum' : mm === 'mul' ? 'mul' : mm === 'ave' ? 'mean' : fail(kname, `merge_mode ${JSON.stringify(mm)}: supported concat, sum, mul, ave`);
        layers.push({ kind: 'bidirectional', name, merge, layer: rc });
        features = merge === 'concat' ? 2 * rc.units : rc.units;
        seq = rc.returnSequences === true;
        for (const dir of ['forward', 'backward'] as const) {
          for (const role of ['kernel', 'recurrent_kernel', 'bias']) weightNames.set(`${name}/${dir}_${innerName}/${role}`, { layer: kname, dir, role });
        }
        return;
      }
      case 'TimeDistributed':
      case 'Dense': {
        takeInput(c, kname, false);
        const d = l.class_name === 'Dense' ? c : isObj(c.layer) && c.layer.class_name === 'Dense' && isObj(c.layer.config) ? c.layer.config : fail(kname, 'TimeDistributed supports only a wrapped Dense layer');
        if (d.use_bias === false) fail(kname, 'use_bias=false is not supported; re-save with a zero bias');
        const units = Number(d.units);
        if (!Number.isInteger(units) || units < 1) fail(kname, `units must be a positive integer, got ${String(d.units)}`);
        const act = actName(d.activation, 'linear');
        const isLast = i === chain.length - 1;
        if (act === 'softmax' && !isLast) fail(kname, 'softmax is supported only on the last layer');
        if (!['linear', 'relu', 'tanh', 'sigmoid', 'softmax'].includes(act)) fail(kname, `activation '${act}': rnnlens Dense supports linear, relu, tanh, sigmoid (and a final softmax)`);
        softmax = act === 'softmax';
        layers.push({ kind: 'dense', name, units, activation: act === 'softmax' ? 'linear' : (act as 'linear') });
        features = units;
        weights(kname, name, ['kernel', 'bias']);
        return;
      }
      case 'Dropout':
        takeInput(c, kname, false);
        layers.push({ kind: 'dropout', name, rate: Number(c.rate ?? 0) });
        return;
      case 'Activation': {
        const act = actName(c.activation, 'linear');
        if (act === 'linear') return;
        if (act === 'softmax') {
          if (i !== chain.length - 1) fail(kname, 'softmax is supported only at the end of the model');
          softmax = true;
          return;
        }
        const prev = layers[layers.length - 1];
        if (prev && prev.kind === 'dense' && (prev.activation ?? 'linear') === 'linear' && ['relu', 'tanh', 'sigmoid'].includes(act)) {
          prev.activation = act as 'relu';
          return;
        }
        takeInput(c, kname, false);
        if (features === null) fail(kname, 'the number of input features is unknown (declare the input shape)');
        layers.push(kerasActivationLayer(act, kname, name, features, seq, kerasVersion).layer);
        return;
      }
      case 'GlobalAveragePooling1D':
      case 'GlobalMaxPooling1D':
        layers.push({ kind: 'head', name, pool: l.class_name === 'GlobalAveragePooling1D' ? 'mean' : 'max' });
        seq = false;
        return;
      case 'Conv1D':
      case 'LayerNormalization':
      case 'BatchNormalization':
      case 'MaxPooling1D':
      case 'AveragePooling1D': {
        takeInput(c, kname, false);
        if (features === null) fail(kname, 'the number of input features is unknown (declare the input shape)');
        const g = kerasGraphLayer(l.class_name, c, kname, name, features, seq, kerasVersion, actName);
        layers.push(g.layer);
        weights(kname, name, g.roles);
        features = g.features;
        return;
      }
      default: {
        if (l.class_name === 'Lambda') fail(kname, 'Lambda layers hold Python code, which rnnlens cannot read; rebuild the model with built-in layers');
        if (l.class_name !== SEGMENT_CLASS && !ATTENTION_CLASSES.has(l.class_name)) fail(kname, `class '${l.class_name}' is not supported; supported: ${SUPPORTED}`);
        takeInput(c, kname, false);
        if (features === null) fail(kname, 'the number of input features is unknown (declare the input shape)');
        const members = l.class_name === SEGMENT_CLASS ? (c.members as SegmentMember[]) : [{ layer: l, name: kname, positional: [''], named: {}, flags: {} }];
        sources[name] = members.map((m) => m.name).join(', ');
        const g = kerasSegmentLayer(members, name, features, seq, i === chain.length - 1);
        if (g.finalSoftmax) {
          softmax = true;
          return;
        }
        layers.push(g.layer);
        for (const w of g.weights) weightNames.set(`${name}/${w.value}`, { layer: w.layer, dir: null, role: w.role });
        features = g.features;
      }
    }
  });
  if (!input) throw new RnnlensError('TF.js/Keras import: the model declares no input shape (batch_input_shape) and starts with no Embedding');
  if (layers.length === 0) throw new RnnlensError('TF.js/Keras import: the model has no layers rnnlens can represent');
  return { config: { input, layers }, weightNames, softmax, maskZero, maskValue, sources };
}
