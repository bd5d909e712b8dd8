/**
 * ONNX → rnnlens: `importOnnx(bytes)` parses the file, lifts the graph from its first output
 * backwards into a chain of rnnlens layers and returns a SequenceModel with the ONNX weights plus
 * what is needed to feed it like the ONNX model (input layout, initial-state and sequence_lens
 * inputs, a final Softmax). `onnxFeedsToModel` / `modelOutputToOnnx` convert tensors between the
 * ONNX layout and rnnlens' batch-first layout.
 */
import type { Backend } from '../../core/backend.js';
import type { BackendName } from '../../core/backends.js';
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import { Tensor, allocFloat } from '../../core/tensor.js';
import type { LayerConfig, ModelConfig } from '../../nn/config.js';
import type { Direction, Flow, RecurrentState } from '../../nn/layer.js';
import { SequenceModel, type ModelInput } from '../../nn/model.js';
import { Lifter, type StateInput } from './lifter.js';
import { MATH_OPS } from './ops-math.js';
import { SHAPE_OPS } from './ops-shape.js';
import { parseOnnx, type OnnxGraph } from './parse.js';
import { liftGraph } from './graph-import.js';
import type { CommittedLayer } from './rnn.js';
import { graphOpNames } from '../../nn/graph/ops.js';

export interface OnnxImport {
  model: SequenceModel;
  producer: string;
  opset: number;
  input: {
    name: string;
    kind: 'numeric' | 'tokens';
    /** How the ONNX model lays out the sequence input. */
    layout: 'batch-first' | 'time-major';
    dims: Array<number | string | null>;
  };
  output: {
    name: string;
    /** Meaning of each ONNX output axis: 'B', 'T', 'F' or '1'. */
    axes: string[];
    softmax: boolean;
    /** Graph imports: each axis as B, T or F0, F1, … (the model's features in that order) and the F sizes. */
    graph?: { axes: string[]; fdims: Record<string, number> };
  };
  /** How the graph was translated: a chain of layers, or recurrent layers between graph segments. */
  mode: 'chain' | 'graph';
  stateInputs: StateInput[];
  lengthsInput: string | null;
  /** Supported ops, for error messages and `inspect`. */
  supportedOps: string[];
}

export const ONNX_OPS = { ...SHAPE_OPS, ...MATH_OPS };

export interface ImportOptions {
  backend?: Backend | BackendName;
  /** The graph output the model computes (default: the first). */
  output?: string;
}

/**
 * Translates an ONNX model: as a chain of rnnlens layers when the graph is one, otherwise as
 * recurrent layers between graph segments (./graph-import.ts). When neither works, the error of
 * the general translation is reported.
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): OnnxImport {
  return importOnnxGraph(parseOnnx(bytes), opts);
}

/** importOnnx on an already parsed graph. */
export function importOnnxGraph(graph: OnnxGraph, opts: ImportOptions = {}): OnnxImport {
  if (opts.output === undefined || opts.output === graph.outputs[0]?.name) {
    try {
      return importChain(graph, opts);
    } catch (e) {
      if (!(e instanceof RnnlensError)) throw e;
    }
  }
  try {
    return importGraph(graph, opts);
  } catch (e) {
    if (e instanceof RnnlensError) throw e;
    if (e instanceof RangeError || e instanceof TypeError) throw new RnnlensError(`ONNX import: the graph could not be translated (${e.message}); the file may be corrupt`);
    throw e;
  }
}

function importGraph(graph: OnnxGraph, opts: ImportOptions): OnnxImport {
  const g = liftGraph(graph, opts.output);
  const input: ModelConfig['input'] = g.input.tokens ? { kind: 'tokens', vocabSize: g.input.vocab } : { kind: 'numeric', features: g.input.features };
  const model = new SequenceModel({ input, layers: g.layers.map((x) => x.config) }, { backend: opts.backend });
  setModelWeights(model, g.layers);
  const axes = g.output.axes.map((a) => (a.startsWith('F') ? 'F' : a));
  return {
    model,
    producer: graph.producer,
    opset: graph.opset,
    input: { name: g.input.info.name, kind: g.input.tokens ? 'tokens' : 'numeric', layout: g.input.layout, dims: g.input.info.dims },
    output: { name: g.output.name, axes, softmax: g.output.softmax, graph: { axes: g.output.axes, fdims: g.output.fdims } },
    mode: 'graph',
    stateInputs: g.stateInputs,
    lengthsInput: g.lengthsInput,
    supportedOps: [...new Set([...Object.keys(ONNX_OPS), ...graphOpNames()])].sort(),
  };
}

function setModelWeights(model: SequenceModel, layers: CommittedLayer[]): void {
  const params = new Map(model.parameters().map((p) => [p.name, p]));
  const seen = new Set<string>();
  for (const layer of layers) {
    for (const [suffix, data] of Object.entries(layer.weights)) {
      const pname = `${layer.config.name}/${suffix}`;
      const p = params.get(pname);
      if (!p) throw new RnnlensError(`ONNX import: internal mapping produced weight '${pname}' that the model does not have`);
      if (p.value.length !== data.length) throw new RnnlensError(`ONNX import: weight '${pname}' has ${data.length} values, the layer needs ${p.value.length} [${p.shape.join(', ')}]`);
      p.value.set(data);
      seen.add(pname);
    }
  }
  for (const name of params.keys()) if (!seen.has(name)) throw new RnnlensError(`ONNX import: no ONNX weights were found for parameter '${name}'`);
}

function importChain(graph: OnnxGraph, opts: ImportOptions): OnnxImport {
  const l = new Lifter(graph, ONNX_OPS);
  const outInfo = graph.outputs[0]!;
  let out;
  try {
    const v = l.value(outInfo.name, null);
    if (v.v === 'flow' && v.softmax) out = v;
    else {
      const pseudo = { name: `graph output '${outInfo.name}'`, opType: 'Output', domain: '', inputs: [], outputs: [], attributes: new Map() };
      out = l.flow(v, pseudo);
    }
  } catch (e) {
    if (e instanceof RnnlensError) throw e;
    // A malformed graph (e.g. attributes of the wrong kind in a corrupt file) must still end in
    // a clear error rather than a stack trace.
    if (e instanceof RangeError || e instanceof TypeError) throw new RnnlensError(`ONNX import: the graph could not be translated (${e.message}); the file may be corrupt`);
    throw e;
  }
  if (out.tip !== l.layers.length) throw new RnnlensError(`ONNX import: the graph output '${outInfo.name}' is not the output of the last layer (a branching graph)`);
  if (!l.dataInput) throw new RnnlensError('ONNX import: the model output does not depend on any graph input');
  if (l.layers.length === 0) throw new RnnlensError('ONNX import: the graph has no layers rnnlens can represent (no recurrent, dense or embedding ops)');
  const inAxes = l.dataInput.flow.axes;
  const r0 = inAxes[0]!.k === 'bt' ? inAxes[0]!.r.role : '?';
  const layout = r0 === 'T' ? 'time-major' : 'batch-first';
  const tokens = l.dataInput.flow.tokens === true;
  const first = l.layers[0]!.config;
  const input: ModelConfig['input'] = tokens
    ? { kind: 'tokens', vocabSize: first.kind === 'embedding' ? first.vocabSize : 0 }
    : { kind: 'numeric', features: (inAxes[2] as { n: number }).n };
  const config: ModelConfig = { input, layers: l.layers.map((x) => x.config as LayerConfig) };
  const model = new SequenceModel(config, { backend: opts.backend });
  setModelWeights(model, l.layers);
  const axes = out.axes.map((a) => (a.k === 'bt' ? (a.r.role === '?' ? 'B' : a.r.role) : a.k === 'one' ? '1' : 'F'));
  return {
    model,
    producer: graph.producer,
    opset: graph.opset,
    input: { name: l.dataInput.info.name, kind: tokens ? 'tokens' : 'numeric', layout, dims: l.dataInput.info.dims },
    output: { name: outInfo.name, axes, softmax: out.softmax === true },
    mode: 'chain',
    stateInputs: l.stateInputs,
    lengthsInput: l.lengthsInput,
    supportedOps: Object.keys(ONNX_OPS).sort(),
  };
}

export interface FeedTensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** ONNX-layout feeds → the rnnlens model input (batch-first), lengths and initial states. */
export function onnxFeedsToModel(imp: OnnxImport, feeds: Record<string, FeedTensor>): { input: ModelInput; initialStates: Record<string, Partial<Record<Direction, RecurrentState>>> } {
  const where = 'onnxFeedsToModel';
  const x = feeds[imp.input.name];
  if (!x) throw new ArgumentError(where, `feeds['${imp.input.name}']`, 'the data input', 'missing');
  const dtype = imp.model.backend.dtype;
  const rank = imp.input.kind === 'tokens' || imp.input.dims.length === 2 ? 2 : 3;
  if (x.shape.length !== rank) throw new ArgumentError(where, `feeds['${imp.input.name}'].shape`, `rank ${rank}`, `[${x.shape.join(', ')}]`);
  const tm = imp.input.layout === 'time-major';
  const [B, T] = tm ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const F = rank === 3 ? x.shape[2]! : 1;
  if (x.data.length !== B * T * F) throw new ArgumentError(where, `feeds['${imp.input.name}'].data`, `${B * T * F} values`, `${x.data.length}`);
  const at = (b: number, t: number, f: number) => x.data[(tm ? t * B + b : b * T + t) * F + f]!;
  let lengths = new Int32Array(B).fill(T);
  if (imp.lengthsInput) {
    const ln = feeds[imp.lengthsInput];
    if (!ln || ln.data.length !== B) throw new ArgumentError(where, `feeds['${imp.lengthsInput}']`, `${B} sequence lengths`, ln ? `${ln.data.length} values` : 'missing');
    lengths = Int32Array.from(ln.data);
  }
  let input: ModelInput;
  if (imp.input.kind === 'tokens') {
    const ids = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) ids[b * T + t] = at(b, t, 0);
    input = { ids, batch: B, steps: T, lengths };
  } else {
    const data = allocFloat(dtype, B * T * F);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) data[(b * T + t) * F + f] = at(b, t, f);
    input = { data, batch: B, steps: T, features: F, lengths };
  }
  const initialStates: Record<string, Partial<Record<Direction, RecurrentState>>> = {};
  for (const s of imp.stateInputs) {
    const src = feeds[s.input];
    const [bAx, rAx] = s.batchMajor ? [0, 1] : [1, 0];
    const expected = s.batchMajor ? `[${B}, rows, H]` : `[rows, ${B}, H]`;
    if (!src || src.shape.length !== 3 || src.shape[bAx] !== B) throw new ArgumentError(where, `feeds['${s.input}']`, `initial states ${expected}`, src ? `[${src.shape.join(', ')}]` : 'missing');
    const H = src.shape[2]!;
    const R = src.shape[rAx]!;
    if (s.row >= R) throw new ArgumentError(where, `feeds['${s.input}']`, `at least ${s.row + 1} rows`, `${R}`);
    if (src.data.length !== B * R * H) throw new ArgumentError(where, `feeds['${s.input}'].data`, `${B * R * H} values`, `${src.data.length}`);
    const st = allocFloat(dtype, B * H);
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) st[b * H + h] = src.data[(s.batchMajor ? b * R + s.row : s.row * B + b) * H + h]!;
    const layer = (initialStates[s.layer] ??= {});
    const dir = (layer[s.direction] ??= {});
    dir[s.which] = st;
  }
  return { input, initialStates };
}

/** The model's output in the ONNX output layout (and with the final Softmax when there is one). */
export function modelOutputToOnnx(imp: OnnxImport, y: Flow): { shape: number[]; data: Float64Array } {
  if (imp.output.graph) return graphOutputToOnnx(imp, y, imp.output.graph);
  const rows = y instanceof Tensor ? y.shape[0]! : y.batch;
  const T = y instanceof Tensor ? 1 : y.steps;
  const F = y instanceof Tensor ? y.shape[1]! : y.features;
  const src = y instanceof Tensor ? y.data : y.data;
  const data = new Float64Array(rows * T * F);
  const order = imp.output.axes.filter((a) => a === 'B' || a === 'T');
  const tFirst = order[0] === 'T';
  for (let b = 0; b < rows; b++)
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) data[((tFirst ? t * rows + b : b * T + t) * F) + f] = src[(b * T + t) * F + f]!;
  if (imp.output.softmax) {
    for (let r = 0; r < rows * T; r++) {
      let m = -Infinity;
      for (let f = 0; f < F; f++) m = Math.max(m, data[r * F + f]!);
      let s = 0;
      for (let f = 0; f < F; f++) s += data[r * F + f] = Math.exp(data[r * F + f]! - m);
      for (let f = 0; f < F; f++) data[r * F + f] = data[r * F + f]! / s;
    }
  }
  const shape = imp.output.axes.map((a) => (a === 'B' ? rows : a === 'T' ? T : a === '1' ? 1 : F));
  return { shape, data };
}

/** Runs the imported model on ONNX-layout feeds (like an ONNX runtime session would). */
export function runOnnxImport(imp: OnnxImport, feeds: Record<string, FeedTensor>): { shape: number[]; data: Float64Array } {
  const { input, initialStates } = onnxFeedsToModel(imp, feeds);
  const y = imp.model.forward(input, { initialStates }).output;
  return modelOutputToOnnx(imp, y);
}

/**
 * An upstream gradient given in the ONNX output layout → the model's output layout (batch-first),
 * shaped like `like` (the model's output). The inverse of `modelOutputToOnnx` without the softmax:
 * a gradient for a Softmax model is taken on the logits.
 */
export function onnxGradToModel(imp: OnnxImport, grad: FeedTensor, like: Flow): Flow {
  const rows = like instanceof Tensor ? like.shape[0]! : like.batch;
  const T = like instanceof Tensor ? 1 : like.steps;
  const F = like instanceof Tensor ? like.shape[1]! : like.features;
  if (grad.data.length !== rows * T * F) throw new ArgumentError('onnxGradToModel', 'grad', `${rows * T * F} values`, `${grad.data.length}`);
  if (imp.output.graph) {
    // the inverse of graphOutputToOnnx's permutation (a gradient of logits: no softmax)
    const { axes, fdims } = imp.output.graph;
    const size = (a: string) => (a === 'B' ? rows : a === 'T' ? T : fdims[a]!);
    const order = ['B', ...(axes.includes('T') ? ['T'] : []), ...axes.filter((a) => a.startsWith('F'))];
    const shape = axes.map(size);
    const cShape = order.map(size);
    const cStr = cShape.map((_, i) => cShape.slice(i + 1).reduce((a, b) => a * b, 1));
    const out = allocFloat(imp.model.backend.dtype, grad.data.length);
    const idx = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < grad.data.length; i++) {
      let s = 0;
      for (let a = 0; a < shape.length; a++) s += idx[a]! * cStr[order.indexOf(axes[a]!)]!;
      out[s] = grad.data[i]!;
      for (let a = shape.length - 1; a >= 0; a--) {
        if (++idx[a]! < shape[a]!) break;
        idx[a] = 0;
      }
    }
    return like instanceof Tensor ? new Tensor(like.shape, out) : { ...like, data: out };
  }
  const tFirst = imp.output.axes.filter((a) => a === 'B' || a === 'T')[0] === 'T';
  const data = allocFloat(imp.model.backend.dtype, rows * T * F);
  for (let b = 0; b < rows; b++)
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) data[(b * T + t) * F + f] = grad.data[((tFirst ? t * rows + b : b * T + t) * F) + f]!;
  return like instanceof Tensor ? new Tensor(like.shape, data) : { ...like, data };
}

/** Graph imports: the batch-first flow [B, T?, F0, F1, …] → the ONNX output's axis order. */
function graphOutputToOnnx(imp: OnnxImport, y: Flow, g: { axes: string[]; fdims: Record<string, number> }): { shape: number[]; data: Float64Array } {
  const B = y instanceof Tensor ? y.shape[0]! : y.batch;
  const T = y instanceof Tensor ? 1 : y.steps;
  const src = y instanceof Tensor ? y.data : y.data;
  const size = (a: string) => (a === 'B' ? B : a === 'T' ? T : g.fdims[a]!);
  const order = ['B', ...(g.axes.includes('T') ? ['T'] : []), ...g.axes.filter((a) => a.startsWith('F'))];
  const shape = g.axes.map(size);
  const cShape = order.map(size);
  const cStr = cShape.map((_, i) => cShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = src.length;
  const data = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < shape.length; a++) s += idx[a]! * cStr[order.indexOf(g.axes[a]!)]!;
    data[i] = src[s]!;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  if (imp.output.softmax) {
    const F = g.fdims[g.axes[g.axes.length - 1]!] ?? 1;
    for (let r = 0; r < n / F; r++) {
      let m = -Infinity;
      for (let f = 0; f < F; f++) m = Math.max(m, data[r * F + f]!);
      let s = 0;
      for (let f = 0; f < F; f++) s += data[r * F + f] = Math.exp(data[r * F + f]! - m);
      for (let f = 0; f < F; f++) data[r * F + f] = data[r * F + f]! / s;
    }
  }
  return { shape, data };
}
