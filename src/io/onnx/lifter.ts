/**
 * The state of one ONNX → rnnlens translation: values by name (evaluated on demand, from the
 * graph output backwards), the layer chain being built, and the graph inputs that were claimed.
 * rnnlens models are chains, so every op on activations must extend the newest activations
 * (`tip` = number of layers when a flow was produced); a branching graph is a clear error.
 */
import { RnnlensError } from '../../core/errors.js';
import type { Direction } from '../../nn/layer.js';
import { constOf } from './consts.js';
import type { OnnxGraph, OnnxNode, OnnxValueInfo } from './parse.js';
import { rnnLayer, type CommittedLayer } from './rnn.js';
import { describeVal, type Axis, type ConstVal, type FlowVal, type Role, type RnnVal, type StateSource, type Val } from './values.js';

export interface StateInput {
  /** ONNX graph input holding initial states [rows, B, H]. */
  input: string;
  row: number;
  /** The input is [B, rows, H] (ONNX layout 1) instead of [rows, B, H]. */
  batchMajor: boolean;
  layer: string;
  direction: Direction;
  which: 'h' | 'c';
}

export type NodeHandler = (l: Lifter, node: OnnxNode) => Array<Val | null>;

const MAX_DEPTH = 10000;

export function fail(node: OnnxNode | null, msg: string): never {
  throw new RnnlensError(`ONNX import: ${node ? `node '${node.name}' (${node.opType}): ` : ''}${msg}`);
}

export class Lifter {
  readonly layers: CommittedLayer[] = [];
  readonly stateInputs: StateInput[] = [];
  lengthsInput: string | null = null;
  dataInput: { info: OnnxValueInfo; flow: FlowVal } | null = null;
  private readonly vals = new Map<string, Val>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly inputs = new Map<string, OnnxValueInfo>();
  private readonly usedNames = new Set<string>();
  private readonly busy = new Set<string>();
  private depth = 0;
  private roleIds = 0;

  constructor(
    readonly graph: OnnxGraph,
    private readonly handlers: Record<string, NodeHandler>,
  ) {
    for (const n of graph.nodes) for (const o of n.outputs) if (o) this.producers.set(o, n);
    for (const i of graph.inputs) this.inputs.set(i.name, i);
  }

  newRole(size: number | null): Role {
    const r: Role = { id: this.roleIds++, role: '?' };
    if (size !== null) r.size = size;
    return r;
  }

  /** The value called `name`, evaluating its producer first (memoised). */
  value(name: string, user: OnnxNode | null): Val {
    const known = this.vals.get(name);
    if (known) return known;
    const init = this.graph.initializers.get(name);
    if (init) {
      const c = constOf(init);
      this.vals.set(name, c);
      return c;
    }
    const info = this.inputs.get(name);
    if (info) return { v: 'input', info };
    const node = this.producers.get(name);
    if (!node) fail(user, `input '${name}' is neither a graph input, an initializer nor the output of any node`);
    if (this.busy.has(node.name) || ++this.depth > MAX_DEPTH) fail(node, 'the graph has a cycle or is too deep');
    this.busy.add(node.name);
    const handler = this.handlers[node.opType];
    if (!handler || (node.domain && node.domain !== 'ai.onnx')) {
      fail(node, `unsupported op${node.domain ? ` in domain '${node.domain}'` : ''}; supported ops: ${Object.keys(this.handlers).sort().join(', ')}`);
    }
    const outs = handler(this, node);
    this.busy.delete(node.name);
    this.depth--;
    node.outputs.forEach((o, i) => {
      const v = outs[i];
      if (o && v) this.vals.set(o, v);
    });
    const v = this.vals.get(name);
    if (!v) fail(node, `output '${name}' is not supported`);
    return v;
  }

  /** Input i of a node, or null when absent/empty. */
  input(node: OnnxNode, i: number): Val | null {
    const name = node.inputs[i];
    return name ? this.value(name, node) : null;
  }

  need(node: OnnxNode, i: number): Val {
    const v = this.input(node, i);
    if (!v) fail(node, `input ${i} is missing`);
    return v;
  }

  constInput(node: OnnxNode, i: number): ConstVal | null {
    const v = this.input(node, i);
    if (v === null) return null;
    if (v.v !== 'const') fail(node, `input ${i} must be a constant, got ${describeVal(v)}`);
    return v;
  }

  layerName(raw: string): string {
    const base = raw.replace(/^\/+/, '').replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_') || 'layer';
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  /** Claims a graph input as the model's data input: [B|T, B|T, F] numbers or [B|T, B|T] token ids. */
  claim(info: OnnxValueInfo, node: OnnxNode | null): FlowVal {
    if (this.dataInput) {
      if (this.dataInput.info.name === info.name) return this.dataInput.flow;
      fail(node, `a second data input '${info.name}' (the model already reads '${this.dataInput.info.name}'); rnnlens models have one sequence input (other inputs may be initial states or sequence_lens)`);
    }
    const tokens = info.elemType === 7 || info.elemType === 6;
    const size = (d: number | string | null | undefined) => (typeof d === 'number' && d > 0 ? d : null);
    let axes: Axis[];
    if (tokens) {
      if (info.dims.length !== 2) fail(node, `token input '${info.name}' must be [batch, steps] (rank 2), declared rank ${info.dims.length}`);
      axes = [{ k: 'bt', r: this.newRole(size(info.dims[0])) }, { k: 'bt', r: this.newRole(size(info.dims[1])) }];
    } else {
      if (info.elemType !== 1 && info.elemType !== 11 && info.elemType !== 0) fail(node, `data input '${info.name}' has element type ${info.elemType}; expected float or int64 token ids`);
      const F = size(info.dims[2]);
      if (info.dims.length !== 3 || F === null) fail(node, `data input '${info.name}' must be a sequence [batch, steps, features] or [steps, batch, features] with a fixed feature count, declared [${info.dims.join(', ')}]`);
      axes = [{ k: 'bt', r: this.newRole(size(info.dims[0])) }, { k: 'bt', r: this.newRole(size(info.dims[1])) }, { k: 'f', n: F }];
    }
    const flow: FlowVal = tokens ? { v: 'flow', axes, tip: 0, tokens: true } : { v: 'flow', axes, tip: 0 };
    this.dataInput = { info, flow };
    return flow;
  }

  /** The value as activations of the chain (claims a data input, commits recurrent outputs). */
  flow(x: Val, node: OnnxNode): FlowVal {
    if (x.v === 'flow') {
      if (x.softmax) fail(node, 'reads the output of a Softmax; rnnlens supports Softmax only as the last op of the model');
      return x;
    }
    if (x.v === 'input') {
      if (x.rows) fail(node, `uses rows of graph input '${x.info.name}' as activations`);
      return this.claim(x.info, node);
    }
    if (x.v === 'rnn') return this.commit(x, node);
    fail(node, `expected activations (the model's data flow), got ${describeVal(x)}`);
  }

  /** Checks that `x` is the newest activations (the graph is a chain up to here). */
  atTip(x: FlowVal, node: OnnxNode): void {
    if (x.tip !== this.layers.length) fail(node, 'reads activations from before the latest layer (a branching graph); rnnlens models are a chain of layers');
  }

  /** Turns recurrent outputs into a layer of the chain. */
  commit(x: RnnVal, node: OnnxNode): FlowVal {
    let axes = x.axes;
    const dirAt = axes.findIndex((a) => a.k === 'dir');
    if (dirAt >= 0) {
      if (x.parts.length !== 1) fail(node, 'reads recurrent outputs whose directions are not merged (reshape/concatenate them into features first)');
      axes = axes.filter((_, i) => i !== dirAt);
    }
    const p = x.parts[0]!.node;
    if (x.parts.some((q) => q.node !== p)) fail(node, 'mixes outputs of different recurrent nodes');
    const key = `${x.parts.map((q) => `${q.what}${q.dir}`).join(',')}|${x.merge}`;
    const out = (tip: number, features: number): FlowVal => ({ v: 'flow', axes: axes.map((a) => (a.k === 'h' ? { k: 'f', n: features } : a)), tip });
    if (p.committed) {
      if (p.committed.key !== key) fail(node, `uses recurrent node '${p.node.name}' in two different ways; rnnlens models are a chain of layers`);
      return out(p.committed.val.tip, (p.committed.val.axes.find((a) => a.k === 'f') as { n: number }).n);
    }
    if (p.tip !== this.layers.length) fail(p.node, 'its input is not the latest activations (a branching graph); rnnlens models are a chain of layers');
    const name = this.layerName(p.node.name);
    const layer = rnnLayer(p, x.parts, x.merge, name);
    this.layers.push(layer);
    const dirs = p.direction === 'bidirectional' ? 2 : 1;
    for (let d = 0; d < dirs; d++) {
      const direction: Direction = d === 1 || p.direction === 'reverse' ? 'backward' : 'forward';
      const add = (s: StateSource | null, which: 'h' | 'c') => s && this.stateInputs.push({ input: s.input, row: s.row + d, batchMajor: s.batchMajor, layer: name, direction, which });
      add(p.h0, 'h');
      add(p.c0, 'c');
    }
    const H = p.units;
    const features = p.direction === 'bidirectional' && x.merge === 'concat' ? 2 * H : H;
    const val = out(this.layers.length, features);
    p.committed = { key, val };
    return val;
  }

  /** Appends a Dense layer y = x·K + b on the last axis of `x`. */
  dense(x: FlowVal, node: OnnxNode, kernel: Float64Array, bias: Float64Array, name?: string): FlowVal {
    this.atTip(x, node);
    const last = x.axes[x.axes.length - 1];
    if (!last || last.k !== 'f') fail(node, `expected activations whose last axis is features, got ${describeVal(x)}`);
    const out = bias.length;
    if (kernel.length !== last.n * out) fail(node, `weight has ${kernel.length} values, expected ${last.n}×${out} for ${last.n} input features`);
    const layerName = this.layerName(name ?? node.name);
    this.layers.push({ config: { kind: 'dense', name: layerName, units: out, activation: 'linear' }, weights: { kernel, bias } });
    return { v: 'flow', axes: [...x.axes.slice(0, -1), { k: 'f', n: out }], tip: this.layers.length };
  }

  /** The last layer when it is a Dense whose output is `x` (so ops on x can be folded into it). */
  foldableDense(x: FlowVal): CommittedLayer | null {
    const l = this.layers[this.layers.length - 1];
    return l && x.tip === this.layers.length && l.config.kind === 'dense' ? l : null;
  }

  features(x: FlowVal, node: OnnxNode): number {
    const last = x.axes[x.axes.length - 1];
    if (!last || last.k !== 'f') fail(node, `expected activations whose last axis is features, got ${describeVal(x)}`);
    return last.n;
  }
}
