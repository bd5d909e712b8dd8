/**
 * Keras / TF.js convolution, normalisation and pooling layers → rnnlens graph layers
 * (src/nn/graph), one graph layer per Keras layer, built from the existing op rules:
 *
 *   Conv1D              Transpose → Conv (1-D, group, strides, dilations, pads) → Transpose → activation
 *   LayerNormalization  LayerNormalization over the last axis (gamma / beta, or ones / zeros)
 *   BatchNormalization  BatchNormalization at inference (moving mean / variance) over the last axis
 *   MaxPooling1D        Transpose → MaxPool → Transpose
 *   AveragePooling1D    Transpose → AveragePool (padding excluded from the counts) → Transpose
 *
 * Keras keeps channels last ([B, T, C]); the ONNX-style ops read channels first, hence the
 * transposes. The layer's parameters keep the Keras names and layouts (Conv1D `kernel`
 * [k, in/groups, filters], `bias`; `gamma`, `beta`, `moving_mean`, `moving_variance`), so the
 * weights load as they are stored; the kernel is transposed to [filters, in/groups, k] inside the
 * graph. Padding 'same' is TensorFlow's (the extra padding goes at the end), 'causal' pads
 * (k − 1)·dilation steps at the start.
 */
import { RnnlensError } from '../../core/errors.js';
import type { GraphConfig } from '../../nn/config.js';
import type { GNode } from '../../nn/graph/rule.js';

/** Keras classes translated here. */
export const GRAPH_CLASSES = new Set(['Conv1D', 'LayerNormalization', 'BatchNormalization', 'MaxPooling1D', 'AveragePooling1D']);

/** Keras activations a Conv1D may carry. */
const CONV_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'elu', 'selu', 'softplus', 'softsign', 'exponential', 'swish', 'silu', 'gelu'];

export interface KerasGraphLayer {
  layer: GraphConfig;
  /** Features per step (or per row) after the layer. */
  features: number;
  /** Weight roles in the file, in the layer's creation order (the parameter names). */
  roles: string[];
}

/** The variables a layer of these classes owns, in creation order (Keras 3 `vars/0..n-1`). */
export function graphRoles(cls: string, c: Record<string, unknown>): string[] {
  if (cls === 'Conv1D') return c.use_bias === false ? ['kernel'] : ['kernel', 'bias'];
  if (cls === 'LayerNormalization' || cls === 'BatchNormalization') {
    const affine = [...(c.scale !== false ? ['gamma'] : []), ...(c.center !== false ? ['beta'] : [])];
    return cls === 'BatchNormalization' ? [...affine, 'moving_mean', 'moving_variance'] : affine;
  }
  return [];
}

function fail(layer: string, what: string): never {
  throw new RnnlensError(`TF.js/Keras import: layer '${layer}': ${what}`);
}

/** A Keras int or 1-tuple (serialised as [n]) config value. */
function one(c: Record<string, unknown>, key: string, def: number | null, kname: string): number {
  const raw = c[key] === undefined || c[key] === null ? def : c[key];
  const v = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(kname, `${key} must be a positive integer (or a 1-tuple), got ${JSON.stringify(c[key])}`);
  return v;
}

/** The last axis of a [B, T, F] (or [B, F]) tensor, as Keras may write it. */
function lastAxis(c: Record<string, unknown>, rank: number, kname: string): void {
  const a = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis ?? -1;
  if (a !== -1 && a !== rank - 1) fail(kname, `axis ${JSON.stringify(c.axis)}: rnnlens normalises over the last (feature) axis only (axis=-1)`);
}

function channelsLast(c: Record<string, unknown>, kname: string): void {
  const df = c.data_format ?? 'channels_last';
  if (df !== 'channels_last') fail(kname, `data_format '${String(df)}': only channels_last is supported`);
}

function node(op: string, name: string, inputs: string[], output: string, attrs: GNode['attrs'] = {}): GNode {
  return { op, name, inputs, outputs: [output], attrs };
}

/** Nodes applying Keras activation `act` to `x`; returns the output value name. */
function activation(nodes: GNode[], consts: GraphConfig['consts'], act: string, x: string, kerasVersion: string): string {
  const unary: Record<string, [string, GNode['attrs']]> = {
    relu: ['Relu', {}],
    tanh: ['Tanh', {}],
    sigmoid: ['Sigmoid', {}],
    elu: ['Elu', { alpha: 1 }],
    selu: ['Selu', {}],
    softplus: ['Softplus', {}],
    softsign: ['Softsign', {}],
    exponential: ['Exp', {}],
    // Keras 3: relu6(x + 3)/6; Keras 2 / TF.js: clip(0.2x + 0.5, 0, 1)
    hard_sigmoid: ['HardSigmoid', /^3\./.test(kerasVersion.trim()) ? { alpha: 1 / 6, beta: 0.5 } : { alpha: 0.2, beta: 0.5 }],
  };
  if (act === 'linear') return x;
  const u = unary[act];
  if (u) {
    nodes.push(node(u[0], act, [x], 'act', u[1]));
    return 'act';
  }
  if (act === 'swish' || act === 'silu') {
    nodes.push(node('Sigmoid', 'swish_gate', [x], 'gate'), node('Mul', 'swish', [x, 'gate'], 'act'));
    return 'act';
  }
  // gelu (exact, Keras's default): 0.5·x·(1 + erf(x/√2))
  consts.inv_sqrt2 = { shape: [], data: [Math.SQRT1_2], int: false };
  consts.one = { shape: [], data: [1], int: false };
  consts.half = { shape: [], data: [0.5], int: false };
  nodes.push(
    node('Mul', 'gelu_scale', [x, 'inv_sqrt2'], 'gelu_u'),
    node('Erf', 'gelu_erf', ['gelu_u'], 'gelu_e'),
    node('Add', 'gelu_shift', ['gelu_e', 'one'], 'gelu_p'),
    node('Mul', 'gelu_half', ['gelu_p', 'half'], 'gelu_h'),
    node('Mul', 'gelu', [x, 'gelu_h'], 'act'),
  );
  return 'act';
}

/** An Activation layer that follows no linear Dense layer (e.g. Conv1D → BatchNormalization → Activation). */
export function kerasActivationLayer(act: string, kname: string, name: string, features: number, seq: boolean, kerasVersion: string): KerasGraphLayer {
  if (!CONV_ACTIVATIONS.includes(act)) fail(kname, `activation '${act}': supported ${CONV_ACTIVATIONS.join(', ')} (and softmax at the end)`);
  const nodes: GNode[] = [];
  const consts: GraphConfig['consts'] = {};
  const axes = seq ? ['B', 'T', 'F0'] : ['B', 'F0'];
  const out = activation(nodes, consts, act, 'x', kerasVersion);
  const layer: GraphConfig = { kind: 'graph', name, opset: 17, inputs: [{ value: 'x', source: seq ? 'steps' : 'flat', axes, featureDims: [features] }], output: { value: out, axes, features }, nodes, consts, params: [] };
  return { layer, features, roles: [] };
}

/**
 * The graph layer for Keras layer `l` (class `cls`, config `c`) on `features` inputs per step
 * (`seq`) or per row. `name` is the rnnlens layer name.
 */
export function kerasGraphLayer(cls: string, c: Record<string, unknown>, kname: string, name: string, features: number, seq: boolean, kerasVersion: string, actName: (v: unknown, def: string) => string): KerasGraphLayer {
  const nodes: GNode[] = [];
  const consts: GraphConfig['consts'] = {};
  const params: GraphConfig['params'] = [];
  const axes = seq ? ['B', 'T', 'F0'] : ['B', 'F0'];
  const inputs: GraphConfig['inputs'] = [{ value: 'x', source: seq ? 'steps' : 'flat', axes, featureDims: [features] }];
  const make = (out: string, F: number, roles: string[]): KerasGraphLayer => ({
    layer: { kind: 'graph', name, opset: 17, inputs, output: { value: out, axes, features: F }, nodes, consts, params },
    features: F,
    roles,
  });
  const needSeq = () => {
    if (!seq) fail(kname, `${cls} needs a sequence input [batch, steps, features]; the layer before it returns one vector per sequence (set return_sequences=True)`);
  };
  switch (cls) {
    case 'Conv1D': {
      needSeq();
      channelsLast(c, kname);
      const M = one(c, 'filters', null, kname);
      const K = one(c, 'kernel_size', null, kname);
      const s = one(c, 'strides', 1, kname);
      const d = one(c, 'dilation_rate', 1, kname);
      const G = one(c, 'groups', 1, kname);
      if (features % G !== 0 || M % G !== 0) fail(kname, `groups=${G} must divide both the ${features} input channels and the ${M} filters`);
      const pad = c.padding ?? 'valid';
      if (pad !== 'valid' && pad !== 'same' && pad !== 'causal') fail(kname, `padding ${JSON.stringify(pad)}: supported valid, same, causal`);
      if (s > 1 && d > 1) fail(kname, `strides=${s} with dilation_rate=${d}: Keras allows only one of them above 1`);
      const act = actName(c.activation, 'linear');
      if (!CONV_ACTIVATIONS.includes(act)) fail(kname, `activation '${act}': supported ${CONV_ACTIVATIONS.join(', ')}`);
      const bias = c.use_bias !== false;
      params.push({ value: 'kernel', shape: [K, features / G, M] });
      if (bias) params.push({ value: 'bias', shape: [M] });
      const attrs: GNode['attrs'] = { group: G, strides: [s], dilations: [d], kernel_shape: [K] };
      if (pad === 'same') attrs.auto_pad = 'SAME_UPPER';
      else attrs.pads = pad === 'causal' ? [(K - 1) * d, 0] : [0, 0];
      nodes.push(
        node('Transpose', 'to_channels_first', ['x'], 'xt', { perm: [0, 2, 1] }),
        node('Transpose', 'kernel_layout', ['kernel'], 'w', { perm: [2, 1, 0] }),
        node('Conv', 'conv', ['xt', 'w', ...(bias ? ['bias'] : [])], 'yt', attrs),
        node('Transpose', 'to_channels_last', ['yt'], 'y', { perm: [0, 2, 1] }),
      );
      return make(activation(nodes, consts, act, 'y', kerasVersion), M, graphRoles(cls, c));
    }
    case 'LayerNormalization':
    case 'BatchNormalization': {
      lastAxis(c, axes.length, kname);
      const ln = cls === 'LayerNormalization';
      if (ln && c.rms_scaling === true) fail(kname, 'rms_scaling=true is not supported');
      const eps = typeof c.epsilon === 'number' ? c.epsilon : 1e-3;
      const scale = c.scale !== false;
      const center = c.center !== false;
      const roles = graphRoles(cls, c);
      for (const r of roles) params.push({ value: r, shape: [features] });
      if (!scale) consts.gamma = { shape: [features], data: new Array<number>(features).fill(1), int: false };
      if (!center) consts.beta = { shape: [features], data: new Array<number>(features).fill(0), int: false };
      if (ln) {
        nodes.push(node('LayerNormalization', 'layer_norm', ['x', 'gamma', 'beta'], 'y', { axis: -1, epsilon: eps }));
        return make('y', features, roles);
      }
      // ONNX BatchNormalization normalises channel axis 1: [B, F] as it is, [B, T, F] transposed
      if (!seq) {
        nodes.push(node('BatchNormalization', 'batch_norm', ['x', 'gamma', 'beta', 'moving_mean', 'moving_variance'], 'y', { epsilon: eps }));
        return make('y', features, roles);
      }
      nodes.push(
        node('Transpose', 'to_channels_first', ['x'], 'xt', { perm: [0, 2, 1] }),
        node('BatchNormalization', 'batch_norm', ['xt', 'gamma', 'beta', 'moving_mean', 'moving_variance'], 'yt', { epsilon: eps }),
        node('Transpose', 'to_channels_last', ['yt'], 'y', { perm: [0, 2, 1] }),
      );
      return make('y', features, roles);
    }
    default: {
      // MaxPooling1D / AveragePooling1D
      needSeq();
      channelsLast(c, kname);
      const k = one(c, 'pool_size', 2, kname);
      const s = c.strides === null || c.strides === undefined ? k : one(c, 'strides', k, kname);
      const pad = c.padding ?? 'valid';
      if (pad !== 'valid' && pad !== 'same') fail(kname, `padding ${JSON.stringify(pad)}: supported valid, same`);
      const op = cls === 'MaxPooling1D' ? 'MaxPool' : 'AveragePool';
      nodes.push(
        node('Transpose', 'to_channels_first', ['x'], 'xt', { perm: [0, 2, 1] }),
        node(op, 'pool', ['xt'], 'yt', { kernel_shape: [k], strides: [s], auto_pad: pad === 'same' ? 'SAME_UPPER' : 'VALID' }),
        node('Transpose', 'to_channels_last', ['yt'], 'y', { perm: [0, 2, 1] }),
      );
      return make('y', features, []);
    }
  }
}
