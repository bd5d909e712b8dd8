/**
 * Keras weight layouts in HDF5 → weights named `<layer>/[forward_…|backward_…/]<role>`, the form
 * the shared Keras mapping (src/io/tfjs/load.ts `tfjsArtifactsToModel`) looks weights up by.
 *
 * Keras 3 `model.weights.h5` (keras/src/saving/saving_lib.py): each object's own variables are
 * datasets `0..n-1` (creation order) in `<path>/vars`. A model's layers sit at
 * `layers/<snake_case class name>` with `_1`, `_2`, … for repeats, in the order of the config's
 * layer list (not by layer name); nested objects follow attribute names:
 *   LSTM / GRU / SimpleRNN   layers/lstm/cell/vars/{0 kernel, 1 recurrent_kernel, 2 bias}
 *   Bidirectional            layers/bidirectional/{forward_layer,backward_layer}/cell/vars/…
 *   TimeDistributed(Dense)   layers/time_distributed/layer/vars/{0 kernel, 1 bias}
 *   Dense                    layers/dense/vars/{0 kernel, 1 bias};  Embedding: layers/embedding/vars/0
 *   Conv1D                   layers/conv1d/vars/{0 kernel, 1 bias}
 *   LayerNormalization       layers/layer_normalization/vars/{gamma, beta} (those that scale / center keep)
 *   BatchNormalization       layers/batch_normalization/vars/{gamma, beta, moving_mean, moving_variance}
 *   Attention                layers/attention/vars/{scale (use_scale), concat_score_weight (score_mode concat)}
 *   AdditiveAttention        layers/additive_attention/vars/{0 scale} (use_scale)
 *   MultiHeadAttention       layers/multi_head_attention/{_query_dense,_key_dense,_value_dense,_output_dense}/vars/{0 kernel, 1 bias}
 * Files from tf.keras 2.13 use `_layer_checkpoint_dependencies` in place of `layers`. Other
 * objects (optimizer, seed generators, metrics) are ignored.
 *
 * Keras 2 `.h5` (keras/src/legacy/saving/legacy_h5_format.py): group `model_weights`, attribute
 * `layer_names`; per layer a group whose attribute `weight_names` lists its weights (e.g.
 * `bidirectional/forward_gru/gru_cell/kernel:0`), each stored as a dataset at that path inside the
 * layer's group. Long attribute lists may be split into `weight_names0`, `weight_names1`, ….
 */
import type * as H5 from 'h5wasm';
import { RnnlensError } from '../../core/errors.js';
import { attentionVarGroups } from '../tfjs/layers-attention.js';
import { GRAPH_CLASSES, graphRoles } from '../tfjs/layers-graph.js';
import type { KerasLayerJson } from '../tfjs/read.js';
import { groupAt, readFloatDataset, stringListAttr } from './h5.js';

export type WeightMap = Map<string, { shape: number[]; data: Float32Array }>;

/** Keras's naming.to_snake_case: `GlobalAveragePooling1D` → `global_average_pooling1d`. */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const RNN = new Set(['SimpleRNN', 'LSTM', 'GRU']);

/** The variable groups a layer class owns in a Keras 3 weights file and the role of each variable. */
function varGroups(l: KerasLayerJson): Array<{ sub: string; dir: string | null; roles: string[] }> {
  const c = l.config;
  const rnnRoles = (cfg: Record<string, unknown>) => (cfg.use_bias === false ? ['kernel', 'recurrent_kernel'] : ['kernel', 'recurrent_kernel', 'bias']);
  const denseRoles = (cfg: Record<string, unknown>) => (cfg.use_bias === false ? ['kernel'] : ['kernel', 'bias']);
  const inner = typeof c.layer === 'object' && c.layer !== null ? ((c.layer as { config?: Record<string, unknown> }).config ?? {}) : {};
  if (RNN.has(l.class_name)) return [{ sub: 'cell', dir: null, roles: rnnRoles(c) }];
  if (l.class_name === 'Bidirectional') {
    return [
      { sub: 'forward_layer/cell', dir: 'forward_layer', roles: rnnRoles(inner) },
      { sub: 'backward_layer/cell', dir: 'backward_layer', roles: rnnRoles(inner) },
    ];
  }
  if (l.class_name === 'TimeDistributed') return [{ sub: 'layer', dir: null, roles: denseRoles(inner) }];
  if (l.class_name === 'Dense') return [{ sub: '', dir: null, roles: denseRoles(c) }];
  if (l.class_name === 'Embedding') return [{ sub: '', dir: null, roles: ['embeddings'] }];
  if (GRAPH_CLASSES.has(l.class_name)) {
    const roles = graphRoles(l.class_name, c);
    return roles.length ? [{ sub: '', dir: null, roles }] : [];
  }
  return attentionVarGroups(l);
}

function layerName(l: KerasLayerJson, i: number): string {
  return String(l.config.name ?? l.name ?? `${l.class_name}_${i}`);
}

/** Reads a Keras 3 weights file for the config's layer list (`layers` in config order). */
export function readKeras3Weights(f: H5.File, layers: KerasLayerJson[], label: string): WeightMap {
  const root = groupAt(f, 'layers', label) ? 'layers' : groupAt(f, '_layer_checkpoint_dependencies', label) ? '_layer_checkpoint_dependencies' : null;
  const out: WeightMap = new Map();
  const used = new Map<string, number>();
  layers.forEach((l, i) => {
    const base = snakeCase(l.class_name);
    const k = used.get(base);
    used.set(base, k === undefined ? 0 : k + 1);
    const path = `${root ?? 'layers'}/${k === undefined ? base : `${base}_${k + 1}`}`;
    const name = layerName(l, i);
    for (const g of varGroups(l)) {
      // `a|b`: the sub-object under either attribute name
      const subs = g.sub.split('|');
      const sub = (subs.length > 1 ? subs.find((s) => root !== null && groupAt(f, `${path}/${s}/vars`, label)) : undefined) ?? subs[0]!;
      const where = `${path}${sub ? `/${sub}` : ''}/vars`;
      const group = root ? groupAt(f, where, label) : null;
      if (!group) throw new RnnlensError(`${label}: no weights for layer '${name}' (${l.class_name}): the weights file has no group '${where}'`);
      const keys = group.keys().sort((a, b) => Number(a) - Number(b));
      const expect = g.roles.map((_, j) => String(j));
      if (keys.length !== expect.length || keys.some((key, j) => key !== expect[j])) {
        throw new RnnlensError(`${label}: layer '${name}' (${l.class_name}): '${where}' holds variables [${keys.join(', ')}] but this layer has ${g.roles.length} (${g.roles.join(', ')})`);
      }
      g.roles.forEach((role, j) => {
        out.set(`${name}/${g.dir ? `${g.dir}/` : ''}${role}`, readFloatDataset(f, `${where}/${j}`, label));
      });
    }
  });
  return out;
}

/** The string list in `name` or in its chunks `name0`, `name1`, … (Keras splits long attributes). */
function chunkedList(obj: { attrs: Record<string, H5.Attribute> }, name: string, label: string): string[] {
  if (obj.attrs[name]) return stringListAttr(obj, name, label);
  const out: string[] = [];
  for (let k = 0; obj.attrs[`${name}${k}`]; k++) out.push(...stringListAttr(obj, `${name}${k}`, label));
  return out;
}

/** Reads the `model_weights` group of a Keras 2 `.h5` model file. */
export function readKeras2Weights(f: H5.File, label: string): WeightMap {
  const mw = groupAt(f, 'model_weights', label);
  if (!mw) throw new RnnlensError(`${label}: the file has a model_config but no 'model_weights' group (saved without weights?)`);
  const names = chunkedList(mw, 'layer_names', label);
  const layerNames = names.length ? names : mw.keys();
  const out: WeightMap = new Map();
  for (const layer of layerNames) {
    const g = groupAt(f, `model_weights/${layer}`, label);
    if (!g) throw new RnnlensError(`${label}: model_weights lists layer '${layer}' but has no group for it`);
    for (const wn of chunkedList(g, 'weight_names', label)) {
      // the weight's name inside its layer: drop everything up to the layer's own name
      const segs = wn.split('/');
      const at = segs.indexOf(layer);
      const rel = (at >= 0 ? segs.slice(at + 1) : segs).join('/');
      const key = `${layer}/${rel}`;
      if (out.has(key)) throw new RnnlensError(`${label}: weight '${wn}' of layer '${layer}' appears twice`);
      out.set(key, readFloatDataset(f, `model_weights/${layer}/${wn}`, label));
    }
  }
  return out;
}
