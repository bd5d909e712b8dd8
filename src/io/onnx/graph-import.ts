/**
 * ONNX → rnnlens for general graphs: every recurrent node (RNN, LSTM, GRU) becomes an rnnlens
 * recurrent layer and each run of other ops between them a graph layer (src/nn/graph/layer.ts).
 *
 * 1. Constants fold: every node whose inputs are all constants runs once at import.
 * 2. The remaining nodes get a stage: the data input is stage 0 and each recurrent node's outputs
 *    are one stage later than its input X. A node reading values of two stages (a connection
 *    around a recurrent layer) is refused, as is a second recurrent node on the same stage.
 * 3. Segment k holds the stage-k nodes that lead to recurrent node k's X (or to the model output);
 *    it reads the previous recurrent layer's Y (per step) and/or Y_h (final states).
 * 4. Layers are built in order while small probe batches run through them; the probes decide which
 *    axes of the data input and of the output are batch and time, and a segment that only moves
 *    axes around (it maps its input flow to itself) is left out.
 * Token inputs start with Gather(weights, ids), which becomes an Embedding layer.
 */
import { getBackend } from '../../core/backends.js';
import type { GraphConfig, LayerConfig } from '../../nn/config.js';
import { layerFromConfig } from '../../nn/from-config.js';
import type { Direction, FinalState, Flow, Layer } from '../../nn/layer.js';
import { isSeqBatch } from '../../nn/layer.js';
import { nd, numel, type Nd } from '../../nn/graph/nd.js';
import { GRAPH_OPS } from '../../nn/graph/ops.js';
import type { StateInput } from './lifter.js';
import type { OnnxGraph, OnnxNode, OnnxValueInfo } from './parse.js';
import { readRnnNode, rnnLayer, type CommittedLayer } from './rnn.js';
import type { ConstVal } from './values.js';
import { bindProbe, evalNodes, fail, labelOutput, makeProbes, runLayer, sameFlow, setWeights, toGNode } from './graph-probe.js';

const RECURRENT = new Set(['RNN', 'LSTM', 'GRU']);

export interface GraphLift {
  layers: CommittedLayer[];
  input: { info: OnnxValueInfo; tokens: boolean; layout: 'batch-first' | 'time-major'; features: number; vocab: number };
  /** Output axes: B, T, F0, F1, … per ONNX axis, with the size of each F axis. */
  output: { name: string; axes: string[]; fdims: Record<string, number>; softmax: boolean };
  stateInputs: StateInput[];
  lengthsInput: string | null;
}

function constVal(t: Nd): ConstVal {
  return { v: 'const', float: !t.int, shape: [...t.shape], data: t.int ? Array.from(t.data) : Float64Array.from(t.data) };
}

interface RnnUse {
  node: OnnxNode;
  stage: number;
  y: boolean;
  yh: boolean;
  yc: boolean;
}

export function liftGraph(graph: OnnxGraph, outputName?: string): GraphLift {
  const opset = graph.opset || 13;
  const env = { opset };
  const consts = new Map<string, Nd>();
  for (const [k, t] of graph.initializers) consts.set(k, nd(t.shape, t.data, !t.float));
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const outInfo = outputName ? graph.outputs.find((o) => o.name === outputName) : graph.outputs[0];
  if (!outInfo) fail(null, `the graph has no output '${outputName}' (outputs: ${graph.outputs.map((o) => o.name).join(', ')})`);

  const graphInputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const graphInputNames = new Set(graphInputs.map((i) => i.name));
  // inputs read directly by recurrent nodes as sequence_lens / initial states
  const special = new Map<string, { node: OnnxNode; slot: number }>();
  for (const n of graph.nodes)
    if (RECURRENT.has(n.opType)) for (const slot of [4, 5, 6]) if (n.inputs[slot] && graphInputNames.has(n.inputs[slot]!)) special.set(n.inputs[slot]!, { node: n, slot });
  const dataInputs = graphInputs.filter((i) => !special.has(i.name));
  if (dataInputs.length !== 1) fail(null, `expected one data input besides sequence_lens and initial states, found ${dataInputs.length}: ${dataInputs.map((i) => i.name).join(', ') || 'none'}`);
  const info = dataInputs[0]!;

  // 1. constant folding and 2. stages
  const stage = new Map<string, number>([[info.name, 0]]);
  for (const s of special.keys()) stage.set(s, -1); // state/length inputs: read by recurrent nodes only
  const rnns: RnnUse[] = [];
  const live: OnnxNode[] = [];
  for (const n of graph.nodes) {
    if (n.domain && n.domain !== 'ai.onnx') fail(n, `op in domain '${n.domain}' is not supported`);
    const rec = RECURRENT.has(n.opType);
    if (!rec && !GRAPH_OPS[n.opType]) fail(n, `unsupported op; supported ops: ${[...RECURRENT, ...Object.keys(GRAPH_OPS)].sort().join(', ')}`);
    const ins = n.inputs.filter((i) => i);
    if (!rec && ins.every((i) => consts.has(i))) {
      const f = GRAPH_OPS[n.opType]!.forward(n.inputs.map((i) => (i ? consts.get(i)! : null)), toGNode(n), env);
      n.outputs.forEach((o, k) => o && f.outs[k] && consts.set(o, f.outs[k]!));
      continue;
    }
    for (const i of ins) if (!consts.has(i) && !stage.has(i)) fail(n, `input '${i}' is neither a graph input, a constant nor the output of an earlier node`);
    if (rec) {
      const x = n.inputs[0]!;
      const s = stage.get(x);
      if (s === undefined || s < 0) fail(n, 'its input X does not come from the data input');
      if (rnns.some((r) => r.stage === s)) fail(n, `reads the same activations as recurrent node '${rnns.find((r) => r.stage === s)!.node.name}' (parallel recurrent branches are not supported)`);
      if (rnns.length && s !== rnns.length) fail(n, 'its input is not computed from the previous recurrent layer (a branching graph)');
      rnns.push({ node: n, stage: s, y: false, yh: false, yc: false });
      n.outputs.forEach((o) => o && stage.set(o, s + 1));
    } else {
      const ss = ins.filter((i) => stage.has(i)).map((i) => stage.get(i)!);
      if (ss.some((v) => v < 0)) fail(n, 'reads a sequence_lens or initial-state input that recurrent nodes also read; rnnlens feeds those only to the recurrent layers');
      const top = Math.max(...ss);
      if (ss.some((v) => v !== top)) {
        const early = ins.find((i) => stage.has(i) && stage.get(i)! < top)!;
        fail(n, `reads '${early}' from before a recurrent layer together with later activations (a connection around a recurrent layer); rnnlens models are a chain of layers`);
      }
      n.outputs.forEach((o) => o && stage.set(o, top));
    }
    live.push(n);
  }
  if (consts.has(outInfo.name)) fail(null, `the graph output '${outInfo.name}' does not depend on the data input`);
  const last = stage.get(outInfo.name);
  if (last === undefined) fail(null, `the graph output '${outInfo.name}' is not produced by any node`);
  if (last !== rnns.length) fail(null, `the graph output '${outInfo.name}' is computed before the last recurrent node '${rnns[rnns.length - 1]!.node.name}' (the model would ignore it)`);

  const LAYOUT = new Set(['Identity', 'Dropout', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Shape', 'Gather', 'Concat', 'Cast']);
  if (rnns.length === 0 && live.every((n) => LAYOUT.has(n.opType) && (n.opType !== 'Gather' || stage.has(n.inputs[0]!))))
    fail(null, 'the graph has no layers rnnlens can represent (it only moves the axes of its input)');
  // which recurrent outputs are used, and by what
  const needed = new Set<string>([outInfo.name]);
  for (const r of rnns) needed.add(r.node.inputs[0]!);
  for (let k = live.length - 1; k >= 0; k--) {
    const n = live[k]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    if (RECURRENT.has(n.opType)) continue;
    for (const i of n.inputs) if (i && stage.has(i)) needed.add(i);
  }
  rnns.forEach((r) => {
    const [y, yh, yc] = r.node.outputs;
    r.y = !!y && needed.has(y);
    r.yh = !!yh && needed.has(yh);
    r.yc = !!yc && needed.has(yc);
    if (!r.y && !r.yh && !r.yc) fail(r.node, 'none of its outputs Y, Y_h, Y_c is used');
  });

  // 3. + 4. build layers in order, running probes through them
  const tokens = info.elemType === 7 || info.elemType === 6;
  const dims = info.dims;
  if (tokens ? dims.length !== 2 : dims.length !== 3 && dims.length !== 2) fail(null, `data input '${info.name}' must be ${tokens ? 'token ids [batch, steps]' : 'a sequence [batch, steps, features] (or [batch, steps])'}, declared [${dims.join(', ')}]`);
  const F = tokens ? 1 : dims.length === 3 ? dims[2] : 1;
  if (typeof F !== 'number' || F < 1) fail(null, `data input '${info.name}' needs a fixed feature count, declared [${dims.join(', ')}]`);
  const fixed = (d: unknown) => (typeof d === 'number' && d > 0 ? d : null);
  const probeDims = (bt: [number, number], tm: boolean): [number, number] => {
    const [b, t] = bt;
    const d0 = fixed(dims[0]) ?? (tm ? t : b);
    const d1 = fixed(dims[1]) ?? (tm ? b : t);
    return [d0, d1];
  };
  const layers: CommittedLayer[] = [];
  const stateInputs: StateInput[] = [];
  let lengthsInput: string | null = null;
  let vocab = 0;
  let seg0Value = info.name;
  if (tokens) {
    const users = live.filter((n) => n.inputs.includes(info.name));
    const g = users[0];
    if (users.length !== 1 || g!.opType !== 'Gather' || g!.inputs[1] !== info.name || !consts.has(g!.inputs[0]!) || (g!.attributes.get('axis') ?? 0) !== 0)
      fail(g ?? null, `token input '${info.name}' must be read by exactly one Gather(weights, ids) (an embedding lookup)`);
    const W = consts.get(g!.inputs[0]!)!;
    if (W.shape.length !== 2) fail(g!, `embedding weights must be [vocab, dim], got [${W.shape.join(', ')}]`);
    vocab = W.shape[0]!;
    layers.push({ config: { kind: 'embedding', name: 'embedding', vocabSize: vocab, dim: W.shape[1]! }, weights: { embeddings: Float64Array.from(W.data) } });
    live.splice(live.indexOf(g!), 1);
    seg0Value = g!.outputs[0]!;
  }
  // layout of the data input: batch-first unless the probes say time-major
  const layout = decideLayout(live, rnns, info, seg0Value, tokens, F, probeDims, consts, env, layers, outInfo.name);
  const tm = layout === 'time-major';
  const inAxes = tokens || dims.length === 3 ? (tm ? ['T', 'B', 'F0'] : ['B', 'T', 'F0']) : tm ? ['T', 'B'] : ['B', 'T'];
  let segIn: GraphConfig['inputs'] = [{ value: seg0Value, source: 'steps', axes: inAxes, featureDims: [tokens ? (layers[0]!.config as { dim: number }).dim : F] }];
  const used = new Set<string>();
  const layerName = (raw: string) => {
    const base = raw.replace(/^\/+/, '').replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_') || 'layer';
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  used.add('embedding');
  const probes = makeProbes(tokens, F, vocab, probeDims, tm);
  let flows: Flow[] = probes.map((p) => p.flow);
  if (tokens) flows = probes.map((p) => runLayer(layers[0]!, p.input));
  // the final states of the previous recurrent layer on each probe (for Y_c bindings)
  let finals: Array<FinalState[] | undefined> = probes.map(() => undefined);
  let softmax = false;
  let outAxes: string[] = [];
  const fdims: Record<string, number> = {};
  for (let s = 0; s <= rnns.length; s++) {
    const target = s < rnns.length ? rnns[s]!.node.inputs[0]! : outInfo.name;
    let segNodes = live.filter((n) => !RECURRENT.has(n.opType) && stage.get(n.outputs[0]!) === s && n.outputs.some((o) => needed.has(o)));
    let outValue = target;
    if (s === rnns.length) {
      const p = producer.get(target);
      if (p && (p.opType === 'Softmax') && segNodes.includes(p) && isLastAxisSoftmax(p, opset, consts, segNodes, live)) {
        softmax = true;
        outValue = p.inputs[0]!;
        segNodes = segNodes.filter((n) => n !== p);
      }
    }
    // the segment's output: the recurrent node's X (layout-dependent) or the model output
    let axes: string[];
    if (s < rnns.length) {
      const lay = Number(rnns[s]!.node.attributes.get('layout') ?? 0);
      axes = lay === 1 ? ['B', 'T', 'F0'] : ['T', 'B', 'F0'];
    } else {
      axes = labelOutput(segNodes, segIn, outValue, consts, env, flows, finals);
      if (softmax && !axes[axes.length - 1]!.startsWith('F')) {
        // a softmax over the batch or time axis stays in the graph
        softmax = false;
        outValue = target;
        segNodes = live.filter((n) => !RECURRENT.has(n.opType) && stage.get(n.outputs[0]!) === s && n.outputs.some((o) => needed.has(o)));
        axes = labelOutput(segNodes, segIn, outValue, consts, env, flows, finals);
      }
      outAxes = axes;
    }
    const cfgName = layerName(s === 0 ? 'graph' : `graph_${s}`);
    const built = buildSegment(cfgName, opset, segNodes, segIn, outValue, axes, consts, flows[0]!, finals[0]);
    if (s === rnns.length) for (const a of axes) if (a.startsWith('F')) fdims[a] = built.fdims[a]!;
    const identity = built.layer && !segIn.some((b) => b.source === 'cell') && probes.every((_, k) => sameFlow(runLayer(built.layer!, flows[k]!, finals[k]), flows[k]!));
    if (built.layer && !identity) {
      layers.push(built.committed);
      flows = flows.map((f, k) => runLayer(built.layer!, f, finals[k]));
      finals = probes.map(() => undefined);
    }
    if (s === rnns.length) break;
    // the recurrent layer
    const r = rnns[s]!;
    const n = r.node;
    const f0 = flows[0]!;
    if (!isSeqBatch(f0)) fail(n, 'its input X has no time axis');
    const W = consts.get(n.inputs[1] ?? '') ?? fail(n, 'input W must be a constant');
    const R = consts.get(n.inputs[2] ?? '') ?? fail(n, 'input R must be a constant');
    const Bc = n.inputs[3] ? consts.get(n.inputs[3]) ?? fail(n, 'input B must be a constant') : undefined;
    const Pc = n.opType === 'LSTM' && n.inputs[7] ? consts.get(n.inputs[7]) ?? fail(n, 'input P must be a constant') : undefined;
    const p = readRnnNode(n, { features: f0.features, W: constVal(W), R: constVal(R), B: Bc ? constVal(Bc) : null, P: Pc ? constVal(Pc) : null }, 0);
    const D = p.direction === 'bidirectional' ? 2 : 1;
    const lay = Number(n.attributes.get('layout') ?? 0);
    const name = layerName(n.name || n.opType.toLowerCase());
    const parts = Array.from({ length: D }, (_, d) => ({ node: p, dir: d, what: (r.y ? 'Y' : 'h') as 'Y' | 'h' }));
    // a reverse-only node whose Y is used: a goBackwards layer returning sequences, read reversed
    const reversedY = p.direction === 'reverse' && r.y;
    const base = rnnLayer(p, reversedY ? parts.map((q) => ({ ...q, what: 'h' as const })) : parts, 'concat', name);
    const committed: CommittedLayer = reversedY ? { ...base, config: { ...base.config, returnSequences: true } as LayerConfig } : base;
    layers.push(committed);
    // sequence lengths and initial states
    const sl = n.inputs[4];
    if (sl) {
      if (!special.has(sl)) fail(n, 'sequence_lens must be a graph input (it is computed or constant)');
      if (lengthsInput && lengthsInput !== sl) fail(n, `a second sequence_lens input '${sl}' (the model already reads '${lengthsInput}')`);
      lengthsInput = sl;
    }
    for (const [slot, which] of [[5, 'h'], [6, 'c']] as const) {
      const v = n.inputs[slot];
      if (!v || (which === 'c' && n.opType !== 'LSTM')) continue;
      if (consts.has(v)) {
        if (consts.get(v)!.data.some((x) => x !== 0)) fail(n, `a constant non-zero initial ${which === 'h' ? 'initial_h' : 'initial_c'} is not supported (give it as a graph input)`);
        continue;
      }
      if (!special.has(v)) {
        if (isZeros(v, producer, consts)) continue;
        fail(n, `its ${which === 'h' ? 'initial_h' : 'initial_c'} is computed inside the graph; rnnlens takes initial states as graph inputs (or zeros)`);
      }
      for (let d = 0; d < D; d++) {
        const direction: Direction = d === 1 || p.direction === 'reverse' ? 'backward' : 'forward';
        stateInputs.push({ input: v, row: d, batchMajor: lay === 1, layer: name, direction, which });
      }
    }
    const rl = layerFromConfig(committed.config, { inputFeatures: f0.features, dtype: 'float64' });
    setWeights(rl, committed);
    const runs = flows.map((f) => rl.forward(f, { backend: getBackend('ts64'), training: false, trace: false }));
    flows = runs.map((r) => r.output);
    finals = runs.map((r) => r.final);
    const H = p.units;
    segIn = [];
    if (r.y) segIn.push({ value: n.outputs[0]!, source: 'steps', axes: lay === 1 ? ['B', 'T', 'F0', 'F1'] : ['T', 'F0', 'B', 'F1'], featureDims: [D, H], ...(reversedY ? { reversed: true } : {}) });
    if (r.yh) segIn.push({ value: n.outputs[1]!, source: r.y ? 'last' : 'flat', axes: lay === 1 ? ['B', 'F0', 'F1'] : ['F0', 'B', 'F1'], featureDims: [D, H] });
    if (r.yc) segIn.push({ value: n.outputs[2]!, source: 'cell', axes: lay === 1 ? ['B', 'F0', 'F1'] : ['F0', 'B', 'F1'], featureDims: [D, H] });
  }
  if (layers.length === 0) fail(null, 'the graph has no layers rnnlens can represent (it passes its input through unchanged)');
  return {
    layers,
    input: { info, tokens, layout, features: F, vocab },
    output: { name: outInfo.name, axes: outAxes, fdims, softmax },
    stateInputs,
    lengthsInput,
  };
}

/** A value that is all zeros whatever the batch size: ConstantOfShape(0), or Expand/Tile of zeros. */
function isZeros(v: string, producer: Map<string, OnnxNode>, consts: Map<string, Nd>): boolean {
  const c = consts.get(v);
  if (c) return c.data.every((x) => x === 0);
  const p = producer.get(v);
  if (!p) return false;
  if (p.opType === 'ConstantOfShape') {
    const t = p.attributes.get('value');
    return !t || (typeof t === 'object' && !Array.isArray(t) && Array.from(t.data).every((x) => x === 0));
  }
  if (p.opType === 'Expand' || p.opType === 'Tile' || p.opType === 'Reshape' || p.opType === 'Identity' || p.opType === 'Unsqueeze' || p.opType === 'Cast') return isZeros(p.inputs[0]!, producer, consts);
  return false;
}

function isLastAxisSoftmax(p: OnnxNode, opset: number, _consts: Map<string, Nd>, seg: OnnxNode[], live: OnnxNode[]): boolean {
  const axis = Number(p.attributes.get('axis') ?? (opset < 13 ? 1 : -1));
  // the softmax input must feed nothing else
  if (live.some((n) => n !== p && n.inputs.includes(p.inputs[0]!))) return false;
  void seg;
  return axis === -1 || (opset < 13 && axis === 1);
}

function decideLayout(
  live: OnnxNode[], rnns: RnnUse[], info: OnnxValueInfo, seg0: string, tokens: boolean, F: number,
  probeDims: (bt: [number, number], tm: boolean) => [number, number], consts: Map<string, Nd>, env: { opset: number }, layers: CommittedLayer[], outName: string,
): 'batch-first' | 'time-major' {
  // a recurrent node reading the data input itself: its layout says
  if (rnns.length && rnns[0]!.node.inputs[0] === info.name) return Number(rnns[0]!.node.attributes.get('layout') ?? 0) === 1 ? 'batch-first' : 'time-major';
  const [d0, d1] = probeDims([2, 11], false);
  if (d0 === d1) return 'batch-first';
  const target = rnns.length ? rnns[0]!.node.inputs[0]! : outName;
  const seg = live.filter((n) => !RECURRENT.has(n.opType));
  const vals = new Map<string, Nd>(consts);
  const emb = layers[0]?.config.kind === 'embedding' ? (layers[0]!.config as { dim: number }).dim : 0;
  const shape = tokens ? [d0, d1, emb] : info.dims.length === 3 ? [d0, d1, F] : [d0, d1];
  vals.set(seg0, nd(shape, Float64Array.from({ length: numel(shape) }, (_, i) => Math.sin(i))));
  let y: Nd | undefined;
  try {
    const needed = seg.filter((n) => n.outputs.some(Boolean));
    const out = new Map(vals);
    for (const n of needed) {
      if (!n.inputs.every((i) => !i || out.has(i))) continue;
      const f = GRAPH_OPS[n.opType]!.forward(n.inputs.map((i) => (i ? out.get(i)! : null)), toGNode(n), env);
      n.outputs.forEach((o, k) => o && f.outs[k] && out.set(o, f.outs[k]!));
    }
    y = out.get(target);
  } catch {
    y = undefined;
  }
  if (!y) return 'batch-first';
  if (rnns.length) {
    const lay = Number(rnns[0]!.node.attributes.get('layout') ?? 0);
    const bAxis = y.shape[lay === 1 ? 0 : 1];
    return bAxis === d1 ? 'time-major' : 'batch-first';
  }
  return y.shape[0] === d1 && y.shape[0] !== d0 ? 'time-major' : 'batch-first';
}

interface BuiltSegment {
  committed: CommittedLayer;
  layer: Layer | null;
  fdims: Record<string, number>;
}

function buildSegment(name: string, opset: number, nodes: OnnxNode[], inputs: GraphConfig['inputs'], out: string, axes: string[], consts: Map<string, Nd>, probe: Flow, probeFinal?: FinalState[]): BuiltSegment {
  const produced = new Set<string>(inputs.map((i) => i.value));
  for (const n of nodes) n.outputs.forEach((o) => o && produced.add(o));
  const cfgConsts: GraphConfig['consts'] = {};
  const params: GraphConfig['params'] = [];
  const weights: Record<string, Float64Array> = {};
  const rename = new Map<string, string>();
  const usedNames = new Set<string>();
  for (const n of nodes)
    for (const i of n.inputs) {
      if (!i || produced.has(i) || rename.has(i)) continue;
      const c = consts.get(i) ?? fail(n, `input '${i}' is not available in its segment`);
      if (!c.int && numel(c.shape) > 1) {
        let v = i.replace(/[^A-Za-z0-9_.:-]/g, '_').replace(/^[_.]+/, '') || 'w';
        for (let k = 1; usedNames.has(v); k++) v = `${v}_${k}`;
        usedNames.add(v);
        rename.set(i, v);
        params.push({ value: v, shape: [...c.shape] });
        weights[v] = Float64Array.from(c.data);
      } else {
        rename.set(i, i);
        cfgConsts[i] = { shape: [...c.shape], data: Array.from(c.data), int: c.int };
      }
    }
  const gnodes = nodes.map((n) => {
    const g = toGNode(n);
    g.inputs = g.inputs.map((i) => rename.get(i) ?? i);
    return g;
  });
  const F = numel(inputs[0]!.featureDims);
  // output features from the probe
  const vals = bindProbe(inputs, probe, consts, probeFinal);
  const y = evalNodes(nodes, vals, { opset }).get(out);
  if (!y) fail(null, `segment ${name} does not compute '${out}'`);
  if (y.int) fail(null, `the value '${out}' passed on by segment ${name} is an integer tensor`);
  if (y.shape.length !== axes.length) fail(null, `the value '${out}' has shape [${y.shape.join(', ')}], expected axes ${axes.join(', ')}`);
  const fdims: Record<string, number> = {};
  axes.forEach((a, i) => a.startsWith('F') && (fdims[a] = y.shape[i]!));
  const features = Object.values(fdims).reduce((s, d) => s * d, 1);
  const config: GraphConfig = { kind: 'graph', name, opset, inputs, output: { value: out, axes, features }, nodes: gnodes, consts: cfgConsts, params };
  const committed: CommittedLayer = { config: config as LayerConfig, weights };
  if (nodes.length === 0 && inputs.length === 1 && inputs[0]!.value === out) {
    // nothing but an axis relabelling: still a layer (identity is decided by the probes)
  }
  const layer = layerFromConfig(config as LayerConfig, { inputFeatures: F, dtype: 'float64' });
  setWeights(layer, committed);
  return { committed, layer, fdims };
}
