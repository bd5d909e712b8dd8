/**
 * Parameter names across frameworks. For every rnnlens parameter: its Keras weight name and how
 * it sits there, and its PyTorch state_dict key and how it sits there. Importers (src/io) and the
 * PyTorch parity tests use this one mapping.
 *
 * rnnlens (input-major, PyTorch gate order):     Keras:                         PyTorch:
 *   <rnn>/W  [D, G·H]                               <rnn>/kernel [D, G·H]           <m>.weight_ih_l<k> [G·H, D] = Wᵀ
 *   <rnn>/U  [H, G·H]                               <rnn>/recurrent_kernel          <m>.weight_hh_l<k> [G·H, H] = Uᵀ
 *   <rnn>/bx [G·H]                                  <rnn>/bias [G·H] = bx + bh       <m>.bias_ih_l<k>
 *   <rnn>/bh [G·H]                                  (GRU reset_after: [2, G·H], rows bx, bh)  <m>.bias_hh_l<k>
 *   <bidi>/forward/*, <bidi>/backward/*             <bidi>/forward_<inner>/*, backward_<inner>/*   suffix _reverse
 *   <dense>/kernel [I, O], <dense>/bias             same                             <m>.weight [O, I] = kernelᵀ, <m>.bias
 *   <emb>/embeddings [V, E]                         same                             <m>.weight
 * Gate blocks: LSTM i f g o everywhere (Keras calls g "c"); GRU ours/PyTorch r z n, Keras z r h, so
 * the first two blocks swap on the way to and from Keras (an involution).
 * Keras sums the two biases (except GRU reset_after, which keeps two rows); loading a Keras bias
 * puts it in bx and zeroes bh.
 * PyTorch modules: by default consecutive compatible recurrent layers (same cell, units,
 * direction count, concat merge, returnSequences between them) form one stacked module `rnn`,
 * `rnn_1`, ... with layer index k; Dense layers are `fc`, `fc_1`, ...; Embeddings `embedding`, ...
 * A goBackwards layer on its own and a GRU with reset-before have no PyTorch form (torch: null).
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import type { FloatArray } from '../core/tensor.js';
import { BidirectionalLayer } from './bidirectional.js';
import type { Layer } from './layer.js';
import type { SequenceModel } from './model.js';
import { RecurrentLayer } from './recurrent.js';

export interface KerasPlace {
  name: string;
  /** GRU: swap the first two gate blocks (r z n ↔ z r h). */
  permuteGates: boolean;
  /** The Keras bias is bx + bh (this parameter is one of the two summands). */
  summedBias: boolean;
  /** GRU reset_after bias [2, G·H]: the row holding this parameter. */
  row?: 0 | 1;
}

export interface TorchPlace {
  name: string;
  /** PyTorch stores the transpose (weights [out, in]). */
  transpose: boolean;
}

export interface ParameterNames {
  param: string;
  layer: string;
  shape: number[];
  keras: KerasPlace;
  torch: TorchPlace | null;
}

export interface TorchNaming {
  /** Override the PyTorch module (and stacked-layer index) of a layer, by rnnlens layer name. */
  modules?: Record<string, { module: string; index?: number }>;
}

export interface NamedArray {
  shape: number[];
  data: ArrayLike<number>;
}

function torchCompatible(l: RecurrentLayer): boolean {
  return l.direction === 'forward' && !(l.cell.kind === 'gru' && l.cell.resetAfter === false);
}

function cellOf(l: Layer): RecurrentLayer | null {
  return l instanceof RecurrentLayer ? l : l instanceof BidirectionalLayer ? l.forwardLayer : null;
}

/** Default PyTorch module and stacked index of each layer (see the file comment). */
function torchModules(
  layers: readonly Layer[],
  naming: TorchNaming,
): Map<string, { module: string; index: number }> {
  const out = new Map<string, { module: string; index: number }>();
  const count: Record<string, number> = {};
  const next = (base: string): string => {
    const k = count[base] ?? 0;
    count[base] = k + 1;
    return k === 0 ? base : `${base}_${k}`;
  };
  let prev: Layer | null = null;
  let group: { module: string; index: number } | null = null;
  for (const l of layers) {
    const cell = cellOf(l);
    if (cell) {
      const p = prev ? cellOf(prev) : null;
      const bidi = l instanceof BidirectionalLayer;
      const joins: boolean =
        group !== null &&
        p !== null &&
        prev !== null &&
        prev!.sequenceOutput &&
        prev instanceof BidirectionalLayer === bidi &&
        p.cell.kind === cell.cell.kind &&
        p.cell.resetAfter === cell.cell.resetAfter &&
        p.cell.hiddenSize === cell.cell.hiddenSize &&
        p.cell.activation === cell.cell.activation &&
        (!bidi ||
          ((prev as BidirectionalLayer).merge === 'concat' &&
            (l as BidirectionalLayer).merge === 'concat'));
      group = joins
        ? { module: group!.module, index: group!.index + 1 }
        : { module: next('rnn'), index: 0 };
      out.set(l.name, group);
    } else {
      group = null;
      if (l.kind === 'dense') out.set(l.name, { module: next('fc'), index: 0 });
      if (l.kind === 'embedding') out.set(l.name, { module: next('embedding'), index: 0 });
    }
    prev = l;
  }
  for (const [name, m] of Object.entries(naming.modules ?? {}))
    out.set(name, { module: m.module, index: m.index ?? 0 });
  return out;
}

function recurrentNames(
  cell: RecurrentLayer,
  layerName: string,
  kerasPrefix: string,
  torch: { module: string; index: number } | undefined,
  reverse: boolean,
): ParameterNames[] {
  const gru = cell.cell.kind === 'gru';
  const twoRows = gru && cell.cell.resetAfter !== false;
  const suffix = `_l${torch?.index ?? 0}${reverse ? '_reverse' : ''}`;
  const hasTorch =
    torch !== undefined &&
    (reverse || torchCompatible(cell)) &&
    !(gru && cell.cell.resetAfter === false);
  const t = (n: string, transpose: boolean): TorchPlace | null =>
    hasTorch ? { name: `${torch!.module}.${n}${suffix}`, transpose } : null;
  const [W, U, bx, bh] = cell.parameters() as [Parameter, Parameter, Parameter, Parameter];
  const k = (name: string, extra: Partial<KerasPlace> = {}): KerasPlace => ({
    name: `${kerasPrefix}/${name}`,
    permuteGates: gru,
    summedBias: false,
    ...extra,
  });
  return [
    {
      param: W.name,
      layer: layerName,
      shape: W.shape,
      keras: k('kernel'),
      torch: t('weight_ih', true),
    },
    {
      param: U.name,
      layer: layerName,
      shape: U.shape,
      keras: k('recurrent_kernel'),
      torch: t('weight_hh', true),
    },
    {
      param: bx.name,
      layer: layerName,
      shape: bx.shape,
      keras: twoRows ? k('bias', { row: 0 }) : k('bias', { summedBias: true }),
      torch: t('bias_ih', false),
    },
    {
      param: bh.name,
      layer: layerName,
      shape: bh.shape,
      keras: twoRows ? k('bias', { row: 1 }) : k('bias', { summedBias: true }),
      torch: t('bias_hh', false),
    },
  ];
}

/** The Keras and PyTorch names of every parameter of `model`, in `model.parameters()` order. */
export function parameterNames(model: SequenceModel, naming: TorchNaming = {}): ParameterNames[] {
  const modules = torchModules(model.layers, naming);
  const out: ParameterNames[] = [];
  for (const l of model.layers) {
    const m = modules.get(l.name);
    if (l instanceof RecurrentLayer) {
      out.push(...recurrentNames(l, l.name, l.name, m, false));
    } else if (l instanceof BidirectionalLayer) {
      const inner = l.config().layer.name ?? l.config().layer.kind;
      out.push(...recurrentNames(l.forwardLayer, l.name, `${l.name}/forward_${inner}`, m, false));
      out.push(...recurrentNames(l.backwardLayer, l.name, `${l.name}/backward_${inner}`, m, true));
    } else {
      for (const p of l.parameters()) {
        const role = p.name.slice(l.name.length + 1); // kernel, bias, embeddings
        const torchRole = role === 'kernel' || role === 'embeddings' ? 'weight' : role;
        out.push({
          param: p.name,
          layer: l.name,
          shape: p.shape,
          keras: { name: p.name, permuteGates: false, summedBias: false },
          torch: m ? { name: `${m.module}.${torchRole}`, transpose: role === 'kernel' } : null,
        });
      }
    }
  }
  return out;
}

function transpose(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  out: FloatArray | Float64Array,
): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
}

/** Swaps gate blocks 0 and 1 along the last axis of width 3·H (GRU r z n ↔ z r h), in place. */
function swapGru(data: FloatArray | Float64Array, width: number): void {
  const H = width / 3;
  for (let off = 0; off < data.length; off += width) {
    for (let j = 0; j < H; j++) {
      const a = data[off + j]!;
      data[off + j] = data[off + H + j]!;
      data[off + H + j] = a;
    }
  }
}

function byName(model: SequenceModel): Map<string, Parameter> {
  return new Map(model.parameters().map((p) => [p.name, p]));
}

/** PyTorch state_dict entries (float64) for the parameters' values or gradients. */
export function toTorchState(
  model: SequenceModel,
  which: 'value' | 'grad' = 'value',
  naming: TorchNaming = {},
): Record<string, { shape: number[]; data: Float64Array }> {
  const params = byName(model);
  const out: Record<string, { shape: number[]; data: Float64Array }> = {};
  for (const n of parameterNames(model, naming)) {
    if (!n.torch)
      throw new RnnlensError(
        `toTorchState: parameter '${n.param}' of layer '${n.layer}' has no PyTorch form (goBackwards alone or GRU reset-before)`,
      );
    const p = params.get(n.param)!;
    const src = p[which];
    const data = new Float64Array(src.length);
    if (n.torch.transpose) transpose(src, p.shape[0]!, p.shape[1]!, data);
    else data.set(src);
    out[n.torch.name] = {
      shape: n.torch.transpose ? [p.shape[1]!, p.shape[0]!] : [...p.shape],
      data,
    };
  }
  return out;
}

/** Loads a PyTorch state_dict (names as in `parameterNames`); every parameter must be present. */
export function loadTorchState(
  model: SequenceModel,
  state: Record<string, NamedArray | ArrayLike<number>>,
  naming: TorchNaming = {},
): void {
  const params = byName(model);
  for (const n of parameterNames(model, naming)) {
    if (!n.torch)
      throw new RnnlensError(
        `loadTorchState: parameter '${n.param}' of layer '${n.layer}' has no PyTorch form`,
      );
    const entry = state[n.torch.name];
    if (entry === undefined)
      throw new ArgumentError(
        'loadTorchState',
        `state['${n.torch.name}']`,
        `a tensor for ${n.param}`,
        'missing',
      );
    const data =
      'data' in entry && !ArrayBuffer.isView(entry)
        ? (entry as NamedArray).data
        : (entry as ArrayLike<number>);
    const p = params.get(n.param)!;
    if (data.length !== p.value.length)
      throw new ArgumentError(
        'loadTorchState',
        `state['${n.torch.name}']`,
        `${p.value.length} values`,
        `${data.length} values`,
      );
    if (n.torch.transpose) transpose(data, p.shape[1]!, p.shape[0]!, p.value);
    else p.value.set(data);
  }
}

/** Keras weights by name (float64), e.g. `lstm/kernel`, biases summed or stacked as Keras keeps them. */
export function toKerasWeights(
  model: SequenceModel,
): Record<string, { shape: number[]; data: Float64Array }> {
  const params = byName(model);
  const out: Record<string, { shape: number[]; data: Float64Array }> = {};
  for (const n of parameterNames(model)) {
    const p = params.get(n.param)!;
    const v = p.value;
    const width = p.shape[p.shape.length - 1]!;
    if (n.keras.row !== undefined) {
      const w =
        out[n.keras.name] ??
        (out[n.keras.name] = { shape: [2, width], data: new Float64Array(2 * width) });
      w.data.set(v, n.keras.row * width);
    } else if (n.keras.summedBias) {
      const w =
        out[n.keras.name] ??
        (out[n.keras.name] = { shape: [width], data: new Float64Array(width) });
      for (let i = 0; i < width; i++) w.data[i] = w.data[i]! + v[i]!;
      continue; // permuted once below, after both summands are in
    } else {
      out[n.keras.name] = { shape: [...p.shape], data: Float64Array.from(v) };
    }
    if (n.keras.permuteGates)
      swapGru(
        n.keras.row !== undefined
          ? out[n.keras.name]!.data.subarray(n.keras.row * width, (n.keras.row + 1) * width)
          : out[n.keras.name]!.data,
        width,
      );
  }
  for (const n of parameterNames(model)) {
    if (n.keras.summedBias && n.keras.permuteGates && n.param.endsWith('/bh'))
      swapGru(out[n.keras.name]!.data, n.shape[0]!);
  }
  return out;
}

/** Loads Keras weights by name (see `toKerasWeights`); a summed Keras bias goes to bx, bh = 0. */
export function loadKerasWeights(
  model: SequenceModel,
  weights: Record<string, NamedArray | ArrayLike<number>>,
): void {
  const params = byName(model);
  for (const n of parameterNames(model)) {
    const entry = weights[n.keras.name];
    if (entry === undefined)
      throw new ArgumentError(
        'loadKerasWeights',
        `weights['${n.keras.name}']`,
        `a tensor for ${n.param}`,
        'missing',
      );
    const src =
      'data' in entry && !ArrayBuffer.isView(entry)
        ? (entry as NamedArray).data
        : (entry as ArrayLike<number>);
    const p = params.get(n.param)!;
    const width = p.shape[p.shape.length - 1]!;
    const need = n.keras.row !== undefined ? 2 * width : p.value.length;
    if (src.length !== need)
      throw new ArgumentError(
        'loadKerasWeights',
        `weights['${n.keras.name}']`,
        `${need} values`,
        `${src.length} values`,
      );
    if (n.keras.summedBias && n.param.endsWith('/bh')) {
      p.value.fill(0);
      continue;
    }
    const start = n.keras.row !== undefined ? n.keras.row * width : 0;
    for (let i = 0; i < p.value.length; i++) p.value[i] = src[start + i]!;
    if (n.keras.permuteGates) swapGru(p.value, width);
  }
}
