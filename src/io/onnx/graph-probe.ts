/**
 * The probing half of general ONNX import (graph-import.ts): small batches run through the layers
 * built so far and through a segment's nodes, to tell which axes are batch and time and whether a
 * segment changes its input at all; plus the node conversion and error helpers both halves share.
 */
import { getBackend } from '../../core/backends.js';
import { RnnlensError } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import type { GraphConfig } from '../../nn/config.js';
import { layerFromConfig } from '../../nn/from-config.js';
import type { FinalState, Flow, Layer, LayerInput } from '../../nn/layer.js';
import { isSeqBatch } from '../../nn/layer.js';
import { numel, type Nd } from '../../nn/graph/nd.js';
import { GRAPH_OPS } from '../../nn/graph/ops.js';
import type { AttrValue, GNode } from '../../nn/graph/rule.js';
import type { GraphLayer } from '../../nn/graph/layer.js';
import type { OnnxNode } from './parse.js';
import type { CommittedLayer } from './rnn.js';

export function fail(node: OnnxNode | null, msg: string): never {
  throw new RnnlensError(`ONNX import: ${node ? `node '${node.name}' (${node.opType}): ` : ''}${msg}`);
}

export function toGNode(n: OnnxNode): GNode {
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of n.attributes) {
    if (v === null) continue;
    if (typeof v === 'object' && !Array.isArray(v)) attrs[k] = { shape: [...v.shape], data: Array.from(v.data), int: !v.float };
    else attrs[k] = v;
  }
  return { op: n.opType, name: n.name || n.opType, inputs: [...n.inputs], outputs: [...n.outputs], attrs };
}


export interface Probe {
  input: LayerInput;
  flow: Flow;
}

export function makeProbes(tokens: boolean, F: number, vocab: number, probeDims: (bt: [number, number], tm: boolean) => [number, number], tm: boolean): Probe[] {
  const sizes: Array<[number, number]> = [[2, 11], [3, 11], [2, 13]];
  return sizes.map(([b0, t0], k) => {
    const [d0, d1] = probeDims([b0, t0], tm);
    const [B, T] = tm ? [d1, d0] : [d0, d1];
    const lengths = new Int32Array(B).fill(T);
    if (tokens) {
      const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + k * 3 + 1) % vocab);
      return { input: { ids, batch: B, steps: T, lengths }, flow: null as unknown as Flow };
    }
    const data = Float64Array.from({ length: B * T * F }, (_, i) => Math.sin(1.3 * i + k) * 0.9);
    const s = { data, batch: B, steps: T, features: F, lengths };
    return { input: s, flow: s };
  });
}

export function runLayer(l: Layer | CommittedLayer, x: LayerInput, previousFinal?: FinalState[]): Flow {
  const layer = 'forward' in l ? l : (() => {
    const built = layerFromConfig(l.config, { inputFeatures: (x as { features?: number }).features, dtype: 'float64' });
    setWeights(built, l);
    return built;
  })();
  return layer.forward(x, { backend: getBackend('ts64'), training: false, trace: false, ...(previousFinal ? { previousFinal } : {}) }).output;
}

export function setWeights(layer: Layer, c: CommittedLayer): void {
  for (const p of layer.parameters()) {
    const suffix = p.name.slice(layer.name.length + 1);
    const w = c.weights[suffix];
    if (!w || w.length !== p.value.length) throw new RnnlensError(`ONNX import: internal mapping has no weights for '${p.name}'`);
    p.value.set(w);
  }
}

export function sameFlow(a: Flow, b: Flow): boolean {
  const da = a instanceof Tensor ? a.data : a.data;
  const db = b instanceof Tensor ? b.data : b.data;
  if (isSeqBatch(a) !== isSeqBatch(b)) return false;
  if (isSeqBatch(a) && isSeqBatch(b) && (a.steps !== b.steps || a.features !== b.features)) return false;
  if (a instanceof Tensor && b instanceof Tensor && a.shape.join() !== b.shape.join()) return false;
  return da.length === db.length && da.every((v, i) => v === db[i]);
}

/** Runs the nodes of a segment on bound values (for probes; the layer does the same at run time). */
export function evalNodes(nodes: OnnxNode[], vals: Map<string, Nd>, env: { opset: number }): Map<string, Nd> {
  for (const n of nodes) {
    const g = toGNode(n);
    const ins = n.inputs.map((i) => (i ? vals.get(i) ?? fail(n, `input '${i}' is not available in its segment`) : null));
    const f = GRAPH_OPS[n.opType]!.forward(ins, g, env);
    n.outputs.forEach((o, k) => o && f.outs[k] && vals.set(o, f.outs[k]!));
  }
  return vals;
}

/** Binds a flow to a segment's input values (as GraphLayer does). */
export function bindProbe(segIn: GraphConfig['inputs'], flow: Flow, consts: Map<string, Nd>, previousFinal?: FinalState[]): Map<string, Nd> {
  const cfg: GraphConfig = {
    kind: 'graph', name: 'probe', opset: 13, inputs: segIn,
    output: { value: segIn[0]!.value, axes: segIn[0]!.source === 'last' ? segIn[0]!.axes : segIn[0]!.axes, features: numel(segIn[0]!.featureDims) },
    nodes: [], consts: {}, params: [],
  };
  const F = numel(segIn[0]!.featureDims);
  const layer = layerFromConfig(cfg, { inputFeatures: F, dtype: 'float64' }) as GraphLayer;
  const vals = new Map<string, Nd>(consts);
  layer.bind(flow, vals, previousFinal);
  return vals;
}

/** Labels the output value's axes B / T / F0… by how they change across the probes. */
export function labelOutput(nodes: OnnxNode[], segIn: GraphConfig['inputs'], out: string, consts: Map<string, Nd>, env: { opset: number }, flows: Flow[], finals: Array<FinalState[] | undefined>): string[] {
  // a recurrent output itself: its axes are known
  const bound = segIn.find((b) => b.value === out);
  if (nodes.length === 0 && bound) return [...bound.axes];
  const shapes = flows.map((f, k) => evalNodes(nodes, bindProbe(segIn, f, consts, finals[k]), env).get(out)!.shape);
  const [a, b, c] = shapes as [number[], number[], number[]];
  const B = [isSeqBatch(flows[0]!) ? flows[0]!.batch : (flows[0] as Tensor).shape[0]!, isSeqBatch(flows[1]!) ? flows[1]!.batch : (flows[1] as Tensor).shape[0]!];
  let f = 0;
  const axes = a.map((d, i) => {
    const byB = b[i] !== d;
    const byT = c[i] !== d;
    if (byB && byT) fail(null, `the graph output '${out}' merges the batch and time axes (axis ${i}); rnnlens outputs keep the batch axis`);
    if (byB) {
      if (d !== B[0] || b[i] !== B[1]) fail(null, `the graph output '${out}' axis ${i} is a multiple of the batch size; rnnlens outputs keep the batch axis`);
      return 'B';
    }
    if (byT && isSeqBatch(flows[0]!)) return 'T';
    return `F${f++}`;
  });
  if (!axes.includes('B')) {
    if (a.length > 0 && a[0] === B[0]) axes[0] = 'B';
    else fail(null, `the graph output '${out}' has no batch axis (shape [${a.join(', ')}])`);
  }
  return axes;
}
