/**
 * Keras attention and merge layers → one rnnlens graph layer per segment (./functional.ts), built
 * from the existing op rules (src/nn/graph):
 *
 *   Attention           scores = q·kᵀ (× scale) or, score_mode 'concat',
 *                       concat_score_weight · Σ tanh(scale · (q + k)); softmax over the keys; · v
 *   AdditiveAttention   scores = Σ scale ⊙ tanh(q + k) (Σ tanh(q + k) without use_scale); softmax; · v
 *   MultiHeadAttention  q, k, v = x·W + b per head ([d, heads, dim] kernels), q / √key_dim,
 *                       softmax(q·kᵀ)·v per head, the heads through the output kernel [heads, value_dim, out]
 *   Add, Multiply       elementwise; Concatenate on the feature axis; Softmax over an axis
 *   Dense, LayerNormalization, Dropout  per step, inside a segment
 *
 * Keys past a sequence's length get −1e9 added to their scores (Keras's padding mask) through the
 * layer's 'mask' input, which holds 1 on real steps and 0 on padding.
 * Parameters are named `<keras layer>.<role>` (`mha.query.kernel`) and keep the Keras layouts.
 */
import { RnnlensError } from '../../core/errors.js';
import type { GraphConfig } from '../../nn/config.js';
import type { GNode } from '../../nn/graph/rule.js';
import type { KerasLayerJson } from './read.js';

/** The class name of a folded segment in the layer chain. */
export const SEGMENT_CLASS = '__segment__';
/** Classes translated only as (parts of) segments. */
export const ATTENTION_CLASSES = new Set(['Attention', 'AdditiveAttention', 'MultiHeadAttention', 'Add', 'Multiply', 'Concatenate', 'Softmax']);
/** Other classes a segment may hold. */
const ALSO = new Set(['Dense', 'Dropout', 'LayerNormalization']);

export interface SegmentMember {
  layer: KerasLayerJson;
  name: string;
  /** Input layers in call order ('' = the segment's input). */
  positional: string[];
  /** Tensors passed by keyword (MultiHeadAttention query / value / key). */
  named: Record<string, string>;
  /** Non-tensor call keywords (training, use_causal_mask, …). */
  flags: Record<string, unknown>;
}

export interface KerasSegment {
  layer: GraphConfig;
  features: number;
  /** The segment's parameters: graph value → the Keras layer and weight role behind it. */
  weights: Array<{ value: string; layer: string; role: string }>;
  /** The model ends in this softmax (a lone Softmax over features as the last layer). */
  finalSoftmax: boolean;
}

function fail(layer: string, what: string): never {
  throw new RnnlensError(`TF.js/Keras import: layer '${layer}': ${what}`);
}

/** The weight roles a class owns, grouped as a Keras 3 weights file keeps them (sub-object, prefix). */
export function attentionVarGroups(l: KerasLayerJson): Array<{ sub: string; dir: string | null; roles: string[] }> {
  const c = l.config;
  if (l.class_name === 'Attention') {
    const roles = [...(c.use_scale === true ? ['scale'] : []), ...(c.score_mode === 'concat' ? ['concat_score_weight'] : [])];
    return roles.length ? [{ sub: '', dir: null, roles }] : [];
  }
  if (l.class_name === 'AdditiveAttention') return c.use_scale === false ? [] : [{ sub: '', dir: null, roles: ['scale'] }];
  if (l.class_name === 'MultiHeadAttention') {
    const roles = c.use_bias === false ? ['kernel'] : ['kernel', 'bias'];
    // the sub-layers' attributes (`_query_dense`; `query_dense` where a writer follows the public property)
    return [
      { sub: '_query_dense|query_dense', dir: 'query', roles },
      { sub: '_key_dense|key_dense', dir: 'key', roles },
      { sub: '_value_dense|value_dense', dir: 'value', roles },
      { sub: '_output_dense|output_dense', dir: 'attention_output', roles },
    ];
  }
  return [];
}

const SAFE = /[^A-Za-z0-9_.-]/g;

const intConst = (data: number[]) => ({ shape: [data.length], data, int: true });
const scalar = (v: number) => ({ shape: [] as number[], data: [v], int: false });

/** Positive integer config value (or a 1-tuple), else null when absent and allowed. */
function posInt(c: Record<string, unknown>, key: string, kname: string, optional: boolean): number | null {
  const raw = Array.isArray(c[key]) && (c[key] as unknown[]).length === 1 ? (c[key] as unknown[])[0] : c[key];
  if ((raw === undefined || raw === null) && optional) return null;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) fail(kname, `${key} must be a positive integer, got ${JSON.stringify(c[key])}`);
  return raw;
}

/** Builds the graph layer `name` for `members` on `features` inputs per step (`seq`) or per row. */
export function kerasSegmentLayer(members: SegmentMember[], name: string, features: number, seq: boolean, isLast: boolean): KerasSegment {
  const nodes: GNode[] = [];
  const consts: GraphConfig['consts'] = {};
  const params: GraphConfig['params'] = [];
  const weights: KerasSegment['weights'] = [];
  const feats = new Map<string, number>([['x', features]]);
  const axes = seq ? ['B', 'T', 'F0'] : ['B', 'F0'];
  let usesMask = false;
  let k = 0;
  /** The Keras layer being translated (names its ops). */
  let cur = name;
  const tmp = (op: string) => `${cur}/${op.toLowerCase()}_${k++}`;
  const add = (op: string, inputs: string[], attrs: GNode['attrs'] = {}, out = tmp(op)): string => {
    nodes.push({ op, name: `${out}`, inputs, outputs: [out], attrs });
    return out;
  };
  const konst = (key: string, v: GraphConfig['consts'][string]): string => {
    consts[key] = v;
    return key;
  };
  const param = (kname: string, role: string, shape: number[]): string => {
    const value = `${kname.replace(SAFE, '_')}.${role.replace(/\//g, '.')}`;
    params.push({ value, shape });
    weights.push({ value, layer: kname, role });
    return value;
  };
  /** x [B, T, F] · W [F, …] reshaped to [F, n] (+ b reshaped to [n]) → [B, T, n]. */
  const dense = (x: string, kname: string, role: string, F: number, shape: number[], bias: boolean): string => {
    const n = shape.slice(1).reduce((a, b) => a * b, 1);
    const W = param(kname, `${role}kernel`, shape);
    const Wf = shape.length === 2 ? W : add('Reshape', [W, konst(`shape.${F}x${n}`, intConst([F, n]))]);
    let y = add('MatMul', [x, Wf]);
    if (bias) {
      const b = param(kname, `${role}bias`, shape.slice(1));
      const bf = shape.length === 2 ? b : add('Reshape', [b, konst(`shape.${n}`, intConst([n]))]);
      y = add('Add', [y, bf]);
    }
    return y;
  };
  /** Softmax over the last axis of scores [B, (H,) Tq, Tk], keys past the lengths masked. */
  const attend = (scores: string, rank: number): string => {
    usesMask = true;
    // mask [B, T] → [B, 1, (1,) T]; (mask − 1)·1e9 added to the scores
    const m = add('Unsqueeze', ['mask', konst(`axes.${rank}`, intConst(rank === 3 ? [1] : [1, 2]))]);
    const pen = add('Mul', [add('Sub', [m, konst('one', scalar(1))]), konst('big', scalar(1e9))]);
    return add('Softmax', [add('Add', [scores, pen])], { axis: -1 });
  };
  const activation = (x: string, act: string, kname: string): string => {
    if (act === 'linear') return x;
    const op = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' }[act];
    if (op) return add(op, [x]);
    if (act === 'softmax') return add('Softmax', [x], { axis: -1 });
    return fail(kname, `activation '${act}' inside an attention block: supported linear, relu, tanh, sigmoid, softmax`);
  };
  let out = 'x';
  let finalSoftmax = false;
  for (const m of members) {
    const { layer: l, name: kname } = m;
    cur = kname;
    const c = l.config;
    const cls = l.class_name;
    if (!ATTENTION_CLASSES.has(cls) && !ALSO.has(cls)) fail(kname, `class '${cls}' inside a branching part of the model (attention or merge); supported there: ${[...ATTENTION_CLASSES, ...ALSO].join(', ')}`);
    const val = (ref: string) => (ref === '' ? 'x' : `out.${ref}`);
    const F = (ref: string) => feats.get(val(ref))!;
    const needSeq = () => {
      if (!seq) fail(kname, `${cls} needs sequences [batch, steps, features]; the layer before it returns one vector per sequence (set return_sequences=True)`);
    };
    for (const flag of ['use_causal_mask', 'return_attention_scores']) if (m.flags[flag] === true) fail(kname, `${flag}=True is not supported`);
    if (m.named.attention_mask !== undefined || m.named.mask !== undefined) fail(kname, 'an explicit attention mask is not supported (masks come from Masking / mask_zero)');
    const ins = m.positional.length ? m.positional : [''];
    let y: string;
    let Fy: number;
    switch (cls) {
      case 'Attention':
      case 'AdditiveAttention': {
        needSeq();
        if (c.causal === true) fail(kname, 'causal=True is not supported');
        if (ins.length < 2 || ins.length > 3) fail(kname, `is called on ${ins.length} tensors; expected [query, value] or [query, value, key]`);
        const [q, v, kk = v] = ins as [string, string, string?];
        if (F(q) !== F(kk!)) fail(kname, `query has ${F(q)} features and key ${F(kk!)}; they must agree`);
        const mode = cls === 'AdditiveAttention' ? 'additive' : (c.score_mode ?? 'dot');
        if (mode !== 'dot' && mode !== 'concat' && mode !== 'additive') fail(kname, `score_mode ${JSON.stringify(mode)}: supported dot, concat`);
        const scale = cls === 'AdditiveAttention' ? c.use_scale !== false : c.use_scale === true;
        let scores: string;
        if (mode === 'dot') {
          scores = add('MatMul', [val(q), add('Transpose', [val(kk!)], { perm: [0, 2, 1] })]);
          if (scale) scores = add('Mul', [scores, param(kname, 'scale', [])]);
        } else {
          const qe = add('Unsqueeze', [val(q), konst('axes.2', intConst([2]))]);
          const ke = add('Unsqueeze', [val(kk!), konst('axes.1', intConst([1]))]);
          let s = add('Add', [qe, ke]);
          if (mode === 'concat') {
            if (scale) s = add('Mul', [s, param(kname, 'scale', [])]);
            s = add('ReduceSum', [add('Tanh', [s]), konst('axes.-1', intConst([-1]))], { keepdims: 0 });
            scores = add('Mul', [s, param(kname, 'concat_score_weight', [])]);
          } else {
            s = add('Tanh', [s]);
            if (scale) s = add('Mul', [s, param(kname, 'scale', [F(q)])]);
            scores = add('ReduceSum', [s, konst('axes.-1', intConst([-1]))], { keepdims: 0 });
          }
        }
        y = add('MatMul', [attend(scores, 3), val(v!)]);
        Fy = F(v!);
        break;
      }
      case 'MultiHeadAttention': {
        needSeq();
        if (c.attention_axes !== undefined && c.attention_axes !== null) fail(kname, `attention_axes ${JSON.stringify(c.attention_axes)}: only the default (attention over the steps) is supported`);
        const q = m.named.query ?? ins[0]!;
        const v = m.named.value ?? m.positional[1] ?? fail(kname, 'MultiHeadAttention is called without a value tensor (it needs query and value inputs, so it cannot sit in a Sequential model; build the model with the functional API)');
        const kk = m.named.key ?? m.positional[2] ?? v;
        const H = posInt(c, 'num_heads', kname, false)!;
        const K = posInt(c, 'key_dim', kname, false)!;
        const V = posInt(c, 'value_dim', kname, true) ?? K;
        const O = posInt(c, 'output_shape', kname, true) ?? F(q);
        const bias = c.use_bias !== false;
        const split = (x: string, dim: number) => add('Transpose', [add('Reshape', [x, konst(`shape.0x0x${H}x${dim}`, intConst([0, 0, H, dim]))])], { perm: [0, 2, 1, 3] });
        const qh = add('Mul', [split(dense(val(q), kname, 'query/', F(q), [F(q), H, K], bias), K), konst(`inv_sqrt.${K}`, scalar(1 / Math.sqrt(K)))]);
        const kp = dense(val(kk), kname, 'key/', F(kk), [F(kk), H, K], bias);
        const kt = add('Transpose', [add('Reshape', [kp, konst(`shape.0x0x${H}x${K}`, intConst([0, 0, H, K]))])], { perm: [0, 2, 3, 1] });
        const vh = split(dense(val(v), kname, 'value/', F(v), [F(v), H, V], bias), V);
        const heads = add('MatMul', [attend(add('MatMul', [qh, kt]), 4), vh]);
        const merged = add('Reshape', [add('Transpose', [heads], { perm: [0, 2, 1, 3] }), konst(`shape.0x0x${H * V}`, intConst([0, 0, H * V]))]);
        const W = param(kname, 'attention_output/kernel', [H, V, O]);
        y = add('MatMul', [merged, add('Reshape', [W, konst(`shape.${H * V}x${O}`, intConst([H * V, O]))])]);
        if (bias) y = add('Add', [y, param(kname, 'attention_output/bias', [O])]);
        Fy = O;
        break;
      }
      case 'Add':
      case 'Multiply': {
        if (ins.length < 2) fail(kname, `${cls} needs at least two inputs, got ${ins.length}`);
        const Fs = ins.map(F);
        if (Fs.some((f) => f !== Fs[0])) fail(kname, `inputs have ${Fs.join(', ')} features; ${cls} needs equal shapes`);
        y = ins.map(val).reduce((a, b) => add(cls === 'Add' ? 'Add' : 'Mul', [a, b]));
        Fy = Fs[0]!;
        break;
      }
      case 'Concatenate': {
        const ax = c.axis ?? -1;
        if (ax !== -1 && ax !== axes.length - 1) fail(kname, `axis ${JSON.stringify(c.axis)}: rnnlens concatenates on the feature axis only (axis=-1)`);
        y = add('Concat', ins.map(val), { axis: -1 });
        Fy = ins.map(F).reduce((a, b) => a + b, 0);
        break;
      }
      case 'Softmax': {
        const raw = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis ?? -1;
        const ax = raw === axes.length - 1 ? -1 : raw;
        if (ax !== -1 && !(seq && ax === 1)) fail(kname, `axis ${JSON.stringify(c.axis)}: supported -1 (features)${seq ? ' and 1 (steps)' : ''}`);
        if (ax === -1 && isLast && members.length === 1) {
          finalSoftmax = true;
          y = val(ins[0]!);
        } else y = add('Softmax', [val(ins[0]!)], { axis: ax });
        Fy = F(ins[0]!);
        break;
      }
      case 'Dense': {
        if (c.use_bias === false) fail(kname, 'use_bias=false is not supported; re-save with a zero bias');
        const units = posInt(c, 'units', kname, false)!;
        const raw = typeof c.activation === 'object' && c.activation !== null ? (c.activation as { class_name?: unknown }).class_name : c.activation;
        const act = typeof raw === 'string' ? raw.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() : 'linear';
        y = activation(dense(val(ins[0]!), kname, '', F(ins[0]!), [F(ins[0]!), units], true), act, kname);
        Fy = units;
        break;
      }
      case 'LayerNormalization': {
        const a = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis ?? -1;
        if (a !== -1 && a !== axes.length - 1) fail(kname, `axis ${JSON.stringify(c.axis)}: rnnlens normalises over the last (feature) axis only (axis=-1)`);
        if (c.rms_scaling === true) fail(kname, 'rms_scaling=true is not supported');
        const Fi = F(ins[0]!);
        const g = c.scale !== false ? param(kname, 'gamma', [Fi]) : konst(`ones.${Fi}`, { shape: [Fi], data: new Array<number>(Fi).fill(1), int: false });
        const b = c.center !== false ? param(kname, 'beta', [Fi]) : konst(`zeros.${Fi}`, { shape: [Fi], data: new Array<number>(Fi).fill(0), int: false });
        y = add('LayerNormalization', [val(ins[0]!), g, b], { axis: -1, epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3 });
        Fy = Fi;
        break;
      }
      default: // Dropout: identity at inference
        y = val(ins[0]!);
        Fy = F(ins[0]!);
    }
    out = `out.${kname}`;
    add('Identity', [y], {}, out);
    feats.set(out, Fy);
  }
  const inputs: GraphConfig['inputs'] = [{ value: 'x', source: seq ? 'steps' : 'flat', axes, featureDims: [features] }];
  if (usesMask) inputs.push({ value: 'mask', source: 'mask', axes: ['B', 'T'], featureDims: [features] });
  const F = feats.get(out)!;
  const layer: GraphConfig = { kind: 'graph', name, opset: 17, inputs, output: { value: out, axes, features: F }, nodes, consts, params };
  return { layer, features: F, weights, finalSoftmax };
}
